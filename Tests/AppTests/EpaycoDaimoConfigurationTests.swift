import Domain
import Storage
import Testing

@testable import App

@Suite("Configuration of ePayco and Daimo Pay")
struct EpaycoDaimoConfigurationTests {
    static let epayco = [
        "EPAYCO_CUST_ID": "1554823", "EPAYCO_P_KEY": "3f1d9c0a7b5e4d2c8f6a1b0e", "EPAYCO_PUBLIC_KEY": "491d6a0b6e992cf924edd8d3d088aff1",
        "PUBLIC_URL": "https://calls.example.com/",
    ]
    static let daimo = [
        "DAIMO_API_KEY": "daimo-key-7f3a", "DAIMO_WEBHOOK_TOKEN": "whtok_0123456789abcdef",
        "DAIMO_DESTINATION_ADDRESS": "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0",
    ]

    @Test func neitherIsOfferedWithoutItsSecrets() throws {
        let c = try AppConfiguration.load(environment: [:])
        #expect(c.epayco == nil)
        #expect(c.daimo == nil)
        #expect(PaymentsRuntime.enabledSummary(c) == "none")
    }

    @Test func readsEpayco() throws {
        let c = try AppConfiguration.load(environment: Self.epayco.merging(["EPAYCO_TEST": "true"]) { $1 })
        let e = try #require(c.epayco)
        #expect(e.customerID == "1554823")
        #expect(e.pKey == "3f1d9c0a7b5e4d2c8f6a1b0e")
        #expect(e.publicKey == "491d6a0b6e992cf924edd8d3d088aff1")
        #expect(e.test)
        #expect(e.confirmationURL == "https://calls.example.com/webhooks/epayco")
        #expect(e.responseURL == "https://calls.example.com/payments/epayco/response")
        #expect(!"\(e)".contains(e.pKey))
        #expect(!String(reflecting: e).contains(e.pKey))
        #expect(try AppConfiguration.load(environment: Self.epayco).epayco?.test == false)
    }

    @Test func readsDaimoWithDefaults() throws {
        let c = try AppConfiguration.load(environment: Self.daimo.merging(["STARS_PER_USD": "50"]) { $1 })
        let d = try #require(c.daimo)
        #expect(d.apiURL == "https://pay.daimo.com")
        #expect(d.chainID == 8453)
        #expect(d.tokenAddress == "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913")
        #expect(d.refundAddress == nil)
        #expect(!"\(d)".contains(d.apiKey))
        #expect(!"\(d)".contains(d.webhookToken))
        #expect(PaymentsRuntime.enabledSummary(c) == "daimo, stars")

        let custom = try AppConfiguration.load(environment: Self.daimo.merging([
            "DAIMO_API_URL": "http://127.0.0.1:9999/", "DAIMO_CHAIN_ID": "10",
            "DAIMO_TOKEN_ADDRESS": "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85",
            "DAIMO_REFUND_ADDRESS": "0x1111111111111111111111111111111111111111",
        ]) { $1 }).daimo
        #expect(custom?.apiURL == "http://127.0.0.1:9999")
        #expect(custom?.chainID == 10)
        #expect(custom?.tokenAddress == "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85")
        #expect(custom?.refundAddress == "0x1111111111111111111111111111111111111111")
    }

    @Test func allProvidersAreListedAtStartUp() throws {
        let c = try AppConfiguration.load(environment: Self.epayco.merging(Self.daimo) { $1 }.merging([
            "STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1", "STARS_PER_USD": "50", "EPAYCO_TEST": "1",
        ]) { $1 })
        #expect(PaymentsRuntime.enabledSummary(c) == "stripe, epayco (test mode), daimo, stars")
    }

    /// Half a provider is a start-up error naming the missing variable (and never echoing a secret).
    @Test(arguments: [
        (["EPAYCO_CUST_ID": "1554823"], "EPAYCO_P_KEY"),
        (["EPAYCO_P_KEY": "abc", "EPAYCO_PUBLIC_KEY": "def", "PUBLIC_URL": "https://x.example"], "EPAYCO_CUST_ID"),
        (["EPAYCO_CUST_ID": "1554823", "EPAYCO_P_KEY": "abc", "PUBLIC_URL": "https://x.example"], "EPAYCO_PUBLIC_KEY"),
        (["EPAYCO_CUST_ID": "1554823", "EPAYCO_P_KEY": "abc", "EPAYCO_PUBLIC_KEY": "def"], "PUBLIC_URL"),
        (["EPAYCO_CUST_ID": "cust-1", "EPAYCO_P_KEY": "abc", "EPAYCO_PUBLIC_KEY": "def", "PUBLIC_URL": "https://x.example"], "EPAYCO_CUST_ID"),
        (["EPAYCO_CUST_ID": "1", "EPAYCO_P_KEY": "abc", "EPAYCO_PUBLIC_KEY": "def", "PUBLIC_URL": "https://x.example", "EPAYCO_TEST": "maybe"], "EPAYCO_TEST"),
        (["EPAYCO_CUST_ID": "1", "EPAYCO_P_KEY": "abc", "EPAYCO_PUBLIC_KEY": "def", "PUBLIC_URL": "ftp://x.example"], "PUBLIC_URL"),
        (["DAIMO_API_KEY": "k"], "DAIMO_WEBHOOK_TOKEN"),
        (["DAIMO_WEBHOOK_TOKEN": "whtok_0123456789abcdef", "DAIMO_DESTINATION_ADDRESS": "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0"], "DAIMO_API_KEY"),
        (["DAIMO_API_KEY": "k", "DAIMO_WEBHOOK_TOKEN": "whtok_0123456789abcdef"], "DAIMO_DESTINATION_ADDRESS"),
        (["DAIMO_API_KEY": "k", "DAIMO_WEBHOOK_TOKEN": "short", "DAIMO_DESTINATION_ADDRESS": "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0"], "DAIMO_WEBHOOK_TOKEN"),
        (["DAIMO_API_KEY": "k", "DAIMO_WEBHOOK_TOKEN": "whtok_0123456789abcdef", "DAIMO_DESTINATION_ADDRESS": "0xnothex"], "DAIMO_DESTINATION_ADDRESS"),
        (EpaycoDaimoConfigurationTests.daimo.merging(["DAIMO_CHAIN_ID": "base"]) { $1 }, "DAIMO_CHAIN_ID"),
        (EpaycoDaimoConfigurationTests.daimo.merging(["DAIMO_TOKEN_ADDRESS": "USDC"]) { $1 }, "DAIMO_TOKEN_ADDRESS"),
        (EpaycoDaimoConfigurationTests.daimo.merging(["DAIMO_REFUND_ADDRESS": "me"]) { $1 }, "DAIMO_REFUND_ADDRESS"),
        (EpaycoDaimoConfigurationTests.daimo.merging(["DAIMO_API_URL": "pay.daimo.com"]) { $1 }, "DAIMO_API_URL"),
    ])
    func halfConfiguredStopsStartUp(environment: [String: String], variable: String) {
        do {
            _ = try AppConfiguration.load(environment: environment)
            Issue.record("\(environment) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix("configuration error: \(variable) "))
            #expect(!error.description.contains("\n"))
            #expect(!error.description.contains("whtok_0123456789abcdef"))
            if variable == "PUBLIC_URL" && environment["PUBLIC_URL"] == nil { #expect(error.message.contains("ePayco")) }
        }
    }
}
