import Domain
import Storage

/// What became of a refund asked of the payment providers.
public enum RefundOutcome: Sendable, Hashable {
    /// The provider returned the money; the booking is refunded and the ledger reversed. `amount` as shown.
    case refunded(amount: String, reference: String)
    /// A provider without a refund API we call: pending until an admin records it as done.
    case manual
    /// The provider refused or could not be reached: the refund is `failed`, audited, and an admin can retry.
    case failed(String)
    /// Nothing to refund (not cancelled, not paid, settled already).
    case notOwed
}

/// The messages a change to a booking sends (written by a face — the bot's `Notices` — in each person's
/// language), queued in the same transaction as the change.
public protocol BookingNotices: Sendable {
    func cancelled(_ booking: Booking, by: CancelledBy, refund: CancellationDecision, cutoffHours: Int) async -> [NewOutboxMessage]
    func refunded(_ booking: Booking, amount: String?) async -> [NewOutboxMessage]
    func noShowResolved(_ booking: Booking, confirmed: Bool) async -> [NewOutboxMessage]
    func moneyReturned(_ row: MoneyToReturn) async -> [NewOutboxMessage]
}

/// Money going back through the booking's own payment provider (implemented by the app over its providers).
public protocol MoneyReturns: Sendable {
    /// Returns the money of a cancelled booking whose refund is pending or failed; settles it in the store.
    func refund(_ booking: Booking, actor: TelegramUserID?) async -> RefundOutcome
    /// Closes an open checkout of a cancelled hold (best effort), so it cannot be paid any more.
    func cancelCheckout(of booking: Booking, reference: String) async
    /// Whether money paid through `method` goes back by hand (no refund API we call).
    func refundsByHand(_ method: String?) -> Bool
    /// Tries an automatic return of a money-to-return row again; true when the money went back.
    func returnMoney(row: Int64) async -> Bool
}

/// Cancelling a booking, by whoever may: the user their own (a hold at once; a paid call by the policy's
/// cut-off), the linked host their own confirmed upcoming call (always a full refund), an admin any confirmed or
/// held booking (a full refund of what was paid). The cancellation, its notices and its audit row are one
/// transaction; the refund then goes through the booking's own provider.
public struct Cancellations: Sendable {
    let catalogue: HostCatalogue
    let policy: CancellationPolicy
    let notices: any BookingNotices
    let money: any MoneyReturns

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>,
                policy: CancellationPolicy, notices: any BookingNotices, money: any MoneyReturns) {
        catalogue = HostCatalogue(store: store, now: now, admins: admins)
        self.policy = policy
        self.notices = notices
        self.money = money
    }

    var store: any Store { catalogue.store }

    /// A cancellation as it happened.
    public struct Cancelled: Sendable, Equatable {
        /// The booking before and after.
        public let before: Booking
        public let booking: Booking
        public let decision: CancellationDecision
        public let refund: RefundOutcome
    }

    /// What cancelling would do now, for a confirmation screen; refused exactly as `cancel` would be.
    public func preview(_ actor: Actor, booking id: BookingID) async throws -> (booking: Booking, decision: CancellationDecision) {
        let booking = try await allowedBooking(actor, id)
        let decision = try decide(actor, booking)
        return (booking, decision)
    }

    public func cancel(_ actor: Actor, booking id: BookingID) async throws -> Cancelled {
        let booking = try await allowedBooking(actor, id)
        let decision = try decide(actor, booking)
        let by = Self.cancelledBy(actor)
        let at = catalogue.now()
        // A user letting go of an unpaid hold tells nobody; everything else tells both sides.
        let messages = (by == .user && booking.status == .pending) ? [] : await notices.cancelled(booking, by: by, refund: decision, cutoffHours: policy.cutoffHours)
        let cancelled: Booking
        do {
            cancelled = try await store.apply(
                .cancelled(by: by, refund: decision.refunds, at: at), to: id, messages: messages,
                audit: AuditEntry(actor: actor.account.rawValue, role: actor.role, action: "booking.cancel", entity: "booking", entityID: "\(id)",
                                  before: booking.status.rawValue, after: "cancelled by \(by.rawValue): \(Self.describe(decision))", at: at))
        } catch StoreError.invalidTransition {
            throw Refusal.bookingUnchangeable
        }
        if booking.status == .pending, let reference = try? await store.paymentReference(of: id) {
            await money.cancelCheckout(of: booking, reference: reference)
        }
        let refund = decision.refunds ? await money.refund(cancelled, actor: actor.account) : .notOwed
        return Cancelled(before: booking, booking: cancelled, decision: decision, refund: refund)
    }

    static func cancelledBy(_ actor: Actor) -> CancelledBy {
        switch actor {
        case .admin: .admin
        case .host: .host
        case .user: .user
        }
    }

    static func describe(_ decision: CancellationDecision) -> String {
        switch decision {
        case .fullRefund(let amount): "full refund \(amount.decimalString) \(amount.currency.code)"
        case .noRefund(let deadline): "no refund (after the cut-off \(deadline))"
        case .nothingPaid, .notCancellable: "nothing paid"
        }
    }

    /// The booking, if the actor may cancel it in its present state.
    func allowedBooking(_ actor: Actor, _ id: BookingID) async throws -> Booking {
        if case .admin(let account) = actor, !catalogue.admins().contains(account) { throw Refusal.notAllowed }
        guard let booking = try await store.booking(id) else { throw Refusal.noSuchBooking }
        let now = catalogue.now()
        switch actor {
        case .admin:
            guard booking.status == .confirmed || booking.status == .pending else { throw Refusal.bookingUnchangeable }
        case .host(let account):
            guard let host = try await store.host(booking.hostID), host.telegramUserID == account else { throw Refusal.notAllowed }
            guard booking.status == .confirmed, booking.time.start > now else { throw Refusal.bookingUnchangeable }
        case .user(let account):
            guard booking.userID == account else { throw Refusal.notAllowed }
        }
        return booking
    }

    func decide(_ actor: Actor, _ booking: Booking) throws -> CancellationDecision {
        let decision = policy.cancellation(of: booking, by: Self.cancelledBy(actor), at: catalogue.now())
        if case .user = actor, booking.status != .pending {
            switch decision {
            case .notCancellable, .nothingPaid: throw Refusal.bookingUnchangeable
            case .fullRefund, .noRefund: break
            }
        }
        if case .notCancellable = decision { throw Refusal.bookingUnchangeable }
        return decision
    }
}
