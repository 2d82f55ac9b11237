import Domain
import SQLKit

/// What the dashboard's booking timeline reads besides the booking, its payments and its ledger rows.
extension SQLStore {
    public func bookingHistory(_ id: BookingID) async throws -> BookingHistory {
        try await read { db in
            let checkouts = try await db.raw("""
                SELECT provider, state, created_at, updated_at FROM payment_checkouts WHERE booking_id = \(bind: id.rawValue) ORDER BY created_at, provider
                """).all().map { row in
                BookingHistory.Checkout(provider: try row.string("provider"), state: try row.string("state"),
                                        openedAt: try row.instant("created_at"), changedAt: try row.instant("updated_at"))
            }
            let stage = try await db.raw("SELECT reminder_stage FROM bookings WHERE id = \(bind: id.rawValue)").first().map { try $0.int("reminder_stage") } ?? 0
            let audit = try await db.raw("""
                SELECT * FROM audit_log WHERE entity = 'booking' AND entity_id = \(bind: "\(id.rawValue)") ORDER BY id
                """).all().map(Self.decodeAudit)
            return BookingHistory(checkouts: checkouts, remindersSent: CallReminder.allCases.filter { $0.rawValue <= stage }, audit: audit)
        }
    }
}
