/// Inputs of `Analytics.compute` and `LedgerCSV.render`: small values the storage layer maps its records to,
/// so the Domain module never depends on Storage.

/// One row of the commission ledger. A paid booking has a `payment` row (gross = price, split into platform
/// and host); a settled refund adds a `refund` row with every amount negated. Sums over rows are therefore
/// "net of refunds".
public struct AnalyticsLedgerRow: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case payment, refund
    }

    public var id: Int64
    public var bookingID: BookingID
    public var hostID: HostID
    public var kind: Kind
    public var gross: Money
    public var platform: Money
    public var host: Money
    public var createdAt: Instant

    public init(id: Int64, bookingID: BookingID, hostID: HostID, kind: Kind, gross: Money, platform: Money, host: Money, createdAt: Instant) {
        self.id = id
        self.bookingID = bookingID
        self.hostID = hostID
        self.kind = kind
        self.gross = gross
        self.platform = platform
        self.host = host
        self.createdAt = createdAt
    }

    /// All three amounts share this currency (the ledger stores one currency per row).
    public var currency: Currency { gross.currency }
}

/// A review as far as analytics cares: whose, how many stars, and whether an admin hid it.
public struct AnalyticsReview: Hashable, Sendable {
    public var hostID: HostID
    /// 1…5 stars.
    public var rating: Int
    public var hidden: Bool

    public init(hostID: HostID, rating: Int, hidden: Bool) {
        self.hostID = hostID
        self.rating = rating
        self.hidden = hidden
    }
}

/// Money paid out to a host (outside the app: a bank transfer, cash), recorded by an admin. `reference` is the
/// admin's note; `recordedBy` is nil when the system recorded it.
public struct Payout: Hashable, Sendable {
    public var id: Int64
    public var hostID: HostID
    public var amount: Money
    public var reference: String?
    public var recordedBy: TelegramUserID?
    public var createdAt: Instant

    public init(id: Int64, hostID: HostID, amount: Money, reference: String?, recordedBy: TelegramUserID?, createdAt: Instant) {
        self.id = id
        self.hostID = hostID
        self.amount = amount
        self.reference = reference
        self.recordedBy = recordedBy
        self.createdAt = createdAt
    }
}
