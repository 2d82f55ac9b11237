import Core
import Domain
import Foundation
import Logging
import Storage
import Telegram

extension BotEngine {
    /// Admin buttons. Only `perform` calls this, after its one check of the presser's admin right; the switch
    /// has no `default`, so every admin action is routed here and nowhere else.
    func performAdmin(_ action: AdminAction, _ session: Session) async throws -> Outcome {
        switch action {
        case .menu: return Outcome(screen: adminMenu(session))
        case .reviews(let page): return try await adminReviews(page: page, session)
        case .hideReview(let review, let hidden): return try await adminHideReview(review, hidden: hidden, session)
        case .addHost: return try await startWizard(session)
        case .hosts(let page): return try await adminHosts(page: page, session)
        case .host(let host): return try await adminHost(host, session)
        case .setStatus(let host, let status): return try await setStatus(host, status, session)
        case .setActive(let host, let active): return try await setActive(host, active, session)
        case .edit(let host, let field): return try await startEdit(host, field, session)
        case .gallery(let host): return try await adminGallery(host, session)
        case .photo(let host, let photo, let op): return try await photoOp(host, photo, op, session)
        case .addPhotos(let host):
            try await saveState(session.chatID, ConversationState(mode: .photos, host: host.rawValue))
            return Outcome(screen: Screen(text: session.texts.sendPhotos, keyboard: [[.action(session.texts.done, .admin(.wizard(.done)))]]))
        case .wizard(let op): return try await wizardOp(op, session)
        case .wizardPreset(let i): return try await wizardChoice(.preset(i), session)
        case .wizardZone(let i): return try await wizardChoice(.zoneChoice(i), session)
        case .bookings(let host): return try await adminBookings(host.rawValue == 0 ? nil : host, session)
        case .earnings(let period): return try await adminEarnings(period, session)
        case .payouts(let host): return try await adminPayouts(host, session)
        case .recordPayout(let host):
            try await saveState(session.chatID, ConversationState(mode: .payout, host: host.rawValue))
            return Outcome(screen: Screen(text: session.texts.payoutPrompt, keyboard: [[.action(session.texts.cancel, .admin(.payouts(host: host)))]]))
        case .analytics: return try await adminAnalytics(session)
        case .export: return try await adminExport(session)
        case .cancel(let id, let confirmed): return try await adminCancel(id, confirmed: confirmed, session)
        case .refunds: return try await adminRefunds(session)
        case .refundDone(let id, let confirmed): return try await adminRefundDone(id, confirmed: confirmed, session)
        case .refundRetry(let id): return try await adminRefundRetry(id, session)
        case .moneyDone(let row, let confirmed): return try await adminMoneyDone(row, confirmed: confirmed, session)
        case .moneyRetry(let row): return try await adminMoneyRetry(row, session)
        case .noShow(let id, let confirm): return try await adminNoShow(id, confirm: confirm, session)
        case .pickHost(let purpose, let page): return try await pickHost(purpose, page: page, session)
        case .toggleStatus(let host): return try await toggleStatus(host, session)
        case .editMenu(let host): return try await editMenu(host, session)
        case .linkAccount(let host, let user): return try await adminLinkAccount(host, user: user, session)
        case .invite(let host): return try await adminInvite(host, session)
        }
    }

    func adminMenu(_ session: Session) -> Screen {
        let t = session.texts
        return Screen(text: t.adminTitle, keyboard: [
            [.action(t.addHost, .admin(.addHost)), .action(t.allHosts, .admin(.hosts(page: 0)))],
            [.action(t.allBookings, .admin(.bookings(host: HostID(0)))), .action(t.earnings, .admin(.earnings(period: 0)))],
            [.action(t.analytics, .admin(.analytics)), .action(t.exportLedger, .admin(.export))],
            [.action(t.refundsButton, .admin(.refunds))],
            [.action(t.reviewsAdmin, .admin(.reviews(page: 0))), .action(t.mainMenu, .mainMenu)],
        ])
    }

