import Core
import Domain
import Logging
import Storage
import Telegram

extension BotEngine {
    /// The host whose Telegram account this is (linked by an invite, or by an admin who confirmed it).
    func linkedHost(_ session: Session) async throws -> Host? {
        try await store.hosts(listedOnly: false).first(where: { $0.telegramUserID == session.user.id })
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
        if let link = settings.identity.deepLink("host_" + host.username.value) { lines += ["", t.hostShareLine(link)] }
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
        do {
            _ = try await catalogue.setStatus(.host(session.user.id), host: host.id!, to: online ? .online : .offline)
        } catch is Refusal {
            return Outcome(screen: withPrefix(session.texts.notAHost, mainMenu(session)))
        }
        return try await hostMenu(session)
    }
}
