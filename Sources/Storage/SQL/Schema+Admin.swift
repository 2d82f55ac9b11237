import SQLKit

// Migration 12: the web dashboard's sign-in — one-time login links an admin gets from the bot, and sessions.
extension Schema {
    /// Only SHA-256 hashes of the link and session tokens are kept; a link is used once, a session can be ended.
    static let adminSessions = Migration(version: 12, name: "admin login links and sessions") { flavor in
        let t = DDL(flavor: flavor)
        return [
            """
            CREATE TABLE admin_login_links (
                token_hash TEXT PRIMARY KEY,
                admin_id \(t.int) NOT NULL,
                created_at \(t.int) NOT NULL,
                expires_at \(t.int) NOT NULL,
                used_at \(t.int)
            )
            """,
            """
            CREATE TABLE admin_sessions (
                session_hash TEXT PRIMARY KEY,
                admin_id \(t.int) NOT NULL,
                csrf_token TEXT NOT NULL,
                created_at \(t.int) NOT NULL,
                expires_at \(t.int) NOT NULL,
                ended_at \(t.int)
            )
            """,
        ]
    }
}
