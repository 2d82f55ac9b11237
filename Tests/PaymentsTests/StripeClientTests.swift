import AsyncHTTPClient
import Domain
import FakeStripe
import Foundation
import NIOCore
import NIOHTTP1
import Payments
import Testing

/// The real clock, for requests the fake checks against its own receipt time.
func wallClock() -> Instant { Instant(epochSeconds: Int64(Date().timeIntervalSince1970)) }

func checkoutRequest(now: Instant, booking: Int64 = 42, amount: Money = Money(minorUnits: 4_500, currency: .usd), expiresInMinutes: Int = 45)
    -> CheckoutRequest
{
    CheckoutRequest(
        bookingID: BookingID(booking), amount: amount, description: "Private call with Ana — 30 min",
        expiresAt: now.adding(minutes: expiresInMinutes),
        successURL: "https://calls.example.com/paid?session={CHECKOUT_SESSION_ID}",
        cancelURL: "https://calls.example.com/cancelled", customerReference: "777000111")
}

func client(_ fake: FakeStripeServer, key: String? = nil, retries: [Duration] = [.milliseconds(10)]) -> StripeClient {
    var client = StripeClient(secretKey: key ?? fake.secretKey, baseURL: fake.baseURL, logger: testLogger)
    client.retryDelays = retries
    return client
}

