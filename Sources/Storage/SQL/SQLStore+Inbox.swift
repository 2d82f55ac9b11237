import Domain
import SQLKit

/// The durable update inbox: an update is kept before it is acknowledged to Telegram, then claimed under a
/// lease — only the head of each chat's queue, so a chat's updates are handled one at a time in update_id
/// order across instances (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's serialized writer) — and marked
/// done, retried later, or given up.
extension SQLStore {
    @discardableResult
    public func receiveUpdates(_ updates: [NewInboxUpdate], at now: Instant) async throws -> [Int64] {
        guard !updates.isEmpty else { return [] }
        return try await write { db in
            var kept: [Int64] = []
            for u in updates {
                // An id handled before the inbox existed (telegram_updates) is not taken again.
                let rows = try await db.raw("""
                    INSERT INTO telegram_inbox (update_id, chat_id, payload, status, attempts, not_before, received_at)
                    SELECT \(bind: u.updateID), \(bind: u.chatID), \(bind: u.payload), 'pending', 0, \(bind: now.epochSeconds), \(bind: now.epochSeconds)
                    WHERE NOT EXISTS (SELECT 1 FROM telegram_updates WHERE update_id = \(bind: u.updateID))
                    ON CONFLICT (update_id) DO NOTHING
                    RETURNING update_id
                    """).all()
                if !rows.isEmpty { kept.append(u.updateID) }
            }
            return kept
        }
    }

    public func claimUpdates(limit: Int, now: Instant, lease: Int64, claimer: String) async throws -> [InboxUpdate] {
        guard limit > 0 else { return [] }
        guard lease > 0 else { throw StoreError.invalidData("an inbox lease must be positive") }
        let skipLocked: SQLQueryString = flavor == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let t = now.epochSeconds, until = now.adding(seconds: lease).epochSeconds
        // Due: pending and not before now, or handling under a lapsed lease (a crashed instance). The head of its
        // chat: no other update of the chat is handled under a live lease, and no earlier one is still open.
        // Updates without a chat (chat 0) do not queue behind each other.
        return try await write { db in
            try await db.raw("""
                WITH due AS (
                    SELECT i.update_id FROM telegram_inbox i
                    WHERE i.status IN ('pending', 'handling')
                      AND ((i.status = 'pending' AND i.not_before <= \(bind: t)) OR (i.status = 'handling' AND i.claimed_until < \(bind: t)))
                      AND (i.chat_id = 0 OR NOT EXISTS (
                        SELECT 1 FROM telegram_inbox e
                        WHERE e.status IN ('pending', 'handling') AND e.chat_id = i.chat_id AND e.update_id <> i.update_id
                          AND ((e.status = 'handling' AND e.claimed_until >= \(bind: t)) OR e.update_id < i.update_id)))
                    ORDER BY i.update_id
                    LIMIT \(bind: limit)
                """ + skipLocked + """

                )
                UPDATE telegram_inbox SET status = 'handling', attempts = attempts + 1, claimed_until = \(bind: until), claimed_by = \(bind: claimer)
                WHERE update_id IN (SELECT update_id FROM due)
                RETURNING *
                """).all().map(Self.decodeInbox).sorted { $0.updateID < $1.updateID }
        }
    }

    @discardableResult
    public func finishUpdate(_ claim: InboxClaim, at now: Instant) async throws -> Bool {
        try await updateInboxClaim(claim, set: """
            status = 'done', handled_at = \(bind: now.epochSeconds), claimed_until = NULL, payload = ''
            """)
    }

    @discardableResult
    public func retryUpdate(_ claim: InboxClaim, notBefore: Instant, error: String) async throws -> Bool {
        try await updateInboxClaim(claim, set: """
            status = 'pending', not_before = \(bind: notBefore.epochSeconds), last_error = \(bind: String(error.prefix(500))), claimed_until = NULL
            """)
    }

    @discardableResult
    public func failUpdate(_ claim: InboxClaim, error: String, at now: Instant) async throws -> Bool {
        try await updateInboxClaim(claim, set: """
            status = 'failed', last_error = \(bind: String(error.prefix(500))), handled_at = \(bind: now.epochSeconds), claimed_until = NULL, payload = ''
            """)
    }

