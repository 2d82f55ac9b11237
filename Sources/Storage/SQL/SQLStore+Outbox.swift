import Domain
import SQLKit

/// The durable outbox: messages are written in the transaction of the state change that causes them, then
/// claimed by a sender under a lease. A claim is atomic — `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
/// instances never claim the same row; SQLite's serialized writer on SQLite — and a crashed sender's lease
/// runs out, so its messages are claimed again.
extension SQLStore {
    @discardableResult
    public func enqueue(_ messages: [NewOutboxMessage], at now: Instant) async throws -> Int {
        guard !messages.isEmpty else { return 0 }
        return try await write { db in try await Self.insertOutbox(messages, at: now, db) }
    }

    public func apply(_ event: BookingEvent, to id: BookingID, messages: [NewOutboxMessage]) async throws -> Booking {
        let flavor = self.flavor
        return try await write { db in
            let booking = try await Self.applyBookingEvent(event, to: id, flavor: flavor, db)
            try await Self.insertOutbox(messages, at: event.at, db)
            return booking
        }
    }

    /// Inserts messages inside the caller's transaction; one whose dedupe key is already stored is skipped.
    /// Returns how many were inserted.
    @discardableResult
    static func insertOutbox(_ messages: [NewOutboxMessage], at now: Instant, _ db: any SQLDatabase) async throws -> Int {
        var inserted = 0
        for m in messages {
            let rows = try await db.raw("""
                INSERT INTO outbox (chat_id, kind, payload, dedupe_key, status, attempts, not_before, created_at)
                VALUES (\(bind: m.chatID), \(bind: m.kind), \(bind: m.payload), \(bind: m.dedupeKey), 'pending', 0,
                        \(bind: (m.notBefore ?? now).epochSeconds), \(bind: now.epochSeconds))
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id
                """).all()
            inserted += rows.count
        }
        return inserted
    }

    public func claimOutbox(limit: Int, now: Instant, lease: Int64, claimer: String) async throws -> [OutboxMessage] {
        guard limit > 0 else { return [] }
        guard lease > 0 else { throw StoreError.invalidData("an outbox lease must be positive") }
        let skipLocked: SQLQueryString = flavor == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let t = now.epochSeconds, until = now.adding(seconds: lease).epochSeconds
        return try await write { db in
            try await db.raw("""
                WITH due AS (
                    SELECT id FROM outbox
                    WHERE (status = 'pending' AND not_before <= \(bind: t)) OR (status = 'sending' AND claimed_until < \(bind: t))
                    ORDER BY id
                    LIMIT \(bind: limit)
                """ + skipLocked + """

                )
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_until = \(bind: until), claimed_by = \(bind: claimer)
                WHERE id IN (SELECT id FROM due)
                RETURNING *
                """).all().map(Self.decodeOutbox).sorted { $0.id < $1.id }
        }
    }

    public func markOutboxSent(_ id: Int64, at now: Instant) async throws {
        try await updateOutbox(id, """
            UPDATE outbox SET status = 'sent', sent_at = \(bind: now.epochSeconds), claimed_until = NULL
            WHERE id = \(bind: id) RETURNING id
            """)
    }

    public func rescheduleOutbox(_ id: Int64, notBefore: Instant, error: String?) async throws {
        try await updateOutbox(id, """
            UPDATE outbox SET status = 'pending', not_before = \(bind: notBefore.epochSeconds), last_error = \(bind: error),
                claimed_until = NULL
            WHERE id = \(bind: id) RETURNING id
            """)
    }

    public func failOutbox(_ id: Int64, error: String, at now: Instant) async throws {
        try await updateOutbox(id, """
            UPDATE outbox SET status = 'failed', last_error = \(bind: error), failed_at = \(bind: now.epochSeconds), claimed_until = NULL
            WHERE id = \(bind: id) RETURNING id
            """)
    }

    private func updateOutbox(_ id: Int64, _ query: SQLQueryString) async throws {
        let rows = try await write { db in try await db.raw(query).all().count }
        if rows == 0 { throw StoreError.notFound("Outbox message \(id)") }
    }

    public func outbox(status: OutboxStatus?) async throws -> [OutboxMessage] {
        try await read { db in
            if let status {
                try await db.raw("SELECT * FROM outbox WHERE status = \(bind: status.rawValue) ORDER BY id").all().map(Self.decodeOutbox)
            } else {
                try await db.raw("SELECT * FROM outbox ORDER BY id").all().map(Self.decodeOutbox)
            }
        }
    }

    public func pendingOutboxCount() async throws -> Int {
        try await read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')").first()?.int("n") ?? 0
        }
    }

    static func decodeOutbox(_ row: any SQLRow) throws -> OutboxMessage {
        let id = try row.int64("id")
        guard let status = OutboxStatus(rawValue: try row.string("status")) else { throw StoreError.invalidData("outbox message \(id)") }
        return OutboxMessage(
            id: id, chatID: try row.int64("chat_id"), kind: try row.string("kind"), payload: try row.string("payload"),
            dedupeKey: try row.optional("dedupe_key", String.self), status: status, attempts: try row.int("attempts"),
            notBefore: try row.instant("not_before"), claimedUntil: try row.optional("claimed_until", Int64.self).map(Instant.init(epochSeconds:)),
            claimedBy: try row.optional("claimed_by", String.self), lastError: try row.optional("last_error", String.self),
            createdAt: try row.instant("created_at"), sentAt: try row.optional("sent_at", Int64.self).map(Instant.init(epochSeconds:)),
            failedAt: try row.optional("failed_at", Int64.self).map(Instant.init(epochSeconds:)))
    }
}
