import Core
import Logging
import Domain
import Foundation
import Storage
import Telegram

/// How a host's Telegram account is linked: by a one-time invite the admin forwards (only the account that
/// opens it first becomes the host's), or — as a suggestion the admin confirms — the account seen with the
/// host's username. Nobody becomes a host just by having a username.
extension BotEngine {
    /// How long an invite stays valid.
    static let inviteDays = 7

    /// A new invite for the host (earlier unused ones are revoked) and the line that shows it to the admin.
    func inviteLine(_ host: Domain.Host, _ session: Session) async throws -> String {
        let t = session.texts
        let token = Secrets.token(bytes: 24)
        let now = self.now()
        try await store.createHostInvite(HostInvite(tokenHash: Self.inviteHash(token), hostID: host.id!, createdBy: session.user.id,
                                                    createdAt: now, expiresAt: now.adding(days: Self.inviteDays)))
        try await audit(session, "host.invite", "host", "\(host.id!)", before: nil, after: "invite valid until \(now.adding(days: Self.inviteDays))")
        guard let link = settings.identity.deepLink("invite_" + token) else {
            // The bot's username is not known yet (getMe has not answered): the payload still works with /start.
            return t.inviteCreated(link: "<code>/start invite_\(token)</code>", username: host.username.value, days: Self.inviteDays)
        }
        return t.inviteCreated(link: link, username: host.username.value, days: Self.inviteDays)
    }

    static func inviteHash(_ token: String) -> String { Secrets.hash(token) }

    /// `/start invite_<token>`: the account that opens it becomes the host's, once.
    func openInvite(_ token: String, _ session: Session) async throws -> Outcome {
        let t = session.texts
        // Only the characters we put in a token; anything else is not one of ours (and is never stored or logged).
        guard (16...64).contains(token.count), token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return Outcome(screen: withPrefix(t.inviteUnknown, mainMenu(session)))
        }
        switch try await store.redeemHostInvite(tokenHash: Self.inviteHash(token), by: session.user.id, at: now()) {
        case .linked(let host):
            logger.info("host linked by invite", metadata: ["host": "\(host.id!)", "user": "\(session.user.id)"])
            var outcome = try await hostMenu(session)
            outcome.screen = withPrefix(t.inviteAccepted(html(host.displayName.value)), outcome.screen)
            return outcome
        case .alreadyLinked:
            return try await hostMenu(session)
        case .usedByAnother:
            logger.notice("invite refused: already used by another account", metadata: ["user": "\(session.user.id)"])
            return Outcome(screen: withPrefix(t.inviteUsed, mainMenu(session)))
        case .expired: return Outcome(screen: withPrefix(t.inviteExpired, mainMenu(session)))
        case .unknown: return Outcome(screen: withPrefix(t.inviteUnknown, mainMenu(session)))
        case .accountIsAnotherHost(let other):
            return Outcome(screen: withPrefix(t.inviteAccountTaken(html(other.displayName.value)), mainMenu(session)))
        }
    }

    /// The admin's "🔗 Invite link": a fresh invite, shown above the host's card.
    func adminInvite(_ id: HostID, _ session: Session) async throws -> Outcome {
        guard let host = try await store.host(id) else { return try await adminHosts(page: 0, session) }
        let line = try await inviteLine(host, session)
        return Outcome(screen: withPrefix(line, try await adminHostScreen(host, session)))
    }

    /// The account seen with the host's username, suggested on the host's card until the host is linked.
    func suggestedAccount(_ host: Domain.Host) async throws -> UserProfile? {
        guard host.telegramUserID == nil else { return nil }
        return try await store.users(username: host.username.value).first
    }

    /// The admin confirmed the suggestion: that account is the host's (audited), if it still has the username.
    func adminLinkAccount(_ id: HostID, user: Int64, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard var host = try await store.host(id) else { return try await adminHosts(page: 0, session) }
        let account = TelegramUserID(user)
        let candidates = try await store.users(username: host.username.value)
        guard candidates.contains(where: { $0.id == account }), host.telegramUserID == nil || host.telegramUserID == account else {
            return Outcome(screen: try await adminHostScreen(host, session), toast: t.staleButton)
        }
        if let other = try await store.hosts(listedOnly: false).first(where: { $0.telegramUserID == account && $0.id != id }) {
            return Outcome(screen: withPrefix(t.inviteAccountTaken(html(other.displayName.value)), try await adminHostScreen(host, session)))
        }
        if host.telegramUserID != account {
            host.telegramUserID = account
            try await store.updateHost(host, at: now())
            try await audit(session, "host.link", "host", "\(id)", before: nil, after: "telegram user \(account) (username, confirmed by admin)")
        }
        return Outcome(screen: try await adminHostScreen(host, session), toast: t.saved)
    }
}
