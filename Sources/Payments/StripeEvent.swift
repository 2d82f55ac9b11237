import Domain
import Foundation

/// A verified Stripe event: `checkout.session.completed`, `checkout.session.expired`,
/// `checkout.session.async_payment_succeeded`, `charge.refunded`, …
public struct StripeEvent: Sendable, Equatable {
    /// `evt_…`: deduplicate deliveries by (provider, this id).
    public var id: String
    public var type: String
    public var created: Instant
    /// `data.object`.
    public var object: StripeEventObject

    public init(id: String, type: String, created: Instant, object: StripeEventObject) {
        self.id = id
        self.type = type
        self.created = created
        self.object = object
    }
}

/// The fields of `data.object` we act on. For Checkout Session events (`objectType == "checkout.session"`),
/// fulfil only when `paymentStatus == "paid"` and `matches(booking price, amount: amountTotal, currency:)`.
public struct StripeEventObject: Sendable, Equatable {
    /// `cs_…` for a Checkout Session, `ch_…`, `pi_…`, `re_…` for others; "" for an object without an id.
    public var id: String
    /// `object`: "checkout.session", "charge", "payment_intent", "refund", …
    public var objectType: String?
    /// `payment_intent` (an id; also when Stripe sent it expanded).
    public var paymentIntent: String?
    /// `amount_total` (Checkout Session), else `amount` (charge, PaymentIntent, refund), in Stripe's minor units.
    public var amountTotal: Int64?
    /// Lower-case ISO code as Stripe sends it.
    public var currency: String?
    /// Checkout Session: "paid", "unpaid", "no_payment_required".
    public var paymentStatus: String?
    /// Checkout Session: "open", "complete", "expired"; others: their own status.
    public var status: String?
    /// `metadata.booking_id`, which we set on both the session and its PaymentIntent. Not
    /// `client_reference_id`: that holds the user's id.
    public var bookingID: BookingID?
    /// `client_reference_id`.
    public var clientReferenceID: String?
    /// `expires_at` (Checkout Session).
    public var expiresAt: Instant?
    /// `metadata[app]`: our tag on every session we create (`StripeClient.appTag`). Stripe sends every event of
    /// the account, so a session without it belongs to another app and is none of our business.
    public var appTag: String?

    public init(
        id: String, objectType: String? = nil, paymentIntent: String? = nil, amountTotal: Int64? = nil,
        currency: String? = nil, paymentStatus: String? = nil, status: String? = nil, bookingID: BookingID? = nil,
        clientReferenceID: String? = nil, expiresAt: Instant? = nil, appTag: String? = nil
    ) {
        self.appTag = appTag
        self.id = id
        self.objectType = objectType
        self.paymentIntent = paymentIntent
        self.amountTotal = amountTotal
        self.currency = currency
        self.paymentStatus = paymentStatus
        self.status = status
        self.bookingID = bookingID
        self.clientReferenceID = clientReferenceID
        self.expiresAt = expiresAt
    }
}

extension StripeEvent {
    /// Reads an event body. Only called on a body whose signature was verified.
    static func decode(_ payload: [UInt8]) throws(StripeWebhookError) -> StripeEvent {
        let wire: WireEvent
        do {
            wire = try JSONDecoder.stripe.decode(WireEvent.self, from: Data(payload))
        } catch DecodingError.dataCorrupted {
            throw .invalidPayload("not JSON")
        } catch {
            throw .invalidPayload("not a Stripe event: \(error)")
        }
        guard !wire.id.isEmpty, !wire.type.isEmpty else { throw .invalidPayload("no event id or type") }
        let object = wire.data.object
        return StripeEvent(
            id: wire.id, type: wire.type, created: Instant(epochSeconds: wire.created),
            object: StripeEventObject(
                id: object.id,
                objectType: object.object,
                paymentIntent: object.paymentIntent?.id,
                amountTotal: object.amountTotal ?? object.amount,
                currency: object.currency,
                paymentStatus: object.paymentStatus,
                status: object.status,
                bookingID: object.metadata?["booking_id"].flatMap { Int64($0) }.map(BookingID.init),
                clientReferenceID: object.clientReferenceId,
                expiresAt: object.expiresAt.map { Instant(epochSeconds: $0) },
                appTag: object.metadata?["app"]
            ))
    }
}

/// The event envelope as Stripe sends it (only the fields we read; others are ignored).
private struct WireEvent: Decodable {
    struct DataField: Decodable { let object: WireObject }
    let id: String
    let type: String
    let created: Int64
    let data: DataField
}

/// `data.object`, read leniently: a field of an unexpected type reads as absent, so an event type we do not act
/// on (a `balance` object has no id) still verifies and can be acknowledged.
private struct WireObject: Decodable {
    let id: String
    let object: String?
    let paymentIntent: IDOrObject?
    let amountTotal: Int64?
    let amount: Int64?
    let currency: String?
    let paymentStatus: String?
    let status: String?
    let metadata: [String: String]?
    let clientReferenceId: String?
    let expiresAt: Int64?

    private enum Key: String, CodingKey {
        case id, object, paymentIntent, amountTotal, amount, currency, paymentStatus, status, metadata
        case clientReferenceId, expiresAt
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func read<T: Decodable>(_ key: Key) -> T? { (try? c.decodeIfPresent(T.self, forKey: key)) ?? nil }
        id = read(.id) ?? ""
        object = read(.object)
        paymentIntent = read(.paymentIntent)
        amountTotal = read(.amountTotal)
        amount = read(.amount)
        currency = read(.currency)
        paymentStatus = read(.paymentStatus)
        status = read(.status)
        metadata = read(.metadata)
        clientReferenceId = read(.clientReferenceId)
        expiresAt = read(.expiresAt)
    }
}

/// An expandable field: an id, or the object with its id.
private struct IDOrObject: Decodable {
    let id: String
    private struct Expanded: Decodable { let id: String }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            id = text
        } else {
            id = try Expanded(from: decoder).id
        }
    }
}
