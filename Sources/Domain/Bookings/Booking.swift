/// A booked call. Times are UTC instants; the price is a snapshot taken when the hold was created.
public struct Booking: Hashable, Sendable, Codable {
    public var id: BookingID?
    public var hostID: HostID
    public var userID: TelegramUserID
    public var time: TimeRange
    public var price: PriceSnapshot
    public var status: BookingStatus
    /// Until when an unpaid hold keeps the slot.
    public var holdExpiresAt: Instant
    public var paymentMethod: String?
    public var paymentState: PaymentState
    public var refundState: RefundState
    public var cancelledBy: CancelledBy?
    public var createdAt: Instant
    public var updatedAt: Instant

    public init(
        id: BookingID? = nil, hostID: HostID, userID: TelegramUserID, time: TimeRange, price: PriceSnapshot,
        status: BookingStatus = .pending, holdExpiresAt: Instant, paymentMethod: String? = nil,
        paymentState: PaymentState = .unpaid, refundState: RefundState = .none, cancelledBy: CancelledBy? = nil,
        createdAt: Instant, updatedAt: Instant? = nil
    ) {
        self.id = id
        self.hostID = hostID
        self.userID = userID
        self.time = time
        self.price = price
        self.status = status
        self.holdExpiresAt = holdExpiresAt
        self.paymentMethod = paymentMethod
        self.paymentState = paymentState
        self.refundState = refundState
        self.cancelledBy = cancelledBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// A new hold: pending, unpaid, expiring `holdMinutes` after `now`.
    public static func hold(
        hostID: HostID, userID: TelegramUserID, start: Instant, minutes: Int, pricePerMinute: Money,
        commission: CommissionRate, now: Instant, holdMinutes: Int
    ) throws(PricingError) -> Booking {
        Booking(
            hostID: hostID, userID: userID, time: TimeRange(start: start, minutes: minutes),
            price: try PriceSnapshot(pricePerMinute: pricePerMinute, minutes: minutes, commission: commission),
            holdExpiresAt: now.adding(minutes: holdMinutes), createdAt: now)
    }

    /// Whether this booking keeps its slot from others at `now`.
    public func blocksSlot(at now: Instant) -> Bool {
        switch status {
        case .pending: now < holdExpiresAt
        case .confirmed, .active: true
        case .completed, .cancelled, .expired: false
        }
    }
}
