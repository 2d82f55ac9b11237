import Domain
import Logging
import Storage
import Telegram

extension BotEngine {
    /// Listed hosts, online first, then by name; a page of them as buttons.
    func hostList(page requested: Int, _ session: Session) async throws -> Outcome {
        let t = session.texts
        // Online first, then in a call, then offline (still bookable for later); by name within each.
        func rank(_ s: HostStatus) -> Int { switch s { case .online: 0; case .busy: 1; case .offline: 2 } }
        let hosts = try await store.hosts(listedOnly: true).sorted {
            (rank($0.status), $0.displayName.value.lowercased(), $0.id?.rawValue ?? 0)
                < (rank($1.status), $1.displayName.value.lowercased(), $1.id?.rawValue ?? 0)
        }
        guard !hosts.isEmpty else {
            return Outcome(screen: Screen(text: t.noHosts, keyboard: [[.action(t.mainMenu, .mainMenu)]]))
        }
        let ratings = try await store.ratingSummaries()
        let perPage = settings.hostsPerPage
        let pages = (hosts.count + perPage - 1) / perPage
        let page = min(max(requested, 0), pages - 1)
        let shown = hosts[(page * perPage)..<min(hosts.count, (page + 1) * perPage)]

        var lines = [t.hostListTitle, ""]
        var keyboard: [[Screen.Button]] = []
        for host in shown {
            guard let id = host.id else { continue }
            let rating = ratings[id].map { t.reviewsCount($0.averageText, $0.count) } ?? t.noReviews
            let price = t.perMinute(host.pricePerMinute.money.formatted())
            lines.append("\(host.status.dot) <b>\(html(host.displayName.value))</b> · \(price) · \(rating) · \(t.status(host.status))")
            keyboard.append([.action("\(host.status.dot) \(host.displayName.value) · \(price)", .profile(host: id))])
        }
        if pages > 1 {
            lines.append("")
            lines.append(t.page(page + 1, of: pages))
            var nav: [Screen.Button] = []
            if page > 0 { nav.append(.action(t.previous, .hosts(page: page - 1))) }
            if page < pages - 1 { nav.append(.action(t.next, .hosts(page: page + 1))) }
            keyboard.append(nav)
        }
        keyboard.append([.action(t.mainMenu, .mainMenu)])
        return Outcome(screen: Screen(text: lines.joined(separator: "\n"), keyboard: keyboard))
    }

    /// The profile of the listed host with this username ("@anna_host" or "anna_host"); the host list with a
    /// note when there is none.
    func profile(named name: String, _ session: Session) async throws -> Outcome {
        let bare = name.hasPrefix("@") ? String(name.dropFirst()) : name
        if let username = try? TelegramUsername(parsing: bare), let host = try await store.host(username: username), host.isListed, let id = host.id {
            return try await profile(id, session)
        }
        var list = try await hostList(page: 0, session)
        list.screen = withPrefix(session.texts.noSuchHost(html(String(bare.prefix(32)))), list.screen)
        return list
    }

    /// A listed host, or the host list with a note when they are gone.
    func listedHost(_ id: HostID, _ session: Session) async throws -> Host? {
        guard let host = try await store.host(id), host.isListed else { return nil }
        return host
    }

    func hostGone(_ session: Session) async throws -> Outcome {
        var outcome = try await hostList(page: 0, session)
        outcome.screen = withPrefix(session.texts.hostUnavailable, outcome.screen)
        outcome.toast = session.texts.hostUnavailable
        return outcome
    }

    /// Bio, price, durations, rating and the latest reviews; the first gallery photo when there is one.
    func profile(_ id: HostID, _ session: Session) async throws -> Outcome {
        guard let host = try await listedHost(id, session) else { return try await hostGone(session) }
        let t = session.texts
        let rating = try await store.ratingSummaries()[id].map { t.reviewsCount($0.averageText, $0.count) } ?? t.noReviews
        let reviews = try await store.reviews(hostID: id, limit: 3)
        let photos = try await store.photos(hostID: id)
        var lines = [
            "\(host.status.dot) <b>\(html(host.displayName.value))</b> — \(t.status(host.status))",
            "",
        ]
        if !host.bio.value.isEmpty { lines += [html(host.bio.value), ""] }
        lines.append("💰 " + t.perMinute(host.pricePerMinute.money.formatted()))
        lines.append("⏱ " + t.durationsOffered(host.durations.minMinutes, host.durations.maxMinutes))
        lines.append(rating)
        if !reviews.isEmpty {
            lines += ["", "<b>\(t.latestReviews)</b>"]
            for r in reviews {
                let stars = String(repeating: "★", count: r.rating) + String(repeating: "☆", count: 5 - r.rating)
                lines.append(stars + (r.text.map { " " + html(String($0.prefix(120))) } ?? ""))
            }
        }
        var keyboard: [[Screen.Button]] = [[.action(t.bookCall, .dates(host: id))]]
        if photos.count >= 2 { keyboard.append([.action(t.gallery, .gallery(host: id))]) }
        keyboard.append([.action(t.back, .hosts(page: 0))])
        let screen = Screen(text: lines.joined(separator: "\n"), keyboard: keyboard, photo: photos.first?.fileID)
        return Outcome(screen: screen, newMessage: screen.photo != nil)
    }

    /// The whole gallery as an album (2–10 photos), then the profile's buttons again.
    func gallery(_ id: HostID, _ session: Session) async throws -> Outcome {
        guard let host = try await listedHost(id, session) else { return try await hostGone(session) }
        let t = session.texts
        let photos = try await store.photos(hostID: id).prefix(10)
        var outcome = try await profile(id, session)
        outcome.screen.photo = nil
        outcome.screen.keyboard = [[.action(t.bookCall, .dates(host: id))], [.action(t.back, .hosts(page: 0))]]
        outcome.screen.text = "🖼 <b>\(html(host.displayName.value))</b>"
        outcome.album = photos.map { InputMediaPhoto(media: $0.fileID, caption: $0.caption.map(html), parseMode: "HTML") }
        outcome.newMessage = true
        return outcome
    }
}
