import Domain
import Payments
import Testing

@Suite("Stripe amounts")
struct AmountTests {
    @Test func everyCurrencyWePriceInIsSentInItsOwnMinorUnits() {
        // USD, EUR and COP are two-decimal in ISO 4217 and in Stripe (COP is not on Stripe's zero-decimal list).
        for currency in Currency.allCases {
            let money = Money(minorUnits: 123_456, currency: currency)
            let sent = stripeAmount(money)
            #expect(sent.amount == 123_456, "\(currency)")
            #expect(sent.currency == currency.code.lowercased())
            #expect(Payments.money(fromStripeAmount: sent.amount, currency: sent.currency) == money)
        }
        #expect(stripeAmount(Money(minorUnits: 1_200_000, currency: .cop)) == (1_200_000, "cop"))
    }

    @Test func matchingIsExactAndCaseInsensitiveOnCurrency() {
        let price = Money(minorUnits: 4_500, currency: .eur)
        #expect(matches(price, amount: 4_500, currency: "eur"))
        #expect(matches(price, amount: 4_500, currency: "EUR"))
        #expect(!matches(price, amount: 4_499, currency: "eur"))
        #expect(!matches(price, amount: 4_500, currency: "usd"))
        #expect(!matches(price, amount: 45, currency: "eur"))
    }

    @Test func unknownCurrenciesDoNotConvert() {
        #expect(Payments.money(fromStripeAmount: 500, currency: "jpy") == nil)
        #expect(Payments.money(fromStripeAmount: 500, currency: "") == nil)
    }
}
