/// Where a booking is in its life.
///
///     pending ──paid──▶ confirmed ──start──▶ active ──end──▶ completed
///        │  └─lapse─▶ expired ──late payment, slot still free──▶ confirmed
///        └──cancel──▶ cancelled ◀──cancel── confirmed
public enum BookingStatus: String, CaseIterable, Sendable, Codable, Hashable {
    /// Held while the user pays; blocks the slot until `holdExpiresAt`.
    case pending
    /// Paid; waiting for the start.
    case confirmed
    /// The call is in progress.
    case active
    case completed
    /// Cancelled; see the refund state.
    case cancelled
    /// The hold lapsed unpaid.
    case expired

    /// Statuses that keep the slot for themselves (pending only while its hold lasts).
    public static let blocking: [BookingStatus] = [.pending, .confirmed, .active]

    public var isTerminal: Bool { self == .completed || self == .cancelled }
}

/// Where the money of a booking stands.
public enum PaymentState: String, CaseIterable, Sendable, Codable, Hashable {
    case unpaid
    case paid
    /// Partly or wholly returned; see the refund state.
    case refunded
}

/// What happens to the money of a cancelled booking.
public enum RefundState: String, CaseIterable, Sendable, Codable, Hashable {
    /// Nothing to refund (never paid) or not applicable yet.
    case none
    /// Paid, but the cancellation policy gives nothing back.
    case notEligible = "not_eligible"
    /// A refund is owed and not yet confirmed by the provider.
    case pending
    case refunded
    case failed
}

/// Who cancelled.
public enum CancelledBy: String, CaseIterable, Sendable, Codable, Hashable {
    case user, host, admin, system
}
