import Domain

/// What to sell in one Stripe Checkout Session: one line item, quantity 1, for one booking.
public struct CheckoutRequest: Sendable, Equatable {
    public var bookingID: BookingID
    /// The booking's total price (its `PriceSnapshot.total`).
    public var amount: Money
    /// The line item's name as the payer sees it on Stripe's page, e.g. "Private call with Ana, 30 min".
    public var description: String
    /// When Stripe closes the session; must be 30 min – 24 h after creation (see `StripeCheckoutWindow`).
    public var expiresAt: Instant
    /// Absolute http(s) URLs. `{CHECKOUT_SESSION_ID}` in the success URL is filled in by Stripe.
    public var successURL: String
    public var cancelURL: String
    /// Our user id as text; sent as `client_reference_id` (at most 200 characters).
    public var customerReference: String

    public init(
        bookingID: BookingID, amount: Money, description: String, expiresAt: Instant, successURL: String,
        cancelURL: String, customerReference: String
    ) {
        self.bookingID = bookingID
        self.amount = amount
        self.description = description
        self.expiresAt = expiresAt
        self.successURL = successURL
        self.cancelURL = cancelURL
        self.customerReference = customerReference
    }
}

/// A created Checkout Session: send the payer to `url`.
public struct CheckoutSession: Sendable, Equatable {
    /// `cs_…`
    public var id: String
    public var url: String
    public var expiresAt: Instant

    public init(id: String, url: String, expiresAt: Instant) {
        self.id = id
        self.url = url
        self.expiresAt = expiresAt
    }
}

/// A refund as Stripe reported it. `status` is Stripe's: pending, requires_action, succeeded, failed, canceled.
public struct RefundResult: Sendable, Equatable {
    /// `re_…`
    public var id: String
    public var status: String
    public var amount: Money

    public init(id: String, status: String, amount: Money) {
        self.id = id
        self.status = status
        self.amount = amount
    }
}

/// Stripe accepts a Checkout Session's `expires_at` only between 30 minutes and 24 hours after it receives the
/// request (docs.stripe.com/payments/checkout/managing-limited-inventory). Our own check keeps a margin inside
/// that window, so clock skew and request latency cannot push a request we accepted outside Stripe's window.
///
/// A hold shorter than the window's start (the default hold is exactly 30 minutes) cannot be the session's
/// expiry: create the session with `clamp(holdExpiresAt, now:)` and expire it through
/// `StripeClient.expireCheckoutSession(id:)` when the hold lapses.
public enum StripeCheckoutWindow {
    /// Stripe's limits, in seconds after creation.
    public static let stripeMinimumSeconds: Int64 = 30 * 60
    public static let stripeMaximumSeconds: Int64 = 24 * 60 * 60
    /// Kept free at both ends of Stripe's window.
    public static let marginSeconds: Int64 = 60

    /// The `expires_at` values `StripeClient` sends for a request made at `now`.
    public static func allowed(now: Instant) -> ClosedRange<Instant> {
        now.adding(seconds: stripeMinimumSeconds + marginSeconds)...now.adding(seconds: stripeMaximumSeconds - marginSeconds)
    }

    /// `desired` moved into `allowed(now:)`.
    public static func clamp(_ desired: Instant, now: Instant) -> Instant {
        let range = allowed(now: now)
        return min(max(desired, range.lowerBound), range.upperBound)
    }
}
