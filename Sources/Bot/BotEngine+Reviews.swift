import Core
import Domain
import Logging
import Storage
import Telegram

/// After a completed call the user rates it with 1–5 stars and may add a text (≤ 500 characters) or skip.
/// One review per booking, only by the booking's own user, only once the call is completed; the host's
/// average changes at once (ratings are summed from the reviews table). Admins can hide an abusive review
/// (audited in the same transaction).
extension BotEngine {
    func rate(_ id: BookingID, stars: Int, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let booking = try await store.booking(id) else {
            return Outcome(screen: withPrefix(t.staleButton, mainMenu(session)), toast: t.staleButton)
        }
        do {
            try ReviewRules.check(booking, by: session.user.id, stars: stars)
        } catch {
            logger.notice("review refused", metadata: ["booking": "\(id)", "user": "\(session.user.id)", "reason": "\(error)"])
            return Outcome(screen: withPrefix(t.reviewRefused(error), mainMenu(session)), toast: t.reviewRefused(error), newMessage: true)
        }
        do {
            _ = try await store.addReview(Review(bookingID: id, hostID: booking.hostID, userID: session.user.id, rating: stars, text: nil, createdAt: now()))
        } catch StoreError.duplicate {
            return Outcome(screen: withPrefix(t.reviewRefused(.alreadyReviewed), mainMenu(session)), toast: t.reviewRefused(.alreadyReviewed),
                           newMessage: true)
        }
        logger.info("review stored", metadata: ["booking": "\(id)", "stars": "\(stars)"])
        try await saveState(session.chatID, ConversationState(mode: .review, booking: id.rawValue))
        return Outcome(screen: Screen(text: t.askReviewText(stars), keyboard: [[.action(t.skip, .reviewSkip(booking: id))]]))
    }

    /// Skip on the prompt (no review at all) or on the text question (the rating stays).
    func skipReview(_ id: BookingID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        if let state = try await loadState(session.chatID), state.mode == .review { try await saveState(session.chatID, nil) }
        let rated = try await store.review(bookingID: id).map { $0.userID == session.user.id } ?? false
        let line = rated ? t.ratingPublished : t.reviewSkipped
        return Outcome(screen: withPrefix(line, mainMenu(session)), toast: line)
    }

    /// The text typed after the stars.
    func reviewTextAnswer(_ state: ConversationState, text: String, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let raw = state.booking else {
            try await saveState(session.chatID, nil)
            return Outcome(screen: mainMenu(session))
        }
        let id = BookingID(raw)
        let keyboard: [[Screen.Button]] = [[.action(t.skip, .reviewSkip(booking: id))]]
        let stored: String?
        do {
            stored = try ReviewRules.text(text)
        } catch {
            return Outcome(screen: Screen(text: t.reviewTooLong(error.length), keyboard: keyboard))
        }
        guard let stored else { return Outcome(screen: Screen(text: t.reviewNeedsText, keyboard: keyboard)) }
        try await store.setReviewText(bookingID: id, userID: session.user.id, text: stored)
        try await saveState(session.chatID, nil)
        logger.info("review text stored", metadata: ["booking": "\(id)", "length": "\(stored.count)"])
        return Outcome(screen: withPrefix(t.reviewPublished, mainMenu(session)))
    }

    // MARK: Admin moderation

    func adminReviews(page requested: Int, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let reviews = try await store.allReviews(includeHidden: true)
        let perPage = 6
        let pages = max(1, (reviews.count + perPage - 1) / perPage)
        let page = min(max(requested, 0), pages - 1)
        var names: [HostID: String] = [:]
        for host in try await store.hosts(listedOnly: false) { if let id = host.id { names[id] = host.displayName.value } }
        let shown = reviews.dropFirst(page * perPage).prefix(perPage)
        var lines = [t.reviewsAdminTitle]
        if shown.isEmpty { lines += ["", t.noReviewsAdmin] }
        var keyboard: [[Screen.Button]] = []
        for r in shown {
            guard let id = r.id else { continue }
            let excerpt = r.text.map { " — “\(html(String($0.prefix(120))))\($0.count > 120 ? "…" : "")”" } ?? ""
            lines += ["", "#\(id) · \(html(names[r.hostID] ?? "?")) · \(t.stars(r.rating))\(r.hidden ? " · <i>\(t.hiddenMark)</i>" : "")\(excerpt)"]
            keyboard.append([r.hidden ? .action(t.showReview(id), .admin(.hideReview(review: id, hidden: false)))
                                      : .action(t.hideReview(id), .admin(.hideReview(review: id, hidden: true)))])
        }
        var nav: [Screen.Button] = []
        if page > 0 { nav.append(.action(t.previous, .admin(.reviews(page: page - 1)))) }
        if page < pages - 1 { nav.append(.action(t.next, .admin(.reviews(page: page + 1)))) }
        if !nav.isEmpty { keyboard.append(nav) }
        keyboard.append([.action(t.back, .admin(.menu))])
        return Outcome(screen: Screen(text: lines.joined(separator: "\n"), keyboard: keyboard))
    }

