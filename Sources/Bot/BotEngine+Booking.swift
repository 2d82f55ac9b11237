import Domain
import Logging
import Storage
import Telegram

extension BotEngine {
    /// The host's free time from now over the horizon, with every booking that blocks right now.
    /// The host's free time at `now`; `ignoring` bookings (the user's own holds about to be replaced) do not
    /// count as busy. (No other booking of the host can start at one of their starts: bookings never overlap.)
    func freeTime(_ host: Host, at now: Instant, ignoring: [Booking] = []) async throws -> FreeTime {
        let window = TimeRange(start: now.adding(days: -1), end: now.adding(days: settings.slotRules.horizonDays + 1))
        let ignored = Set(ignoring.map(\.time.start))
        let busy = try await store.busyRanges(hostID: host.id!, overlapping: window, at: now).filter { !ignored.contains($0.start) }
        return FreeTime(availability: host.availability, zone: host.zone, now: now, rules: settings.slotRules, busy: busy)
    }

    /// Days (in the user's zone) with at least one start for the host's shortest call.
    func dates(_ id: HostID, _ session: Session) async throws -> Outcome {
        guard let host = try await listedHost(id, session) else { return try await hostGone(session) }
        if let question = try await firstZoneQuestion(session, back: .dates(id), backButton: .profile(host: id)) { return question }
        let t = session.texts
        let starts = try await freeTime(host, at: now()).starts(durationMinutes: host.durations.minMinutes)
        var days: [LocalDate] = []
        for s in starts {
            let d = session.zone.localDate(of: s)
            if days.last != d { days.append(d) }
        }
        guard !days.isEmpty else {
            return Outcome(screen: Screen(text: t.noDates, keyboard: [[zoneButton(session, back: .dates(id))], [.action(t.back, .profile(host: id))]]), newMessage: false)
        }
        var keyboard: [[Screen.Button]] = days.map { Screen.Button.action(session.format.day($0), .times(host: id, day: $0.dayNumber)) }.rows(of: 3)
        keyboard.append([zoneButton(session, back: .dates(id))])
        keyboard.append([.action(t.back, .profile(host: id)), .action(t.mainMenu, .mainMenu)])
        return Outcome(screen: Screen(text: t.pickDate(html(host.displayName.value), session.zone.identifier), keyboard: keyboard))
    }

    /// Start times on one of the user's days, on the host's grid, shown in the user's zone.
    func times(_ id: HostID, day: Int64, _ session: Session) async throws -> Outcome {
        guard let host = try await listedHost(id, session) else { return try await hostGone(session) }
        let t = session.texts
        let date = LocalDate(dayNumber: day)
        let starts = try await freeTime(host, at: now()).starts(durationMinutes: host.durations.minMinutes)
            .filter { session.zone.localDate(of: $0) == date }
        guard !starts.isEmpty else {
            var outcome = try await dates(id, session)
            outcome.screen = withPrefix(t.noTimes, outcome.screen)
            outcome.toast = t.timeGone
            return outcome
        }
        var keyboard: [[Screen.Button]] = starts.prefix(96).map {
            Screen.Button.action(session.format.clock($0), .durations(host: id, startMinute: $0.epochSeconds / 60))
        }.rows(of: 4)
        keyboard.append([zoneButton(session, back: .dates(id))])
        keyboard.append([.action(t.back, .dates(host: id)), .action(t.mainMenu, .mainMenu)])
        let text = t.pickTime(html(host.displayName.value), session.format.day(date), session.zone.identifier)
        return Outcome(screen: Screen(text: text, keyboard: keyboard))
    }

    /// Only the lengths that fit before the next booking or the end of the host's hours.
    func durations(_ id: HostID, start: Instant, _ session: Session) async throws -> Outcome {
        guard let host = try await listedHost(id, session) else { return try await hostGone(session) }
        let t = session.texts
        let fitting = try await freeTime(host, at: now()).durations(at: start, options: host.durations.options)
        guard !fitting.isEmpty else { return try await timeGone(host, start: start, session) }
        var keyboard: [[Screen.Button]] = fitting.map { minutes in
            let price = (try? Pricing.price(minutes: minutes, perMinute: host.pricePerMinute.money).formatted()) ?? "?"
            return Screen.Button.action("\(t.minutes(minutes)) · \(price)", .summary(host: id, startMinute: start.epochSeconds / 60, minutes: minutes))
        }.rows(of: 2)
        let day = session.zone.localDate(of: start).dayNumber
        keyboard.append([zoneButton(session, back: .dates(id))])
        keyboard.append([.action(t.back, .times(host: id, day: day)), .action(t.mainMenu, .mainMenu)])
        return Outcome(screen: Screen(text: t.pickDuration(html(host.displayName.value), session.format.dateTime(start)), keyboard: keyboard))
    }

