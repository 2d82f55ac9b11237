import Domain

/// Stripe's rules for amounts: every amount is an integer in the currency's smallest unit *as Stripe counts it*,
/// and currency codes are three lower-case letters. Stripe's count of decimals follows ISO 4217 except for its
/// zero-decimal list (JPY, KRW, CLP, …) and its three-decimal list (BHD, JOD, KWD, OMR, TND). USD, EUR and COP
/// are two-decimal in Stripe as in ISO 4217, so for the currencies we price in the Stripe amount is exactly
/// `Money.minorUnits` (COP 12,000.00 → 1200000).
enum StripeCurrencyRules {
    /// Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal).
    static let zeroDecimal: Set<String> = [
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    ]
    /// Stripe's three-decimal currencies (the last digit must be 0).
    static let threeDecimal: Set<String> = ["bhd", "jod", "kwd", "omr", "tnd"]

    /// Decimals Stripe uses for a lower-case currency code.
    static func decimals(for lowercasedCode: String) -> Int {
        if zeroDecimal.contains(lowercasedCode) { return 0 }
        if threeDecimal.contains(lowercasedCode) { return 3 }
        return 2
    }

    static func powerOfTen(_ n: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<max(0, n) { value *= 10 }
        return value
    }
}

/// The amount and currency to send to Stripe for `money`: Stripe's minor units and the lower-case ISO code.
///
/// For every `Currency` we price in, Stripe's decimals equal ISO 4217's, so the amount is `minorUnits`
/// unchanged; the conversion below only matters if a currency whose counts differ is ever added (a test guards
/// that every `Currency` case converts exactly).
public func stripeAmount(_ money: Money) -> (amount: Int64, currency: String) {
    let code = money.currency.code.lowercased()
    let stripeDigits = StripeCurrencyRules.decimals(for: code)
    let ourDigits = money.currency.minorDigits
    let amount: Int64
    if stripeDigits >= ourDigits {
        amount = money.minorUnits * StripeCurrencyRules.powerOfTen(stripeDigits - ourDigits)
    } else {
        amount = money.minorUnits / StripeCurrencyRules.powerOfTen(ourDigits - stripeDigits)
    }
    return (amount, code)
}

/// Whether an amount and currency reported by Stripe (a Checkout Session's `amount_total` and `currency`, a
/// refund's `amount`) are exactly `money`. The currency compares case-insensitively.
public func matches(_ money: Money, amount: Int64, currency: String) -> Bool {
    let expected = stripeAmount(money)
    return expected.amount == amount && expected.currency == currency.lowercased()
}

/// The `Money` a Stripe amount stands for, when the currency is one we price in and converts exactly.
public func money(fromStripeAmount amount: Int64, currency: String) -> Money? {
    guard let ours = Currency(code: currency) else { return nil }
    let stripeDigits = StripeCurrencyRules.decimals(for: currency.lowercased())
    let ourDigits = ours.minorDigits
    let minor: Int64
    if ourDigits >= stripeDigits {
        minor = amount * StripeCurrencyRules.powerOfTen(ourDigits - stripeDigits)
    } else {
        let factor = StripeCurrencyRules.powerOfTen(stripeDigits - ourDigits)
        guard amount % factor == 0 else { return nil }
        minor = amount / factor
    }
    let result = Money(minorUnits: minor, currency: ours)
    return matches(result, amount: amount, currency: currency) ? result : nil
}
