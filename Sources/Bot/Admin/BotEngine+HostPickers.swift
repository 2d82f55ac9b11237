import Core
import Domain
import Storage
import Telegram

/// `/toggle_status` and `/edit_model`: a host picker whose next press acts on the chosen host.
extension BotEngine {
    func pickHost(_ purpose: HostPick, page requested: Int, _ session: Session, prefix: String? = nil) async throws -> Outcome {
        let t = session.texts
        let hosts = try await store.hosts(listedOnly: false)
        let perPage = 8
        let pages = max(1, (hosts.count + perPage - 1) / perPage)
        let page = min(max(requested, 0), pages - 1)
        var keyboard: [[Screen.Button]] = hosts.dropFirst(page * perPage).prefix(perPage).map { h in
            let name = "\(h.displayName.value) (@\(h.username.value))\(h.isActive ? "" : " 🚫")"
            switch purpose {
            case .toggle:
                let next: HostStatus = h.status == .offline ? .online : .offline
                return [.action("\(h.status.dot) \(name) → \(next.dot)", .admin(.toggleStatus(host: h.id!)))]
            case .edit:
                return [.action("✏️ \(name)", .admin(.editMenu(host: h.id!)))]
            }
        }
        var nav: [Screen.Button] = []
        if page > 0 { nav.append(.action(t.previous, .admin(.pickHost(purpose, page: page - 1)))) }
        if page < pages - 1 { nav.append(.action(t.next, .admin(.pickHost(purpose, page: page + 1)))) }
        if !nav.isEmpty { keyboard.append(nav) }
        keyboard.append([.action(t.back, .admin(.menu))])
        var text = purpose == .toggle ? t.pickHostToToggle : t.pickHostToEdit
        if pages > 1 { text += " — " + t.page(page + 1, of: pages) }
        if hosts.isEmpty { text += "\n\n" + t.noHosts }
        if let prefix { text = prefix + "\n\n" + text }
        return Outcome(screen: Screen(text: text, keyboard: keyboard))
    }

    /// Online ↔ offline (a host in a call goes back to online), audited; the picker again, saying what changed.
    func toggleStatus(_ id: HostID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let change: HostCatalogue.StatusChange
        do {
            change = try await catalogue.toggleStatus(.admin(session.user.id), host: id)
        } catch Refusal.noSuchHost {
            return try await pickHost(.toggle, page: 0, session)
        } catch Refusal.notAllowed {
            throw AdminOnly()
        }
        let line = t.statusSwitched(html(change.host.displayName.value), t.status(change.host.status))
        let hosts = try await store.hosts(listedOnly: false)
        let page = (hosts.firstIndex { $0.id == id } ?? 0) / 8
        var outcome = try await pickHost(.toggle, page: page, session, prefix: "✅ " + line)
        outcome.toast = line
        return outcome
    }

    /// What to change on one host.
    func editMenu(_ id: HostID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let host = try await store.host(id) else { return try await pickHost(.edit, page: 0, session) }
        let field: (HostField) -> Screen.Button = { .action(self.fieldName($0, t), .admin(.edit(host: id, field: $0))) }
        return Outcome(screen: Screen(text: t.editMenuTitle(html(host.displayName.value), host.username.value), keyboard: [
            [field(.displayName), field(.bio)],
            [field(.price), field(.durations)],
            [field(.availability), field(.zone)],
            [field(.username), .action(t.gallery, .admin(.gallery(host: id)))],
            [.action(t.hostCardButton, .admin(.host(id))), .action(t.back, .admin(.pickHost(.edit, page: 0)))],
        ]))
    }
}
