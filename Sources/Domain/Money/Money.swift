/// An amount of money: integer minor units (cents, centavos) and its currency. Never a float.
public struct Money: Hashable, Sendable, Codable {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    public var isPositive: Bool { minorUnits > 0 }
    public var isNegative: Bool { minorUnits < 0 }

    public var negated: Money { Money(minorUnits: -minorUnits, currency: currency) }

    /// Adds two amounts of the same currency; nil on a currency mismatch or overflow.
    public func adding(_ other: Money) -> Money? {
        guard other.currency == currency else { return nil }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        return overflow ? nil : Money(minorUnits: sum, currency: currency)
    }

    /// Multiplies by a whole count (minutes); nil on overflow.
    public func multiplied(by count: Int64) -> Money? {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: count)
        return overflow ? nil : Money(minorUnits: product, currency: currency)
    }
}

extension Money: CustomStringConvertible {
    public var description: String { formatted() }
}
