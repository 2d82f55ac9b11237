import Core
import Domain
import Foundation
import Storage
import Synchronization
import Testing

/// Notices that record what they were asked for and queue one message each (so a test sees them in the outbox).
final class RecordingNotices: BookingNotices, Sendable {
    let asked = Mutex<[String]>([])

    func note(_ what: String, _ booking: Booking?) -> [NewOutboxMessage] {
        asked.withLock { $0.append(what) }
        return [NewOutboxMessage(chatID: booking.map { $0.userID.rawValue } ?? 1, kind: "text", payload: what)]
    }
    func cancelled(_ booking: Booking, by: CancelledBy, refund: CancellationDecision, cutoffHours: Int) async -> [NewOutboxMessage] {
        note("cancelled by \(by.rawValue)", booking)
    }
    func refunded(_ booking: Booking, amount: String?) async -> [NewOutboxMessage] { note("refunded", booking) }
    func noShowResolved(_ booking: Booking, confirmed: Bool) async -> [NewOutboxMessage] { note("no-show \(confirmed)", booking) }
    func moneyReturned(_ row: MoneyToReturn) async -> [NewOutboxMessage] { note("money returned", nil) }
}

/// Refunds as the app makes them, at the network edge: "stripe" returns the money at once (settled in the store
/// like the real providers do), "epayco" is returned by hand.
final class RecordingMoney: MoneyReturns, Sendable {
    let store: any Store
    let now: Instant
    let refunds = Mutex<[BookingID]>([])
    let closedCheckouts = Mutex<[String]>([])

    init(store: any Store, now: Instant) {
        self.store = store
        self.now = now
    }

    func refund(_ booking: Booking, actor: TelegramUserID?) async -> RefundOutcome {
        refunds.withLock { $0.append(booking.id!) }
        guard !refundsByHand(booking.paymentMethod) else { return .manual }
        _ = try? await store.apply(.refundSettled(succeeded: true, at: now), to: booking.id!)
        return .refunded(amount: booking.price.total.formatted(), reference: "re_1")
    }
    func cancelCheckout(of booking: Booking, reference: String) async { closedCheckouts.withLock { $0.append(reference) } }
    func refundsByHand(_ method: String?) -> Bool { method != "stripe" }
    func returnMoney(row: Int64) async -> Bool { false }
}

/// Cancelling through `Core.Cancellations` on a real SQLite file with a fixed clock and no Bot API: who may
/// cancel what, what the policy gives back, and that a refusal writes nothing.
@Suite("Cancellation use cases")
struct CancellationTests {
    static let now = HostCatalogueTests.now
    static let user = TelegramUserID(77)

    struct World {
        let store: any Store
        let hosts: [HostID]
        let notices = RecordingNotices()
        let money: RecordingMoney
        var cancellations: Cancellations {
            Cancellations(store: store, now: { CancellationTests.now }, admins: { [HostCatalogueTests.admin] }, policy: .standard, notices: notices, money: money)
        }
        var desk: RefundDesk {
            RefundDesk(store: store, now: { CancellationTests.now }, admins: { [HostCatalogueTests.admin] }, notices: notices, money: money)
        }

        /// A booking of host `index`, `hoursAhead` from now, paid through `method` (nil: a hold).
        func booking(host index: Int = 0, hoursAhead: Int64, method: String? = "stripe") async throws -> BookingID {
            let hold = try await store.createHold(
                try Booking.hold(hostID: hosts[index], userID: CancellationTests.user, start: CancellationTests.now.adding(seconds: hoursAhead * 3600),
                                 minutes: 30, pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                 now: CancellationTests.now, holdMinutes: 30),
                bufferMinutes: 0, maxLiveHolds: .max)
            if let method { _ = try await store.apply(.paymentConfirmed(method: method, at: CancellationTests.now), to: hold.id!) }
            return hold.id!
        }
    }

    static func with(_ body: (World) async throws -> Void) async throws {
        try await HostCatalogueTests.with { _, store, ids in
            try await body(World(store: store, hosts: ids, money: RecordingMoney(store: store, now: now)))
        }
    }

    @Test func aUserCancelsBeforeTheCutoffWithAFullRefundAndAfterItWithNone() async throws {
        try await Self.with { w in
            let early = try await w.booking(hoursAhead: 48), late = try await w.booking(hoursAhead: 5)
            let preview = try await w.cancellations.preview(.user(Self.user), booking: early)
            #expect(preview.decision == .fullRefund(Money(minorUnits: 15_000, currency: .usd)))
            let done = try await w.cancellations.cancel(.user(Self.user), booking: early)
            #expect(done.booking.status == .cancelled && done.refund == .refunded(amount: "$150.00", reference: "re_1"))
            #expect(try await w.store.booking(early)?.refundState == .refunded)
            let lateDone = try await w.cancellations.cancel(.user(Self.user), booking: late)
            #expect(lateDone.refund == .notOwed && lateDone.booking.refundState != .pending)
            #expect(w.money.refunds.withLock { $0 } == [early], "no refund asked after the cut-off")
            let audit = try await w.store.auditLog(limit: 10)
            #expect(audit.map(\.action) == ["booking.cancel", "booking.cancel"] && audit.allSatisfy { $0.role == "user" && $0.actor == 77 })
            #expect(audit.first?.after?.contains("no refund") == true && audit.last?.after?.contains("full refund 150.00 USD") == true)
            #expect(w.notices.asked.withLock { $0 } == ["cancelled by user", "cancelled by user"])
        }
    }

