import Domain
import Logging
import Storage
import Telegram

extension BotEngine {
    /// The host whose Telegram account this is. A host added by username is linked (and the link audited)
    /// the first time that account writes to the bot.
    func linkedHost(_ session: Session) async throws -> Host? {
        if let linked = try await linkByUsername(session) { return linked }
        return try await store.hosts(listedOnly: false).first(where: { $0.telegramUserID == session.user.id })
    }

    /// One indexed look-up per update: links a host whose username is this account's and who is not linked yet.
    @discardableResult
    func linkByUsername(_ session: Session) async throws -> Host? {
        guard let name = session.user.username, let username = try? TelegramUsername(parsing: name),
              var host = try await store.host(username: username) else { return nil }
        if host.telegramUserID == session.user.id { return host }
        guard host.telegramUserID == nil else { return nil }
        host.telegramUserID = session.user.id
        try await store.updateHost(host, at: now())
        try await store.appendAudit(AuditEntry(actor: session.user.id.rawValue, role: "host", action: "host.link", entity: "host",
                                               entityID: "\(host.id!)", before: nil, after: "telegram user \(session.user.id)", at: now()))
        logger.info("host linked to their Telegram account", metadata: ["host": "\(host.id!)", "user": "\(session.user.id)"])
        return host
    }

    /// `/host`: own upcoming bookings and the online/offline switch.
    func hostMenu(_ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let host = try await linkedHost(session) else {
            return Outcome(screen: withPrefix(t.notAHost, mainMenu(session)))
        }
        let now = self.now()
        let upcoming = try await store.bookings(hostID: host.id!).filter { $0.time.end > now && ($0.status == .confirmed || $0.status == .active) }
        let format = TimeFormat(language: session.language, zone: host.zone)
        var lines = [t.hostMenuTitle(html(host.displayName.value), t.status(host.status)), ""]
        if upcoming.isEmpty {
            lines.append(t.noUpcoming)
        } else {
            lines.append("<b>\(t.upcoming)</b>")
            lines += upcoming.map { "#\($0.id!.rawValue) · \(format.range($0.time)) · \($0.price.split.host.formatted())" }
        }
        let balances = try await store.balance(hostID: host.id!)
        if !balances.isEmpty {
            lines += ["", "<b>\(t.earnings.dropFirst(2))</b>"]
            for (_, b) in balances.sorted(by: { $0.key.code < $1.key.code }) {
                lines.append(t.balanceLine(earned: b.earned.formatted(), paid: b.paidOut.formatted(), unpaid: b.unpaid.formatted()))
            }
            let payouts = try await store.payouts(hostID: host.id!)
            if !payouts.isEmpty {
                lines.append(t.payoutHistory + ":")
                lines += payouts.prefix(5).map { "\(format.dateTime($0.createdAt)) · \($0.amount.formatted())" }
            }
        }
        if let feed = try await calendarFeedLine(host, session) { lines += ["", feed] }
        let toggle: Screen.Button = host.status == .offline
            ? .action(t.goOnline, .hostSetOnline(true))
            : .action(t.goOffline, .hostSetOnline(false))
        return Outcome(screen: Screen(text: lines.joined(separator: "\n"),
                                      keyboard: joinButtons(upcoming, session, now: now) + hostCancelButtons(upcoming, session, now: now)
                                          + [[toggle], [.action(t.mainMenu, .mainMenu)]]))
    }

    func hostSetOnline(_ online: Bool, _ session: Session) async throws -> Outcome {
        guard let host = try await linkedHost(session) else { return Outcome(screen: withPrefix(session.texts.notAHost, mainMenu(session))) }
        let status: HostStatus = online ? .online : .offline
        if host.status != status {
            try await store.setHostStatus(host.id!, status, at: now())
            try await store.appendAudit(AuditEntry(actor: session.user.id.rawValue, role: "host", action: "host.status", entity: "host",
                                                   entityID: "\(host.id!)", before: host.status.rawValue, after: status.rawValue, at: now()))
        }
        return try await hostMenu(session)
    }
}