    /// Every host, listed or not, with status and active flag.
    func adminHosts(page requested: Int, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let hosts = try await store.hosts(listedOnly: false)
        let perPage = 8
        let pages = max(1, (hosts.count + perPage - 1) / perPage)
        let page = min(max(requested, 0), pages - 1)
        var keyboard: [[Screen.Button]] = hosts.dropFirst(page * perPage).prefix(perPage).map { h in
            [.action("\(h.status.dot)\(h.isActive ? "" : "🚫") \(h.displayName.value) (@\(h.username.value))", .admin(.host(h.id!)))]
        }
        var nav: [Screen.Button] = []
        if page > 0 { nav.append(.action(t.previous, .admin(.hosts(page: page - 1)))) }
        if page < pages - 1 { nav.append(.action(t.next, .admin(.hosts(page: page + 1)))) }
        if !nav.isEmpty { keyboard.append(nav) }
        keyboard.append([.action(t.addHost, .admin(.addHost)), .action(t.back, .admin(.menu))])
        let text = t.allHosts + (pages > 1 ? " — " + t.page(page + 1, of: pages) : "") + (hosts.isEmpty ? "\n\n" + t.noHosts : "")
        return Outcome(screen: Screen(text: text, keyboard: keyboard))
    }

    func adminHost(_ id: HostID, _ session: Session) async throws -> Outcome {
        guard let host = try await store.host(id) else { return try await adminHosts(page: 0, session) }
        return Outcome(screen: try await adminHostScreen(host, session))
    }

    func adminHostScreen(_ host: Domain.Host, _ session: Session) async throws -> Screen {
        let t = session.texts
        let id = host.id!
        let text = t.hostCard(
            name: html(host.displayName.value), username: host.username.value, status: t.status(host.status), active: host.isActive,
            price: host.pricePerMinute.money.formatted(), durations: "\(host.durations.minMinutes)–\(host.durations.maxMinutes) min",
            zone: host.zone.identifier, hours: host.availability.summary, bio: html(host.bio.value))
            + "\n" + t.accountLine(host.telegramUserID?.rawValue)
        var linking: [Screen.Button] = [.action(t.inviteButton, .admin(.invite(host: id)))]
        if let seen = try await suggestedAccount(host) {
            linking.append(.action(t.linkSuggestion(seen.username ?? host.username.value), .admin(.linkAccount(host: id, user: seen.id.rawValue))))
        }
        return Screen(text: text, keyboard: [
            HostStatus.allCases.map { .action(($0 == host.status ? "✓ " : "") + t.setStatus($0), .admin(.setStatus(host: id, status: $0))) },
            [.action(t.editName, .admin(.edit(host: id, field: .displayName))), .action(t.editBio, .admin(.edit(host: id, field: .bio)))],
            [.action(t.editPrice, .admin(.edit(host: id, field: .price))), .action(t.editDurations, .admin(.edit(host: id, field: .durations)))],
            [.action(t.editHours, .admin(.edit(host: id, field: .availability))), .action(t.editZone, .admin(.edit(host: id, field: .zone)))],
            [.action(t.editUsername, .admin(.edit(host: id, field: .username))), .action(t.gallery, .admin(.gallery(host: id)))],
            [.action(t.allBookings, .admin(.bookings(host: id))), .action(t.payouts, .admin(.payouts(host: id)))],
            linking,
            [host.isActive ? .action(t.deactivate, .admin(.setActive(host: id, active: false))) : .action(t.reactivate, .admin(.setActive(host: id, active: true)))],
            [.action(t.back, .admin(.hosts(page: 0)))],
        ])
    }

    /// The catalogue's use cases (`Core.HostCatalogue`), asked as this admin or host.
    var catalogue: HostCatalogue {
        let admins = settings.adminIDs
        return HostCatalogue(store: store, now: now, admins: { admins })
    }

