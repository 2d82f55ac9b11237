import Domain

/// A user's report that the host of a booking did not show up, waiting for an admin.
public struct NoShowReport: Hashable, Sendable {
    public var bookingID: BookingID
    public var reportedBy: TelegramUserID
    public var reportedAt: Instant

    public init(bookingID: BookingID, reportedBy: TelegramUserID, reportedAt: Instant) {
        self.bookingID = bookingID
        self.reportedBy = reportedBy
        self.reportedAt = reportedAt
    }
}

/// What a booking went through besides its state, payments and ledger rows: the checkouts opened for it, the
/// reminders sent, and the audit rows about it (cancellations, refunds recorded by hand, no-show answers).
public struct BookingHistory: Hashable, Sendable {
    public struct Checkout: Hashable, Sendable {
        public var provider: String
        /// open, pending, paid, failed or reversed.
        public var state: String
        public var openedAt: Instant
        public var changedAt: Instant

        public init(provider: String, state: String, openedAt: Instant, changedAt: Instant) {
            self.provider = provider
            self.state = state
            self.openedAt = openedAt
            self.changedAt = changedAt
        }
    }

    public var checkouts: [Checkout]
    public var remindersSent: [CallReminder]
    public var audit: [AuditEntry]

    public init(checkouts: [Checkout], remindersSent: [CallReminder], audit: [AuditEntry]) {
        self.checkouts = checkouts
        self.remindersSent = remindersSent
        self.audit = audit
    }
}
