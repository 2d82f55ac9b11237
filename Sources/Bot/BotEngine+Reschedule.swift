import Domain
import Logging
import Storage
import Telegram

/// A user's own booking moved to another time of the same length (before the cut-off, one atomic store change,
/// no new payment), and a host no-show reported by the user for an admin to confirm.
extension BotEngine {
    // MARK: Reschedule

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
        let starts = try await freeTime(host, at: now(), ignoring: [booking]).starts(durationMinutes: booking.price.minutes)
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
        keyboard.append([zoneButton(session, back: .reschedule(id))])
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
        let starts = try await freeTime(host, at: now(), ignoring: [booking]).starts(durationMinutes: booking.price.minutes)
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
        keyboard.append([zoneButton(session, back: .reschedule(id))])
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
              try await freeTime(host, at: now, ignoring: [booking]).fits(start: start, minutes: booking.price.minutes) else {
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
}
