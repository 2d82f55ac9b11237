import Core
import Domain
import Logging
import Storage
import Telegram

/// The admin's side of cancellations: cancelling any booking (always a full refund), the Refunds screen
/// (manual ePayco/Daimo refunds to record as done, failed refunds to retry) and no-show reports to confirm or
/// reject. Every button is an `AdminAction`, let through only after `perform` re-checks the admin right.
extension BotEngine {
    // MARK: Admin

    /// Cancel buttons for confirmed upcoming bookings (the admin bookings screen).
    func adminCancelButtons(_ bookings: [Booking], _ session: Session, now: Instant) -> [[Screen.Button]] {
        bookings.filter { $0.status == .confirmed && $0.time.start > now }.prefix(30).compactMap { b in
            b.id.map { Screen.Button.action(session.texts.cancelPaid(Int($0.rawValue)), .admin(.cancel(booking: $0, confirmed: false))) }
        }.rows(of: 3)
    }

    func adminCancel(_ id: BookingID, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let actor = Actor.admin(session.user.id)
        var line = t.bookingUnchangeable
        do {
            guard confirmed else {
                let (booking, decision) = try await cancellations.preview(actor, booking: id)
                let amount: String? = decision.refunds ? booking.price.total.formatted() : nil
                return Outcome(screen: Screen(text: t.staffCancelPrompt(Int(id.rawValue), when: session.format.range(booking.time), amount: amount),
                                              keyboard: [[.action(t.yesCancel, .admin(.cancel(booking: id, confirmed: true)))],
                                                         [.action(t.keepIt, .admin(.bookings(host: HostID(0))))]]))
            }
            let done = try await cancellations.cancel(actor, booking: id)
            logger.info("admin cancelled a booking", metadata: ["booking": "\(id)", "admin": "\(session.user.id)", "refund": "\(done.refund)"])
            line = t.refundOutcome(done.refund)
        } catch Refusal.notAllowed {
            throw AdminOnly()
        } catch is Refusal {}
        var outcome = try await adminBookings(nil, session)
        outcome.screen = withPrefix(line, outcome.screen)
        outcome.toast = String(line.prefix(190))
        return outcome
    }

    /// The refund use cases (`Core.RefundDesk`), with this bot's notices and refunds.
    var refundDesk: RefundDesk {
        let admins = settings.adminIDs
        return RefundDesk(store: store, now: now, admins: { admins }, notices: notices, money: CheckoutMoneyReturns(checkout: checkout, api: api))
    }

