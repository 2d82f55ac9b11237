/// Why an admin's typed amount was not accepted. Each case reads as a sentence for the chat.
public enum MoneyParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case invalidCharacter(Character)
    case negative
    case tooManyDecimals(allowed: Int)
    case malformedGrouping
    case tooLarge

    public var description: String {
        switch self {
        case .empty: "Please type an amount, for example 4.99."
        case .invalidCharacter(let c): "“\(c)” is not allowed in an amount. Use digits and one decimal separator, for example 4.99 or 4,99."
        case .negative: "The amount cannot be negative."
        case .tooManyDecimals(let allowed):
            allowed == 0 ? "This currency has no decimals." : "Use at most \(allowed) decimals, for example 4.99."
        case .malformedGrouping: "I could not read that amount. Write it like 12000, 12,000, 4.99 or 4,99."
        case .tooLarge: "That amount is too large."
        }
    }
}

extension Money {
    /// The largest amount an admin may type (before any business bound): 10^12 major units.
    static let parseCeilingMajor: Int64 = 1_000_000_000_000

    /// Parses what an admin types: "4.99", "4,99", "12000", "12.000", "12,000", "1.234,56", "1,234.56",
    /// "$4.99", "4.99 USD".
    ///
    /// The rule for the separators `.` and `,`:
    /// - the last separator is the decimal separator when 1…minorDigits digits follow it and it is the only
    ///   separator of its kind; otherwise every separator is a thousands separator and must be followed by
    ///   exactly three digits (so "12,000" and "12.000" are twelve thousand, "4,99" is four point nine nine);
    /// - a currency symbol or code around the number is ignored; anything else is an error.
    public static func parse(_ text: String, currency: Currency) throws(MoneyParseError) -> Money {
        var body = text.trimmingSpaces()
        for token in [currency.code, currency.code.lowercased(), "$", "€", "US$", "COL$"] {
            if body.hasPrefix(token) { body = String(body.dropFirst(token.count)).trimmingSpaces() }
            if body.hasSuffix(token) { body = String(body.dropLast(token.count)).trimmingSpaces() }
        }
        guard !body.isEmpty else { throw .empty }
        if body.first == "-" || body.first == "−" { throw .negative }
        if body.first == "+" { body.removeFirst() }
        body = body.replacingSpacesInsideNumber()
        guard !body.isEmpty else { throw .empty }

        for c in body where !(c.isASCII && (c.isNumber || c == "." || c == ",")) {
            throw .invalidCharacter(c)
        }
        guard body.first!.isNumber || body.first == "." || body.first == "," else { throw .malformedGrouping }

        let chars = Array(body)
        let separatorIndices = chars.indices.filter { chars[$0] == "." || chars[$0] == "," }
        var integerDigits: [Character] = []
        var fractionDigits: [Character] = []

        if let last = separatorIndices.last {
            let lastSep = chars[last]
            let digitsAfter = chars.count - last - 1
            let sameKindCount = separatorIndices.filter { chars[$0] == lastSep }.count
            let isDecimal: Bool
            if digitsAfter == 0 {
                throw .malformedGrouping
            } else if digitsAfter == 3 && (separatorIndices.count > 1 ? sameKindCount > 1 : true) {
                // "12,000", "1.234.567": thousands. "1.234,567" falls to decimal below and fails on digits.
                isDecimal = false
            } else {
                isDecimal = sameKindCount == 1
            }
            let groupEnd = isDecimal ? last : chars.count
            if isDecimal {
                fractionDigits = Array(chars[(last + 1)...])
                if fractionDigits.count > currency.minorDigits { throw .tooManyDecimals(allowed: currency.minorDigits) }
            }
            // Everything before groupEnd: digits with thousands separators of one kind, groups of three.
            let integerPart = Array(chars[..<groupEnd])
            let groupSeps = integerPart.indices.filter { integerPart[$0] == "." || integerPart[$0] == "," }
            if !groupSeps.isEmpty {
                let kind = integerPart[groupSeps[0]]
                if integerPart.first == "0" { throw .malformedGrouping }
                if isDecimal && kind == lastSep { throw .malformedGrouping }
                var previous = -1
                for (n, index) in groupSeps.enumerated() {
                    guard integerPart[index] == kind else { throw .malformedGrouping }
                    let groupLength = index - previous - 1
                    if n == 0 ? !(1...3).contains(groupLength) : groupLength != 3 { throw .malformedGrouping }
                    previous = index
                }
                if integerPart.count - previous - 1 != 3 { throw .malformedGrouping }
            }
            integerDigits = integerPart.filter(\.isNumber)
        } else {
            integerDigits = chars
        }
        if integerDigits.isEmpty { integerDigits = ["0"] }

        guard integerDigits.count <= 13, let major = Int64(String(integerDigits)), major <= parseCeilingMajor else {
            throw .tooLarge
        }
        let paddedFraction = fractionDigits + Array(repeating: "0", count: currency.minorDigits - fractionDigits.count)
        let minor = paddedFraction.isEmpty ? 0 : Int64(String(paddedFraction))!
        let total = major * currency.minorPerMajor + minor
        guard total <= parseCeilingMajor * currency.minorPerMajor else { throw .tooLarge }
        return Money(minorUnits: total, currency: currency)
    }
}

extension String {
    /// "12 000" → "12000" (a space as thousands separator); leaves other text alone.
    fileprivate func replacingSpacesInsideNumber() -> String {
        String(filter { $0 != " " && $0 != "\u{00A0}" && $0 != "\u{202F}" && $0 != "'" && $0 != "_" })
    }
}