    func timeGone(_ host: Host, start: Instant, _ session: Session, text: String? = nil) async throws -> Outcome {
        let message = text ?? session.texts.timeGone
        var outcome = try await times(host.id!, day: session.zone.localDate(of: start).dayNumber, session)
        outcome.screen = withPrefix(message, outcome.screen)
        outcome.toast = message
        return outcome
    }

    /// The exact price, computed from the host's price now; the hold will snapshot it.
    func summary(_ id: HostID, start: Instant, minutes: Int, _ session: Session) async throws -> Outcome {
        guard let host = try await listedHost(id, session) else { return try await hostGone(session) }
        let t = session.texts
        guard host.durations.contains(minutes), try await freeTime(host, at: now()).fits(start: start, minutes: minutes) else {
            return try await timeGone(host, start: start, session)
        }
        let total = try Pricing.price(minutes: minutes, perMinute: host.pricePerMinute.money)
        let range = TimeRange(start: start, minutes: minutes)
        let hostFormat = TimeFormat(language: session.language, zone: host.zone)
        let text = t.summary(
            host: html(host.displayName.value), when: session.format.range(range),
            hostWhen: host.zone == session.zone ? nil : hostFormat.range(range), minutes: minutes,
            perMinute: host.pricePerMinute.money.formatted(), total: total.formatted())
        let startMinute = start.epochSeconds / 60
        return Outcome(screen: Screen(text: text, keyboard: [
            [.action(t.payButton(total.formatted()), .pay(host: id, startMinute: startMinute, minutes: minutes))],
            [zoneButton(session, back: .dates(id))],
            [.action(t.back, .durations(host: id, startMinute: startMinute)), .action(t.mainMenu, .mainMenu)],
        ]))
    }

    /// Creates the hold (where a race is decided by the database) and offers the payment methods.
    func pay(_ id: HostID, start: Instant, minutes: Int, _ session: Session) async throws -> Outcome {
        guard let host = try await listedHost(id, session) else { return try await hostGone(session) }
        let now = self.now()
        // The same Pay pressed again (a double tap, a resent query): the user's own hold, not "someone booked it".
        let range = TimeRange(start: start, minutes: minutes)
        let mine = try await store.bookings(userID: session.user.id).filter {
            $0.hostID == id && $0.status == .pending && $0.blocksSlot(at: now) && $0.time.overlaps(range)
        }
        if let same = mine.first(where: { $0.time == range }) {
            return Outcome(screen: paymentChoice(same, session))
        }
        // The user's own unpaid holds that overlap (another length at the same start, a shifted start) do not
        // count as taken: the new hold replaces them.
        guard host.durations.contains(minutes), try await freeTime(host, at: now, ignoring: mine).fits(start: start, minutes: minutes) else {
            return try await timeGone(host, start: start, session, text: session.texts.slotTaken)
        }
        let hold = try Booking.hold(
            hostID: id, userID: session.user.id, start: start, minutes: minutes, pricePerMinute: host.pricePerMinute.money,
            commission: settings.commission, now: now, holdMinutes: settings.holdMinutes)
        // A price no configured method can take (a COP host with only Stars, say): no hold that nobody can pay.
        guard !methods(for: hold).isEmpty else {
            logger.notice("no payment method for this price", metadata: ["host": "\(id)", "currency": "\(hold.price.total.currency.code)"])
            return Outcome(screen: withPrefix(session.texts.noPaymentMethodForPrice, mainMenu(session)), toast: session.texts.noPaymentMethodForPrice)
        }
        for old in mine {
            guard let oldID = old.id else { continue }
            do {
                _ = try await store.apply(.cancelled(by: .user, refund: false, at: now), to: oldID)
            } catch StoreError.invalidTransition {
                continue // paid or lapsed meanwhile: createHold below decides
            }
            logger.info("hold replaced by another of the same user", metadata: ["booking": "\(oldID)"])
            if let reference = try? await store.paymentReference(of: oldID) { await checkout.cancelCheckout(of: old, reference: reference) }
        }
        let saved: Booking
        do {
            saved = try await store.createHold(hold, bufferMinutes: settings.slotRules.bufferMinutes, maxLiveHolds: settings.maxLiveHoldsPerUser)
        } catch StoreError.slotTaken {
            logger.info("slot taken at hold time", metadata: ["host": "\(id)", "start": "\(start)"])
            return try await timeGone(host, start: start, session, text: session.texts.slotTaken)
        } catch {
            guard case StoreError.tooManyHolds(let open) = error else { throw error }
            logger.notice("hold refused: too many live holds", metadata: ["user": "\(session.user.id)", "open": "\(open.count)"])
            return try await tooManyHolds(open, session)
        }
        logger.info("hold created", metadata: ["booking": "\(saved.id!)", "host": "\(id)", "start": "\(start)", "minutes": "\(minutes)"])
        return Outcome(screen: paymentChoice(saved, session))
    }

