import Domain
import Foundation
import Logging
import Storage
import Telegram

extension BotEngine {
    /// Admin buttons; the caller has already checked the presser is an admin.
    func performAdmin(_ action: CallbackAction, _ session: Session) async throws -> Outcome {
        switch action {
        case .adminMenu: return Outcome(screen: adminMenu(session))
        case .adminReviews(let page): return try await adminReviews(page: page, session)
        case .adminHideReview(let review, let hidden): return try await adminHideReview(review, hidden: hidden, session)
        case .adminAddHost: return try await startWizard(session)
        case .adminHosts(let page): return try await adminHosts(page: page, session)
        case .adminHost(let host): return try await adminHost(host, session)
        case .adminSetStatus(let host, let status): return try await setStatus(host, status, session)
        case .adminSetActive(let host, let active): return try await setActive(host, active, session)
        case .adminEdit(let host, let field): return try await startEdit(host, field, session)
        case .adminGallery(let host): return try await adminGallery(host, session)
        case .adminPhoto(let host, let photo, let op): return try await photoOp(host, photo, op, session)
        case .adminAddPhotos(let host):
            try await saveState(session.chatID, ConversationState(mode: .photos, host: host.rawValue))
            return Outcome(screen: Screen(text: session.texts.sendPhotos, keyboard: [[.action(session.texts.done, .wizard(.done))]]))
        case .wizard(let op): return try await wizardOp(op, session)
        case .wizardPreset(let i): return try await wizardChoice(.preset(i), session)
        case .wizardZone(let i): return try await wizardChoice(.zoneChoice(i), session)
        case .adminBookings(let host): return try await adminBookings(host.rawValue == 0 ? nil : host, session)
        case .adminEarnings(let period): return try await adminEarnings(period, session)
        case .adminPayouts(let host): return try await adminPayouts(host, session)
        case .adminRecordPayout(let host):
            try await saveState(session.chatID, ConversationState(mode: .payout, host: host.rawValue))
            return Outcome(screen: Screen(text: session.texts.payoutPrompt, keyboard: [[.action(session.texts.cancel, .adminPayouts(host: host))]]))
        case .adminAnalytics: return try await adminAnalytics(session)
        case .adminExport: return try await adminExport(session)
        case .adminCancel, .adminRefunds, .adminRefundDone, .adminRefundRetry, .adminNoShow: return try await performCancel(action, session)
        default: return Outcome(screen: adminMenu(session))
        }
    }

