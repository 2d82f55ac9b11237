import Core
import Domain
import Logging
import Storage
import Telegram

/// Refunds through the app's `CheckoutService`, for the use cases in Core (which know no Bot API): Telegram
/// Stars refunds go through `api`.
public struct CheckoutMoneyReturns: MoneyReturns {
    let checkout: any CheckoutService
    let api: any BotAPI

    public init(checkout: any CheckoutService, api: any BotAPI) {
        self.checkout = checkout
        self.api = api
    }

    public func refund(_ booking: Booking, actor: TelegramUserID?) async -> RefundOutcome { await checkout.refund(booking, api: api, actor: actor) }
    public func cancelCheckout(of booking: Booking, reference: String) async { await checkout.cancelCheckout(of: booking, reference: reference) }
    public func refundsByHand(_ method: String?) -> Bool { checkout.refundsByHand(method) }
    public func returnMoney(row: Int64) async -> Bool { await checkout.returnMoney(row: row) }
}

extension Notices: BookingNotices {}

/// Cancelling, moving and reporting bookings: the user's own (with the policy shown before confirming), the
/// linked host's and an admin's (always a full refund), a host no-show confirmed by an admin, manual refunds
/// and retries. Every button re-checks who presses it: a forged or forwarded one changes nothing.
extension BotEngine {
    var policy: CancellationPolicy { settings.cancellation }

    // MARK: /my_bookings buttons

    /// Cancel and reschedule for the user's confirmed upcoming bookings; "host didn't show" for a paid call
    /// that started and ended less than 48 hours ago (not reported yet, not reviewed).
    func cancellationButtons(_ bookings: [Booking], _ session: Session, now: Instant) async throws -> [[Screen.Button]] {
        let t = session.texts
        let reported = Set(try await store.openNoShowReports().map(\.bookingID))
        var rows: [[Screen.Button]] = []
        for b in bookings {
            guard let id = b.id else { continue }
            let n = Int(id.rawValue)
            if b.status == .confirmed && b.time.start > now {
                rows.append([.action(t.cancelPaid(n), .cancelBooking(booking: id, confirmed: false)),
                             .action(t.rescheduleButton(n), .reschedule(booking: id))])
            } else if noShowReportable(b, now: now) && !reported.contains(id), try await store.review(bookingID: id) == nil {
                // (A call the user has reviewed took place: no "host didn't show" for it.)
                rows.append([.action(t.noShowButton(n), .reportNoShow(booking: id, confirmed: false))])
            }
        }
        return rows
    }

    func noShowReportable(_ b: Booking, now: Instant) -> Bool {
        b.paymentState == .paid && [.confirmed, .active, .completed].contains(b.status)
            && b.time.start <= now && now <= b.time.end.adding(days: 2)
    }

    /// The booking when it is the presser's own, else nil.
    func ownBooking(_ id: BookingID, _ session: Session) async throws -> Booking? {
        guard let b = try await store.booking(id), b.userID == session.user.id else { return nil }
        return b
    }

    /// /my_bookings with a line on top (and as the toast).
    func myBookings(_ session: Session, saying line: String) async throws -> Outcome {
        var outcome = try await myBookings(session)
        outcome.screen = withPrefix(line, outcome.screen)
        outcome.toast = String(line.prefix(190))
        return outcome
    }

    // MARK: The user cancels

    /// The cancellation use cases (`Core.Cancellations`), with this bot's notices and refunds.
    var cancellations: Cancellations {
        let admins = settings.adminIDs
        return Cancellations(store: store, now: now, admins: { admins }, policy: policy, notices: notices,
                             money: CheckoutMoneyReturns(checkout: checkout, api: api))
    }

    func userCancel(_ id: BookingID, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let booking = try await ownBooking(id, session) else { return try await myBookings(session, saying: t.bookingUnchangeable) }
        if booking.status == .pending { return try await cancelHold(id, session) }
        let n = Int(id.rawValue)
        guard confirmed else {
            let decision: CancellationDecision
            do { decision = try await cancellations.preview(.user(session.user.id), booking: id).decision } catch is Refusal {
                return try await myBookings(session, saying: t.bookingUnchangeable)
            }
            let when = session.format.range(booking.time)
            let text: String
            if case .fullRefund(let amount) = decision {
                text = t.cancelWithRefund(n, when: when, amount: amount.formatted())
            } else {
                text = t.cancelWithoutRefund(n, when: when, hours: policy.cutoffHours)
            }
            return Outcome(screen: Screen(text: text, keyboard: [
                [.action(t.yesCancel, .cancelBooking(booking: id, confirmed: true))],
                [.action(t.keepIt, .myBookings)],
            ]))
        }
        let done: Cancellations.Cancelled
        do { done = try await cancellations.cancel(.user(session.user.id), booking: id) } catch is Refusal {
            return try await myBookings(session, saying: t.bookingUnchangeable)
        }
        if done.decision.refunds {
            logger.info("user cancelled with refund", metadata: ["booking": "\(id)", "refund": "\(done.refund)"])
            return try await myBookings(session, saying: t.cancelledRefundComing(n, amount: booking.price.total.formatted()))
        }
        logger.info("user cancelled after the cut-off: no refund", metadata: ["booking": "\(id)"])
        return try await myBookings(session, saying: t.cancelledNoRefund(n))
    }

    // MARK: The host cancels

    /// Cancel buttons for the host's own confirmed upcoming bookings (the host menu).
    func hostCancelButtons(_ bookings: [Booking], _ session: Session, now: Instant) -> [[Screen.Button]] {
        bookings.filter { $0.status == .confirmed && $0.time.start > now }.compactMap { b in
            b.id.map { [.action(session.texts.cancelPaid(Int($0.rawValue)), .hostCancel(booking: $0, confirmed: false))] }
        }
    }

    func hostCancel(_ id: BookingID, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let host = try await linkedHost(session) else { return Outcome(screen: withPrefix(t.notAHost, mainMenu(session))) }
        let actor = Actor.host(session.user.id)
        var line = t.bookingUnchangeable
        do {
            guard confirmed else {
                let (booking, _) = try await cancellations.preview(actor, booking: id)
                let format = TimeFormat(language: session.language, zone: host.zone)
                return Outcome(screen: Screen(text: t.staffCancelPrompt(Int(id.rawValue), when: format.range(booking.time), amount: booking.price.total.formatted()),
                                              keyboard: [[.action(t.yesCancel, .hostCancel(booking: id, confirmed: true))], [.action(t.keepIt, .hostMenu)]]))
            }
            let done = try await cancellations.cancel(actor, booking: id)
            logger.info("host cancelled a booking", metadata: ["booking": "\(id)", "refund": "\(done.refund)"])
            line = t.refundOutcome(done.refund)
        } catch Refusal.notAllowed {
            logger.notice("host cancel for another host's booking", metadata: ["user": "\(session.user.id)", "booking": "\(id)"])
        } catch is Refusal {}
        var outcome = try await hostMenu(session)
        outcome.screen = withPrefix(line, outcome.screen)
        outcome.toast = String(line.prefix(190))
        return outcome
    }
}

/// A sentence explaining why an action was refused.
struct RefusalText: Error {
    let text: String
    init(_ text: String) { self.text = text }
}
