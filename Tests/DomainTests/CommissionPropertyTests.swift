import Testing
@testable import Domain

@Suite("Commission: rates and the platform/host split")
struct CommissionTests {
    @Test("percentText accepted", arguments: [
        ("30", 3_000),
        ("12.5", 1_250),
        ("12,5", 1_250),
        ("12.50", 1_250),
        ("0.01", 1),
        ("0.5", 50),
        ("0", 0),
        ("100", 10_000),
        ("100.00", 10_000),
        (" 30 ", 3_000),
        ("7.25", 725),
    ])
    func percentTextAccepted(text: String, basisPoints: Int) throws {
        let rate = try #require(CommissionRate(percentText: text))
        #expect(rate.basisPoints == basisPoints)
    }

    @Test("percentText refused", arguments: [
        "101", "-1", "abc", "30.123", "100.01", "", ".5", "30.", "30%", "+30", "1e2", "3 0", "٣٠",
        "99999999999999999999999",
    ])
    func percentTextRefused(text: String) {
        #expect(CommissionRate(percentText: text) == nil)
    }

    @Test func basisPointBounds() {
        #expect(CommissionRate(basisPoints: -1) == nil)
        #expect(CommissionRate(basisPoints: 10_001) == nil)
        #expect(CommissionRate(basisPoints: 0)?.basisPoints == 0)
        #expect(CommissionRate(basisPoints: 10_000)?.basisPoints == 10_000)
        #expect(CommissionRate.standard.basisPoints == 3_000)
    }

    @Test("description", arguments: [(3_000, "30 %"), (1_250, "12.50 %"), (5, "0.05 %"), (10_000, "100 %"), (0, "0 %")])
    func description(basisPoints: Int, text: String) throws {
        #expect(try #require(CommissionRate(basisPoints: basisPoints)).description == text)
    }

    /// Hand-computed splits, including exact halves (rounded away from zero, not to even).
    @Test("known splits", arguments: [
        (1_000 as Int64, 3_000, 300 as Int64),
        (15_000, 3_000, 4_500),
        (1, 5_000, 1), // 0.5 → 1
        (-1, 5_000, -1), // −0.5 → −1
        (3, 5_000, 2), // 1.5 → 2
        (5, 5_000, 3), // 2.5 → 3 (not banker's 2)
        (-5, 5_000, -3),
        (15, 1_000, 2), // 1.5 → 2
        (25, 1_000, 3), // 2.5 → 3
        (14, 1_000, 1), // 1.4 → 1
        (3, 3_333, 1), // 0.9999 → 1
        (1, 4_999, 0), // 0.4999 → 0
        (0, 3_000, 0),
        (999, 0, 0),
        (999, 10_000, 999),
        (-999, 10_000, -999),
        (1_234_567, 1_250, 154_321), // 154 320.875 → 154 321
    ])
    func knownSplit(price: Int64, basisPoints: Int, platform: Int64) throws {
        let rate = try #require(CommissionRate(basisPoints: basisPoints))
        let split = rate.split(usd(price))
        #expect(split.platform == usd(platform))
        #expect(split.host == usd(price - platform))
        #expect(split.price == usd(price))
        #expect(split.rate == rate)
    }

    @Test func splitKeepsCurrency() {
        let split = CommissionRate.standard.split(cop(1_200_000))
        #expect(split.platform.currency == .cop && split.host.currency == .cop)
        #expect(split.platform == cop(360_000))
    }

    @Test func reversedSplitNegatesEverything() {
        let split = CommissionRate.standard.split(usd(1_499))
        let r = split.reversed
        #expect(r.price == usd(-1_499))
        #expect(r.platform == split.platform.negated)
        #expect(r.host == split.host.negated)
        #expect(r.rate == split.rate)
    }

    /// 100 000 seeded random cases: price per minute × minutes (15…120, step 15) split at 0…10 000 bp.
    @Test func splitProperties() throws {
        var rng = SplitMix64(seed: 0xC0FF_EE00_2026)
        var failures: [String] = []
        let cases = 100_000
        for n in 0..<cases {
            // Mostly realistic prices, sometimes tiny ones (where rounding dominates) and the COP ceiling.
            let perMinute: Int64 = switch n % 4 {
            case 0: Int64.random(in: 1...20, using: &rng)
            case 1: Int64.random(in: 1...100_000, using: &rng)
            case 2: Int64.random(in: 1...500_000_000, using: &rng)
            default: Int64.random(in: 1...10_000, using: &rng)
            }
            let minutes = 15 * Int.random(in: 1...8, using: &rng)
            let bps = n % 50 == 0 ? [0, 10_000, 5_000, 1][n / 50 % 4] : Int.random(in: 0...10_000, using: &rng)
            let rate = try #require(CommissionRate(basisPoints: bps))
            let currency = Currency.allCases[n % Currency.allCases.count]

            let price = try Pricing.price(minutes: minutes, perMinute: Money(minorUnits: perMinute, currency: currency))
            let p = price.minorUnits
            if p != perMinute * Int64(minutes) { failures.append("price \(perMinute)×\(minutes) = \(p)") }

            let split = rate.split(price)
            let platform = split.platform.minorUnits, host = split.host.minorUnits
            let b = Int64(bps)
            if platform + host != p { failures.append("sum: \(p) at \(bps) → \(platform)+\(host)") }
            if platform < 0 || host < 0 { failures.append("negative share: \(p) at \(bps) → \(platform), \(host)") }
            // |platform − price × bps / 10 000| ≤ ½ minor unit, in integers.
            let error = 2 * 10_000 * platform - 2 * p * b
            if error.magnitude > 10_000 { failures.append("rounding: \(p) at \(bps) → \(platform)") }
            // An exact half rounds away from zero (up, for a positive price).
            if (2 * p * b) % 20_000 == 10_000 && 10_000 * platform != p * b + 5_000 {
                failures.append("half not away from zero: \(p) at \(bps) → \(platform)")
            }
            if split.platform.currency != currency || split.host.currency != currency { failures.append("currency") }

            let negative = rate.split(price.negated)
            if negative.platform != split.platform.negated || negative.host != split.host.negated
                || negative.price != price.negated {
                failures.append("negation: \(p) at \(bps) → \(negative.platform.minorUnits), \(negative.host.minorUnits)")
            }
            if negative != split.reversed { failures.append("reversed ≠ split of −price for \(p) at \(bps)") }
            if failures.count > 20 { break }
        }
        #expect(failures.isEmpty, "\(failures.prefix(20))")
    }
}
