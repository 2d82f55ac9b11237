/// A currency we price in. Minor-unit digits follow ISO 4217.
public enum Currency: String, CaseIterable, Sendable, Codable, Hashable {
    case usd = "USD"
    case eur = "EUR"
    case cop = "COP"

    /// Digits after the decimal separator in the currency's minor unit (ISO 4217).
    public var minorDigits: Int {
        switch self {
        case .usd, .eur, .cop: 2
        }
    }

    /// 10^minorDigits: minor units in one major unit.
    public var minorPerMajor: Int64 {
        var value: Int64 = 1
        for _ in 0..<minorDigits { value *= 10 }
        return value
    }

    public var code: String { rawValue }

    /// Parses "usd", "USD", " Usd ".
    public init?(code: String) {
        let trimmed = code.trimmingSpaces().uppercased()
        self.init(rawValue: trimmed)
    }
}

extension StringProtocol {
    /// Trims spaces, tabs and newlines without Foundation.
    public func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
