import Testing
@testable import Domain

@Suite("Money: arithmetic, currencies, pricing")
struct MoneyArithmeticTests {
    @Test func currencyCodesAndMinorUnits() {
        #expect(Currency(code: "usd") == .usd)
        #expect(Currency(code: " Eur ") == .eur)
        #expect(Currency(code: "COP") == .cop)
        #expect(Currency(code: "XYZ") == nil)
        #expect(Currency(code: "") == nil)
        for c in Currency.allCases {
            #expect(c.minorDigits == 2)
            #expect(c.minorPerMajor == 100)
            #expect(c.code == c.rawValue)
        }
    }

    @Test func addingSameCurrency() {
        #expect(usd(499).adding(usd(1)) == usd(500))
        #expect(usd(499).adding(usd(-600)) == usd(-101))
    }

    @Test func addingDifferentCurrenciesIsNil() {
        #expect(usd(100).adding(eur(100)) == nil)
    }

    @Test func addingOverflowIsNil() {
        #expect(usd(Int64.max).adding(usd(1)) == nil)
        #expect(usd(Int64.min).adding(usd(-1)) == nil)
    }

    @Test func multiplyingOverflowIsNil() {
        #expect(usd(250).multiplied(by: 60) == usd(15_000))
        #expect(usd(Int64.max / 2 + 1).multiplied(by: 2) == nil)
    }

    @Test func signsAndNegation() {
        #expect(usd(1).isPositive && !usd(1).isNegative)
        #expect(usd(-1).isNegative && !usd(-1).isPositive)
        #expect(!Money.zero(.eur).isPositive && !Money.zero(.eur).isNegative)
        #expect(usd(499).negated == usd(-499))
        #expect(usd(0).negated == usd(0))
    }

    @Test("Pricing.price is minutes × price per minute", arguments: [
        (250 as Int64, 60, 15_000 as Int64),
        (1, 15, 15),
        (99, 45, 4_455),
        (100_000, 120, 12_000_000),
        (500_000_000, 120, 60_000_000_000),
    ])
    func priceIsProduct(perMinute: Int64, minutes: Int, total: Int64) throws {
        #expect(try Pricing.price(minutes: minutes, perMinute: usd(perMinute)) == usd(total))
        #expect(try Pricing.price(minutes: minutes, perMinute: cop(perMinute)) == cop(total))
    }

    @Test func priceOverflowThrows() throws {
        #expect(throws: PricingError.overflow) {
            try Pricing.price(minutes: 2, perMinute: usd(Int64.max / 2 + 1))
        }
        #expect(throws: PricingError.overflow) {
            try Pricing.price(minutes: 120, perMinute: usd(Int64.max / 100))
        }
        // Just below the edge still works: (Int64.max / 120) × 120 fits.
        #expect(try Pricing.price(minutes: 120, perMinute: usd(Int64.max / 120)) == usd(Int64.max / 120 * 120))
    }

    @Test func priceOfNonPositiveMinutesThrows() {
        #expect(throws: PricingError.nonPositiveMinutes(0)) { try Pricing.price(minutes: 0, perMinute: usd(250)) }
        #expect(throws: PricingError.nonPositiveMinutes(-15)) { try Pricing.price(minutes: -15, perMinute: usd(250)) }
    }

    @Test func pricingErrorsReadAsSentences() {
        for e in [PricingError.overflow, .nonPositiveMinutes(0)] {
            #expect(!e.description.isEmpty)
            #expect(e.description.last == ".")
        }
    }

    @Test func priceSnapshotComputesTotalAndSplit() throws {
        let s = try PriceSnapshot(pricePerMinute: usd(250), minutes: 60, commission: .standard)
        #expect(s.total == usd(15_000))
        #expect(s.split.platform == usd(4_500))
        #expect(s.split.host == usd(10_500))
        #expect(s.split.rate == CommissionRate.standard)
        #expect(s.minutes == 60 && s.pricePerMinute == usd(250))
    }

    @Test func priceSnapshotRebuiltFromStorageKeepsHostAsRemainder() {
        let s = PriceSnapshot(pricePerMinute: usd(250), minutes: 60, total: usd(15_000), platform: usd(4_500), rate: .standard)
        #expect(s.split.host == usd(10_500))
        #expect(s.split.price == usd(15_000))
    }

    @Test func priceSnapshotRejectsOverflow() {
        #expect(throws: PricingError.overflow) {
            try PriceSnapshot(pricePerMinute: usd(Int64.max / 10), minutes: 11, commission: .standard)
        }
    }
}

@Suite("Money: formatting")
struct MoneyFormattingTests {
    @Test("formatted()", arguments: [
        (usd(499), "$4.99"),
        (usd(5), "$0.05"),
        (usd(0), "$0.00"),
        (usd(100), "$1.00"),
        (usd(123_456_789_012), "$1,234,567,890.12"),
        (eur(123_450), "€1,234.50"),
        (eur(99_999), "€999.99"),
        (eur(100_000), "€1,000.00"),
        (cop(1_200_000), "COP 12,000"),
        (cop(1_200_050), "COP 12,000.50"),
        (cop(0), "COP 0"),
        (usd(-499), "-$4.99"),
        (eur(-123_450), "-€1,234.50"),
        (cop(-1_200_000), "-COP 12,000"),
        (usd(-5), "-$0.05"),
    ])
    func formatted(money: Money, text: String) {
        #expect(money.formatted() == text)
        #expect(money.description == text)
    }