    func setStatus(_ id: HostID, _ status: HostStatus, _ session: Session) async throws -> Outcome {
        do {
            _ = try await catalogue.setStatus(.admin(session.user.id), host: id, to: status)
        } catch Refusal.noSuchHost {
            return try await adminHosts(page: 0, session)
        } catch Refusal.notAllowed {
            throw AdminOnly()
        }
        return try await adminHost(id, session)
    }

    /// Deactivating hides the host from users; their bookings stay, and the admin is told how many are upcoming.
    func setActive(_ id: HostID, _ active: Bool, _ session: Session) async throws -> Outcome {
        let change: HostCatalogue.ActivationChange
        do {
            change = try await catalogue.setActive(.admin(session.user.id), host: id, active: active)
        } catch Refusal.noSuchHost {
            return try await adminHosts(page: 0, session)
        } catch Refusal.notAllowed {
            throw AdminOnly()
        }
        var outcome = Outcome(screen: try await adminHostScreen(change.host, session), toast: session.texts.saved)
        if !active && change.upcomingKept > 0 { outcome.screen = withPrefix(session.texts.upcomingKept(change.upcomingKept), outcome.screen) }
        return outcome
    }

    // MARK: Editing a field

    func startEdit(_ id: HostID, _ field: HostField, _ session: Session) async throws -> Outcome {
        guard let host = try await store.host(id) else { return try await adminHosts(page: 0, session) }
        try await saveState(session.chatID, ConversationState(mode: .edit, host: id.rawValue, field: field))
        let current: String
        switch field {
        case .username: current = "@" + host.username.value
        case .displayName: current = html(host.displayName.value)
        case .bio: current = html(host.bio.value)
        case .price: current = host.pricePerMinute.money.formatted()
        case .durations: current = "\(host.durations.minMinutes)-\(host.durations.maxMinutes)"
        case .availability: current = host.availability.summary
        case .zone: current = host.zone.identifier
        }
        let t = session.texts
        return Outcome(screen: Screen(text: "\(t.editPrompt(fieldName(field, t)))\n<code>\(current)</code>", keyboard: [[.action(t.cancel, .admin(.wizard(.cancel)))]]))
    }

    func fieldName(_ field: HostField, _ t: Texts) -> String {
        switch field {
        case .username: t.editUsername
        case .displayName: t.editName
        case .bio: t.editBio
        case .price: t.editPrice
        case .durations: t.editDurations
        case .availability: t.editHours
        case .zone: t.editZone
        }
    }

    /// A typed value for a field: checked with the wizard's own rules; saved (and audited) or asked again.
    func editAnswer(_ state: ConversationState, text: String, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let hostID = state.host, let field = state.field, var host = try await store.host(HostID(hostID)) else {
            try await saveState(session.chatID, nil)
            return Outcome(screen: adminMenu(session))
        }
        let retry = { (message: String) in
            Outcome(screen: Screen(text: "⚠️ \(message)\n\n\(t.editPrompt(self.fieldName(field, t)))", keyboard: [[.action(t.cancel, .admin(.wizard(.cancel)))]]))
        }
        let change: HostChange
        switch field {
        case .username: change = .username(text)
        case .displayName: change = .displayName(text)
        case .bio: change = .bio(text)
        case .price: change = .price(text)
        case .durations: change = .durations(text)
        case .availability: change = .availability(text)
        case .zone: change = .zone(text)
        }
        do {
            host = try await catalogue.edit(.admin(session.user.id), host: host.id!, change)
        } catch let error as HostInputError {
            return retry(t.inputError(error))
        } catch is Refusal {
            try await saveState(session.chatID, nil)
            return Outcome(screen: adminMenu(session))
        }
        try await saveState(session.chatID, nil)
        return Outcome(screen: withPrefix(t.saved, try await adminHostScreen(host, session)))
    }

    // MARK: Gallery

