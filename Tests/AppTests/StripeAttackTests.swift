import Domain
import FakeStripe
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

extension BotHarness {
    /// Waits until the outbox holds nothing unsent: every message the system decided to send is at the fake.
    func outboxIdle() async throws {
        let store = self.store
        try await fake.waitUntil(timeout: .seconds(10)) { (try? await store.pendingOutboxCount()) == 0 }
    }

    /// Waits until the update inbox holds nothing open: every update fetched so far is handled.
    func inboxIdle() async throws {
        let store = self.store
        try await fake.waitUntil(timeout: .seconds(10)) { (try? await store.openInboxCount()) == 0 }
    }

    /// Bot messages in a chat whose text contains `text`.
    func messages(_ chat: Int64, containing text: String) async -> [Message] {
        await fake.messages(chat: chat).filter { ($0.text ?? $0.caption ?? "").contains(text) }
    }
}

/// Stripe notifications as an attacker (or a second app on the same Stripe account) would send them. Each case
/// checks the booking, the ledger, the money-to-return list, the refunds that reached the Stripe stand-in and
/// the messages afterwards.
@Suite("Stripe attack corpus", .serialized, .enabled(if: StripePeer.available))
struct StripeAttackTests {
    let flows = StripeFlowTests()
    let maria = User(id: 7001, firstName: "María", username: "maria", languageCode: "en")

    @Test func anUntaggedSessionIsIgnoredAndNeverRefunded() async throws {
        let maria = self.maria
        try await flows.withStripeDouble { h, stripe, port in
            _ = try await flows.bookToCheckout(h, user: maria)
            let session = try #require(await stripe.sessions().first)
            let now = h.clock.now.epochSeconds
            // Another app on the same account: its sessions carry no tag of ours (with or without a booking id).
            for (id, booking) in [("evt_other_1", BookingID(1) as BookingID?), ("evt_other_2", nil)] {
                let body = StripePeer.event(id: id, session: session.id, intent: "pi_other", amount: 30_000, booking: booking, created: now, app: nil)
                #expect(try await StripeFlowTests.deliver(body, port: port, at: now) == 200)
            }
            let foreign = StripePeer.event(id: "evt_other_3", session: "cs_someone_else", intent: "pi_x", amount: 999, booking: nil, created: now,
                                           app: "another-app")
            #expect(try await StripeFlowTests.deliver(foreign, port: port, at: now) == 200)
            try await h.outboxIdle()
            #expect(await stripe.requests().filter { $0.path == "/v1/refunds" }.isEmpty, "no refund call reached Stripe")
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).isEmpty)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            #expect(await h.messages(maria.id, containing: "booked").isEmpty)
        }
    }

    @Test func anotherBookingsSessionCannotConfirmThisOne() async throws {
        let maria = self.maria
        try await flows.withStripeDouble { h, stripe, port in
            _ = try await flows.bookToCheckout(h, user: maria)
            let session = try #require(await stripe.sessions().first)
            // A second hold of the same price, by someone else, that was never sent to Stripe.
            let other = try await h.store.createHold(
                try Booking.hold(hostID: HostID(1), userID: TelegramUserID(7002), start: Instant(epochSeconds: BotHarness.start.epochSeconds + 12 * 3600),
                                 minutes: 60, pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: CommissionRate(basisPoints: 3000)!,
                                 now: h.clock.now, holdMinutes: 30),
                bufferMinutes: 0, maxLiveHolds: .max)
            let otherID = try #require(other.id)
            let now = h.clock.now.epochSeconds
            // María's session, but naming the other booking; and a session id that is no checkout of ours.
            let swapped = StripePeer.event(id: "evt_swap", session: session.id, intent: "pi_swap", amount: 30_000, booking: otherID, created: now)
            #expect(try await StripeFlowTests.deliver(swapped, port: port, at: now) == 200)
            let invented = StripePeer.event(id: "evt_invented", session: "cs_invented", intent: "pi_inv", amount: 30_000, booking: BookingID(1), created: now)
            #expect(try await StripeFlowTests.deliver(invented, port: port, at: now) == 200)
            try await h.outboxIdle()
            #expect(try await h.store.booking(otherID)?.status == .pending)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: otherID).isEmpty)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            // Tagged as ours, so the money is ours to give back: both asked of Stripe at once (the stand-in has no
            // refunds, so they stay owed, with the error, for an admin).
            let owed = try await h.store.moneyToReturn(openOnly: false)
            #expect(owed.map(\.reference).sorted() == ["cs_invented", session.id].sorted())
            #expect(owed.allSatisfy { $0.state == .owed && $0.bookingID == nil && $0.lastError != nil })
            let refunds = await stripe.requests().filter { $0.path == "/v1/refunds" }
            #expect(Set(refunds.compactMap { $0.form.first { $0.name == "payment_intent" }?.value }) == ["pi_swap", "pi_inv"])
            #expect(await h.messages(maria.id, containing: "booked").isEmpty)
            #expect(await h.messages(7002, containing: "booked").isEmpty)
        }
    }

    @Test func twoConcurrentDeliveriesConfirmOnce() async throws {
        let maria = self.maria
        try await flows.withStripeDouble { h, stripe, port in
            _ = try await flows.bookToCheckout(h, user: maria)
            let session = try #require(await stripe.sessions().first)
            let now = h.clock.now.epochSeconds
            let body = StripePeer.event(id: "evt_twice", session: session.id, intent: "pi_twice", amount: 30_000, booking: BookingID(1), created: now)
            let signature = try StripePeer.signatureHeader(payload: body, secret: StripeFlowTests.webhookSecret, timestamp: now)
            async let first = StripeFlowTests.post(port: port, body: body, signature: signature)
            async let second = StripeFlowTests.post(port: port, body: body, signature: signature)
            #expect(try await [first, second] == [200, 200])
            // And a later redelivery with a fresh signature, as Stripe retries.
            #expect(try await StripeFlowTests.deliver(body, port: port, at: now) == 200)
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == ["confirmed"])
            #expect(await h.messages(maria.id, containing: "Payment received").count == 1)
            #expect(try await h.store.outbox(status: nil).filter { $0.kind == "booking.confirmed" }.count == 1)
            #expect(await stripe.requests().filter { $0.path == "/v1/refunds" }.isEmpty)
            #expect(try await h.store.paymentReference(of: BookingID(1)) == "pi_twice")
        }
    }
}