    /// Refunds waiting for a person (manual ones, failed ones), the money-to-return list and open no-show reports.
    func adminRefunds(_ session: Session, saying note: String? = nil) async throws -> Outcome {
        let t = session.texts
        let waiting: RefundDesk.Waiting
        do { waiting = try await refundDesk.waiting(.admin(session.user.id)) } catch Refusal.notAllowed { throw AdminOnly() }
        var names: [HostID: String] = [:]
        for host in try await store.hosts(listedOnly: false) { if let id = host.id { names[id] = host.displayName.value } }
        var lines = [t.refundsTitle]
        var keyboard: [[Screen.Button]] = []
        func line(_ b: Booking) -> String {
            "#\(b.id!.rawValue) · \(html(names[b.hostID] ?? "?")) · \(session.format.range(b.time)) · \(b.paymentMethod ?? "—") · \(b.price.total.formatted())"
        }
        if !waiting.manual.isEmpty {
            lines += ["", "<b>\(t.manualRefundsHeader)</b>"] + waiting.manual.map(line)
            keyboard += waiting.manual.compactMap { b in b.id.map { Screen.Button.action(t.refundDoneButton(Int($0.rawValue)), .admin(.refundDone(booking: $0, confirmed: false))) } }.rows(of: 2)
        }
        if !waiting.failed.isEmpty {
            lines += ["", "<b>\(t.failedRefundsHeader)</b>"] + waiting.failed.map(line)
            keyboard += waiting.failed.compactMap { b in b.id.map { Screen.Button.action(t.retryRefundButton(Int($0.rawValue)), .admin(.refundRetry(booking: $0))) } }.rows(of: 2)
        }
        if !waiting.noShows.isEmpty {
            lines += ["", "<b>\(t.noShowHeader)</b>"]
            for c in waiting.noShows {
                lines.append(line(c.booking) + " · user \(c.report.reportedBy.rawValue)")
                let n = Int(c.report.bookingID.rawValue)
                keyboard.append([.action(t.confirmNoShowButton(n), .admin(.noShow(booking: c.report.bookingID, confirm: true))),
                                 .action(t.rejectNoShowButton(n), .admin(.noShow(booking: c.report.bookingID, confirm: false)))])
            }
        }
        if !waiting.owed.isEmpty {
            lines += ["", "<b>\(t.moneyToReturnHeader)</b>"]
            for row in waiting.owed.prefix(20) {
                lines.append(moneyLine(row, session))
                var buttons: [Screen.Button] = [.action(t.moneyDoneButton(row.id), .admin(.moneyDone(row: row.id, confirmed: false)))]
                if refundDesk.retriable(row) { buttons.append(.action(t.moneyRetryButton(row.id), .admin(.moneyRetry(row: row.id)))) }
                keyboard.append(buttons)
            }
        }
        if waiting.isEmpty { lines += ["", t.nothingWaiting] }
        keyboard.append([.action(t.back, .admin(.menu))])
        let text = (note.map { $0 + "\n\n" } ?? "") + lines.joined(separator: "\n")
        return Outcome(screen: Screen(text: String(text.prefix(3900)), keyboard: keyboard), toast: note.map { String($0.prefix(190)) })
    }

    /// "r3 · stripe · $300.00 · booking #12 · slot taken after the hold lapsed · owed (last error: …)"
    func moneyLine(_ row: MoneyToReturn, _ session: Session) -> String {
        let t = session.texts
        var parts = ["r\(row.id)", html(row.provider), row.amount?.description ?? "?", t.bookingLabel(row.bookingID?.rawValue), html(row.reason)]
        parts.append(row.kind == .reversal ? t.reversalState : row.state.rawValue)
        if let error = row.lastError { parts.append(t.lastError(html(String(error.prefix(80))))) }
        return parts.joined(separator: " · ")
    }

    /// An admin settles a row of the list: the money was returned by hand (or, for a reversal, looked at).
    func adminMoneyDone(_ id: Int64, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let actor = Actor.admin(session.user.id)
        do {
            guard confirmed else {
                let row = try await refundDesk.openRow(actor, id)
                return Outcome(screen: Screen(text: t.moneyDonePrompt(moneyLine(row, session), reversal: row.kind == .reversal), keyboard: [
                    [.action(t.yesRefundDone, .admin(.moneyDone(row: id, confirmed: true)))], [.action(t.back, .admin(.refunds))],
                ]))
            }
            _ = try await refundDesk.settle(actor, row: id)
        } catch Refusal.notAllowed {
            throw AdminOnly()
        } catch is Refusal {
            return try await adminRefunds(session, saying: t.moneyRowGone)
        }
        logger.notice("money to return settled by an admin", metadata: ["row": "\(id)", "admin": "\(session.user.id)"])
        return try await adminRefunds(session, saying: t.moneyRowSettled(id))
    }

    func adminMoneyRetry(_ id: Int64, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let returned: Bool
        do { returned = try await refundDesk.retry(.admin(session.user.id), row: id) } catch Refusal.notAllowed { throw AdminOnly() } catch is Refusal {
            return try await adminRefunds(session, saying: t.moneyRowGone)
        }
        logger.notice("money to return retried", metadata: ["row": "\(id)", "admin": "\(session.user.id)", "returned": "\(returned)"])
        return try await adminRefunds(session, saying: returned ? t.moneyRowSettled(id) : t.moneyRetryFailed(id))
    }

