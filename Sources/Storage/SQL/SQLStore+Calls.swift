import Domain
import SQLKit

/// The call itself: rooms, reminders, and the queries of the scheduler that starts and ends calls. Every
/// step that sends something is a conditional update in one transaction with its outbox messages, so several
/// scheduler instances never do a step twice.
extension SQLStore {
    public func ensureRoom(for id: BookingID, _ room: CallRoom, at now: Instant) async throws -> CallRoom {
        try await write { db in
            try await db.raw("""
                UPDATE bookings SET room_provider = \(bind: room.provider), room_name = \(bind: room.name)
                WHERE id = \(bind: id.rawValue) AND room_name IS NULL
                """).run()
            guard let stored = try await Self.loadRoom(id, db) else { throw StoreError.notFound("Booking \(id)") }
            return stored
        }
    }

    public func room(of id: BookingID) async throws -> CallRoom? {
        try await read { db in try await Self.loadRoom(id, db) }
    }

    static func loadRoom(_ id: BookingID, _ db: any SQLDatabase) async throws -> CallRoom? {
        guard let row = try await db.raw("SELECT room_provider, room_name FROM bookings WHERE id = \(bind: id.rawValue)").first() else {
            return nil
        }
        guard let provider = try row.optional("room_provider", String.self), let name = try row.optional("room_name", String.self) else {
            return nil
        }
        return CallRoom(provider: provider, name: name)
    }

    public func upcomingCalls(at now: Instant, withinMinutes: Int) async throws -> [UpcomingCall] {
        let t = now.epochSeconds, until = now.adding(minutes: withinMinutes).epochSeconds
        let last = CallReminder.allCases.map(\.rawValue).max() ?? 0
        return try await read { db in
            try await db.raw("""
                SELECT b.*, (SELECT MIN(l.created_at) FROM ledger_entries l WHERE l.booking_id = b.id AND l.kind = 'payment') AS paid_at
                FROM bookings b
                WHERE b.status = 'confirmed' AND b.start_at > \(bind: t) AND b.start_at <= \(bind: until)
                  AND (b.reminder_start_at IS NULL OR b.reminder_start_at <> b.start_at OR b.reminder_stage < \(bind: last))
                ORDER BY b.start_at, b.id
                """).all().map { row in
                let booking = try Self.decodeBooking(row)
                let stage = try row.optional("reminder_start_at", Int64.self) == booking.time.start.epochSeconds ? try row.int("reminder_stage") : 0
                let paidAt = try row.optional("paid_at", Int64.self).map(Instant.init(epochSeconds:))
                return UpcomingCall(booking: booking, confirmedAt: paidAt ?? booking.createdAt, handled: CallReminder(rawValue: stage))
            }
        }
    }

    public func markReminder(_ reminder: CallReminder, for id: BookingID, messages: [NewOutboxMessage], at now: Instant) async throws -> Bool {
        try await write { db in
            let claimed = try await db.raw("""
                UPDATE bookings SET reminder_stage = \(bind: reminder.rawValue), reminder_start_at = start_at
                WHERE id = \(bind: id.rawValue) AND status = 'confirmed'
                  AND (reminder_start_at IS NULL OR reminder_start_at <> start_at OR reminder_stage < \(bind: reminder.rawValue))
                RETURNING id
                """).all()
            guard !claimed.isEmpty else { return false }
            try await Self.insertOutbox(messages, at: now, db)
            return true
        }
    }

    public func callsToStart(at now: Instant) async throws -> [Booking] {
        try await read { db in
            try await db.raw("""
                SELECT * FROM bookings WHERE status = 'confirmed' AND start_at <= \(bind: now.epochSeconds) ORDER BY start_at, id
                """).all().map(Self.decodeBooking)
        }
    }

    public func refundsOwed(changedBefore before: Instant) async throws -> [Booking] {
        try await read { db in
            try await db.raw("""
                SELECT * FROM bookings WHERE status = 'cancelled' AND refund_state = 'pending' AND updated_at <= \(bind: before.epochSeconds)
                ORDER BY updated_at, id
                """).all().map(Self.decodeBooking)
        }
    }

    public func callsToEnd(at now: Instant) async throws -> [Booking] {
        try await read { db in
            try await db.raw("""
                SELECT * FROM bookings WHERE status = 'active' AND end_at <= \(bind: now.epochSeconds) ORDER BY end_at, id
                """).all().map(Self.decodeBooking)
        }
    }

    /// The host's status follows the call, inside the transition's transaction: busy at the start (only from
    /// online — an offline host stays offline), back online at the end (only while still busy with this very
    /// booking — a host who went offline, or online again, during the call keeps their choice).
    static func updateHostForCall(_ event: BookingEvent, booking: Booking, _ db: any SQLDatabase) async throws {
        guard let id = booking.id else { return }
        switch event {
        case .callStarted(let at):
            try await db.raw("""
                UPDATE host_status SET status = 'busy', current_booking_id = \(bind: id.rawValue), updated_at = \(bind: at.epochSeconds)
                WHERE host_id = \(bind: booking.hostID.rawValue) AND status = 'online'
                """).run()
        case .callEnded(let at):
            try await db.raw("""
                UPDATE host_status SET status = 'online', current_booking_id = NULL, updated_at = \(bind: at.epochSeconds)
                WHERE host_id = \(bind: booking.hostID.rawValue) AND status = 'busy' AND current_booking_id = \(bind: id.rawValue)
                """).run()
        default:
            break
        }
    }
}
