import Domain
import SQLKit

/// Cancellation support: transitions with their audit row, moving a confirmed booking to another time as one
/// atomic change, and users' no-show reports that an admin resolves once.
extension SQLStore {
    public func apply(_ event: BookingEvent, to id: BookingID, messages: [NewOutboxMessage], audit: AuditEntry) async throws -> Booking {
        let flavor = self.flavor
        return try await write { db in
            let booking = try await Self.applyBookingEvent(event, to: id, flavor: flavor, db)
            try await Self.insertOutbox(messages, at: event.at, db)
            try await Self.insertAudit(audit, db)
            return booking
        }
    }

    public func reschedule(
        _ id: BookingID, to range: TimeRange, bufferMinutes: Int, at now: Instant, messages: [NewOutboxMessage]
    ) async throws -> Booking {
        guard bufferMinutes >= 0 else { throw StoreError.invalidData("a buffer cannot be negative") }
        let flavor = self.flavor
        let forUpdate = self.forUpdate
        return try await write { db in
            guard let current = try await db.raw("SELECT * FROM bookings WHERE id = \(bind: id.rawValue)" + forUpdate).first()
                .map(Self.decodeBooking) else { throw StoreError.notFound("Booking \(id)") }
            guard current.status == .confirmed else {
                throw StoreError.invalidTransition(.notAllowed(from: current.status, event: "reschedule"))
            }
            guard range.seconds == current.time.seconds else {
                throw StoreError.invalidData("a rescheduled call keeps its length (\(current.price.minutes) min)")
            }
            let host = current.hostID.rawValue, start = range.start.epochSeconds
            let until = range.end.adding(minutes: bufferMinutes).epochSeconds
            // A lapsed hold in the way no longer blocks (as in createHold).
            try await db.raw("""
                UPDATE bookings SET status = 'expired', updated_at = \(bind: now.epochSeconds)
                WHERE host_id = \(bind: host) AND status = 'pending' AND hold_expires_at <= \(bind: now.epochSeconds)
                  AND start_at < \(bind: until) AND blocked_until > \(bind: start)
                """).run()
            if flavor == .sqlite {
                // The writer holds the database (BEGIN IMMEDIATE): this check and the update are atomic.
                let clash = try await db.raw("""
                    SELECT id FROM bookings
                    WHERE host_id = \(bind: host) AND id <> \(bind: id.rawValue) AND status IN ('pending', 'confirmed', 'active')
                      AND start_at < \(bind: until) AND blocked_until > \(bind: start)
                    LIMIT 1
                    """).first()
                if clash != nil { throw StoreError.slotTaken }
            }
            // On PostgreSQL the exclusion constraint `bookings_no_overlap` rejects the UPDATE (SQLSTATE 23P01),
            // which rolls the whole transaction back.
            try await db.raw("""
                UPDATE bookings SET start_at = \(bind: start), end_at = \(bind: range.end.epochSeconds), blocked_until = \(bind: until),
                    updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
            try await Self.insertOutbox(messages, at: now, db)
            try await Self.insertAudit(AuditEntry(
                actor: current.userID.rawValue, role: "user", action: "booking.reschedule", entity: "booking", entityID: "\(id)",
                before: "\(current.time.start)–\(current.time.end)", after: "\(range.start)–\(range.end)", at: now), db)
            var moved = current
            moved.time = range
            moved.updatedAt = now
            return moved
        }
    }

    public func reportNoShow(_ id: BookingID, by user: TelegramUserID, at now: Instant, messages: [NewOutboxMessage]) async throws -> Bool {
        try await write { db in
            guard try await db.raw("SELECT id FROM bookings WHERE id = \(bind: id.rawValue)").first() != nil else {
                throw StoreError.notFound("Booking \(id)")
            }
            let inserted = try await db.raw("""
                INSERT INTO no_show_reports (booking_id, reported_by, reported_at, status)
                VALUES (\(bind: id.rawValue), \(bind: user.rawValue), \(bind: now.epochSeconds), 'open')
                ON CONFLICT (booking_id) DO NOTHING
                RETURNING booking_id
                """).all()
            guard !inserted.isEmpty else { return false }
            try await Self.insertOutbox(messages, at: now, db)
            try await Self.insertAudit(AuditEntry(
                actor: user.rawValue, role: "user", action: "booking.no_show_report", entity: "booking", entityID: "\(id)",
                before: nil, after: "reported: the host did not show up", at: now), db)
            return true
        }
    }

    public func openNoShowReports() async throws -> [NoShowReport] {
        try await read { db in
            try await db.raw("SELECT * FROM no_show_reports WHERE status = 'open' ORDER BY reported_at, booking_id").all().map { row in
                NoShowReport(bookingID: BookingID(try row.int64("booking_id")), reportedBy: TelegramUserID(try row.int64("reported_by")),
                             reportedAt: try row.instant("reported_at"))
            }
        }
    }

    public func resolveNoShow(
        _ id: BookingID, confirmed: Bool, by admin: TelegramUserID, at now: Instant, messages: [NewOutboxMessage]
    ) async throws -> Booking {
        let flavor = self.flavor
        return try await write { db in
            let closed = try await db.raw("""
                UPDATE no_show_reports SET status = \(bind: confirmed ? "confirmed" : "rejected"), resolved_by = \(bind: admin.rawValue),
                    resolved_at = \(bind: now.epochSeconds)
                WHERE booking_id = \(bind: id.rawValue) AND status = 'open'
                RETURNING booking_id
                """).all()
            guard !closed.isEmpty else { throw StoreError.notFound("An open no-show report for booking \(id)") }
            let booking: Booking
            if confirmed {
                booking = try await Self.applyBookingEvent(.hostNoShow(at: now), to: id, flavor: flavor, db)
                try await Self.insertOutbox(messages, at: now, db)
            } else {
                guard let current = try await db.raw("SELECT * FROM bookings WHERE id = \(bind: id.rawValue)").first().map(Self.decodeBooking) else {
                    throw StoreError.notFound("Booking \(id)")
                }
                booking = current
                try await Self.insertOutbox(messages, at: now, db)
            }
            try await Self.insertAudit(AuditEntry(
                actor: admin.rawValue, role: "admin", action: confirmed ? "booking.no_show_confirm" : "booking.no_show_reject",
                entity: "booking", entityID: "\(id)", before: "report open",
                after: confirmed ? "confirmed: full refund owed" : "rejected", at: now), db)
            return booking
        }
    }
}
