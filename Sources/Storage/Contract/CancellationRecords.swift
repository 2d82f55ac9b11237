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