    @Test func refusalsChangeNothing() async throws {
        try await Self.with { w in
            let paid = try await w.booking(hoursAhead: 48), started = try await w.booking(hoursAhead: -1)
            let stranger = TelegramUserID(78)
            await #expect(throws: Refusal.notAllowed) { try await w.cancellations.cancel(.user(stranger), booking: paid) }
            let otherHosts = try await w.booking(host: 1, hoursAhead: 48)
            await #expect(throws: Refusal.notAllowed) { try await w.cancellations.cancel(.host(HostCatalogueTests.hostAccount), booking: otherHosts) }
            await #expect(throws: Refusal.notAllowed) { try await w.cancellations.cancel(.admin(stranger), booking: paid) }
            await #expect(throws: Refusal.bookingUnchangeable) { try await w.cancellations.cancel(.user(Self.user), booking: started) }
            await #expect(throws: Refusal.bookingUnchangeable) { try await w.cancellations.cancel(.host(HostCatalogueTests.hostAccount), booking: started) }
            await #expect(throws: Refusal.noSuchBooking) { try await w.cancellations.cancel(.admin(HostCatalogueTests.admin), booking: BookingID(999)) }
            let paidNow = try await w.store.booking(paid), startedNow = try await w.store.booking(started)
            #expect(paidNow?.status == .confirmed && startedNow?.status == .confirmed)
            #expect(try await w.store.auditLog(limit: 10).isEmpty)
            #expect(w.money.refunds.withLock { $0 }.isEmpty)
            #expect(try await w.store.outbox(status: nil).isEmpty)
            // A second cancellation of the same booking is refused, not refunded twice.
            _ = try await w.cancellations.cancel(.admin(HostCatalogueTests.admin), booking: paid)
            await #expect(throws: Refusal.bookingUnchangeable) { try await w.cancellations.cancel(.admin(HostCatalogueTests.admin), booking: paid) }
            #expect(w.money.refunds.withLock { $0 } == [paid])
        }
    }

    @Test func theLinkedHostAndAnAdminAlwaysRefundInFullAndAnAdminClosesAHoldsCheckout() async throws {
        try await Self.with { w in
            let soon = try await w.booking(hoursAhead: 2)
            let done = try await w.cancellations.cancel(.host(HostCatalogueTests.hostAccount), booking: soon)
            #expect(done.decision == .fullRefund(Money(minorUnits: 15_000, currency: .usd)) && done.booking.cancelledBy == .host)
            let hold = try await w.booking(hoursAhead: 30, method: nil)
            try await w.store.setPaymentReference("cs_test_1", for: hold, at: Self.now)
            let cancelledHold = try await w.cancellations.cancel(.admin(HostCatalogueTests.admin), booking: hold)
            #expect(cancelledHold.decision == .nothingPaid && cancelledHold.refund == .notOwed)
            #expect(w.money.closedCheckouts.withLock { $0 } == ["cs_test_1"])
            #expect(try await w.store.auditLog(limit: 10).map(\.role) == ["admin", "host"])
        }
    }

    @Test func aManualRefundIsRecordedOnceWithAValidReference() async throws {
        try await Self.with { w in
            let id = try await w.booking(hoursAhead: 48, method: "epayco")
            let admin = Actor.admin(HostCatalogueTests.admin)
            let done = try await w.cancellations.cancel(admin, booking: id)
            #expect(done.refund == .manual && done.booking.refundState == .pending)
            #expect(try await w.desk.waiting(admin).manual.map(\.id) == [id])
            await #expect(throws: Refusal.notAllowed) { try await w.desk.waiting(.admin(TelegramUserID(5))) }
            await #expect(throws: Refusal.invalidReference) { try await w.desk.manualRefundDone(admin, booking: id, reference: "bad\u{7}ref") }
            #expect(try await w.store.booking(id)?.refundState == .pending)
            let settled = try await w.desk.manualRefundDone(admin, booking: id, reference: "  TX-991  ")
            #expect(settled.refundState == .refunded)
            #expect(try await w.store.auditLog(limit: 1).first?.after?.hasSuffix("reference TX-991") == true)
            await #expect(throws: Refusal.bookingUnchangeable) { try await w.desk.manualRefundDone(admin, booking: id, reference: nil) }
            #expect(try await w.desk.waiting(admin).isEmpty)
        }
    }

    @Test func aConfirmedNoShowRefundsAndASecondAnswerIsRefused() async throws {
        try await Self.with { w in
            let id = try await w.booking(hoursAhead: -1)
            _ = try await w.store.apply(.callStarted(at: Self.now), to: id)
            #expect(try await w.store.reportNoShow(id, by: Self.user, at: Self.now, messages: []))
            let admin = Actor.admin(HostCatalogueTests.admin)
            #expect(try await w.desk.waiting(admin).noShows.map(\.booking.id) == [id])
            let resolved = try await w.desk.resolveNoShow(admin, booking: id, confirm: true)
            #expect(resolved.refund == .refunded(amount: "$150.00", reference: "re_1"))
            await #expect(throws: Refusal.alreadySettled) { try await w.desk.resolveNoShow(admin, booking: id, confirm: false) }
            #expect(w.money.refunds.withLock { $0 } == [id])
        }
    }
}
