import Domain
import FakeStripe
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// Every write inside fulfilment and refunds made to fail in turn (`FaultyEngine`): after the provider's retry
/// there is exactly one confirmation and a balanced ledger, a valid payment is never refunded, and nobody is
/// told "money returned" without a settled refund row.
@Suite("Fulfilment and refunds survive a failure at every write", .serialized)
struct FulfilmentFaultTests {
    static func harness(_ faults: Faults) async throws -> BotHarness {
        let fake = try await FakeBotAPI.start()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pc-fault-\(UUID().uuidString).sqlite").path
        let store = try await FaultyEngine.sqliteStore(path: path, faults: faults, logger: BotHarness.logger)
        try await store.migrate()
        return BotHarness(fake: fake, store: store, clock: TestClock(BotHarness.start), path: path)
    }

    static func with(_ faults: Faults, _ body: (BotHarness) async throws -> Void) async throws {
        try await BotHarness.using(try await harness(faults), body)
    }

    /// A valid Stripe payment whose fulfilment fails at write n, then Stripe's retry.
    @Test(.enabled(if: StripePeer.available)) func aValidStripePaymentIsConfirmedOnceWhateverWriteFails() async throws {
        let flows = StripeFlowTests()
        let maria = flows.maria
        var n = 1
        while n < 40 {
            let faults = Faults()
            let write = n
            let stripe = try await FakeStripeServer.start(secretKey: "sk_test_e2e", now: { BotHarness.start.epochSeconds })
            try await Self.with(faults) { h in
                try await h.addHost(linkedTo: 8800)
                let port = try TelegramWebhookTests.freePort()
                let env = ["PORT": String(port), "STRIPE_SECRET_KEY": "sk_test_e2e", "STRIPE_WEBHOOK_SECRET": StripeFlowTests.webhookSecret,
                           "STRIPE_API_URL": stripe.baseURL]
                try await h.serve(env) {
                    await h.fake.sendText("/start", from: User(id: 8800, firstName: "Anna", username: "anna_host", languageCode: "en"))
                    try await h.expectLast(8800, contains: "Welcome")
                    _ = try await flows.bookToCheckout(h, user: maria)
                    let session = try #require(await stripe.sessions().first)
                    let now = h.clock.now.epochSeconds
                    let body = StripePeer.event(id: "evt_f", session: session.id, intent: "pi_f", amount: 30_000, booking: BookingID(1), created: now)
                    faults.arm(failAtWrite: write, inTransactionsStartingWith: ["INSERT INTO payments"])
                    let first = try await StripeFlowTests.deliver(body, port: port, at: now)
                    let fired = faults.fired
                    faults.disarm()
                    if fired {
                        #expect(first == 500, "write \(write) failed: Stripe must retry")
                        #expect(try await h.store.booking(BookingID(1))?.status == .pending, "write \(write): nothing half-done")
                        #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
                        #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).isEmpty)
                        #expect(try await h.store.outbox(status: nil).filter { $0.kind == "booking.confirmed" }.isEmpty)
                        // Stripe's retry.
                        #expect(try await StripeFlowTests.deliver(body, port: port, at: now) == 200)
                    } else {
                        #expect(first == 200)
                    }
                    try await h.outboxIdle()
                    #expect(try await h.store.booking(BookingID(1))?.status == .confirmed, "write \(write)")
                    let ledger = try await h.store.ledger(bookingID: BookingID(1))
                    #expect(ledger.count == 1 && ledger.map(\.gross.minorUnits).reduce(0, +) == 30_000, "write \(write): Σ ledger = net paid")
                    #expect(await h.messages(maria.id, containing: "Payment received").count == 1, "write \(write)")
                    #expect(await h.messages(8800, containing: "New booking").count == 1, "write \(write)")
                    #expect(await stripe.requests().filter { $0.path == "/v1/refunds" }.isEmpty, "write \(write): a valid payment is never refunded")
                    #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
                }
            }
            await stripe.stop()
            if !faults.fired { break }
            n += 1
        }
        #expect(n > 5, "the fulfilment transaction has several writes, each one was made to fail (got \(n - 1))")
    }

    /// A Stars payment for a slot taken meanwhile: its fulfilment (money owed), the claim and the settlement each
    /// fail at one write in turn; the inbox sweep and the refund retry finish the job.
    @Test func aStarsPaymentThatMustGoBackIsReturnedOnceWhateverWriteFails() async throws {
        let stars = StarsFlowTests()
        let maria = stars.maria
        var n = 1
        while n < 40 {
            let faults = Faults()
            let write = n
            try await Self.with(faults) { h in
                try await h.addHost()
                try await h.run(StarsFlowTests.env) { _ in
                    try await stars.bookToInvoice(h)
                    h.clock.advance(minutes: 31)
                    try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
                    _ = try await h.store.createHold(
                        try Booking.hold(hostID: HostID(1), userID: TelegramUserID(99), start: Instant(epochSeconds: 1_795_564_800 + 17 * 3600),
                                         minutes: 60, pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                         now: h.clock.now, holdMinutes: 90), bufferMinutes: 0, maxLiveHolds: .max)
                    faults.arm(failAtWrite: write, inTransactionsStartingWith: ["INSERT INTO payments", "UPDATE money_to_return"])
                    await h.fake.sendSuccessfulPayment(
                        SuccessfulPayment(currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1", telegramPaymentChargeId: "stxF",
                                          providerPaymentChargeId: ""), from: maria)
                    // The first attempt is over when the payment was processed or its handling failed.
                    try await h.fake.waitUntil(timeout: .seconds(10)) { await h.fake.pendingUpdateIds().isEmpty }
                    try await h.fake.waitUntil(timeout: .seconds(10)) {
                        if faults.fired { return true }
                        return (try? await h.store.moneyToReturn(openOnly: false).first?.state) == .settled
                    }
                    let fired = faults.fired
                    faults.disarm()
                    // Never "money returned" without a settled refund row.
                    let settledNow = (try await h.store.moneyToReturn(openOnly: false).first?.state) == .settled
                    if !settledNow { #expect(await h.messages(maria.id, containing: "was refunded in full").isEmpty, "write \(write)") }
                    // Retries: the inbox sweep runs every tick; an interrupted refund is claimable after 5 minutes.
                    h.clock.advance(minutes: 6)
                    try await h.fake.waitUntil(timeout: .seconds(15)) { (try? await h.store.moneyToReturn(openOnly: false).first?.state) == .settled }
                    try await h.outboxIdle()
                    #expect(await h.fake.refundedCharges() == ["stxF"], "write \(write): the Stars went back exactly once")
                    #expect(await h.messages(maria.id, containing: "was refunded in full").count == 1, "write \(write)")
                    #expect(try await h.store.booking(BookingID(1))?.status == .expired, "write \(write)")
                    #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty, "write \(write): returned money never enters the ledger")
                    #expect(try await h.store.moneyToReturn(openOnly: false).count == 1, "write \(write)")
                }
            }
            if !faults.fired { break }
            n += 1
        }
        #expect(n > 6, "fulfilment, claim and settlement writes were each made to fail (got \(n - 1))")
    }
}