    @Test func formattingTheExtremesDoesNotTrap() {
        #expect(usd(Int64.max).formatted() == "$92,233,720,368,547,758.07")
        #expect(usd(Int64.min).formatted() == "-$92,233,720,368,547,758.08")
    }

    @Test("decimalString", arguments: [
        (usd(499), "4.99"),
        (cop(1_200_000), "12000.00"),
        (usd(-5), "-0.05"),
        (usd(0), "0.00"),
        (eur(123_456), "1234.56"),
    ])
    func decimalString(money: Money, text: String) {
        #expect(money.decimalString == text)
    }
}

@Suite("Money: parsing what an admin types")
struct MoneyParsingTests {
    @Test("accepted amounts", arguments: [
        ("4.99", Currency.usd, 499 as Int64),
        ("4,99", .usd, 499),
        ("12000", .cop, 1_200_000),
        ("12,000", .cop, 1_200_000),
        ("12.000", .cop, 1_200_000),
        ("12 000", .cop, 1_200_000),
        ("1.234,56", .eur, 123_456),
        ("1,234.56", .usd, 123_456),
        ("1.234.567", .cop, 123_456_700),
        ("1,234,567.89", .usd, 123_456_789),
        ("12.000,00", .eur, 1_200_000),
        ("1 234,56", .eur, 123_456),
        ("$4.99", .usd, 499),
        ("$ 4.99", .usd, 499),
        ("US$4.99", .usd, 499),
        ("4.99 USD", .usd, 499),
        ("4.99 usd", .usd, 499),
        ("USD 4.99", .usd, 499),
        ("€4,99", .eur, 499),
        ("4,99 EUR", .eur, 499),
        ("COP 12.000", .cop, 1_200_000),
        ("COL$ 12.000", .cop, 1_200_000),
        ("0.5", .usd, 50),
        ("0,5", .usd, 50),
        ("5", .usd, 500),
        ("+5", .usd, 500),
        ("  4.99  ", .usd, 499),
        ("1000000000000", .usd, 100_000_000_000_000), // the ceiling itself
    ])
    func accepted(text: String, currency: Currency, minor: Int64) throws {
        #expect(try Money.parse(text, currency: currency) == Money(minorUnits: minor, currency: currency))
    }

    @Test("refused amounts", arguments: [
        ("", Currency.usd, MoneyParseError.empty),
        ("   ", .usd, .empty),
        ("$", .usd, .empty),
        ("USD", .usd, .empty),
        ("abc", .usd, .invalidCharacter("a")),
        ("4.99 EUR", .usd, .invalidCharacter("E")),
        ("4;99", .usd, .invalidCharacter(";")),
        ("-5", .usd, .negative),
        ("−5", .usd, .negative),
        ("$-4.99", .usd, .negative),
        ("4.9999", .usd, .tooManyDecimals(allowed: 2)),
        ("1,234.567", .usd, .tooManyDecimals(allowed: 2)),
        ("1.234,567", .eur, .tooManyDecimals(allowed: 2)),
        ("1,23,4", .usd, .malformedGrouping),
        ("12,34,567", .usd, .malformedGrouping),
        ("1.2.3", .usd, .malformedGrouping),
        ("4.", .usd, .malformedGrouping),
        (".", .usd, .malformedGrouping),
        ("1,234,5", .usd, .malformedGrouping),
        ("12.34.56", .usd, .malformedGrouping),
        ("1000000000001", .usd, .tooLarge),
        ("1000000000000.01", .usd, .tooLarge),
        ("10000000000000", .usd, .tooLarge),
        ("99999999999999999999999999", .usd, .tooLarge),
        ("1,000,000,000,000,000", .usd, .tooLarge),
    ])
    func refused(text: String, currency: Currency, error: MoneyParseError) {
        #expect(throws: error) { try Money.parse(text, currency: currency) }
    }

    /// The documented separator rule: a single separator followed by exactly three digits is a thousands
    /// separator ("12.000" is twelve thousand), so "4.999" reads as four thousand nine hundred ninety-nine.
    /// (The list also named "4.999" as a too-many-decimals error; that contradicts "12.000" →
    /// 12000 and is flagged to the lead, not asserted here. Real too-many-decimals inputs are above.)
    @Test func singleSeparatorWithThreeDigitsIsThousands() throws {
        #expect(try Money.parse("4.999", currency: .usd) == usd(499_900))
        #expect(try Money.parse("4,999", currency: .usd) == usd(499_900))
    }

    @Test("every parse error reads as a human sentence", arguments: [
        MoneyParseError.empty, .invalidCharacter("x"), .negative, .tooManyDecimals(allowed: 2),
        .tooManyDecimals(allowed: 0), .malformedGrouping, .tooLarge,
    ])
    func errorDescriptions(error: MoneyParseError) {
        let text = error.description
        #expect(!text.isEmpty)
        #expect(text.contains(" "))
        #expect(text.last == ".")
        #expect(text.first.map { $0.isUppercase || $0 == "“" } == true)
    }

    @Test func formattedAmountsParseBack() throws {
        var rng = SplitMix64(seed: 0xF00D)
        for _ in 0..<2_000 {
            let minor = Int64.random(in: 0...10_000_000_000, using: &rng)
            for currency in Currency.allCases {
                let m = Money(minorUnits: minor, currency: currency)
                #expect(try Money.parse(m.formatted(), currency: currency) == m, "\(m.formatted())")
                #expect(try Money.parse(m.decimalString, currency: currency) == m, "\(m.decimalString)")
            }
        }
    }
}