    public func releaseUpdateClaims(claimer: String, at now: Instant) async throws -> Int {
        try await write { db in
            try await db.raw("""
                UPDATE telegram_inbox SET status = 'pending', not_before = \(bind: now.epochSeconds), claimed_until = NULL
                WHERE status = 'handling' AND claimed_by = \(bind: claimer)
                RETURNING update_id
                """).all().count
        }
    }

    public func inbox(status: InboxStatus?) async throws -> [InboxUpdate] {
        try await read { db in
            if let status {
                try await db.raw("SELECT * FROM telegram_inbox WHERE status = \(bind: status.rawValue) ORDER BY update_id").all().map(Self.decodeInbox)
            } else {
                try await db.raw("SELECT * FROM telegram_inbox ORDER BY update_id").all().map(Self.decodeInbox)
            }
        }
    }

    public func openInboxCount() async throws -> Int {
        try await read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM telegram_inbox WHERE status IN ('pending', 'handling')").first()?.int("n") ?? 0
        }
    }

    private func updateInboxClaim(_ claim: InboxClaim, set: SQLQueryString) async throws -> Bool {
        try await write { db in
            let query: SQLQueryString = "UPDATE telegram_inbox SET " + set + """
                 WHERE update_id = \(bind: claim.updateID) AND status = 'handling' AND claimed_by = \(bind: claim.claimer)
                   AND attempts = \(bind: claim.attempt)
                RETURNING update_id
                """
            if try await !db.raw(query).all().isEmpty { return true }
            guard try await db.raw("SELECT update_id FROM telegram_inbox WHERE update_id = \(bind: claim.updateID)").first() != nil else {
                throw StoreError.notFound("Update \(claim.updateID)")
            }
            return false
        }
    }

    static func decodeInbox(_ row: any SQLRow) throws -> InboxUpdate {
        let id = try row.int64("update_id")
        guard let status = InboxStatus(rawValue: try row.string("status")) else { throw StoreError.invalidData("inbox update \(id)") }
        return InboxUpdate(
            updateID: id, chatID: try row.int64("chat_id"), payload: try row.string("payload"), status: status, attempts: try row.int("attempts"),
            notBefore: try row.instant("not_before"), claimedBy: try row.optional("claimed_by", String.self),
            claimedUntil: try row.optional("claimed_until", Int64.self).map(Instant.init(epochSeconds:)),
            lastError: try row.optional("last_error", String.self), receivedAt: try row.instant("received_at"),
            handledAt: try row.optional("handled_at", Int64.self).map(Instant.init(epochSeconds:)))
    }

    // MARK: Leases

    public func acquireLease(_ name: String, holder: String, now: Instant, seconds: Int64) async throws -> Bool {
        guard seconds > 0 else { throw StoreError.invalidData("a lease must be positive") }
        return try await write { db in
            !(try await db.raw("""
                INSERT INTO leases (name, holder, held_until) VALUES (\(bind: name), \(bind: holder), \(bind: now.adding(seconds: seconds).epochSeconds))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until
                WHERE leases.held_until < \(bind: now.epochSeconds) OR leases.holder = excluded.holder
                RETURNING holder
                """).all().isEmpty)
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await write { db in
            try await db.raw("DELETE FROM leases WHERE name = \(bind: name) AND holder = \(bind: holder)").run()
        }
    }

    public func lapsedLeases(prefix: String, at now: Instant) async throws -> [(name: String, holder: String)] {
        try await read { db in
            try await db.raw("""
                SELECT name, holder FROM leases WHERE held_until < \(bind: now.epochSeconds) AND substr(name, 1, length(\(bind: prefix))) = \(bind: prefix)
                ORDER BY name
                """).all().map { (try $0.string("name"), try $0.string("holder")) }
        }
    }

    public func dropLapsedLease(_ name: String, holder: String, at now: Instant) async throws -> Bool {
        try await write { db in
            !(try await db.raw("""
                DELETE FROM leases WHERE name = \(bind: name) AND holder = \(bind: holder) AND held_until < \(bind: now.epochSeconds) RETURNING name
                """).all().isEmpty)
        }
    }

    public func leaseHolder(_ name: String, at now: Instant) async throws -> String? {
        try await read { db in
            try await db.raw("SELECT holder FROM leases WHERE name = \(bind: name) AND held_until >= \(bind: now.epochSeconds)")
                .first()?.string("holder")
        }
    }
}