    func adminMenu(_ session: Session) -> Screen {
        let t = session.texts
        return Screen(text: t.adminTitle, keyboard: [
            [.action(t.addHost, .adminAddHost), .action(t.allHosts, .adminHosts(page: 0))],
            [.action(t.allBookings, .adminBookings(host: HostID(0))), .action(t.earnings, .adminEarnings(period: 0))],
            [.action(t.analytics, .adminAnalytics), .action(t.exportLedger, .adminExport)],
            [.action(t.refundsButton, .adminRefunds)],
            [.action(t.reviewsAdmin, .adminReviews(page: 0)), .action(t.mainMenu, .mainMenu)],
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
            [.action("\(h.status.dot)\(h.isActive ? "" : "🚫") \(h.displayName.value) (@\(h.username.value))", .adminHost(host: h.id!))]
        }
        var nav: [Screen.Button] = []
        if page > 0 { nav.append(.action(t.previous, .adminHosts(page: page - 1))) }
        if page < pages - 1 { nav.append(.action(t.next, .adminHosts(page: page + 1))) }
        if !nav.isEmpty { keyboard.append(nav) }
        keyboard.append([.action(t.addHost, .adminAddHost), .action(t.back, .adminMenu)])
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
        return Screen(text: text, keyboard: [
            HostStatus.allCases.map { .action(($0 == host.status ? "✓ " : "") + t.setStatus($0), .adminSetStatus(host: id, status: $0)) },
            [.action(t.editName, .adminEdit(host: id, field: .displayName)), .action(t.editBio, .adminEdit(host: id, field: .bio))],
            [.action(t.editPrice, .adminEdit(host: id, field: .price)), .action(t.editDurations, .adminEdit(host: id, field: .durations))],
            [.action(t.editHours, .adminEdit(host: id, field: .availability)), .action(t.editZone, .adminEdit(host: id, field: .zone))],
            [.action(t.editUsername, .adminEdit(host: id, field: .username)), .action(t.gallery, .adminGallery(host: id))],
            [.action(t.allBookings, .adminBookings(host: id)), .action(t.payouts, .adminPayouts(host: id))],
            [host.isActive ? .action(t.deactivate, .adminSetActive(host: id, active: false)) : .action(t.reactivate, .adminSetActive(host: id, active: true))],
            [.action(t.back, .adminHosts(page: 0))],
        ])
    }

    func setStatus(_ id: HostID, _ status: HostStatus, _ session: Session) async throws -> Outcome {
        guard let host = try await store.host(id) else { return try await adminHosts(page: 0, session) }
        if host.status != status {
            try await store.setHostStatus(id, status, at: now())
            try await audit(session, "host.status", "host", "\(id)", before: host.status.rawValue, after: status.rawValue)
        }
        return try await adminHost(id, session)
    }

    /// Deactivating hides the host from users; their bookings stay, and the admin is told how many are upcoming.
    func setActive(_ id: HostID, _ active: Bool, _ session: Session) async throws -> Outcome {
        guard var host = try await store.host(id) else { return try await adminHosts(page: 0, session) }
        let before = host.isActive
        host.isActive = active
        try await store.updateHost(host, at: now())
        try await audit(session, active ? "host.reactivate" : "host.deactivate", "host", "\(id)", before: "active=\(before)", after: "active=\(active)")
        var outcome = Outcome(screen: try await adminHostScreen(host, session), toast: session.texts.saved)
        let upcoming = try await store.bookings(hostID: id).filter { $0.time.end > now() && ($0.status == .confirmed || $0.status == .active || $0.blocksSlot(at: now())) }
        if !active && !upcoming.isEmpty { outcome.screen = withPrefix(session.texts.upcomingKept(upcoming.count), outcome.screen) }
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
        return Outcome(screen: Screen(text: "\(t.editPrompt(fieldName(field, t)))\n<code>\(current)</code>", keyboard: [[.action(t.cancel, .wizard(.cancel))]]))
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
        let before = describe(host)
        let retry = { (message: String) in
            Outcome(screen: Screen(text: "⚠️ \(message)\n\n\(t.editPrompt(self.fieldName(field, t)))", keyboard: [[.action(t.cancel, .wizard(.cancel))]]))
        }
        do {
            switch field {
            case .username:
                let u = try TelegramUsername(parsing: text)
                if let other = try await store.host(username: u), other.id != host.id { return retry(t.usernameTaken(u.value)) }
                if u != host.username { host.telegramUserID = nil }
                host.username = u
            case .displayName: host.displayName = try DisplayName(parsing: text)
            case .bio: host.bio = try Bio(parsing: text)
            case .price:
                switch HostDraft.parsePrice(text, texts: t) {
                case .success(let money): host.pricePerMinute = try PricePerMinute(money)
                case .failure(let refusal): return retry(refusal.message)
                }
            case .durations:
                switch HostDraft.parseDurations(text, texts: t) {
                case .success(let range): host.durations = range
                case .failure(let refusal): return retry(refusal.message)
                }
            case .availability:
                // Empty text would parse as "no hours at all" and silently make the host unbookable.
                guard !text.isEmpty else { return retry(t.wizardNeedsText) }
                do { host.availability = try WeeklyAvailability(parsing: text) } catch { return retry(t.availabilityError(error)) }
            case .zone:
                guard let zone = Zone(identifier: text), text.contains("/") || text == "UTC" else { return retry(t.unknownZone(html(String(text.prefix(64))))) }
                host.zone = zone
            }
        } catch let error as HostFieldError {
            return retry(t.fieldError(error))
        }
        try await store.updateHost(host, at: now())
        try await saveState(session.chatID, nil)
        try await audit(session, "host.edit.\(field)", "host", "\(hostID)", before: before, after: describe(host))
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
                .action("⬆️", .adminPhoto(host: id, photo: p.id, op: .up)), .action("⬇️", .adminPhoto(host: id, photo: p.id, op: .down)),
                .action("✏️", .adminPhoto(host: id, photo: p.id, op: .caption)), .action("🗑", .adminPhoto(host: id, photo: p.id, op: .remove)),
            ])
        }
        keyboard.append([.action(t.addPhotos, .adminAddPhotos(host: id)), .action(t.back, .adminHost(host: id))])
        return Outcome(screen: Screen(text: t.galleryTitle(html(host.displayName.value), photos.count), keyboard: keyboard))
    }

    func photoOp(_ id: HostID, _ photoID: Int64, _ op: PhotoOp, _ session: Session) async throws -> Outcome {
        let photos = try await store.photos(hostID: id)
        guard let index = photos.firstIndex(where: { $0.id == photoID }) else { return try await adminGallery(id, session) }
        var order = photos.map(\.id)
        switch op {
        case .up where index > 0: order.swapAt(index, index - 1)
        case .down where index < order.count - 1: order.swapAt(index, index + 1)
        case .remove:
            try await store.removePhoto(hostID: id, photoID: photoID)
            try await audit(session, "host.photo.remove", "host", "\(id)", before: photos[index].fileID, after: nil)
            return try await adminGallery(id, session)
        case .caption:
            try await saveState(session.chatID, ConversationState(mode: .caption, host: id.rawValue, photo: photoID))
            return Outcome(screen: Screen(text: session.texts.captionPrompt, keyboard: [[.action(session.texts.cancel, .wizard(.done))]]))
        default: return try await adminGallery(id, session)
        }
        try await store.reorderPhotos(hostID: id, order: order)
        try await audit(session, "host.photo.reorder", "host", "\(id)", before: photos.map { "\($0.id)" }.joined(separator: ","),
                        after: order.map(String.init).joined(separator: ","))
        return try await adminGallery(id, session)
    }

    func photoReceived(_ state: ConversationState, photo: String?, caption: String?, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let hostID = state.host else { return Outcome(screen: adminMenu(session)) }
        guard let photo else {
            return Outcome(screen: Screen(text: "⚠️ " + t.wizardNeedsPhoto, keyboard: [[.action(t.done, .wizard(.done))]]))
        }
        let trimmed = caption?.trimmingCharacters(in: .whitespacesAndNewlines)
        let added = try await store.addPhoto(hostID: HostID(hostID), fileID: photo, caption: trimmed?.isEmpty == false ? String(trimmed!.prefix(1024)) : nil, at: now())
        try await audit(session, "host.photo.add", "host", "\(hostID)", before: nil, after: added.fileID)
        let count = try await store.photos(hostID: HostID(hostID)).count
        return Outcome(screen: Screen(text: t.photoAdded(count), keyboard: [[.action(t.done, .wizard(.done))]]))
    }

    func captionAnswer(_ state: ConversationState, text: String, _ session: Session) async throws -> Outcome {
        guard let hostID = state.host, let photoID = state.photo else { return Outcome(screen: adminMenu(session)) }
        // Refuse (and keep asking) rather than store an empty caption or silently cut a long one.
        let retry = { (line: String) in
            Outcome(screen: Screen(text: "⚠️ \(line)\n\n\(session.texts.captionPrompt)", keyboard: [[.action(session.texts.cancel, .wizard(.done))]]))
        }
        guard !text.isEmpty else { return retry(session.texts.wizardNeedsText) }
        guard text.count <= 1024 else { return retry(session.texts.captionTooLong(text.count)) }
        let caption = text == "-" ? nil : text
        try await store.setPhotoCaption(hostID: HostID(hostID), photoID: photoID, caption: caption)
        try await saveState(session.chatID, nil)
        try await audit(session, "host.photo.caption", "host", "\(hostID)", before: nil, after: caption)
        return try await adminGallery(HostID(hostID), session)
    }
}
