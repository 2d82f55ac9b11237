import Domain
import SQLKit

extension SQLStore {
    public func createAdminLoginLink(tokenHash: String, admin: TelegramUserID, at now: Instant, expiresAt: Instant) async throws {
        try await write { db in
            try await db.raw("""
                INSERT INTO admin_login_links (token_hash, admin_id, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: admin.rawValue), \(bind: now.epochSeconds), \(bind: expiresAt.epochSeconds))
                """).run()
        }
    }

    public func useAdminLoginLink(tokenHash: String, at now: Instant) async throws -> TelegramUserID? {
        try await write { db in
            try await db.raw("""
                UPDATE admin_login_links SET used_at = \(bind: now.epochSeconds)
                WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL AND expires_at > \(bind: now.epochSeconds)
                RETURNING admin_id
                """).first().map { TelegramUserID(try $0.int64("admin_id")) }
        }
    }

    public func createAdminSession(_ session: AdminSession) async throws {
        try await write { db in
            try await db.raw("""
                INSERT INTO admin_sessions (session_hash, admin_id, csrf_token, created_at, expires_at)
                VALUES (\(bind: session.sessionHash), \(bind: session.admin.rawValue), \(bind: session.csrfToken),
                        \(bind: session.createdAt.epochSeconds), \(bind: session.expiresAt.epochSeconds))
                """).run()
        }
    }

    public func adminSession(sessionHash: String, at now: Instant) async throws -> AdminSession? {
        try await read { db in
            try await db.raw("""
                SELECT * FROM admin_sessions
                WHERE session_hash = \(bind: sessionHash) AND ended_at IS NULL AND expires_at > \(bind: now.epochSeconds)
                """).first().map { row in
                AdminSession(sessionHash: try row.string("session_hash"), admin: TelegramUserID(try row.int64("admin_id")),
                             csrfToken: try row.string("csrf_token"), createdAt: try row.instant("created_at"), expiresAt: try row.instant("expires_at"))
            }
        }
    }

    public func endAdminSession(sessionHash: String, at now: Instant) async throws {
        try await write { db in
            try await db.raw("UPDATE admin_sessions SET ended_at = \(bind: now.epochSeconds) WHERE session_hash = \(bind: sessionHash) AND ended_at IS NULL").run()
        }
    }
}
