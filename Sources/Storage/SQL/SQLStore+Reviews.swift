import Domain
import SQLKit

extension SQLStore {
    public func setPaymentReference(_ reference: String, for id: BookingID, at now: Instant) async throws {
        try await write { db in
            let changed = try await db.raw("""
                UPDATE bookings SET payment_reference = \(bind: reference), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id.rawValue) RETURNING id
                """).all()
            guard !changed.isEmpty else { throw StoreError.notFound("Booking \(id)") }
        }
    }

    public func booking(paymentReference: String) async throws -> Booking? {
        try await read { db in
            try await db.raw("SELECT * FROM bookings WHERE payment_reference = \(bind: paymentReference) ORDER BY id LIMIT 1").first()
                .map(Self.decodeBooking)
        }
    }

    public func paymentReference(of id: BookingID) async throws -> String? {
        try await read { db in
            try await db.raw("SELECT payment_reference FROM bookings WHERE id = \(bind: id.rawValue)").first()?
                .optional("payment_reference", String.self)
        }
    }

    public func addReview(_ review: Review) async throws -> Review {
        try await write { db in
            guard let row = try await db.raw("""
                INSERT INTO reviews (booking_id, host_id, user_id, rating, text, hidden, created_at)
                VALUES (\(bind: review.bookingID.rawValue), \(bind: review.hostID.rawValue), \(bind: review.userID.rawValue),
                        \(bind: review.rating), \(bind: review.text), \(bind: review.hidden), \(bind: review.createdAt.epochSeconds))
                RETURNING id
                """).first() else { throw StoreError.invalidData("no id returned for a new review") }
            var saved = review
            saved.id = try row.int64("id")
            return saved
        }
    }

    public func review(bookingID: BookingID) async throws -> Review? {
        try await read { db in
            try await db.raw("SELECT * FROM reviews WHERE booking_id = \(bind: bookingID.rawValue)").first().map(Self.decodeReview)
        }
    }

    public func setReviewText(bookingID: BookingID, userID: TelegramUserID, text: String?) async throws {
        try await write { db in
            let changed = try await db.raw("""
                UPDATE reviews SET text = \(bind: text) WHERE booking_id = \(bind: bookingID.rawValue) AND user_id = \(bind: userID.rawValue)
                RETURNING id
                """).all()
            guard !changed.isEmpty else { throw StoreError.notFound("Review of booking \(bookingID)") }
        }
    }

    public func setReviewHidden(_ id: Int64, hidden: Bool, by admin: TelegramUserID, at now: Instant) async throws -> Review {
        try await write { db in
            guard let before = try await db.raw("SELECT * FROM reviews WHERE id = \(bind: id)").first().map(Self.decodeReview) else {
                throw StoreError.notFound("Review \(id)")
            }
            try await db.raw("UPDATE reviews SET hidden = \(bind: hidden) WHERE id = \(bind: id)").run()
            try await Self.insertAudit(AuditEntry(
                actor: admin.rawValue, role: "admin", action: hidden ? "review.hide" : "review.show", entity: "review", entityID: "\(id)",
                before: before.hidden ? "hidden" : "visible", after: hidden ? "hidden" : "visible", at: now), db)
            var after = before
            after.hidden = hidden
            return after
        }
    }

    static func decodeReview(_ row: any SQLRow) throws -> Review {
        Review(
            id: try row.int64("id"), bookingID: BookingID(try row.int64("booking_id")), hostID: HostID(try row.int64("host_id")),
            userID: TelegramUserID(try row.int64("user_id")), rating: try row.int("rating"),
            text: try row.optional("text", String.self), hidden: try row.bool("hidden"), createdAt: try row.instant("created_at"))
    }

    public func ratingSummaries() async throws -> [HostID: RatingSummary] {
        let hidden = hiddenFalse
        return try await read { db in
            var result: [HostID: RatingSummary] = [:]
            let rows = try await db.raw("""
                SELECT host_id, COUNT(*) AS n, CAST(SUM(rating) AS BIGINT) AS total FROM reviews WHERE hidden = \(hidden) GROUP BY host_id
                """).all()
            for row in rows {
                let n = try row.int64("n"), total = try row.int64("total")
                // Average in hundredths, rounded half up, in integers.
                let avg = Int((total * 100 * 2 + n) / (2 * n))
                result[HostID(try row.int64("host_id"))] = RatingSummary(averageHundredths: avg, count: Int(n))
            }
            return result
        }
    }

    public func reviews(hostID: HostID, limit: Int) async throws -> [Review] {
        let hidden = hiddenFalse
        return try await read { db in
            try await db.raw("""
                SELECT * FROM reviews WHERE host_id = \(bind: hostID.rawValue) AND hidden = \(hidden)
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """).all().map(Self.decodeReview)
        }
    }

    var hiddenFalse: SQLQueryString { flavor == .postgres ? "FALSE" : "0" }

    public func markUpdateHandled(_ updateID: Int64, at now: Instant) async throws -> Bool {
        try await write { db in
            !(try await db.raw("""
                INSERT INTO telegram_updates (update_id, received_at) VALUES (\(bind: updateID), \(bind: now.epochSeconds))
                ON CONFLICT (update_id) DO NOTHING RETURNING update_id
                """).all().isEmpty)
        }
    }

    public func lastHandledUpdateID() async throws -> Int64? {
        try await read { db in
            // Updates kept in the inbox count as received (the polling offset moves past them once they are kept).
            try await db.raw("""
                SELECT MAX(m) AS last FROM (
                    SELECT MAX(update_id) AS m FROM telegram_updates UNION ALL SELECT MAX(update_id) AS m FROM telegram_inbox
                ) AS ids
                """).first()?.optional("last", Int64.self)
        }
    }
}
