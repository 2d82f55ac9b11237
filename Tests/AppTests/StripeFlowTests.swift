import AsyncHTTPClient
import Domain
import FakeStripe
import FakeTelegram
import Foundation
import NIOCore
import NIOHTTP1
import Storage
import Telegram
import Testing

@testable import App

/// Stripe's official Python library (a test peer from PyPI) signs the webhook bodies, so our verification is
/// checked against Stripe's own implementation, not against itself.
enum StripePeer {
    static var python: String? { Peers.python }
    static var available: Bool { Peers.shouldRun }

    static func signatureHeader(payload: String, secret: String, timestamp: Int64) throws -> String {
        let python = try Peers.requirePython()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stripe-payload-\(UUID().uuidString).json")
        try Data(payload.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import sys, stripe
            payload = open(sys.argv[1], encoding="utf-8").read()
            print(stripe.WebhookSignature.generate_signature_header(payload, sys.argv[2], timestamp=int(sys.argv[3])))
            """, file.path, secret, String(timestamp)]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let header = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0 && header.hasPrefix("t="), "the stripe library did not sign: \(header)")
        return header
    }

    static func event(id: String, type: String = "checkout.session.completed", session: String, intent: String?, amount: Int64,
                      currency: String = "usd", booking: BookingID?, created: Int64, paymentStatus: String = "paid",
                      app: String? = "privatecalls") -> String {
        var fields: [String] = []
        if let booking { fields.append(#""booking_id":"\#(booking.rawValue)""#) }
        if let app { fields.append(#""app":"\#(app)""#) }
        let metadata = "{" + fields.joined(separator: ",") + "}"
        let pi = intent.map { #""\#($0)""# } ?? "null"
        return """
            {"id":"\(id)","object":"event","api_version":"2024-06-20","created":\(created),"type":"\(type)","livemode":false,\
            "data":{"object":{"id":"\(session)","object":"checkout.session","amount_total":\(amount),"currency":"\(currency)",\
            "payment_intent":\(pi),"payment_status":"\(paymentStatus)","status":"complete","metadata":\(metadata),"mode":"payment"}}}
            """
    }
}

@Suite("Paying with Stripe through the bot", .serialized, .enabled(if: StripePeer.available))
struct StripeFlowTests {
    static let webhookSecret = "whsec_test_5f2a9c0e8b7d4a1c"
    let maria = User(id: 7001, firstName: "María", username: "maria", languageCode: "en")

    static func post(port: Int, body: String, signature: String?) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/stripe")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let signature { request.headers.add(name: "Stripe-Signature", value: signature) }
        request.body = .bytes(ByteBuffer(string: body))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
    }

    /// The server with Stripe pointed at the Checkout Sessions double (on the harness's clock), one host.
    func withStripeDouble(_ body: @Sendable (BotHarness, FakeStripeServer, Int) async throws -> Void) async throws {
        let stripe = try await FakeStripeServer.start(secretKey: "sk_test_e2e", now: { BotHarness.start.epochSeconds })
        do {
            try await BotHarness.with { h in
                try await h.addHost()
                let port = try TelegramWebhookTests.freePort()
                let env = ["PORT": String(port), "STRIPE_SECRET_KEY": "sk_test_e2e", "STRIPE_WEBHOOK_SECRET": Self.webhookSecret, "STRIPE_API_URL": stripe.baseURL]
                try await h.serve(env) { try await body(h, stripe, port) }
            }
        } catch {
            await stripe.stop()
            throw error
        }
        await stripe.stop()
    }

    /// Signs `body` with Stripe's Python library at the harness's time and posts it; returns the HTTP status.
    static func deliver(_ body: String, port: Int, at now: Int64, secret: String = webhookSecret) async throws -> Int {
        try await post(port: port, body: body, signature: try StripePeer.signatureHeader(payload: body, secret: secret, timestamp: now))
    }

    /// Walks the bot to the checkout link for Wed 25 Nov 18:00, 60 minutes ($300.00).
    func bookToCheckout(_ h: BotHarness, user: User) async throws -> Message {
        await h.fake.sendText("/book_private_call", from: user)
        try await h.expectLast(user.id, contains: "Anna")
        try await h.tap("🟢 Anna · $5.00/min", as: user)
        try await h.tap("📅 Book a call", as: user)
        try await h.tap("Europe/Madrid", as: user)
        try await h.tap("Wed 25 Nov", as: user)
        try await h.tap("18:00", as: user)
        try await h.tap("60 min · $300.00", as: user)
        try await h.tap("💳 Pay $300.00", as: user)
        try await h.expectLast(user.id, contains: "Choose how to pay")
        try await h.tap("💳 Card (Stripe)", as: user)
        return try await h.expectLast(user.id, contains: "Pay on Stripe's secure page")
    }

    @Test func checkoutThenASignedCompletedEventConfirmsTheBookingOnce() async throws {
        let maria = self.maria
        try await withStripeDouble { h, stripe, port in
            let checkout = try await bookToCheckout(h, user: maria)
            let session = try #require(await stripe.sessions().first)
            #expect(h.fake.buttonLabels(of: checkout).first?.first == "Open secure checkout · $300.00")
            #expect(checkout.replyMarkup?.inlineKeyboard.first?.first?.url == session.url)
            // The request as Stripe documents it.
            #expect(session.mode == "payment")
            #expect(session.lineItems.map(\.unitAmount) == [30_000])
            #expect(session.lineItems.map(\.currency) == ["usd"])
            #expect(session.lineItems.map(\.quantity) == [1])
            #expect(session.metadata["booking_id"] == "1")
            #expect(session.paymentIntentMetadata["booking_id"] == "1")
            #expect(session.clientReferenceID == "7001")
            #expect(session.idempotencyKey != nil)
            // Stripe's earliest expiry (30 min + our margin), since the hold ends sooner.
            #expect(session.expiresAt == BotHarness.start.epochSeconds + 31 * 60)

            let now = h.clock.now.epochSeconds
            let body = StripePeer.event(id: "evt_1", session: session.id, intent: "pi_e2e_1", amount: 30_000, booking: BookingID(1), created: now)
            let signature = try StripePeer.signatureHeader(payload: body, secret: Self.webhookSecret, timestamp: now)
            #expect(try await Self.post(port: port, body: body, signature: signature) == 200)
            let confirmation = try await h.expectLast(maria.id, contains: "Payment received — your call is booked!")
            #expect(confirmation.text?.contains("Paid: $300.00") == true)

            let booking = try #require(try await h.store.booking(BookingID(1)))
            #expect(booking.status == .confirmed)
            #expect(booking.paymentState == .paid)
            let ledger = try await h.store.ledger(bookingID: BookingID(1))
            #expect(ledger.count == 1)
            #expect(ledger.first.map { $0.platform.minorUnits + $0.host.minorUnits } == 30_000)
            #expect(ledger.first?.platform.minorUnits == 9_000)
            #expect(ledger.first?.host.minorUnits == 21_000)

            // A replay of the same event is acknowledged and changes nothing.
            let sent = await h.fake.calls("sendMessage").count
            #expect(try await Self.post(port: port, body: body, signature: signature) == 200)
            try await h.outboxIdle()
            #expect(await h.fake.calls("sendMessage").count == sent)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
        }
    }

    @Test func forgedStaleAndMismatchedEventsChangeNothing() async throws {
        let maria = self.maria
        try await withStripeDouble { h, stripe, port in
            _ = try await bookToCheckout(h, user: maria)
            let session = try #require(await stripe.sessions().first)
            let now = h.clock.now.epochSeconds
            let good = StripePeer.event(id: "evt_ok", session: session.id, intent: "pi_1", amount: 30_000, booking: BookingID(1), created: now)
            let signed = try StripePeer.signatureHeader(payload: good, secret: Self.webhookSecret, timestamp: now)
            // Tampered body (amount changed after signing).
            let tampered = good.replacingOccurrences(of: "30000", with: "100")
            #expect(try await Self.post(port: port, body: tampered, signature: signed) == 400)
            // Signed with another secret.
            let wrong = try StripePeer.signatureHeader(payload: good, secret: "whsec_someone_else", timestamp: now)
            #expect(try await Self.post(port: port, body: good, signature: wrong) == 400)
            // Stale: signed 301 seconds ago.
            let stale = try StripePeer.signatureHeader(payload: good, secret: Self.webhookSecret, timestamp: now - 301)
            #expect(try await Self.post(port: port, body: good, signature: stale) == 400)
            // Missing header.
            #expect(try await Self.post(port: port, body: good, signature: nil) == 400)
            // Properly signed, but the amount is not the booking's: booking untouched, the money goes back.
            let cheap = StripePeer.event(id: "evt_cheap", session: session.id, intent: "pi_2", amount: 100, booking: BookingID(1), created: now)
            let cheapSigned = try StripePeer.signatureHeader(payload: cheap, secret: Self.webhookSecret, timestamp: now)
            #expect(try await Self.post(port: port, body: cheap, signature: cheapSigned) == 200)
            // Wrong currency.
            let euros = StripePeer.event(id: "evt_eur", session: session.id, intent: "pi_3", amount: 30_000, currency: "eur", booking: BookingID(1), created: now)
            #expect(try await Self.post(port: port, body: euros, signature: try StripePeer.signatureHeader(payload: euros, secret: Self.webhookSecret, timestamp: now)) == 200)

            let booking = try #require(try await h.store.booking(BookingID(1)))
            #expect(booking.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            let events = try await h.store.paymentEvents(bookingID: BookingID(1))
            // The session was paid once (with the wrong amount): a second notice for it changes nothing more.
            #expect(events.map(\.status) == ["refund owed: paid $1.00, the price is $300.00", "ignored: paid → paid"])
            let owed = try await h.store.moneyToReturn(openOnly: false)
            #expect(owed.count == 1)
            // Returned through Stripe at once: the refund request reached the stand-in (which has no refunds, so
            // the row stays owed with the error for an admin; the localstripe test below sees one settle).
            let refunds = await stripe.requests().filter { $0.path == "/v1/refunds" }
            #expect(refunds.count == 1)
            #expect(refunds.first?.form.contains { $0.name == "payment_intent" && $0.value == "pi_2" } == true)
            #expect(owed.first?.state == .owed)
            #expect(owed.first?.lastError != nil)
            let audit = try await h.store.auditLog(limit: 10)
            #expect(audit.filter { $0.action == "payment.refund_needed" }.count == 1)
        }
    }

    @Test func aLatePaymentIsHonouredWhenTheSlotIsStillFree() async throws {
        let maria = self.maria
        try await withStripeDouble { h, stripe, port in
            _ = try await bookToCheckout(h, user: maria)
            let session = try #require(await stripe.sessions().first)
            h.clock.advance(minutes: 35)
            try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
            try await h.expectLast(maria.id, contains: "Your hold ran out")
            let now = h.clock.now.epochSeconds
            let body = StripePeer.event(id: "evt_late", session: session.id, intent: "pi_late", amount: 30_000, booking: BookingID(1), created: now)
            #expect(try await Self.deliver(body, port: port, at: now) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
        }
    }

    @Test func anExpiredSessionReleasesTheHold() async throws {
        let maria = self.maria
        try await withStripeDouble { h, stripe, port in
            _ = try await bookToCheckout(h, user: maria)
            let session = try #require(await stripe.sessions().first)
            let now = h.clock.now.epochSeconds
            let body = StripePeer.event(id: "evt_exp", type: "checkout.session.expired", session: session.id, intent: nil, amount: 30_000,
                                        booking: BookingID(1), created: now, paymentStatus: "unpaid")
            #expect(try await Self.deliver(body, port: port, at: now) == 200)
            let booking = try #require(try await h.store.booking(BookingID(1)))
            #expect(booking.status == .cancelled)
            #expect(booking.cancelledBy == .system)
            #expect(try await h.store.busyRanges(hostID: HostID(1), overlapping: booking.time, at: h.clock.now).isEmpty)
        }
    }

    /// The refund runs against a real Stripe peer: localstripe holds a confirmed PaymentIntent; the signed
    /// `checkout.session.completed` names it for a hold that already lost its slot; our refund appears there.
    @Test func aLatePaymentForATakenSlotIsRefundedOnLocalstripe() async throws {
        let peer = try await LocalStripe.start()
        defer { peer.stop() }
        // A confirmed card PaymentIntent on localstripe for $300.00.
        let (pmStatus, pm) = try await peer.request("POST", "/v1/payment_methods", form: [
            ("type", "card"), ("card[number]", "4242424242424242"), ("card[exp_month]", "12"), ("card[exp_year]", "2030"), ("card[cvc]", "123"),
        ])
        #expect(pmStatus == 200)
        let (piStatus, pi) = try await peer.request("POST", "/v1/payment_intents", form: [
            ("amount", "30000"), ("currency", "usd"), ("payment_method", pm["id"] as? String ?? ""), ("confirm", "true"),
        ])
        #expect(piStatus == 200)
        let intent = try #require(pi["id"] as? String)
        #expect(pi["status"] as? String == "succeeded")

        try await BotHarness.with { h in
            try await h.addHost()
            let port = try TelegramWebhookTests.freePort()
            let env = ["PORT": String(port), "STRIPE_SECRET_KEY": peer.secretKey, "STRIPE_WEBHOOK_SECRET": Self.webhookSecret, "STRIPE_API_URL": peer.baseURL]
            let maria = self.maria
            let juan = User(id: 7002, firstName: "Juan", languageCode: "es")
            try await h.serve(env) {
                // María holds 18:00 but never pays; her hold lapses; Juan takes the same time.
                await h.fake.sendText("/book_private_call", from: maria)
                try await h.expectLast(maria.id, contains: "Anna")
                for label in ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "60 min · $300.00", "💳 Pay $300.00"] {
                    try await h.tap(label, as: maria)
                }
                try await h.expectLast(maria.id, contains: "Choose how to pay")
                h.clock.advance(minutes: 31)
                try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
                await h.fake.sendText("/book_private_call", from: juan)
                try await h.expectLast(juan.id, contains: "Anna")
                for label in ["🟢 Anna · $5.00/min", "📅 Reservar llamada", "Europe/Madrid", "mié 25 nov", "18:00", "60 min · $300.00", "💳 Pagar $300.00"] {
                    try await h.tap(label, as: juan)
                }
                try await h.expectLast(juan.id, contains: "Elige cómo pagar")

                // María's payment arrives late, for a slot that is now Juan's (her checkout session, recorded as
                // ours when it was created).
                let now = h.clock.now.epochSeconds
                try await h.store.recordCheckout(provider: "stripe", reference: "cs_test_late", for: BookingID(1), at: h.clock.now)
                let body = StripePeer.event(id: "evt_late_taken", session: "cs_test_late", intent: intent, amount: 30_000, booking: BookingID(1), created: now)
                #expect(try await Self.deliver(body, port: port, at: now) == 200)
                try await h.expectLast(maria.id, contains: "was refunded in full")

                let (status, list) = try await peer.request("GET", "/v1/refunds?payment_intent=\(intent)")
                #expect(status == 200)
                let refunds = list["data"] as? [[String: Any]] ?? []
                #expect(refunds.count == 1)
                #expect((refunds.first?["amount"] as? Int) == 30_000)
                #expect(try await h.store.booking(BookingID(1))?.status == .expired)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty, "money that was returned never enters the ledger")
                #expect(try await h.store.bookings(userID: TelegramUserID(juan.id)).first?.status == .pending)
                let events = try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status)
                #expect(events == ["refund owed: slot taken after the hold lapsed"])
                let owed = try await h.store.moneyToReturn(openOnly: false)
                #expect(owed.map(\.state) == [.settled])
                #expect(owed.first?.note == refunds.first?["id"] as? String, "the row names Stripe's refund")
            }
        }
    }
}
