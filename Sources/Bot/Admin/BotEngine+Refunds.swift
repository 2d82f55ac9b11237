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
        guard let booking = try await store.booking(id), booking.status == .confirmed || booking.status == .pending else {
            var outcome = try await adminBookings(nil, session)
            outcome.screen = withPrefix(t.bookingUnchangeable, outcome.screen)
            outcome.toast = t.bookingUnchangeable
            return outcome
        }
        let decision = policy.cancellation(of: booking, by: .admin, at: now())
        guard confirmed else {
            let amount: String? = decision.refunds ? booking.price.total.formatted() : nil
            return Outcome(screen: Screen(text: t.staffCancelPrompt(Int(id.rawValue), when: session.format.range(booking.time), amount: amount),
                                          keyboard: [[.action(t.yesCancel, .admin(.cancel(booking: id, confirmed: true)))],
                                                     [.action(t.keepIt, .admin(.bookings(host: HostID(0))))]]))
        }
        var line = t.bookingUnchangeable
        if let cancelled = try await cancel(booking, by: .admin, decision: decision, actor: session.user.id, role: "admin") {
            if booking.status == .pending, let reference = try? await store.paymentReference(of: id) {
                await checkout.cancelCheckout(of: booking, reference: reference)
            }
            let outcome = decision.refunds ? await checkout.refund(cancelled, api: api, actor: session.user.id) : .notOwed
            logger.info("admin cancelled a booking", metadata: ["booking": "\(id)", "admin": "\(session.user.id)", "refund": "\(outcome)"])
            line = t.refundOutcome(outcome)
        }
        var outcome = try await adminBookings(nil, session)
        outcome.screen = withPrefix(line, outcome.screen)
        outcome.toast = String(line.prefix(190))
        return outcome
    }

    /// Refunds waiting for a person (manual ones, failed ones) and open no-show reports.
    func adminRefunds(_ session: Session, saying note: String? = nil) async throws -> Outcome {
        let t = session.texts
        let waiting = try await store.allBookings(from: nil, to: nil, hostID: nil)
            .filter { $0.status == .cancelled && ($0.refundState == .pending || $0.refundState == .failed) }
        let reports = try await store.openNoShowReports()
        var names: [HostID: String] = [:]
        for host in try await store.hosts(listedOnly: false) { if let id = host.id { names[id] = host.displayName.value } }
        var lines = [t.refundsTitle]
        var keyboard: [[Screen.Button]] = []
        func line(_ b: Booking) -> String {
            "#\(b.id!.rawValue) · \(html(names[b.hostID] ?? "?")) · \(session.format.range(b.time)) · \(b.paymentMethod ?? "—") · \(b.price.total.formatted())"
        }
        let manual = waiting.filter { $0.refundState == .pending && isManualRefund($0) }
        let failed = waiting.filter { !manual.contains($0) }
        if !manual.isEmpty {
            lines += ["", "<b>\(t.manualRefundsHeader)</b>"] + manual.map(line)
            keyboard += manual.compactMap { b in b.id.map { Screen.Button.action(t.refundDoneButton(Int($0.rawValue)), .admin(.refundDone(booking: $0, confirmed: false))) } }.rows(of: 2)
        }
        if !failed.isEmpty {
            lines += ["", "<b>\(t.failedRefundsHeader)</b>"] + failed.map(line)
            keyboard += failed.compactMap { b in b.id.map { Screen.Button.action(t.retryRefundButton(Int($0.rawValue)), .admin(.refundRetry(booking: $0))) } }.rows(of: 2)
        }
        if !reports.isEmpty {
            lines += ["", "<b>\(t.noShowHeader)</b>"]
            for r in reports {
                guard let b = try await store.booking(r.bookingID) else { continue }
                lines.append(line(b) + " · user \(r.reportedBy.rawValue)")
                let n = Int(r.bookingID.rawValue)
                keyboard.append([.action(t.confirmNoShowButton(n), .admin(.noShow(booking: r.bookingID, confirm: true))),
                                 .action(t.rejectNoShowButton(n), .admin(.noShow(booking: r.bookingID, confirm: false)))])
            }
        }
        let owed = try await store.moneyToReturn(openOnly: true)
        if !owed.isEmpty {
            lines += ["", "<b>\(t.moneyToReturnHeader)</b>"]
            for row in owed.prefix(20) {
                lines.append(moneyLine(row, session))
                var buttons: [Screen.Button] = [.action(t.moneyDoneButton(row.id), .admin(.moneyDone(row: row.id, confirmed: false)))]
                if row.kind == .payment && !checkout.refundsByHand(row.provider) {
                    buttons.append(.action(t.moneyRetryButton(row.id), .admin(.moneyRetry(row: row.id))))
                }
                keyboard.append(buttons)
            }
        }
        if manual.isEmpty && failed.isEmpty && reports.isEmpty && owed.isEmpty { lines += ["", t.nothingWaiting] }
        keyboard.append([.action(t.back, .admin(.menu))])
        let text = (note.map { $0 + "\n\n" } ?? "") + lines.joined(separator: "\n")
        return Outcome(screen: Screen(text: String(text.prefix(3900)), keyboard: keyboard), toast: note.map { String($0.prefix(190)) })
    }

    /// Whether a booking's refund is made by hand, as its provider declares (no refund API we call).
    func isManualRefund(_ b: Booking) -> Bool { checkout.refundsByHand(b.paymentMethod) }

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
        guard let row = try await store.moneyToReturn(id: id), row.state != .settled else {
            return try await adminRefunds(session, saying: t.moneyRowGone)
        }
        guard confirmed else {
            return Outcome(screen: Screen(text: t.moneyDonePrompt(moneyLine(row, session), reversal: row.kind == .reversal), keyboard: [
                [.action(t.yesRefundDone, .admin(.moneyDone(row: id, confirmed: true)))], [.action(t.back, .admin(.refunds))],
            ]))
        }
        let messages = row.kind == .payment ? await notices.moneyReturned(row) : []
        do {
            _ = try await store.settleMoneyToReturn(id, by: session.user.id, note: nil, messages: messages, at: now())
        } catch StoreError.notFound {
            return try await adminRefunds(session, saying: t.moneyRowGone)
        }
        logger.notice("money to return settled by an admin", metadata: ["row": "\(id)", "admin": "\(session.user.id)"])
        return try await adminRefunds(session, saying: t.moneyRowSettled(id))
    }

    func adminMoneyRetry(_ id: Int64, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let row = try await store.moneyToReturn(id: id), row.state != .settled, row.kind == .payment, !checkout.refundsByHand(row.provider) else {
            return try await adminRefunds(session, saying: t.moneyRowGone)
        }
        let returned = await checkout.returnMoney(row: id)
        logger.notice("money to return retried", metadata: ["row": "\(id)", "admin": "\(session.user.id)", "returned": "\(returned)"])
        return try await adminRefunds(session, saying: returned ? t.moneyRowSettled(id) : t.moneyRetryFailed(id))
    }

    static func manualRefundEventID(_ id: BookingID) -> String { "manual-refund-booking-\(id.rawValue)" }

    func adminRefundDone(_ id: BookingID, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let booking = try await store.booking(id), booking.status == .cancelled, booking.refundState == .pending, isManualRefund(booking) else {
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
        return try await settleManualRefund(booking, reference: reference, session)
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
        guard let raw = state.booking, let booking = try await store.booking(BookingID(raw)), booking.status == .cancelled,
              booking.refundState == .pending, isManualRefund(booking) else {
            try await saveState(session.chatID, nil)
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        let reference = text.trimmingSpaces()
        guard (1...100).contains(reference.count), !reference.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
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

    /// Records a manual refund as done: settled with the reversing ledger row, the notices and the audit row in
    /// one transaction; the manual refund record says who and with which reference.
    func settleManualRefund(_ booking: Booking, reference: String?, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let id = booking.id!
        let n = Int(id.rawValue)
        let now = self.now()
        try await clearRefundReferenceState(session)
        let messages = await notices.refunded(booking)
        let referenceNote = reference.map { ", reference \($0)" } ?? ""
        do {
            _ = try await store.apply(
                .refundSettled(succeeded: true, at: now), to: id, messages: messages,
                audit: AuditEntry(actor: session.user.id.rawValue, role: "admin", action: "refund.manual_done", entity: "booking", entityID: "\(id)",
                                  before: "refund pending (\(booking.paymentMethod ?? "?"))",
                                  after: "refunded by hand: \(booking.price.total.decimalString) \(booking.price.total.currency.code)\(referenceNote)", at: now))
        } catch StoreError.invalidTransition {
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        try? await store.setPaymentEventStatus(provider: booking.paymentMethod ?? "manual", eventID: Self.manualRefundEventID(id),
                                               status: "refunded by hand (admin \(session.user.id.rawValue)\(referenceNote))")
        logger.notice("manual refund recorded", metadata: ["booking": "\(id)", "admin": "\(session.user.id)"])
        return try await adminRefunds(session, saying: t.refundRecorded(n))
    }

    func adminRefundRetry(_ id: BookingID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let booking = try await store.booking(id), booking.status == .cancelled,
              booking.refundState == .failed || (booking.refundState == .pending && !isManualRefund(booking)) else {
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        let outcome = await checkout.refund(booking, api: api, actor: session.user.id)
        logger.notice("refund retried", metadata: ["booking": "\(id)", "admin": "\(session.user.id)", "refund": "\(outcome)"])
        return try await adminRefunds(session, saying: t.refundOutcome(outcome))
    }

    func adminNoShow(_ id: BookingID, confirm: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let now = self.now()
        guard let booking = try await store.booking(id) else { return try await adminRefunds(session, saying: t.reportGone) }
        var after = booking
        if confirm {
            do throws(BookingTransitionError) { after = try booking.applying(.hostNoShow(at: now)) } catch {
                return try await adminRefunds(session, saying: t.bookingUnchangeable)
            }
        }
        let messages = await notices.noShowResolved(after, confirmed: confirm)
        let resolved: Booking
        do {
            resolved = try await store.resolveNoShow(id, confirmed: confirm, by: session.user.id, at: now, messages: messages)
        } catch StoreError.notFound {
            return try await adminRefunds(session, saying: t.reportGone)
        } catch StoreError.invalidTransition {
            return try await adminRefunds(session, saying: t.bookingUnchangeable)
        }
        logger.notice("no-show report resolved", metadata: ["booking": "\(id)", "admin": "\(session.user.id)", "confirmed": "\(confirm)"])
        guard confirm else { return try await adminRefunds(session, saying: t.noShowResolved) }
        let outcome = await checkout.refund(resolved, api: api, actor: session.user.id)
        return try await adminRefunds(session, saying: t.noShowResolved + " " + t.refundOutcome(outcome))
    }
}
