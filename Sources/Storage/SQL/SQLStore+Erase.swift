import SQLKit

extension SQLStore {
    /// Every table, children before the tables they reference.
    static let tablesToErase = [
        "payment_checkouts", "money_to_return", "no_show_reports", "reviews", "ledger_entries", "payments", "payouts",
        "host_invites", "host_calendar_feeds", "host_status", "availability_windows", "availability_overrides", "host_photos",
        "bookings", "hosts", "users", "stars_inbox", "telegram_inbox", "telegram_updates", "leases", "conversation_state",
        "outbox", "audit_log", "admin_login_links", "admin_sessions",
    ]

    public func eraseAllData() async throws {
        try await write { db in
            for table in Self.tablesToErase { try await db.raw("DELETE FROM \(unsafeRaw: table)").run() }
        }
    }
}
