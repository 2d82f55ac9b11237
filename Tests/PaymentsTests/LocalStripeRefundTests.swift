import FakeStripe
import Domain
import Foundation
import Payments
import Testing

/// Refunds through our client against localstripe, a stateful Stripe stand-in (PaymentIntents, charges, refunds).
/// localstripe ignores `Idempotency-Key`; that a retry repeats the same key and body is checked against FakeStripe
/// (`StripeClientTests.refundRequestsAreRepeatedByteForByte`).
@Suite("Refunds against localstripe", .serialized, .enabled(if: Peers.shouldRun, Comment(rawValue: Peers.skipMessage)))
struct LocalStripeRefundTests {
    func withLocalStripe(_ body: (LocalStripe, StripeClient) async throws -> Void) async throws {
        let peer = try await LocalStripe.start()
        var client = StripeClient(secretKey: peer.secretKey, baseURL: peer.baseURL, logger: testLogger)
        client.retryDelays = []
        do {
            try await body(peer, client)
        } catch {
            peer.stop()
            throw error
        }
        peer.stop()
    }

    /// A confirmed card payment on localstripe; returns the PaymentIntent id.
    func paidIntent(_ peer: LocalStripe, amount: Int64, currency: String) async throws -> String {
        let (status, intent) = try await peer.request("POST", "/v1/payment_intents", form: [
            ("amount", String(amount)), ("currency", currency), ("payment_method", "pm_card_visa"), ("confirm", "true"),
            ("metadata[booking_id]", "42"),
        ])
        #expect(status == 200, "\(intent)")
        #expect(intent["status"] as? String == "succeeded")
        return try #require(intent["id"] as? String)
    }

    func refunds(_ peer: LocalStripe, of intent: String) async throws -> [[String: Any]] {
        let (status, list) = try await peer.request("GET", "/v1/refunds?payment_intent=\(intent)")
        #expect(status == 200)
        return list["data"] as? [[String: Any]] ?? []
    }

    @Test func partialRefundIsListedWithItsAmount() async throws {
        try await withLocalStripe { peer, client in
            let intent = try await paidIntent(peer, amount: 4_500, currency: "usd")

            let partial = try await client.refund(
                paymentIntent: intent, amount: Money(minorUnits: 1_000, currency: .usd), idempotencyKey: "refund-42-partial",
                metadata: ["booking_id": "42"])
            #expect(partial.id.hasPrefix("re_"))
            #expect(partial.status == "succeeded")
            #expect(partial.amount == Money(minorUnits: 1_000, currency: .usd))

            let listed = try await refunds(peer, of: intent)
            #expect(listed.count == 1)
            #expect(listed.first?["id"] as? String == partial.id)
            #expect(listed.first?["amount"] as? Int == 1_000)
            #expect(listed.first?["currency"] as? String == "usd")
            #expect((listed.first?["metadata"] as? [String: String]) == ["booking_id": "42"])
        }
    }

    @Test func wholePaymentInPesos() async throws {
        try await withLocalStripe { peer, client in
            let intent = try await paidIntent(peer, amount: 12_000_000, currency: "cop")
            let refund = try await client.refund(paymentIntent: intent, amount: nil, idempotencyKey: "refund-7", metadata: [:])
            #expect(refund.amount == Money(minorUnits: 12_000_000, currency: .cop))
            let listed = try await refunds(peer, of: intent)
            #expect(listed.map { $0["amount"] as? Int } == [12_000_000])
        }
    }

    @Test func providerErrorsSurface() async throws {
        try await withLocalStripe { peer, client in
            await #expect(throws: PaymentError.provider(status: 404, message: "Not Found")) {
                try await client.refund(paymentIntent: "pi_doesnotexist", amount: nil, idempotencyKey: "refund-x", metadata: [:])
            }
            let wrongKey = StripeClient(secretKey: "not_a_secret_key", baseURL: peer.baseURL, logger: testLogger)
            let intent = try await paidIntent(peer, amount: 500, currency: "eur")
            await #expect(throws: PaymentError.provider(status: 401, message: "Unauthorized")) {
                try await wrongKey.refund(paymentIntent: intent, amount: nil, idempotencyKey: "refund-y", metadata: [:])
            }
            #expect(try await refunds(peer, of: intent).isEmpty)
        }
    }
}
