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
        // A row is due when pending and not before now, or sending with a lapsed lease (a crashed sender).
        // It is the head of its chat's queue when no other row of the chat is being sent under a live lease,
        // and no earlier row of the chat is still in the queue: sending, waiting for a retry (pending after
        // an attempt), or due. A row scheduled for later (never attempted, not yet due) holds nobody up.
        // (The `status IN …` filters repeat what every branch requires, so the status indexes find the few
        // unfinished rows instead of scanning every sent one.) On PostgreSQL, rows another transaction is claiming are
        // skipped; their chat's later rows are held back by the NOT EXISTS, which sees them as they were
        // before that claim.
        return try await write { db in
            try await db.raw("""
                WITH due AS (
                    SELECT o.id FROM outbox o
                    WHERE o.status IN ('pending', 'sending')
                      AND ((o.status = 'pending' AND o.not_before <= \(bind: t)) OR (o.status = 'sending' AND o.claimed_until < \(bind: t)))
                      AND NOT EXISTS (
                        SELECT 1 FROM outbox e
                        WHERE e.status IN ('pending', 'sending') AND e.chat_id = o.chat_id AND e.id <> o.id
                          AND ((e.status = 'sending' AND e.claimed_until >= \(bind: t))
                               OR (e.id < o.id AND (e.status = 'sending'
                                   OR (e.status = 'pending' AND (e.attempts > 0 OR e.not_before <= \(bind: t)))))))
                    ORDER BY o.id
                    LIMIT \(bind: limit)
                """ + skipLocked + """

                )
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_until = \(bind: until), claimed_by = \(bind: claimer)
                WHERE id IN (SELECT id FROM due)
                RETURNING *
                """).all().map(Self.decodeOutbox).sorted { $0.id < $1.id }
        }
    }

    public func renewOutboxClaim(_ claim: OutboxClaim, now: Instant, lease: Int64) async throws -> Bool {
        guard lease > 0 else { throw StoreError.invalidData("an outbox lease must be positive") }
        return try await updateClaimed(claim, set: "claimed_until = \(bind: now.adding(seconds: lease).epochSeconds)")
    }

    @discardableResult
    public func markOutboxSent(_ claim: OutboxClaim, at now: Instant) async throws -> OutboxSentMark {
        let lock = forUpdate
        return try await write { db in
            guard let row = try await db.raw("""
                SELECT status, claimed_by, attempts FROM outbox WHERE id = \(bind: claim.id)
                """ + lock).first() else { throw StoreError.notFound("Outbox message \(claim.id)") }
            guard let status = OutboxStatus(rawValue: try row.string("status")) else { throw StoreError.invalidData("outbox message \(claim.id)") }
            if status == .sent { return .alreadySent }
            try await db.raw("""
                UPDATE outbox SET status = 'sent', sent_at = \(bind: now.epochSeconds), claimed_until = NULL, payload = ''
                WHERE id = \(bind: claim.id)
                """).run()
            let claimedBy = try row.optional("claimed_by", String.self), attempts = try row.int("attempts")
            let held = status == .sending && claimedBy == claim.claimer && attempts == claim.attempt
            return held ? .marked : .markedAfterLosingClaim(previous: status)
        }
    }

    @discardableResult
    public func rescheduleOutbox(_ claim: OutboxClaim, notBefore: Instant, error: String?) async throws -> Bool {
        try await updateClaimed(claim, set: """
            status = 'pending', not_before = \(bind: notBefore.epochSeconds), last_error = \(bind: error), claimed_until = NULL
            """)
    }

    @discardableResult
    public func failOutbox(_ claim: OutboxClaim, error: String, at now: Instant) async throws -> Bool {
        try await updateClaimed(claim, set: """
            status = 'failed', last_error = \(bind: error), failed_at = \(bind: now.epochSeconds), claimed_until = NULL
            """)
    }

    /// Applies `set` to the claimed row if the claim still holds; false when it was lost, `notFound` when
    /// there is no such row.
    private func updateClaimed(_ claim: OutboxClaim, set: SQLQueryString) async throws -> Bool {
        try await write { db in
            let query: SQLQueryString = "UPDATE outbox SET " + set + """
                 WHERE id = \(bind: claim.id) AND status = 'sending' AND claimed_by = \(bind: claim.claimer) AND attempts = \(bind: claim.attempt)
                RETURNING id
                """
            if try await !db.raw(query).all().isEmpty { return true }
            guard try await db.raw("SELECT id FROM outbox WHERE id = \(bind: claim.id)").first() != nil else {
                throw StoreError.notFound("Outbox message \(claim.id)")
            }
            return false
        }
    }

    public func releaseOutboxClaims(claimer: String, at now: Instant) async throws -> Int {
        try await write { db in
            try await db.raw("""
                UPDATE outbox SET status = 'pending', not_before = \(bind: now.epochSeconds), claimed_until = NULL
                WHERE status = 'sending' AND claimed_by = \(bind: claimer)
                RETURNING id
                """).all().count
        }
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
