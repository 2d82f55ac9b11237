/// One `name=value` pair of a form body, decoded, in the order sent.
public struct FormField: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}

/// A request as the fake received it, and what it answered.
public struct RecordedRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var form: [FormField]
    public var status: Int
    public var responseBody: String
    /// Unix seconds, by the real clock.
    public var receivedAt: Int64

    public var idempotencyKey: String? { headers["idempotency-key"] }
    public var authorization: String? { headers["authorization"] }
    public var contentType: String? { headers["content-type"] }

    /// The last value sent for `name`.
    public func formValue(_ name: String) -> String? { form.last { $0.name == name }?.value }

    /// Every field as a dictionary (the last value wins).
    public var formDictionary: [String: String] {
        var out: [String: String] = [:]
        for field in form { out[field.name] = field.value }
        return out
    }
}

/// A Checkout Session the fake created, in its current state.
public struct RecordedSession: Sendable, Equatable {
    public struct LineItem: Sendable, Equatable {
        public var name: String
        public var unitAmount: Int64
        public var currency: String
        public var quantity: Int64
    }

    public var id: String
    public var url: String
    public var mode: String
    /// "open", "complete" or "expired".
    public var status: String
    /// "unpaid" or "paid".
    public var paymentStatus: String
    public var amountTotal: Int64
    public var currency: String
    public var lineItems: [LineItem]
    public var created: Int64
    public var expiresAt: Int64
    public var successURL: String
    public var cancelURL: String?
    public var clientReferenceID: String?
    public var metadata: [String: String]
    public var paymentIntentMetadata: [String: String]
    /// Set when the session is completed through `FakeStripeServer.complete(sessionID:)`.
    public var paymentIntent: String?
    /// The Idempotency-Key it was created with.
    public var idempotencyKey: String?
    /// The create request's form, decoded.
    public var form: [FormField]
}