    func adminHideReview(_ id: Int64, hidden: Bool, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let review: Review
        do {
            let admins = settings.adminIDs
            review = try await ReviewModeration(store: store, now: now, admins: { admins }).setHidden(.admin(session.user.id), review: id, hidden: hidden)
        } catch Refusal.notAllowed {
            throw AdminOnly()
        } catch Refusal.noSuchReview {
            var outcome = try await adminReviews(page: 0, session)
            outcome.toast = t.staleButton
            return outcome
        }
        logger.notice("review moderated", metadata: ["review": "\(id)", "hidden": "\(hidden)", "admin": "\(session.user.id)"])
        let all = try await store.allReviews(includeHidden: true)
        let index = all.firstIndex { $0.id == review.id } ?? 0
        var outcome = try await adminReviews(page: index / 6, session)
        outcome.toast = hidden ? t.reviewHidden : t.reviewShown
        return outcome
    }

    // MARK: Joining the call

    /// How long before the start the Join button shows (the link itself opens 5 minutes before).
    static let joinLeadMinutes = 15

    /// "🎥 Join #n" for calls in progress and confirmed calls starting within `joinLeadMinutes` — in
    /// /my_bookings for the user and in /host for the host; pressing one sends the presser's own link again.
    func joinButtons(_ bookings: [Booking], _ session: Session, now: Instant) -> [[Screen.Button]] {
        guard rooms != nil else { return [] }
        return bookings.filter { b in
            now < b.time.end && (b.status == .active || (b.status == .confirmed && now >= b.time.start.adding(minutes: -Self.joinLeadMinutes)))
        }.compactMap { b in b.id.map { [.action(session.texts.joinCall(Int($0.rawValue)), .join(booking: $0))] } }
    }

    /// Sends the presser's own link (user or host of the booking) as a new message with a URL button.
    func join(_ id: BookingID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let booking = try await store.booking(id), let host = try await store.host(booking.hostID) else {
            return Outcome(screen: withPrefix(t.staleButton, mainMenu(session)), toast: t.staleButton)
        }
        let participant: CallParticipant
        if booking.userID == session.user.id {
            participant = .user
        } else if host.telegramUserID == session.user.id {
            participant = .host
        } else {
            logger.notice("join pressed by a stranger", metadata: ["booking": "\(id)", "user": "\(session.user.id)"])
            return Outcome(screen: withPrefix(t.notYourCall, mainMenu(session)), toast: t.notYourCall, newMessage: true)
        }
        // Links go out from `joinLeadMinutes` before the start (a plain Jitsi link has no window of its own).
        guard now() >= booking.time.start.adding(minutes: -Self.joinLeadMinutes), let rooms,
              let link = try await rooms.link(for: booking, host: host, participant: participant) else {
            return Outcome(screen: withPrefix(t.noRoomYet, try await myBookings(session).screen), toast: t.noRoomYet)
        }
        let text = participant == .user
            ? t.joinText(host: html(host.displayName.value), when: session.format.range(booking.time))
            : t.joinTextForHost(when: TimeFormat(language: session.language, zone: host.zone).range(booking.time), minutes: booking.price.minutes)
        return Outcome(screen: Screen(text: text, keyboard: [[.url(t.join, link)], [.action(t.mainMenu, .mainMenu)]]), newMessage: true)
    }
}
