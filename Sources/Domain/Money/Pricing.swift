/// Why a price could not be computed.
public enum PricingError: Error, Equatable, Sendable, CustomStringConvertible {
    case nonPositiveMinutes(Int)
    case overflow

    public var description: String {
        switch self {
        case .nonPositiveMinutes(let m): "A call must last more than 0 minutes (got \(m))."
        case .overflow: "That price is too large to compute."
        }
    }
}

public enum Pricing {
    /// Price of a booking: minutes × price per minute, exact in minor units.
    public static func price(minutes: Int, perMinute: Money) throws(PricingError) -> Money {
        guard minutes > 0 else { throw .nonPositiveMinutes(minutes) }
        guard let total = perMinute.multiplied(by: Int64(minutes)) else { throw .overflow }
        return total
    }

    /// Telegram Stars for a USD price: ceil(cents × stars per USD / 100). Nil when Stars are off (no rate),
    /// the price is not in USD, or the product overflows.
    public static func stars(for price: Money, perUSD rate: Int?) -> Int64? {
        guard let rate, rate > 0, price.currency == .usd, price.minorUnits > 0 else { return nil }
        let (product, overflow) = price.minorUnits.multipliedReportingOverflow(by: Int64(rate))
        guard !overflow, product <= Int64.max - 99 else { return nil }
        return (product + 99) / 100
    }
}

/// What a booking cost when it was made. Stored with the booking, so later price changes never touch it.
public struct PriceSnapshot: Hashable, Sendable, Codable {
    public let pricePerMinute: Money
    public let minutes: Int
    public let total: Money
    public let split: CommissionSplit

    public init(pricePerMinute: Money, minutes: Int, commission: CommissionRate) throws(PricingError) {
        self.pricePerMinute = pricePerMinute
        self.minutes = minutes
        self.total = try Pricing.price(minutes: minutes, perMinute: pricePerMinute)
        self.split = commission.split(total)
    }

    /// Rebuilds a stored snapshot.
    public init(pricePerMinute: Money, minutes: Int, total: Money, platform: Money, rate: CommissionRate) {
        self.pricePerMinute = pricePerMinute
        self.minutes = minutes
        self.total = total
        self.split = CommissionSplit(
            price: total, platform: platform,
            host: Money(minorUnits: total.minorUnits - platform.minorUnits, currency: total.currency), rate: rate)
    }
}