    /// Nothing was held: the user's open holds (host, time in the user's zone, price), each with Pay (its payment
    /// choice, through the same Pay button as before) and Release (`cancelHold`).
    func tooManyHolds(_ open: [BookingID], _ session: Session) async throws -> Outcome {
        let t = session.texts
        var lines = [t.tooManyHolds(limit: settings.maxLiveHoldsPerUser), ""]
        var keyboard: [[Screen.Button]] = []
        for id in open {
            guard let b = try await store.booking(id) else { continue }
            let n = Int(id.rawValue)
            let name = try await store.host(b.hostID).map { html($0.displayName.value) } ?? "#\(b.hostID.rawValue)"
            lines.append(t.openHold(n, host: name, when: session.format.range(b.time), total: b.price.total.formatted()))
            keyboard.append([.action(t.payHold(n), .pay(host: b.hostID, startMinute: b.time.start.epochSeconds / 60, minutes: b.price.minutes)),
                             .action(t.releaseHold(n), .cancelHold(booking: id))])
        }
        keyboard.append([.action(t.myBookings, .myBookings), .action(t.mainMenu, .mainMenu)])
        return Outcome(screen: Screen(text: lines.joined(separator: "\n"), keyboard: keyboard), toast: t.tooManyHoldsToast)
    }

    func paymentChoice(_ booking: Booking, _ session: Session) -> Screen {
        let t = session.texts
        let total = booking.price.total.formatted()
        let methods = self.methods(for: booking)
        var keyboard: [[Screen.Button]] = methods.map { [.action(t.method($0), .payWith(booking: booking.id!, method: $0))] }
        keyboard.append([.action(t.cancelHold, .cancelHold(booking: booking.id!))])
        keyboard.append([zoneButton(session, back: .myBookings)])
        let text = methods.isEmpty ? t.noPaymentMethods : t.held(until: session.format.clock(booking.holdExpiresAt), total: total)
        return Screen(text: text, keyboard: keyboard)
    }

    /// Opens the provider's checkout for a hold that is still the user's and still pending.
    func payWith(_ id: BookingID, method: PaymentMethod, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let now = self.now()
        guard let booking = try await store.booking(id), booking.userID == session.user.id, booking.status == .pending,
              booking.blocksSlot(at: now), methods(for: booking).contains(method) else {
            var outcome = try await myBookings(session)
            outcome.screen = withPrefix(t.holdGone, outcome.screen)
            outcome.toast = t.holdGone
            return outcome
        }
        guard let host = try await store.host(booking.hostID) else { return try await hostGone(session) }
        if method == .stars { return try await payWithStars(booking, host: host, session) }
        let link: CheckoutLink
        do {
            link = try await checkout.checkout(booking: booking, host: host, method: method, language: session.language)
        } catch {
            logger.error("checkout failed", metadata: ["booking": "\(id)", "method": "\(method.rawValue)", "error": "\(error)"])
            return Outcome(screen: withPrefix(t.checkoutFailed, paymentChoice(booking, session)), toast: t.checkoutFailed)
        }
        try await store.setPaymentReference(link.reference, for: id, at: now)
        let total = booking.price.total.formatted()
        return Outcome(screen: Screen(text: t.checkoutReady(session.format.clock(min(link.expiresAt, booking.holdExpiresAt)), method: method), keyboard: [
            [.url(t.openCheckout(total), link.url)],
            [.action(t.cancelHold, .cancelHold(booking: id))],
        ]))
    }
}