    func adminGallery(_ id: HostID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let host = try await store.host(id) else { return try await adminHosts(page: 0, session) }
        let photos = try await store.photos(hostID: id)
        var keyboard: [[Screen.Button]] = []
        for (i, p) in photos.enumerated() {
            keyboard.append([.action("\(i + 1). \(p.caption ?? "—")", .noop)])
            keyboard.append([
                .action("⬆️", .admin(.photo(host: id, photo: p.id, op: .up))), .action("⬇️", .admin(.photo(host: id, photo: p.id, op: .down))),
                .action("✏️", .admin(.photo(host: id, photo: p.id, op: .caption))), .action("🗑", .admin(.photo(host: id, photo: p.id, op: .remove))),
            ])
        }
        keyboard.append([.action(t.addPhotos, .admin(.addPhotos(host: id))), .action(t.back, .admin(.host(id)))])
        return Outcome(screen: Screen(text: t.galleryTitle(html(host.displayName.value), photos.count), keyboard: keyboard))
    }

    /// The gallery's use cases (`Core.Gallery`), asked as this admin.
    var gallery: Gallery {
        let admins = settings.adminIDs
        return Gallery(store: store, now: now, admins: { admins })
    }

    func photoOp(_ id: HostID, _ photoID: Int64, _ op: PhotoOp, _ session: Session) async throws -> Outcome {
        let actor = Actor.admin(session.user.id)
        do {
            switch op {
            case .up: _ = try await gallery.move(actor, host: id, photo: photoID, .up)
            case .down: _ = try await gallery.move(actor, host: id, photo: photoID, .down)
            case .remove: try await gallery.remove(actor, host: id, photo: photoID)
            case .caption:
                guard try await gallery.photos(actor, host: id).contains(where: { $0.id == photoID }) else { return try await adminGallery(id, session) }
                try await saveState(session.chatID, ConversationState(mode: .caption, host: id.rawValue, photo: photoID))
                return Outcome(screen: Screen(text: session.texts.captionPrompt, keyboard: [[.action(session.texts.cancel, .admin(.wizard(.done)))]]))
            }
        } catch Refusal.notAllowed {
            throw AdminOnly()
        } catch is Refusal {}
        return try await adminGallery(id, session)
    }

    func photoReceived(_ state: ConversationState, photo: String?, caption: String?, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let hostID = state.host else { return Outcome(screen: adminMenu(session)) }
        guard let photo else {
            return Outcome(screen: Screen(text: "⚠️ " + t.wizardNeedsPhoto, keyboard: [[.action(t.done, .admin(.wizard(.done)))]]))
        }
        do { _ = try await gallery.add(.admin(session.user.id), host: HostID(hostID), fileID: photo, caption: caption) } catch Refusal.notAllowed {
            throw AdminOnly()
        } catch Refusal.noSuchHost {
            try await saveState(session.chatID, nil)
            return Outcome(screen: adminMenu(session))
        }
        let count = try await store.photos(hostID: HostID(hostID)).count
        return Outcome(screen: Screen(text: t.photoAdded(count), keyboard: [[.action(t.done, .admin(.wizard(.done)))]]))
    }

    func captionAnswer(_ state: ConversationState, text: String, _ session: Session) async throws -> Outcome {
        guard let hostID = state.host, let photoID = state.photo else { return Outcome(screen: adminMenu(session)) }
        // Refuse (and keep asking) rather than store an empty caption or silently cut a long one.
        let retry = { (line: String) in
            Outcome(screen: Screen(text: "⚠️ \(line)\n\n\(session.texts.captionPrompt)", keyboard: [[.action(session.texts.cancel, .admin(.wizard(.done)))]]))
        }
        do {
            try await gallery.setCaption(.admin(session.user.id), host: HostID(hostID), photo: photoID, text: text)
        } catch CaptionError.empty {
            return retry(session.texts.wizardNeedsText)
        } catch CaptionError.tooLong(let count) {
            return retry(session.texts.captionTooLong(count))
        } catch Refusal.notAllowed {
            throw AdminOnly()
        } catch is Refusal {}
        try await saveState(session.chatID, nil)
        return try await adminGallery(HostID(hostID), session)
    }
}
