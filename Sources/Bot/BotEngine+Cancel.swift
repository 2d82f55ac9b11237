import Domain
import Logging
import Storage
import Telegram

/// What became of a refund asked of `CheckoutService.refund`.
public enum RefundOutcome: Sendable, Hashable {
    /// The provider returned the money; the booking is refunded and the ledger reversed. `amount` as shown.
    case refunded(amount: String, reference: String)
    /// A provider without a refund API we call: pending until an admin presses "Refund done".
    case manual
    /// The provider refused or could not be reached: the refund is `failed`, audited, and an admin can retry.
    case failed(String)
    /// Nothing to refund (not cancelled, not paid, settled already).
    case notOwed
}

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

    func userCancel(_ id: BookingID, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let now = self.now()
        guard let booking = try await ownBooking(id, session) else { return try await myBookings(session, saying: t.bookingUnchangeable) }
        if booking.status == .pending { return try await cancelHold(id, session) }
        let decision = policy.cancellation(of: booking, by: .user, at: now)
        let n = Int(id.rawValue)
        let when = session.format.range(booking.time)
        switch decision {
        case .notCancellable, .nothingPaid:
            return try await myBookings(session, saying: t.bookingUnchangeable)
        case .fullRefund, .noRefund:
            break
        }
        guard confirmed else {
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
        guard let cancelled = try await cancel(booking, by: .user, decision: decision, actor: session.user.id, role: "user") else {
            return try await myBookings(session, saying: t.bookingUnchangeable)
        }
        if decision.refunds {
            let outcome = await checkout.refund(cancelled, api: api, actor: session.user.id)
            logger.info("user cancelled with refund", metadata: ["booking": "\(id)", "refund": "\(outcome)"])
            return try await myBookings(session, saying: t.cancelledRefundComing(n, amount: booking.price.total.formatted()))
        }
        logger.info("user cancelled after the cut-off: no refund", metadata: ["booking": "\(id)"])
        return try await myBookings(session, saying: t.cancelledNoRefund(n))
    }

    /// The cancellation and its notices and audit row in one transaction; nil when the booking moved on
    /// meanwhile (the state machine refused).
    func cancel(_ booking: Booking, by: CancelledBy, decision: CancellationDecision, actor: TelegramUserID, role: String) async throws -> Booking? {
        guard let id = booking.id else { return nil }
        let now = self.now()
        let messages = await notices.cancelled(booking, by: by, refund: decision, cutoffHours: policy.cutoffHours)
        let refund: String
        switch decision {
        case .fullRefund(let amount): refund = "full refund \(amount.decimalString) \(amount.currency.code)"
        case .noRefund(let deadline): refund = "no refund (after the cut-off \(deadline))"
        case .nothingPaid, .notCancellable: refund = "nothing paid"
        }
        do {
            return try await store.apply(
                .cancelled(by: by, refund: decision.refunds, at: now), to: id, messages: messages,
                audit: AuditEntry(actor: actor.rawValue, role: role, action: "booking.cancel", entity: "booking", entityID: "\(id)",
                                  before: booking.status.rawValue, after: "cancelled by \(by.rawValue): \(refund)", at: now))
        } catch StoreError.invalidTransition {
            return nil
        }
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
        guard let booking = try await store.booking(id), booking.hostID == host.id, booking.status == .confirmed, booking.time.start > now() else {
            if (try? await store.booking(id))?.hostID != host.id {
                logger.notice("host cancel for another host's booking", metadata: ["user": "\(session.user.id)", "booking": "\(id)"])
            }
            var outcome = try await hostMenu(session)
            outcome.screen = withPrefix(t.bookingUnchangeable, outcome.screen)
            outcome.toast = t.bookingUnchangeable
            return outcome
        }
        let decision = policy.cancellation(of: booking, by: .host, at: now())
        guard confirmed else {
            let format = TimeFormat(language: session.language, zone: host.zone)
            return Outcome(screen: Screen(text: t.staffCancelPrompt(Int(id.rawValue), when: format.range(booking.time), amount: booking.price.total.formatted()),
                                          keyboard: [[.action(t.yesCancel, .hostCancel(booking: id, confirmed: true))], [.action(t.keepIt, .hostMenu)]]))
        }
        var line = t.bookingUnchangeable
        if let cancelled = try await cancel(booking, by: .host, decision: decision, actor: session.user.id, role: "host") {
            let outcome = await checkout.refund(cancelled, api: api, actor: session.user.id)
            logger.info("host cancelled a booking", metadata: ["booking": "\(id)", "refund": "\(outcome)"])
            line = t.refundOutcome(outcome)
        }
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