/// Runs `body` with a fresh fake and stops it afterwards.
func withFake(_ body: (FakeStripeServer) async throws -> Void) async throws {
    let fake = try await FakeStripeServer.start()
    do {
        try await body(fake)
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

@Suite("StripeClient against FakeStripe")
struct StripeClientTests {
    @Test func createsACheckoutSessionWithTheDocumentedForm() async throws {
        try await withFake { fake in
            let now = wallClock()
            let request = checkoutRequest(now: now)
            let session = try await client(fake).createCheckoutSession(request, now: now)

            let requests = await fake.requests()
            #expect(requests.count == 1)
            let sent = try #require(requests.first)
            #expect(sent.method == "POST")
            #expect(sent.path == "/v1/checkout/sessions")
            #expect(sent.status == 200)
            #expect(sent.authorization == "Bearer \(fake.secretKey)")
            #expect(sent.contentType == "application/x-www-form-urlencoded")
            #expect(sent.idempotencyKey == "checkout-42-\(request.expiresAt.epochSeconds)")
            #expect(sent.idempotencyKey == StripeClient.checkoutIdempotencyKey(for: request))
            #expect(sent.form == [
                FormField("mode", "payment"),
                FormField("line_items[0][price_data][currency]", "usd"),
                FormField("line_items[0][price_data][unit_amount]", "4500"),
                FormField("line_items[0][price_data][product_data][name]", "Private call with Ana — 30 min"),
                FormField("line_items[0][quantity]", "1"),
                FormField("success_url", "https://calls.example.com/paid?session={CHECKOUT_SESSION_ID}"),
                FormField("cancel_url", "https://calls.example.com/cancelled"),
                FormField("expires_at", String(request.expiresAt.epochSeconds)),
                FormField("client_reference_id", "777000111"),
                FormField("metadata[booking_id]", "42"),
                FormField("metadata[app]", "privatecalls"),
                FormField("payment_intent_data[metadata][booking_id]", "42"),
                FormField("payment_intent_data[metadata][app]", "privatecalls"),
            ])

            let recorded = try #require(await fake.sessions().first)
            #expect(session == CheckoutSession(id: recorded.id, url: recorded.url, expiresAt: request.expiresAt))
            #expect(session.id.hasPrefix("cs_test_"))
            #expect(session.url == "https://checkout.stripe.com/c/pay/\(session.id)")
            #expect(recorded.amountTotal == 4_500)
            #expect(recorded.currency == "usd")
            #expect(recorded.status == "open")
            #expect(recorded.paymentStatus == "unpaid")
            #expect(recorded.metadata == ["booking_id": "42", "app": "privatecalls"])
            #expect(recorded.paymentIntentMetadata == ["booking_id": "42", "app": "privatecalls"])
            #expect(recorded.clientReferenceID == "777000111")
        }
    }

    @Test func pesosAreSentInCentavos() async throws {
        try await withFake { fake in
            let now = wallClock()
            let price = Money(minorUnits: 12_000_000, currency: .cop)  // COP 120,000.00
            _ = try await client(fake).createCheckoutSession(checkoutRequest(now: now, amount: price), now: now)
            let sent = try #require(await fake.requests().first)
            #expect(sent.formValue("line_items[0][price_data][currency]") == "cop")
            #expect(sent.formValue("line_items[0][price_data][unit_amount]") == "12000000")
        }
    }

    @Test func aRetryWithTheSameKeyReturnsTheSameSession() async throws {
        try await withFake { fake in
            let now = wallClock()
            let stripe = client(fake)
            let first = try await stripe.createCheckoutSession(checkoutRequest(now: now), now: now)
            let again = try await stripe.createCheckoutSession(checkoutRequest(now: now), now: now)
            #expect(again == first)
            #expect(await fake.sessions().count == 1)

            // Same booking and expiry (so the same key) but another amount: Stripe's idempotency error.
            let changed = checkoutRequest(now: now, amount: Money(minorUnits: 9_000, currency: .usd))
            await #expect(throws: PaymentError.provider(
                status: 400,
                message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'checkout-42-\(changed.expiresAt.epochSeconds)' if you meant to execute a different request."
            )) {
                try await stripe.createCheckoutSession(changed, now: now)
            }
            #expect(await fake.sessions().count == 1)
        }
    }

    @Test func expiryOutsideStripesWindowIsRefusedBeforeSending() async throws {
        try await withFake { fake in
            let now = wallClock()
            let stripe = client(fake)
            for minutes in [-5, 0, 29, 30, 24 * 60, 24 * 60 + 1] {
                await #expect(throws: PaymentError.self, "expires in \(minutes) min") {
                    try await stripe.createCheckoutSession(checkoutRequest(now: now, expiresInMinutes: minutes), now: now)
                }
            }
            do {
                _ = try await stripe.createCheckoutSession(checkoutRequest(now: now, expiresInMinutes: 29), now: now)
            } catch let error as PaymentError {
                guard case .invalidRequest(let message) = error else { Issue.record("unexpected \(error)"); return }
                #expect(message.contains("30 min – 24 h"))
            }
            #expect(await fake.requests().isEmpty)

            // The edges we do send: 31 minutes and 23 h 58 min.
            _ = try await stripe.createCheckoutSession(checkoutRequest(now: now, booking: 1, expiresInMinutes: 31), now: now)
            _ = try await stripe.createCheckoutSession(checkoutRequest(now: now, booking: 2, expiresInMinutes: 24 * 60 - 2), now: now)
            #expect(await fake.sessions().count == 2)
        }
    }

    @Test func theWindowHelperClampsAHoldIntoIt() {
        let now = Instant(epochSeconds: 1_800_000_000)
        let window = StripeCheckoutWindow.allowed(now: now)
        #expect(window.lowerBound == now.adding(seconds: 31 * 60))
        #expect(window.upperBound == now.adding(seconds: 24 * 3600 - 60))
        // The default 30-minute hold is too short for Stripe: the session must outlive it and be expired by us.
        #expect(StripeCheckoutWindow.clamp(now.adding(minutes: 30), now: now) == now.adding(minutes: 31))
        #expect(StripeCheckoutWindow.clamp(now.adding(minutes: 90), now: now) == now.adding(minutes: 90))
        #expect(StripeCheckoutWindow.clamp(now.adding(days: 3), now: now) == window.upperBound)
    }

    @Test func otherLocalChecks() async throws {
        try await withFake { fake in
            let now = wallClock()
            let stripe = client(fake)
            var zero = checkoutRequest(now: now)
            zero.amount = Money(minorUnits: 0, currency: .usd)
            var relative = checkoutRequest(now: now)
            relative.successURL = "/paid"
            var unnamed = checkoutRequest(now: now)
            unnamed.description = "  "
            for request in [zero, relative, unnamed] {
                await #expect(throws: PaymentError.self) { try await stripe.createCheckoutSession(request, now: now) }
            }
            await #expect(throws: PaymentError.invalidRequest("“x/../../v1/refunds” is not a Checkout Session id (cs_…)")) {
                try await stripe.expireCheckoutSession(id: "x/../../v1/refunds")
            }
            #expect(await fake.requests().isEmpty)

            let unconfigured = StripeClient(secretKey: "", baseURL: fake.baseURL, logger: testLogger)
            await #expect(throws: PaymentError.notConfigured("the Stripe secret key is empty")) {
                try await unconfigured.createCheckoutSession(checkoutRequest(now: now), now: now)
            }
        }
    }

    @Test func stripesErrorMessageSurfaces() async throws {
        try await withFake { fake in
            // Our clock runs an hour late: we think the expiry is 70 min away, Stripe (the fake's real clock) sees 10.
            let real = wallClock()
            let late = real.adding(minutes: -60)
            var request = checkoutRequest(now: real)
            request.expiresAt = real.adding(minutes: 10)
            await #expect(throws: PaymentError.provider(
                status: 400, message: "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation."
            )) {
                try await client(fake).createCheckoutSession(request, now: late)
            }
            let refused = try #require(await fake.requests().first)
            #expect(refused.responseBody.contains(#""param" : "expires_at""#))
            #expect(await fake.requests().count == 1, "a 400 is not retried")

            // A wrong key: 401 with Stripe's message, which masks the key.
            do {
                _ = try await client(fake, key: "sk_test_wrong_key_1234").createCheckoutSession(checkoutRequest(now: real), now: real)
                Issue.record("a wrong key was accepted")
            } catch let error as PaymentError {
                guard case .provider(401, let message) = error else { Issue.record("unexpected \(error)"); return }
                #expect(message.hasPrefix("Invalid API Key provided: "))
                #expect(!message.contains("sk_test_wrong_key_1234"))
                #expect(!error.description.contains("wrong_key"))
            }
        }
    }

    @Test func serverErrorsAreRetriedWithTheSameKey() async throws {
        try await withFake { fake in
            let now = wallClock()
            await fake.failNext(status: 500, message: "An unknown error occurred")
            let session = try await client(fake).createCheckoutSession(checkoutRequest(now: now), now: now)
            let requests = await fake.requests()
            #expect(requests.map(\.status) == [500, 200])
            #expect(Set(requests.compactMap(\.idempotencyKey)).count == 1)
            #expect(requests[0].form == requests[1].form)
            #expect(await fake.sessions().map(\.id) == [session.id])

            // Out of retries: the last error comes back.
            await fake.failNext(status: 503, message: "Try again later", count: 2)
            await #expect(throws: PaymentError.provider(status: 503, message: "Try again later")) {
                try await client(fake).createCheckoutSession(checkoutRequest(now: now, booking: 7), now: now)
            }
        }
    }

    @Test func unreachableStripeIsANetworkError() async throws {
        let fake = try await FakeStripeServer.start()
        let base = fake.baseURL
        await fake.stop()
        var stripe = StripeClient(secretKey: "sk_test_fake", baseURL: base, logger: testLogger)
        stripe.retryDelays = []
        stripe.timeout = .seconds(2)  // AsyncHTTPClient keeps retrying a refused connection until the deadline
        let now = wallClock()
        do {
            _ = try await stripe.createCheckoutSession(checkoutRequest(now: now), now: now)
            Issue.record("a stopped server answered")
        } catch {
            guard case .network = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.isRetryable)
        }
    }

    @Test func expiringASession() async throws {
        try await withFake { fake in
            let now = wallClock()
            let stripe = client(fake)
            let session = try await stripe.createCheckoutSession(checkoutRequest(now: now), now: now)
            try await stripe.expireCheckoutSession(id: session.id)
            #expect(await fake.sessions().first?.status == "expired")
            let sent = try #require(await fake.requests().last)
            #expect(sent.path == "/v1/checkout/sessions/\(session.id)/expire")
            #expect(sent.idempotencyKey == "expire-\(session.id)")
            // A retry of the same expiry is answered as the first one was.
            try await stripe.expireCheckoutSession(id: session.id)

            // A paid session cannot be expired: Stripe says why.
            let paid = try await stripe.createCheckoutSession(checkoutRequest(now: now, booking: 43), now: now)
            #expect(await fake.complete(sessionID: paid.id)?.paymentStatus == "paid")
            await #expect(throws: PaymentError.provider(
                status: 400,
                message: "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of `complete`."
            )) {
                try await stripe.expireCheckoutSession(id: paid.id)
            }
            await #expect(throws: PaymentError.provider(status: 404, message: "No such checkout.session: 'cs_test_missing'")) {
                try await stripe.expireCheckoutSession(id: "cs_test_missing")
            }
        }
    }

    @Test func refundRequestsAreRepeatedByteForByte() async throws {
        // FakeStripe does not implement /v1/refunds (it answers 404), but it records what we send: a retry of a
        // refund must be the same body with the same Idempotency-Key, which is what makes Stripe refund once.
        try await withFake { fake in
            let stripe = client(fake)
            for _ in 0..<2 {
                await #expect(throws: PaymentError.self) {
                    try await stripe.refund(
                        paymentIntent: "pi_123", amount: Money(minorUnits: 1_500, currency: .eur), idempotencyKey: "refund-booking-42",
                        metadata: ["booking_id": "42", "reason": "hold expired"])
                }
            }
            let requests = await fake.requests()
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { $0.path == "/v1/refunds" && $0.status == 404 })
            #expect(requests.allSatisfy { $0.idempotencyKey == "refund-booking-42" })
            #expect(requests[0].form == [
                FormField("payment_intent", "pi_123"), FormField("amount", "1500"), FormField("metadata[booking_id]", "42"),
                FormField("metadata[reason]", "hold expired"),
            ])
            #expect(requests[1].form == requests[0].form)

            await #expect(throws: PaymentError.self) {
                try await stripe.refund(paymentIntent: "pi_1", amount: nil, idempotencyKey: "", metadata: [:])
            }
            await #expect(throws: PaymentError.self) {
                try await stripe.refund(paymentIntent: "pi_1", amount: nil, idempotencyKey: "k", metadata: [String(repeating: "k", count: 41): "v"])
            }
            await #expect(throws: PaymentError.self) {
                try await stripe.refund(paymentIntent: "ch_1", amount: nil, idempotencyKey: "k", metadata: [:])
            }
            #expect(await fake.requests().count == 2)
        }
    }
}
