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
