import SQLKit

// Migration 11: how a host's Telegram account is linked (one-time invites) and their private calendar feed.
extension Schema {
    /// - `host_invites`: one-time links an admin forwards to a host (`t.me/<bot>?start=invite_<token>`). Only
    ///   the token's SHA-256 is kept; a row is used once (`used_by`), and a new invite for a host revokes the
    ///   host's unused ones.
    /// - `host_calendar_feeds`: each host's private, unguessable ICS feed token (random, 32 bytes base64url).
    static let hostLinks = Migration(version: 11, name: "host invites and calendar feeds") { flavor in
        let t = DDL(flavor: flavor)
        return [
            """
            CREATE TABLE host_invites (
                token_hash TEXT PRIMARY KEY,
                host_id \(t.int) NOT NULL REFERENCES hosts(id),
                created_by \(t.int),
                created_at \(t.int) NOT NULL,
                expires_at \(t.int) NOT NULL,
                revoked_at \(t.int),
                used_by \(t.int),
                used_at \(t.int)
            )
            """,
            "CREATE INDEX host_invites_host ON host_invites (host_id)",
            """
            CREATE TABLE host_calendar_feeds (
                host_id \(t.int) PRIMARY KEY REFERENCES hosts(id),
                token TEXT NOT NULL UNIQUE,
                created_at \(t.int) NOT NULL
            )
            """,
        ]
    }
}
