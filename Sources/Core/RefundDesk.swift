import Domain
import Foundation
import Storage

/// Money waiting for an admin: refunds made by hand (ePayco, Daimo) to record as done, failed refunds to retry,
/// the money-to-return list (payments no booking could take, reversals) to settle or retry, and host no-show
/// reports to confirm (a full refund) or reject. Only an admin who is still configured; every change is one
/// transaction with its notices and audit row.
public struct RefundDesk: Sendable {
    let catalogue: HostCatalogue
    let notices: any BookingNotices
    let money: any MoneyReturns

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>,
                notices: any BookingNotices, money: any MoneyReturns) {
        catalogue = HostCatalogue(store: store, now: now, admins: admins)
        self.notices = notices
        self.money = money
    }

    var store: any Store { catalogue.store }

    /// A host no-show a user reported, with its booking.
    public struct NoShowCase: Sendable, Equatable {
        public let report: NoShowReport
        public let booking: Booking
    }

    public struct Waiting: Sendable, Equatable {
        /// Cancelled, refund pending, paid through a provider whose refunds are made by hand.
        public var manual: [Booking]
        /// Refunds that failed (or are pending with a provider that has a refund API): retry.
        public var failed: [Booking]
        public var noShows: [NoShowCase]
        /// Open rows of the money-to-return list.
        public var owed: [MoneyToReturn]

        public var isEmpty: Bool { manual.isEmpty && failed.isEmpty && noShows.isEmpty && owed.isEmpty }
    }

    public func waiting(_ actor: Actor) async throws -> Waiting {
        try checkAdmin(actor)
        let open = try await store.allBookings(from: nil, to: nil, hostID: nil)
            .filter { $0.status == .cancelled && ($0.refundState == .pending || $0.refundState == .failed) }
        let manual = open.filter { $0.refundState == .pending && money.refundsByHand($0.paymentMethod) }
        var cases: [NoShowCase] = []
        for report in try await store.openNoShowReports() {
            if let booking = try await store.booking(report.bookingID) { cases.append(NoShowCase(report: report, booking: booking)) }
        }
        return Waiting(manual: manual, failed: open.filter { !manual.contains($0) }, noShows: cases, owed: try await store.moneyToReturn(openOnly: true))
    }

    /// Whether a row of the money-to-return list can be retried automatically (a payment through a provider
    /// with a refund API).
    public func retriable(_ row: MoneyToReturn) -> Bool { row.kind == .payment && !money.refundsByHand(row.provider) }

    /// The payment event id a manual refund is recorded under.
    public static func manualRefundEventID(_ id: BookingID) -> String { "manual-refund-booking-\(id.rawValue)" }

    /// A provider's reference as an admin typed it: 1…100 characters, no control characters.
    public static func reference(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(trimmed.count), !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Refusal.invalidReference
        }
        return trimmed
    }

    /// A booking whose refund the admin may record as done by hand.
    public func manualRefundBooking(_ actor: Actor, _ id: BookingID) async throws -> Booking {
        try checkAdmin(actor)
        guard let booking = try await store.booking(id) else { throw Refusal.noSuchBooking }
        guard booking.status == .cancelled, booking.refundState == .pending, money.refundsByHand(booking.paymentMethod) else {
            throw Refusal.bookingUnchangeable
        }
        return booking
    }

    /// Records a manual refund as done: settled with the reversing ledger row, the notices and the audit row in
    /// one transaction; the payment event says who, and with which reference.
    public func manualRefundDone(_ actor: Actor, booking id: BookingID, reference: String?) async throws -> Booking {
        let booking = try await manualRefundBooking(actor, id)
        let reference = try reference.map(Self.reference)
        let at = catalogue.now()
        let referenceNote = reference.map { ", reference \($0)" } ?? ""
        let settled: Booking
        do {
            settled = try await store.apply(
                .refundSettled(succeeded: true, at: at), to: id, messages: await notices.refunded(booking, amount: nil),
                audit: AuditEntry(actor: actor.account.rawValue, role: actor.role, action: "refund.manual_done", entity: "booking", entityID: "\(id)",
                                  before: "refund pending (\(booking.paymentMethod ?? "?"))",
                                  after: "refunded by hand: \(booking.price.total.decimalString) \(booking.price.total.currency.code)\(referenceNote)", at: at))
        } catch StoreError.invalidTransition {
            throw Refusal.bookingUnchangeable
        }
        try? await store.setPaymentEventStatus(provider: booking.paymentMethod ?? "manual", eventID: Self.manualRefundEventID(id),
                                               status: "refunded by hand (admin \(actor.account.rawValue)\(referenceNote))")
        return settled
    }

    /// Asks the provider again for a refund that failed (or is pending with a provider that has a refund API).
    public func retryRefund(_ actor: Actor, booking id: BookingID) async throws -> RefundOutcome {
        try checkAdmin(actor)
        guard let booking = try await store.booking(id) else { throw Refusal.noSuchBooking }
        guard booking.status == .cancelled,
              booking.refundState == .failed || (booking.refundState == .pending && !money.refundsByHand(booking.paymentMethod)) else {
            throw Refusal.bookingUnchangeable
        }
        return await money.refund(booking, actor: actor.account)
    }

    /// An open row of the money-to-return list.
    public func openRow(_ actor: Actor, _ id: Int64) async throws -> MoneyToReturn {
        try checkAdmin(actor)
        guard let row = try await store.moneyToReturn(id: id), row.state != .settled else { throw Refusal.alreadySettled }
        return row
    }

    /// The money of a row went back by hand (or, for a reversal, the admin has looked at it): settled, with a
    /// notice to the payer for a payment.
    public func settle(_ actor: Actor, row id: Int64) async throws -> MoneyToReturn {
        let row = try await openRow(actor, id)
        let messages = row.kind == .payment ? await notices.moneyReturned(row) : []
        do {
            return try await store.settleMoneyToReturn(id, by: actor.account, note: nil, messages: messages, at: catalogue.now())
        } catch StoreError.notFound {
            throw Refusal.alreadySettled
        }
    }

    /// Tries the automatic return of a row again; true when the money went back.
    public func retry(_ actor: Actor, row id: Int64) async throws -> Bool {
        let row = try await openRow(actor, id)
        guard retriable(row) else { throw Refusal.bookingUnchangeable }
        return await money.returnMoney(row: id)
    }

    /// Confirms (a full refund to the user) or rejects a user's report that the host did not show.
    public func resolveNoShow(_ actor: Actor, booking id: BookingID, confirm: Bool) async throws -> (booking: Booking, refund: RefundOutcome) {
        try checkAdmin(actor)
        let at = catalogue.now()
        guard let booking = try await store.booking(id) else { throw Refusal.alreadySettled }
        var after = booking
        if confirm {
            do throws(BookingTransitionError) { after = try booking.applying(.hostNoShow(at: at)) } catch { throw Refusal.bookingUnchangeable }
        }
        let resolved: Booking
        do {
            resolved = try await store.resolveNoShow(id, confirmed: confirm, by: actor.account, at: at,
                                                     messages: await notices.noShowResolved(after, confirmed: confirm))
        } catch StoreError.notFound {
            throw Refusal.alreadySettled
        } catch StoreError.invalidTransition {
            throw Refusal.bookingUnchangeable
        }
        guard confirm else { return (resolved, .notOwed) }
        return (resolved, await money.refund(resolved, actor: actor.account))
    }

    func checkAdmin(_ actor: Actor) throws {
        guard case .admin(let account) = actor, catalogue.admins().contains(account) else { throw Refusal.notAllowed }
    }
}
