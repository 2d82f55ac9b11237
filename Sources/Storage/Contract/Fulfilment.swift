import Domain

/// How a provider's payment is tied to exactly one booking.
public enum PaymentBinding: String, Sendable, Hashable {
    /// We created the checkout (a Stripe Checkout Session, a Daimo payment) and stored its id for the booking
    /// (`Store.recordCheckout`): the payment must name a checkout of ours for that very booking.
    case checkout
    /// The provider's reference first appears in its notification (an ePayco `ref:transaction`, a Telegram Stars
    /// charge): it is bound to the booking it first names, forever.
    case firstUse
}

/// What the provider (verified) says happened to the payment.
public enum ProviderOutcome: String, Sendable, Hashable {
    case paid, failed, pending, reversed
}

/// What was paid: money, or Telegram Stars (compared with the booking's price at `starsPerUSD`).
public enum PaidAmount: Sendable, Hashable, CustomStringConvertible {
    case money(Money)
    case stars(Int64)

    public var description: String {
        switch self {
        case .money(let m): m.formatted()
        case .stars(let n): "\(n) ⭐"
        }
    }

    /// Whether this is exactly the booking's price.
    public func matches(_ price: Money, starsPerUSD: Int?) -> Bool {
        switch self {
        case .money(let m): m == price
        case .stars(let n): Pricing.stars(for: price, perUSD: starsPerUSD) == n
        }
    }
}

/// A provider notification that was verified (signature, and a look-up at the provider where it allows one),
/// ready to be fulfilled in one transaction by `Store.fulfil`.
public struct ProviderPayment: Sendable, Hashable {
    public var provider: String
    /// Unique per provider: a second delivery of the same event id is a no-op.
    public var eventID: String
    /// The provider's event kind, for the payments table ("checkout.session.completed", "state 1", …).
    public var kind: String
    /// The booking the provider says this is for (from data we gave it); nil when it names none of ours.
    public var bookingID: BookingID?
    /// The provider's reference that binds the payment to the booking (session id, `ref:transaction`, payment
    /// id, charge id).
    public var reference: String
    public var binding: PaymentBinding
    /// What a refund needs (a PaymentIntent, a charge id, ePayco's reference); stored with the booking.
    public var refundHandle: String?
    public var amount: PaidAmount?
    /// Who paid, when the provider says (Telegram Stars): must be the booking's user.
    public var payer: TelegramUserID?
    public var outcome: ProviderOutcome

    public init(provider: String, eventID: String, kind: String, bookingID: BookingID?, reference: String, binding: PaymentBinding,
                refundHandle: String?, amount: PaidAmount?, payer: TelegramUserID? = nil, outcome: ProviderOutcome) {
        self.provider = provider
        self.eventID = eventID
        self.kind = kind
        self.bookingID = bookingID
        self.reference = reference
        self.binding = binding
        self.refundHandle = refundHandle
        self.amount = amount
        self.payer = payer
        self.outcome = outcome
    }
}

/// The messages a fulfilment may write, each in its transaction. Built before (they only need the booking's
/// names and times, which a payment does not change); the store writes the ones that apply.
/// Why a payment cannot be kept, as the payer is told.
public enum ReturnReason: String, Sendable, Hashable, CaseIterable {
    /// The hold had run out and someone else booked the time meanwhile.
    case slotTaken
    /// The booking was already paid (confirmed, in progress or done).
    case alreadyPaid
    /// The booking was cancelled.
    case cancelled
    /// The amount paid is not the booking's price (or none was stated).
    case wrongAmount
    /// The payment matches no booking of the payer's (or another booking than the one its checkout was for).
    case unknownBooking
}

public struct FulfilmentNotices: Sendable {
    /// The user's confirmation and the host's notice.
    public var confirmed: [NewOutboxMessage]
    /// The user's "payment failed" (only while the hold still waits for a payment).
    public var failed: [NewOutboxMessage]
    /// The user's "this payment will be returned", saying why (the store decides which applies).
    public var owed: [ReturnReason: [NewOutboxMessage]]
    /// Admins' notice of money to return (or of a reversal).
    public var admins: [NewOutboxMessage]

    public init(confirmed: [NewOutboxMessage] = [], failed: [NewOutboxMessage] = [], owed: [ReturnReason: [NewOutboxMessage]] = [:],
                admins: [NewOutboxMessage] = []) {
        self.confirmed = confirmed
        self.failed = failed
        self.owed = owed
        self.admins = admins
    }
}

/// What `Store.fulfil` did.
public enum FulfilmentResult: Sendable, Hashable {
    /// Seen before (a replay, a concurrent duplicate): nothing changed; the first delivery's status.
    case duplicate(status: String)
    /// The booking is paid: ledger row, reference and notices written with it.
    case confirmed(Booking)
    /// Money we must give back (a late payment for a taken slot, a booking that cannot take it, an amount
    /// that is not the price, a payment naming no booking of ours, a reversal): a row in the list.
    case owed(MoneyToReturn)
    /// Recorded, nothing else to do (failed, pending, ignored); the status written.
    case recorded(status: String)
}

/// A row of the "money to return" list: money we hold and must give back (or, for a reversal, money the payer
/// took back that an admin must look at). `owed → requested → settled` for providers with a refund API we
/// call; `owed → settled` by an admin's "done" for the others.
public struct MoneyToReturn: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case payment, reversal }
    public enum State: String, Sendable, Hashable { case owed, requested, settled }

    public var id: Int64
    public var kind: Kind
    public var provider: String
    public var reference: String
    public var refundHandle: String?
    public var bookingID: BookingID?
    /// Who to return it to, when known (the booking's user, a Stars payer).
    public var userID: TelegramUserID?
    public var amount: PaidAmount?
    public var reason: String
    public var state: State
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Instant
    public var updatedAt: Instant
    public var settledBy: TelegramUserID?
    public var note: String?

    public init(id: Int64, kind: Kind, provider: String, reference: String, refundHandle: String?, bookingID: BookingID?,
                userID: TelegramUserID?, amount: PaidAmount?, reason: String, state: State, attempts: Int, lastError: String?,
                createdAt: Instant, updatedAt: Instant, settledBy: TelegramUserID?, note: String?) {
        self.id = id
        self.kind = kind
        self.provider = provider
        self.reference = reference
        self.refundHandle = refundHandle
        self.bookingID = bookingID
        self.userID = userID
        self.amount = amount
        self.reason = reason
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.settledBy = settledBy
        self.note = note
    }
}

/// A Telegram Stars `successful_payment`, kept before its update is acknowledged so that a crash between
/// delivery and confirmation loses nothing.
public struct IncomingStarsPayment: Sendable, Hashable {
    public var chargeID: String
    public var userID: TelegramUserID
    public var chatID: Int64
    public var invoicePayload: String
    public var totalAmount: Int64
    public var currency: String
    public var receivedAt: Instant

    public init(chargeID: String, userID: TelegramUserID, chatID: Int64, invoicePayload: String, totalAmount: Int64, currency: String,
                receivedAt: Instant) {
        self.chargeID = chargeID
        self.userID = userID
        self.chatID = chatID
        self.invoicePayload = invoicePayload
        self.totalAmount = totalAmount
        self.currency = currency
        self.receivedAt = receivedAt
    }
}
