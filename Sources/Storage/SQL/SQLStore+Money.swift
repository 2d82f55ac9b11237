import Domain
import SQLKit

/// Payouts, balances, earnings and the wide reads behind analytics and exports.
extension SQLStore {
    // MARK: Payouts

    public func recordPayout(
        hostID: HostID, amount: Money, reference: String?, recordedBy: TelegramUserID?, at now: Instant
    ) async throws -> Payout {
        guard amount.isPositive else { throw StoreError.invalidData("a payout must be more than zero (got \(amount.decimalString))") }
        let reference = reference.map { $0.trimmingSpaces() }.flatMap { $0.isEmpty ? nil : $0 }
        let forUpdate = self.forUpdate
        return try await write { db in
            // Serialize payouts of one host: on PostgreSQL every payout transaction takes the host row's lock
            // before reading the balance, so two cannot both spend it. SQLite's writer (BEGIN IMMEDIATE)
            // already holds the whole database.
            guard try await db.raw("SELECT id FROM hosts WHERE id = \(bind: hostID.rawValue)" + forUpdate).first() != nil else {
                throw StoreError.notFound("Host \(hostID)")
            }
            let balance = try await Self.unpaidBalance(hostID: hostID, currency: amount.currency, db)
            guard amount.minorUnits <= balance.minorUnits else { throw StoreError.payoutExceedsBalance(balance: balance) }

            guard let row = try await db.raw("""
                INSERT INTO payouts (host_id, amount, currency, reference, recorded_by, created_at)
                VALUES (\(bind: hostID.rawValue), \(bind: amount.minorUnits), \(bind: amount.currency.code), \(bind: reference),
                        \(bind: recordedBy?.rawValue), \(bind: now.epochSeconds))
                RETURNING id
                """).first() else { throw StoreError.invalidData("no id returned for a new payout") }
            let payout = Payout(
                id: try row.int64("id"), hostID: hostID, amount: amount, reference: reference, recordedBy: recordedBy, createdAt: now)
            let remaining = Money(minorUnits: balance.minorUnits - amount.minorUnits, currency: amount.currency)
            try await Self.insertAudit(AuditEntry(
                actor: recordedBy?.rawValue, role: recordedBy == nil ? "system" : "admin", action: "payout.record",
                entity: "host", entityID: String(hostID.rawValue),
                before: "unpaid \(balance.decimalString) \(amount.currency.code)",
                after: "payout \(payout.id): \(amount.decimalString) \(amount.currency.code)"
                    + (reference.map { ", reference \($0)" } ?? "") + "; unpaid \(remaining.decimalString) \(amount.currency.code)",
                at: now), db)
            return payout
        }
    }

    /// Σ ledger host_amount − Σ payouts for one host and currency, inside the caller's transaction.
    static func unpaidBalance(hostID: HostID, currency: Currency, _ db: any SQLDatabase) async throws -> Money {
        let host = hostID.rawValue, code = currency.code
        guard let row = try await db.raw("""
            SELECT
              COALESCE((SELECT CAST(SUM(host_amount) AS BIGINT) FROM ledger_entries WHERE host_id = \(bind: host) AND currency = \(bind: code)), 0) AS earned,
              COALESCE((SELECT CAST(SUM(amount) AS BIGINT) FROM payouts WHERE host_id = \(bind: host) AND currency = \(bind: code)), 0) AS paid
            """).first() else { throw StoreError.invalidData("no balance row") }
        return Money(minorUnits: try row.int64("earned") - row.int64("paid"), currency: currency)
    }

    public func payouts(hostID: HostID?) async throws -> [Payout] {
        var query: SQLQueryString = "SELECT * FROM payouts"
        if let hostID { query += " WHERE host_id = \(bind: hostID.rawValue)" }
        query += " ORDER BY created_at DESC, id DESC"
        return try await read { db in try await db.raw(query).all().map(Self.decodePayout) }
    }

    static func decodePayout(_ row: any SQLRow) throws -> Payout {
        let id = try row.int64("id")
        guard let currency = Currency(code: try row.string("currency")) else { throw StoreError.invalidData("payout \(id)") }
        return Payout(
            id: id, hostID: HostID(try row.int64("host_id")), amount: Money(minorUnits: try row.int64("amount"), currency: currency),
            reference: try row.optional("reference", String.self),
            recordedBy: try row.optional("recorded_by", Int64.self).map(TelegramUserID.init), createdAt: try row.instant("created_at"))
    }

    // MARK: Balances and earnings

