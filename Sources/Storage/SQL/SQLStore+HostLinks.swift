import Domain
import SQLKit

extension SQLStore {
    public func createHostInvite(_ invite: HostInvite) async throws {
        try await write { db in
            try await db.raw("""
                UPDATE host_invites SET revoked_at = \(bind: invite.createdAt.epochSeconds)
                WHERE host_id = \(bind: invite.hostID.rawValue) AND used_by IS NULL AND revoked_at IS NULL
                """).run()
            try await db.raw("""
                INSERT INTO host_invites (token_hash, host_id, created_by, created_at, expires_at)
                VALUES (\(bind: invite.tokenHash), \(bind: invite.hostID.rawValue), \(bind: invite.createdBy?.rawValue),
                        \(bind: invite.createdAt.epochSeconds), \(bind: invite.expiresAt.epochSeconds))
                """).run()
        }
    }

    public func redeemHostInvite(tokenHash: String, by user: TelegramUserID, at now: Instant) async throws -> InviteRedemption {
        let lock = forUpdate
        return try await write { db in
            guard let row = try await db.raw("SELECT * FROM host_invites WHERE token_hash = \(bind: tokenHash)\(lock)").first() else {
                return .unknown
            }
            let hostID = HostID(try row.int64("host_id"))
            guard var host = try await Self.loadHosts(db, where: "h.id = \(bind: hostID.rawValue)").first else { return .unknown }
            if let usedBy = try row.optional("used_by", Int64.self) {
                return usedBy == user.rawValue && host.telegramUserID == user ? .alreadyLinked(host) : .usedByAnother
            }
            guard try row.optional("revoked_at", Int64.self) == nil, try row.instant("expires_at") > now else { return .expired }
            if let other = try await Self.loadHosts(db, where: "h.telegram_user_id = \(bind: user.rawValue) AND h.id <> \(bind: hostID.rawValue)").first {
                return .accountIsAnotherHost(other)
            }
            let before = host.telegramUserID.map { "telegram user \($0)" }
            try await db.raw("""
                UPDATE host_invites SET used_by = \(bind: user.rawValue), used_at = \(bind: now.epochSeconds) WHERE token_hash = \(bind: tokenHash)
                """).run()
            try await db.raw("""
                UPDATE hosts SET telegram_user_id = \(bind: user.rawValue), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: hostID.rawValue)
                """).run()
            host.telegramUserID = user
            try await Self.insertAudit(AuditEntry(actor: user.rawValue, role: "host", action: "host.link", entity: "host",
                                                  entityID: "\(hostID)", before: before, after: "telegram user \(user) (invite)", at: now), db)
            return .linked(host)
        }
    }

    public func calendarFeedToken(hostID: HostID, candidate: String, at now: Instant) async throws -> String {
        try await write { db in
            if let row = try await db.raw("SELECT token FROM host_calendar_feeds WHERE host_id = \(bind: hostID.rawValue)").first() {
                return try row.string("token")
            }
            try await db.raw("""
                INSERT INTO host_calendar_feeds (host_id, token, created_at) VALUES (\(bind: hostID.rawValue), \(bind: candidate), \(bind: now.epochSeconds))
                ON CONFLICT (host_id) DO NOTHING
                """).run()
            guard let row = try await db.raw("SELECT token FROM host_calendar_feeds WHERE host_id = \(bind: hostID.rawValue)").first() else {
                throw StoreError.notFound("Host \(hostID)")
            }
            return try row.string("token")
        }
    }

    public func host(calendarFeedToken token: String) async throws -> Host? {
        try await read { db in
            guard let row = try await db.raw("SELECT host_id FROM host_calendar_feeds WHERE token = \(bind: token)").first() else { return nil }
            return try await Self.loadHosts(db, where: "h.id = \(bind: try row.int64("host_id"))").first
        }
    }

    public func users(username: String) async throws -> [UserProfile] {
        try await read { db in
            try await db.raw("SELECT * FROM users WHERE LOWER(username) = \(bind: username.lowercased()) ORDER BY updated_at DESC").all().map { row in
                UserProfile(
                    id: TelegramUserID(try row.int64("telegram_id")), username: try row.optional("username", String.self),
                    firstName: try row.optional("first_name", String.self), language: try row.string("language"),
                    zone: try row.optional("time_zone", String.self).flatMap(Zone.init(identifier:)))
            }
        }
    }
}
