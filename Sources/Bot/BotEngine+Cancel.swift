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

    func performCancel(_ action: CallbackAction, _ session: Session) async throws -> Outcome {
        switch action {
        case .cancelBooking(let id, let confirmed): return try await userCancel(id, confirmed: confirmed, session)
        case .reschedule(let id): return try await rescheduleDays(id, session)
        case .rescheduleDay(let id, let day): return try await rescheduleTimes(id, day: day, session)
        case .rescheduleTo(let id, let start, let confirmed):
            return try await rescheduleTo(id, start: Instant(epochSeconds: start * 60), confirmed: confirmed, session)
        case .reportNoShow(let id, let confirmed): return try await reportNoShow(id, confirmed: confirmed, session)
        case .hostCancel(let id, let confirmed): return try await hostCancel(id, confirmed: confirmed, session)
        case .adminCancel(let id, let confirmed): return try await adminCancel(id, confirmed: confirmed, session)
        case .adminRefunds: return try await adminRefunds(session)
        case .adminRefundDone(let id, let confirmed): return try await adminRefundDone(id, confirmed: confirmed, session)
        case .adminRefundRetry(let id): return try await adminRefundRetry(id, session)
        case .adminNoShow(let id, let confirm): return try await adminNoShow(id, confirm: confirm, session)
        default: return Outcome(screen: mainMenu(session))
        }
    }

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

    // MARK: Reschedule

    /// The host's free time for moving `booking`: its own slot does not count as busy.
    func rescheduleFreeTime(_ booking: Booking, host: Host, at now: Instant) async throws -> FreeTime {
        let window = TimeRange(start: now.adding(days: -1), end: now.adding(days: settings.slotRules.horizonDays + 1))
        let busy = try await store.busyRanges(hostID: booking.hostID, overlapping: window, at: now).filter { $0 != booking.time }
        return FreeTime(availability: host.availability, zone: host.zone, now: now, rules: settings.slotRules, busy: busy)
    }

    /// The booking and its host when the presser may move it now; else the refusal to show.
    func reschedulable(_ id: BookingID, _ session: Session) async throws -> Result<(Booking, Host), RefusalText> {
        let t = session.texts
        guard let booking = try await ownBooking(id, session), booking.status == .confirmed,
              let host = try await store.host(booking.hostID), host.isActive else { return .failure(RefusalText(t.bookingUnchangeable)) }
        guard policy.canReschedule(booking, at: now()) else { return .failure(RefusalText(t.rescheduleTooLate(policy.cutoffHours))) }
        return .success((booking, host))
    }

    func rescheduleDays(_ id: BookingID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let (booking, host): (Booking, Host)
        switch try await reschedulable(id, session) {
        case .failure(let refusal): return try await myBookings(session, saying: refusal.text)
        case .success(let pair): (booking, host) = pair
        }
        let starts = try await rescheduleFreeTime(booking, host: host, at: now()).starts(durationMinutes: booking.price.minutes)
            .filter { $0 != booking.time.start }
        var days: [LocalDate] = []
        for s in starts {
            let d = session.zone.localDate(of: s)
            if days.last != d { days.append(d) }
        }
        guard !days.isEmpty else { return try await myBookings(session, saying: t.noDates) }
        var keyboard: [[Screen.Button]] = days.map {
            Screen.Button.action(session.format.day($0), .rescheduleDay(booking: id, day: $0.dayNumber))
        }.rows(of: 3)
        keyboard.append([.action(t.back, .myBookings)])
        return Outcome(screen: Screen(text: t.reschedulePickDay(Int(id.rawValue), minutes: booking.price.minutes, zone: session.zone.identifier),
                                      keyboard: keyboard))
    }

    func rescheduleTimes(_ id: BookingID, day: Int64, _ session: Session, saying line: String? = nil) async throws -> Outcome {
        let t = session.texts
        let (booking, host): (Booking, Host)
        switch try await reschedulable(id, session) {
        case .failure(let refusal): return try await myBookings(session, saying: refusal.text)
        case .success(let pair): (booking, host) = pair
        }
        let date = LocalDate(dayNumber: day)
        let starts = try await rescheduleFreeTime(booking, host: host, at: now()).starts(durationMinutes: booking.price.minutes)
            .filter { session.zone.localDate(of: $0) == date && $0 != booking.time.start }
        guard !starts.isEmpty else {
            var outcome = try await rescheduleDays(id, session)
            outcome.screen = withPrefix(line ?? t.noTimes, outcome.screen)
            outcome.toast = t.timeGone
            return outcome
        }
        var keyboard: [[Screen.Button]] = starts.prefix(96).map {
            Screen.Button.action(session.format.clock($0), .rescheduleTo(booking: id, startMinute: $0.epochSeconds / 60, confirmed: false))
        }.rows(of: 4)
        keyboard.append([.action(t.back, .reschedule(booking: id)), .action(t.mainMenu, .mainMenu)])
        let text = t.reschedulePickTime(Int(id.rawValue), day: session.format.day(date), zone: session.zone.identifier)
        var outcome = Outcome(screen: Screen(text: line.map { $0 + "\n\n" + text } ?? text, keyboard: keyboard))
        outcome.toast = line
        return outcome
    }

    func rescheduleTo(_ id: BookingID, start: Instant, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let now = self.now()
        let (booking, host): (Booking, Host)
        switch try await reschedulable(id, session) {
        case .failure(let refusal): return try await myBookings(session, saying: refusal.text)
        case .success(let pair): (booking, host) = pair
        }
        let day = session.zone.localDate(of: start).dayNumber
        let target = TimeRange(start: start, minutes: booking.price.minutes)
        guard start != booking.time.start,
              try await rescheduleFreeTime(booking, host: host, at: now).fits(start: start, minutes: booking.price.minutes) else {
            return try await rescheduleTimes(id, day: day, session, saying: t.timeGone)
        }
        let n = Int(id.rawValue)
        guard confirmed else {
            return Outcome(screen: Screen(text: t.rescheduleConfirm(n, from: session.format.range(booking.time), to: session.format.range(target)),
                                          keyboard: [
                                            [.action(t.yesMove, .rescheduleTo(booking: id, startMinute: start.epochSeconds / 60, confirmed: true))],
                                            [.action(t.back, .rescheduleDay(booking: id, day: day)), .action(t.keepIt, .myBookings)],
                                          ]))
        }
        var moved = booking
        moved.time = target
        moved.updatedAt = now
        let messages = await notices.rescheduled(moved, from: booking.time)
        do {
            _ = try await store.reschedule(id, to: target, bufferMinutes: settings.slotRules.bufferMinutes, at: now, messages: messages)
        } catch StoreError.slotTaken {
            logger.info("reschedule lost a race for the slot", metadata: ["booking": "\(id)", "start": "\(start)"])
            return try await rescheduleTimes(id, day: day, session, saying: t.slotTaken)
        } catch StoreError.invalidTransition {
            return try await myBookings(session, saying: t.bookingUnchangeable)
        }
        logger.info("booking rescheduled", metadata: ["booking": "\(id)", "from": "\(booking.time.start)", "to": "\(start)"])
        return try await myBookings(session, saying: t.rescheduledDone(n, when: session.format.range(target)))
    }

    // MARK: No-show

    func reportNoShow(_ id: BookingID, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let now = self.now()
        guard let booking = try await ownBooking(id, session), noShowReportable(booking, now: now) else {
            return try await myBookings(session, saying: t.noShowNotPossible)
        }
        guard confirmed else {
            return Outcome(screen: Screen(text: t.noShowPrompt(Int(id.rawValue), when: session.format.range(booking.time)), keyboard: [
                [.action(t.yesReport, .reportNoShow(booking: id, confirmed: true))],
                [.action(t.back, .myBookings)],
            ]))
        }
        let messages = await notices.noShowReported(booking, admins: Array(settings.adminIDs))
        guard try await store.reportNoShow(id, by: session.user.id, at: now, messages: messages) else {
            return try await myBookings(session, saying: t.noShowAlreadyReported)
        }
        logger.notice("no-show reported", metadata: ["booking": "\(id)", "user": "\(session.user.id)"])
        return try await myBookings(session, saying: t.noShowReported(Int(id.rawValue)))
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

    // MARK: Admin

    /// Cancel buttons for confirmed upcoming bookings (the admin bookings screen).
    func adminCancelButtons(_ bookings: [Booking], _ session: Session, now: Instant) -> [[Screen.Button]] {
        bookings.filter { $0.status == .confirmed && $0.time.start > now }.prefix(30).compactMap { b in
            b.id.map { Screen.Button.action(session.texts.cancelPaid(Int($0.rawValue)), .adminCancel(booking: $0, confirmed: false)) }
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
                                          keyboard: [[.action(t.yesCancel, .adminCancel(booking: id, confirmed: true))],
                                                     [.action(t.keepIt, .adminBookings(host: HostID(0)))]]))
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
        let manual = waiting.filter { $0.refundState == .pending && Self.isManualRefund($0) }
        let failed = waiting.filter { !manual.contains($0) }
        if !manual.isEmpty {
            lines += ["", "<b>\(t.manualRefundsHeader)</b>"] + manual.map(line)
            keyboard += manual.compactMap { b in b.id.map { Screen.Button.action(t.refundDoneButton(Int($0.rawValue)), .adminRefundDone(booking: $0, confirmed: false)) } }.rows(of: 2)
        }
        if !failed.isEmpty {
            lines += ["", "<b>\(t.failedRefundsHeader)</b>"] + failed.map(line)
            keyboard += failed.compactMap { b in b.id.map { Screen.Button.action(t.retryRefundButton(Int($0.rawValue)), .adminRefundRetry(booking: $0)) } }.rows(of: 2)
        }
        if !reports.isEmpty {
            lines += ["", "<b>\(t.noShowHeader)</b>"]
            for r in reports {
                guard let b = try await store.booking(r.bookingID) else { continue }
                lines.append(line(b) + " · user \(r.reportedBy.rawValue)")
                let n = Int(r.bookingID.rawValue)
                keyboard.append([.action(t.confirmNoShowButton(n), .adminNoShow(booking: r.bookingID, confirm: true)),
                                 .action(t.rejectNoShowButton(n), .adminNoShow(booking: r.bookingID, confirm: false))])
            }
        }
        if manual.isEmpty && failed.isEmpty && reports.isEmpty { lines += ["", t.nothingWaiting] }
        keyboard.append([.action(t.back, .adminMenu)])
        let text = (note.map { $0 + "\n\n" } ?? "") + lines.joined(separator: "\n")
        return Outcome(screen: Screen(text: String(text.prefix(3900)), keyboard: keyboard), toast: note.map { String($0.prefix(190)) })
    }

    /// Whether a booking's refund is made by hand: providers without a refund API we call (ePayco, Daimo).
    static func isManualRefund(_ b: Booking) -> Bool {
        b.paymentMethod != PaymentMethod.stripe.rawValue && b.paymentMethod != PaymentMethod.stars.rawValue
    }

    static func manualRefundEventID(_ id: BookingID) -> String { "manual-refund-booking-\(id.rawValue)" }

    func adminRefundDone(_ id: BookingID, confirmed: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let booking = try await store.booking(id), booking.status == .cancelled, booking.refundState == .pending, Self.isManualRefund(booking) else {
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
        return Screen(text: text, keyboard: [[.action(t.yesRefundDone, .adminRefundDone(booking: id, confirmed: true))], [.action(t.back, .adminRefunds)]])
    }

    /// The reference an admin typed for the manual refund being confirmed: kept until they confirm.
    func refundReferenceAnswer(_ state: ConversationState, text: String, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let raw = state.booking, let booking = try await store.booking(BookingID(raw)), booking.status == .cancelled,
              booking.refundState == .pending, Self.isManualRefund(booking) else {
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
              booking.refundState == .failed || (booking.refundState == .pending && !Self.isManualRefund(booking)) else {
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

/// A sentence explaining why an action was refused.
struct RefusalText: Error {
    let text: String
    init(_ text: String) { self.text = text }
}
