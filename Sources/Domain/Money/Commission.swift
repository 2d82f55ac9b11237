/// The platform's share of a price, in basis points (3000 = 30 %).
public struct CommissionRate: Hashable, Sendable, Codable, CustomStringConvertible {
    public let basisPoints: Int

    public init?(basisPoints: Int) {
        guard (0...10_000).contains(basisPoints) else { return nil }
        self.basisPoints = basisPoints
    }

    /// From a percentage as configured: "30", "12.5" (at most two decimals).
    public init?(percentText: String) {
        let text = percentText.trimmingSpaces().replacingOccurrencesOfComma()
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
              let whole = Int(parts[0]) else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fraction = Int(f)! * (f.count == 1 ? 10 : 1)
        }
        guard whole <= 100 else { return nil }
        self.init(basisPoints: whole * 100 + fraction)
    }

    public static let standard = CommissionRate(basisPoints: 3_000)!

    public var description: String {
        let whole = basisPoints / 100, frac = basisPoints % 100
        return frac == 0 ? "\(whole) %" : "\(whole).\(pad2(frac)) %"
    }

    /// Splits a price between the platform and the host.
    ///
    /// Rounding rule: the platform's commission is price × rate rounded to the nearest minor unit, halves
    /// away from zero; the host gets the rest (price − commission). So platform + host = price exactly, for
    /// every price, and splitting −p gives the negation of splitting p (a refund reverses a split exactly).
    public func split(_ price: Money) -> CommissionSplit {
        let exact = Int128(price.minorUnits) * Int128(basisPoints)
        let magnitude = exact.magnitude
        let rounded = Int128((magnitude + 5_000) / 10_000)
        let platform = Int64(exact < 0 ? -rounded : rounded)
        return CommissionSplit(
            price: price,
            platform: Money(minorUnits: platform, currency: price.currency),
            host: Money(minorUnits: price.minorUnits - platform, currency: price.currency),
            rate: self
        )
    }
}

/// One price divided between platform and host; `platform + host == price` by construction.
public struct CommissionSplit: Hashable, Sendable, Codable {
    public let price: Money
    public let platform: Money
    public let host: Money
    public let rate: CommissionRate

    /// The reversing split, for a refund.
    public var reversed: CommissionSplit {
        CommissionSplit(price: price.negated, platform: platform.negated, host: host.negated, rate: rate)
    }
}

extension String {
    fileprivate func replacingOccurrencesOfComma() -> String { String(map { $0 == "," ? "." : $0 }) }
}