    public func balance(hostID: HostID) async throws -> [Currency: HostBalance] {
        let host = hostID.rawValue
        return try await read { db in
            // One statement, so the ledger and the payouts are read from the same snapshot.
            let rows = try await db.raw("""
                SELECT currency, CAST(SUM(gross) AS BIGINT) AS gross, CAST(SUM(platform) AS BIGINT) AS platform,
                       CAST(SUM(host) AS BIGINT) AS host, CAST(SUM(paid) AS BIGINT) AS paid
                FROM (
                    SELECT currency, gross, platform_amount AS platform, host_amount AS host, 0 AS paid
                    FROM ledger_entries WHERE host_id = \(bind: host)
                    UNION ALL
                    SELECT currency, 0, 0, 0, amount FROM payouts WHERE host_id = \(bind: host)
                ) AS money
                GROUP BY currency
                """).all()
            var result: [Currency: HostBalance] = [:]
            for row in rows {
                guard let c = Currency(code: try row.string("currency")) else { throw StoreError.invalidData("a currency of host \(hostID)") }
                result[c] = HostBalance(
                    currency: c, gross: Money(minorUnits: try row.int64("gross"), currency: c),
                    commission: Money(minorUnits: try row.int64("platform"), currency: c),
                    earned: Money(minorUnits: try row.int64("host"), currency: c),
                    paidOut: Money(minorUnits: try row.int64("paid"), currency: c))
            }
            return result
        }
    }

    public func earnings(from: Instant?, to: Instant?) async throws -> [EarningsLine] {
        let query: SQLQueryString = """
            SELECT host_id, currency, CAST(SUM(gross) AS BIGINT) AS gross, CAST(SUM(platform_amount) AS BIGINT) AS platform,
                   CAST(SUM(host_amount) AS BIGINT) AS host,
                   COUNT(DISTINCT CASE WHEN kind = 'payment' THEN booking_id END) AS bookings,
                   CAST(SUM(CASE WHEN kind = 'refund' THEN 1 ELSE 0 END) AS BIGINT) AS refunds
            FROM ledger_entries WHERE 1 = 1
            """ + Self.window("created_at", from: from, to: to) + " GROUP BY host_id, currency ORDER BY host_id, currency"
        return try await read { db in
            try await db.raw(query).all().map { row in
                let hostID = HostID(try row.int64("host_id"))
                guard let c = Currency(code: try row.string("currency")) else { throw StoreError.invalidData("a currency of host \(hostID)") }
                return EarningsLine(
                    hostID: hostID, currency: c, gross: Money(minorUnits: try row.int64("gross"), currency: c),
                    commission: Money(minorUnits: try row.int64("platform"), currency: c),
                    hostShare: Money(minorUnits: try row.int64("host"), currency: c),
                    bookings: try row.int("bookings"), refunds: try row.int("refunds"))
            }
        }
    }

    // MARK: Wide reads

    public func allBookings(from: Instant?, to: Instant?, hostID: HostID?) async throws -> [Booking] {
        var query: SQLQueryString = "SELECT * FROM bookings WHERE 1 = 1" + Self.window("start_at", from: from, to: to)
        if let hostID { query += " AND host_id = \(bind: hostID.rawValue)" }
        query += " ORDER BY start_at, id"
        return try await read { db in try await db.raw(query).all().map(Self.decodeBooking) }
    }

    public func ledgerEntries(from: Instant?, to: Instant?) async throws -> [LedgerEntry] {
        let query: SQLQueryString = "SELECT * FROM ledger_entries WHERE 1 = 1" + Self.window("created_at", from: from, to: to)
            + " ORDER BY created_at, id"
        return try await read { db in try await db.raw(query).all().map(Self.decodeLedger) }
    }

    public func allReviews(includeHidden: Bool) async throws -> [Review] {
        var query: SQLQueryString = "SELECT * FROM reviews"
        if !includeHidden { query += " WHERE hidden = " + hiddenFalse }
        query += " ORDER BY created_at DESC, id DESC"
        return try await read { db in
            try await db.raw(query).all().map(Self.decodeReview)
        }
    }

    /// ` AND column >= from AND column < to` for the bounds that are set: the half-open window [from, to).
    static func window(_ column: String, from: Instant?, to: Instant?) -> SQLQueryString {
        var clause: SQLQueryString = ""
        if let from { clause += " AND \(ident: column) >= \(bind: from.epochSeconds)" }
        if let to { clause += " AND \(ident: column) < \(bind: to.epochSeconds)" }
        return clause
    }
}
