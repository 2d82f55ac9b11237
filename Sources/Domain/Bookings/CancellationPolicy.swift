/// Who may cancel or move a booking, and what money goes back. Pure: `now` is always a parameter.
///
/// The rule, as the product states it:
/// - A user cancelling a paid booking gets a full refund while `now ≤ start − cutoff`, and nothing after (up
///   to the start; a call that has started is not the user's to cancel — a no-show is reported instead).
///   The cut-off is an absolute duration (`cutoffHours × 3600` seconds before the UTC start), so on a DST
///   day "24 hours before" is 24 real hours, which is 23 or 25 hours on the local wall clock.
/// - A cancellation by the host or an admin, and a host no-show confirmed by an admin, always refund in full.
/// - A user may reschedule only before the same cut-off (a new slot of the same length, no new payment).
/// - An unpaid hold is cancelled without anything to refund.
public struct CancellationPolicy: Hashable, Sendable {
    public static let defaultCutoffHours = 24
    /// 0 (refund until the start) … 720 hours (30 days).
    public static let allowedCutoffHours: ClosedRange<Int> = 0...720

    public let cutoffHours: Int

    public init(cutoffHours: Int = CancellationPolicy.defaultCutoffHours) throws(CancellationPolicyError) {
        guard Self.allowedCutoffHours.contains(cutoffHours) else { throw .cutoffOutOfRange(cutoffHours) }
        self.cutoffHours = cutoffHours
    }

    /// The default policy (24 hours).
    public static let standard = CancellationPolicy(unchecked: defaultCutoffHours)

    private init(unchecked hours: Int) { cutoffHours = hours }

    /// The last instant at which a user still gets a refund (and may still reschedule): start − cut-off.
    public func deadline(for booking: Booking) -> Instant {
        booking.time.start.adding(seconds: -Int64(cutoffHours) * 3600)
    }

    /// Whether `now` is at or before the deadline (exactly at the deadline counts as in time).
    public func isBeforeCutoff(_ booking: Booking, at now: Instant) -> Bool { now <= deadline(for: booking) }

    /// What cancelling `booking` by `who` at `now` does.
    public func cancellation(of booking: Booking, by who: CancelledBy, at now: Instant) -> CancellationDecision {
        switch booking.status {
        case .pending:
            return .nothingPaid
        case .confirmed:
            guard booking.paymentState == .paid else { return .nothingPaid }
            switch who {
            case .host, .admin, .system:
                return .fullRefund(booking.price.total)
            case .user:
                // Once the call has started it is not the user's to cancel (a no-show is reported instead).
                guard now < booking.time.start else { return .notCancellable(booking.status) }
                return isBeforeCutoff(booking, at: now) ? .fullRefund(booking.price.total) : .noRefund(deadline: deadline(for: booking))
            }
        case .active, .completed, .cancelled, .expired:
            return .notCancellable(booking.status)
        }
    }

    /// A host no-show confirmed by an admin: a full refund of a paid booking whose call has started.
    public func noShow(of booking: Booking, at now: Instant) -> CancellationDecision {
        guard booking.paymentState == .paid else { return .notCancellable(booking.status) }
        switch booking.status {
        case .active, .completed: return .fullRefund(booking.price.total)
        case .confirmed where now >= booking.time.start: return .fullRefund(booking.price.total)
        default: return .notCancellable(booking.status)
        }
    }

    /// Whether the user may move a confirmed booking to another time at `now`.
    public func canReschedule(_ booking: Booking, at now: Instant) -> Bool {
        booking.status == .confirmed && isBeforeCutoff(booking, at: now)
    }
}

/// The outcome of asking the policy about a cancellation.
public enum CancellationDecision: Hashable, Sendable {
    /// Paid: all of it goes back.
    case fullRefund(Money)
    /// Paid, but past the cut-off (`deadline`): nothing goes back.
    case noRefund(deadline: Instant)
    /// Not paid (a pending hold): cancel, nothing to refund.
    case nothingPaid
    /// This booking cannot be cancelled any more (or not this way).
    case notCancellable(BookingStatus)

    /// The `refund` flag of `BookingEvent.cancelled` for this decision.
    public var refunds: Bool {
        if case .fullRefund = self { return true }
        return false
    }
}

/// A cut-off the policy cannot take.
public enum CancellationPolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    case cutoffOutOfRange(Int)

    public var description: String {
        switch self {
        case .cutoffOutOfRange(let h):
            "The cancellation cut-off must be \(CancellationPolicy.allowedCutoffHours.lowerBound)–\(CancellationPolicy.allowedCutoffHours.upperBound) hours, not \(h)."
        }
    }
}