    func adminRefundDone(_ id: BookingID, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let booking: Booking
        do { booking = try await refundDesk.manualRefundBooking(.admin(session.user.id), id) } catch Refusal.notAllowed { throw AdminOnly() } catch is Refusal {
            try await clearRefundReferenceState(session)
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        guard confirmed else {
            // The admin may type the provider's reference before confirming (optional).
            try await saveState(session.chatID, ConversationState(mode: .refundReference, booking: id.rawValue))
            return Outcome(screen: refundDoneScreen(booking, reference: nil, session))
        }
        let state = try await loadState(session.chatID)
        let reference = (state?.mode == .refundReference && state?.booking == id.rawValue) ? state?.reference : nil
        try await clearRefundReferenceState(session)
        do {
            _ = try await refundDesk.manualRefundDone(.admin(session.user.id), booking: id, reference: reference)
        } catch Refusal.notAllowed { throw AdminOnly() } catch is Refusal {
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        logger.notice("manual refund recorded", metadata: ["booking": "\(id)", "admin": "\(session.user.id)"])
        return try await adminRefunds(session, saying: t.refundRecorded(Int(id.rawValue)))
    }

    func refundDoneScreen(_ booking: Booking, reference: String?, _ session: Session) -> Screen {
        let t = session.texts
        let id = booking.id!
        var text = t.refundDonePrompt(Int(id.rawValue), method: html(booking.paymentMethod ?? "?"), amount: booking.price.total.formatted(),
                                      user: booking.userID.rawValue)
        text += "\n\n" + (reference.map { t.refundReferenceSaved(html($0)) } ?? t.refundReferenceOptional)
        return Screen(text: text, keyboard: [[.action(t.yesRefundDone, .admin(.refundDone(booking: id, confirmed: true)))], [.action(t.back, .admin(.refunds))]])
    }

    /// The reference an admin typed for the manual refund being confirmed: kept until they confirm.
    func refundReferenceAnswer(_ state: ConversationState, text: String, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let booking: Booking
        do {
            guard let raw = state.booking else { throw Refusal.noSuchBooking }
            booking = try await refundDesk.manualRefundBooking(.admin(session.user.id), BookingID(raw))
        } catch {
            try await saveState(session.chatID, nil)
            if case Refusal.notAllowed = error { throw AdminOnly() }
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        let reference: String
        do { reference = try RefundDesk.reference(text) } catch {
            return Outcome(screen: withPrefix(t.refundReferenceInvalid, refundDoneScreen(booking, reference: state.reference, session)))
        }
        var next = state
        next.reference = reference
        try await saveState(session.chatID, next)
        return Outcome(screen: refundDoneScreen(booking, reference: reference, session))
    }

    func clearRefundReferenceState(_ session: Session) async throws {
        if try await loadState(session.chatID)?.mode == .refundReference { try await saveState(session.chatID, nil) }
    }

    func adminRefundRetry(_ id: BookingID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let outcome: RefundOutcome
        do { outcome = try await refundDesk.retryRefund(.admin(session.user.id), booking: id) } catch Refusal.notAllowed { throw AdminOnly() } catch is Refusal {
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        logger.notice("refund retried", metadata: ["booking": "\(id)", "admin": "\(session.user.id)", "refund": "\(outcome)"])
        return try await adminRefunds(session, saying: t.refundOutcome(outcome))
    }

    func adminNoShow(_ id: BookingID, confirm: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let resolved: (booking: Booking, refund: RefundOutcome)
        do {
            resolved = try await refundDesk.resolveNoShow(.admin(session.user.id), booking: id, confirm: confirm)
        } catch Refusal.notAllowed {
            throw AdminOnly()
        } catch Refusal.alreadySettled {
            return try await adminRefunds(session, saying: t.reportGone)
        } catch is Refusal {
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        logger.notice("no-show report resolved", metadata: ["booking": "\(id)", "admin": "\(session.user.id)", "confirmed": "\(confirm)"])
        guard confirm else { return try await adminRefunds(session, saying: t.noShowResolved) }
        return try await adminRefunds(session, saying: t.noShowResolved + " " + t.refundOutcome(resolved.refund))
    }
}
