/// Something that happens to a booking.
public enum BookingEvent: Hashable, Sendable {
    /// A verified provider notification says the booking is paid.
    case paymentConfirmed(method: String, at: Instant)
    /// The unpaid hold ran out.
    case holdLapsed(at: Instant)
    case callStarted(at: Instant)
    case callEnded(at: Instant)
    /// `refund` is what the policy grants for a paid booking; ignored for an unpaid one.
    case cancelled(by: CancelledBy, refund: Bool, at: Instant)
    case refundSettled(succeeded: Bool, at: Instant)
    /// An admin confirmed the user's report that the host did not show up: a paid booking whose call has
    /// started (or ended) is cancelled on the host's account with a full refund owed.
    case hostNoShow(at: Instant)

    public var name: String {
        switch self {
        case .paymentConfirmed: "payment confirmed"
        case .holdLapsed: "hold lapsed"
        case .callStarted: "call started"
        case .callEnded: "call ended"
        case .cancelled: "cancel"
        case .refundSettled: "refund settled"
        case .hostNoShow: "host no-show"
        }
    }

    public var at: Instant {
        switch self {
        case .paymentConfirmed(_, let at), .holdLapsed(let at), .callStarted(let at), .callEnded(let at),
             .cancelled(_, _, let at), .refundSettled(_, let at), .hostNoShow(let at): at
        }
    }
}

/// Why an event cannot apply to a booking in its current state.
public enum BookingTransitionError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAllowed(from: BookingStatus, event: String)
    case holdStillValid(until: Instant)
    case tooEarly(startsAt: Instant)
    case notOverYet(endsAt: Instant)
    case noRefundOwed

    public var description: String {
        switch self {
        case .notAllowed(let from, let event): "A \(from.rawValue) booking cannot take “\(event)”."
        case .holdStillValid(let until): "The hold is valid until \(until)."
        case .tooEarly(let start): "The call starts at \(start)."
        case .notOverYet(let end): "The call ends at \(end)."
        case .noRefundOwed: "No refund is pending for this booking."
        }
    }
}

extension Booking {
    /// The booking after `event`, or why not. Pure: storage persists the result (and, for a late payment on
    /// an expired hold, re-checks that the slot is still free in the same transaction).
    public func applying(_ event: BookingEvent) throws(BookingTransitionError) -> Booking {
        var next = self
        next.updatedAt = event.at
        switch (status, event) {
        case (.pending, .paymentConfirmed(let method, _)), (.expired, .paymentConfirmed(let method, _)):
            next.status = .confirmed
            next.paymentState = .paid
            next.paymentMethod = method

        case (.pending, .holdLapsed(let at)):
            guard at >= holdExpiresAt else { throw .holdStillValid(until: holdExpiresAt) }
            next.status = .expired

        case (.confirmed, .callStarted(let at)):
            guard at >= time.start else { throw .tooEarly(startsAt: time.start) }
            next.status = .active

        case (.active, .callEnded(let at)):
            guard at >= time.end else { throw .notOverYet(endsAt: time.end) }
            next.status = .completed

        case (.pending, .cancelled(let by, _, _)):
            next.status = .cancelled
            next.cancelledBy = by
            next.refundState = .none

        case (.confirmed, .cancelled(let by, let refund, _)):
            next.status = .cancelled
            next.cancelledBy = by
            next.refundState = refund ? .pending : .notEligible

        case (.confirmed, .hostNoShow(let at)), (.active, .hostNoShow(let at)), (.completed, .hostNoShow(let at)):
            guard at >= time.start else { throw .tooEarly(startsAt: time.start) }
            guard paymentState == .paid else { throw .notAllowed(from: status, event: event.name) }
            next.status = .cancelled
            next.cancelledBy = .host
            next.refundState = .pending

        case (.cancelled, .refundSettled(let succeeded, _)):
            guard refundState == .pending || refundState == .failed else { throw .noRefundOwed }
            next.refundState = succeeded ? .refunded : .failed
            if succeeded { next.paymentState = .refunded }

        default:
            throw .notAllowed(from: status, event: event.name)
        }
        return next
    }

    /// Whether this event is a payment arriving after the hold lapsed (storage must re-check the slot).
    public func isLatePayment(_ event: BookingEvent) -> Bool {
        if case .paymentConfirmed(_, let at) = event {
            return status == .expired || (status == .pending && at >= holdExpiresAt)
        }
        return false
    }
}
