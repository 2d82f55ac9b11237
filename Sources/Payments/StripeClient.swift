import AsyncHTTPClient
import Domain
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Stripe's REST API, the few calls we need: create and expire a Checkout Session, refund a PaymentIntent.
///
/// Every POST carries an `Idempotency-Key`, so a retry after a lost answer never charges, refunds or creates
/// twice; retryable failures (network, 409, 429, 5xx) are retried with the same key after `retryDelays`.
/// The secret key goes only into the `Authorization` header: it is never logged nor put into an error.
public struct StripeClient: Sendable {
    public let baseURL: String
    private let secretKey: String
    private let http: HTTPClient
    private let logger: Logger
    /// One retry per element, after that pause, for a retryable failure. Empty: no retries.
    public var retryDelays: [Duration] = [.milliseconds(500), .seconds(2)]
    /// Per attempt.
    public var timeout: TimeAmount = .seconds(30)

    public init(secretKey: String, baseURL: String = "https://api.stripe.com", httpClient: HTTPClient = .shared, logger: Logger) {
        self.secretKey = secretKey
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = httpClient
        self.logger = logger
    }

    // MARK: Checkout Sessions

    /// The idempotency key of a checkout request: one session per booking and expiry, so a retry (or a second
    /// tap on "pay") returns the same session instead of opening another.
    public static func checkoutIdempotencyKey(for request: CheckoutRequest) -> String {
        "checkout-\(request.bookingID)-\(request.expiresAt.epochSeconds)"
    }

    /// `POST /v1/checkout/sessions` in payment mode with one line item priced inline (`price_data`).
    /// Refuses locally, before any call, a request Stripe would refuse: `expires_at` outside
    /// `StripeCheckoutWindow.allowed(now:)`, a non-positive amount, an empty name, non-absolute URLs.
    /// Tags every session (and its PaymentIntent) as ours: the same for every instance of this app.
    public static let appTag = "privatecalls"

    public func createCheckoutSession(_ r: CheckoutRequest, now: Instant) async throws(PaymentError) -> CheckoutSession {
        try Self.validate(r, now: now)
        let (amount, currency) = stripeAmount(r.amount)
        var form = StripeForm()
        form.add("mode", "payment")
        form.add("line_items[0][price_data][currency]", currency)
        form.add("line_items[0][price_data][unit_amount]", amount)
        form.add("line_items[0][price_data][product_data][name]", r.description)
        form.add("line_items[0][quantity]", "1")
        form.add("success_url", r.successURL)
        form.add("cancel_url", r.cancelURL)
        form.add("expires_at", r.expiresAt.epochSeconds)
        form.add("client_reference_id", r.customerReference)
        form.add("metadata[booking_id]", r.bookingID.description)
        form.add("metadata[app]", Self.appTag)
        form.add("payment_intent_data[metadata][booking_id]", r.bookingID.description)
        form.add("payment_intent_data[metadata][app]", Self.appTag)

        let session = try await post(
            "/v1/checkout/sessions", form: form, idempotencyKey: Self.checkoutIdempotencyKey(for: r),
            as: SessionObject.self, context: ["booking_id": "\(r.bookingID)"])
        guard let url = session.url, !url.isEmpty else {
            throw .invalidResponse("the Checkout Session \(session.id) has no url")
        }
        if let total = session.amountTotal, let sessionCurrency = session.currency,
            !matches(r.amount, amount: total, currency: sessionCurrency) {
            throw .invalidResponse("the Checkout Session \(session.id) is for \(total) \(sessionCurrency), not \(amount) \(currency)")
        }
        return CheckoutSession(id: session.id, url: url, expiresAt: Instant(epochSeconds: session.expiresAt))
    }

    /// `POST /v1/checkout/sessions/{id}/expire`: the payer can no longer pay through this session. Stripe
    /// answers 400 (`PaymentError.provider`) when the session is not open any more, e.g. already paid.
    public func expireCheckoutSession(id: String) async throws(PaymentError) {
        guard Self.isPlainID(id, prefix: "cs_") else {
            throw .invalidRequest("“\(id)” is not a Checkout Session id (cs_…)")
        }
        let session = try await post(
            "/v1/checkout/sessions/\(id)/expire", form: StripeForm(), idempotencyKey: "expire-\(id)",
            as: SessionObject.self, context: ["session": "\(id)"])
        guard session.status == nil || session.status == "expired" else {
            throw .invalidResponse("the Checkout Session \(id) is \(session.status ?? "?") after expiring it")
        }
    }

    // MARK: Refunds

    /// `POST /v1/refunds` for a PaymentIntent: the whole payment when `amount` is nil, else that part of it.
    /// Use one `idempotencyKey` per intended refund (e.g. "refund-booking-42"): a retry with the same key
    /// returns the first refund instead of refunding again.
    public func refund(
        paymentIntent: String, amount: Money?, idempotencyKey: String, metadata: [String: String]
    ) async throws(PaymentError) -> RefundResult {
        guard Self.isPlainID(paymentIntent, prefix: "pi_") else {
            throw .invalidRequest("“\(paymentIntent)” is not a PaymentIntent id (pi_…)")
        }
        if let amount, !amount.isPositive { throw .invalidRequest("a refund amount must be positive, not \(amount)") }
        try Self.validateIdempotencyKey(idempotencyKey)
        try Self.validateMetadata(metadata)
        var form = StripeForm()
        form.add("payment_intent", paymentIntent)
        if let amount { form.add("amount", stripeAmount(amount).amount) }
        form.addMetadata(metadata, prefix: "metadata")

        let refund = try await post(
            "/v1/refunds", form: form, idempotencyKey: idempotencyKey, as: RefundObject.self,
            context: ["payment_intent": "\(paymentIntent)"])
        guard let refunded = money(fromStripeAmount: refund.amount, currency: refund.currency) else {
            throw .invalidResponse("refund \(refund.id) is in an unsupported currency “\(refund.currency)”")
        }
        if let amount, refunded != amount {
            throw .invalidResponse("refund \(refund.id) is for \(refunded), not the \(amount) asked for")
        }
        return RefundResult(id: refund.id, status: refund.status ?? "unknown", amount: refunded)
    }

    // MARK: Validation

    static func validate(_ r: CheckoutRequest, now: Instant) throws(PaymentError) {
        guard r.amount.isPositive else { throw .invalidRequest("the amount must be positive, not \(r.amount)") }
        guard !r.description.allSatisfy(\.isWhitespace) else { throw .invalidRequest("the line item needs a name") }
        for (name, url) in [("success URL", r.successURL), ("cancel URL", r.cancelURL)] where !isAbsoluteHTTPURL(url) {
            throw .invalidRequest("the \(name) must be an absolute http(s) URL, not “\(url)”")
        }
        guard !r.customerReference.isEmpty, r.customerReference.count <= 200 else {
            throw .invalidRequest("client_reference_id must be 1–200 characters")
        }
        let window = StripeCheckoutWindow.allowed(now: now)
        guard window.contains(r.expiresAt) else {
            let minutes = Double(now.seconds(until: r.expiresAt)) / 60
            throw .invalidRequest(
                "expires_at \(r.expiresAt) is \(Int(minutes.rounded())) min after now (\(now)); Stripe accepts only "
                    + "30 min – 24 h, and we keep \(StripeCheckoutWindow.marginSeconds) s inside that: "
                    + "use a time between \(window.lowerBound) and \(window.upperBound)")
        }
    }

    static func validateIdempotencyKey(_ key: String) throws(PaymentError) {
        guard !key.isEmpty, key.utf8.count <= 255, key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 })
        else { throw .invalidRequest("an idempotency key must be 1–255 printable ASCII characters") }
    }

    static func validateMetadata(_ metadata: [String: String]) throws(PaymentError) {
        guard metadata.count <= 50 else { throw .invalidRequest("Stripe allows at most 50 metadata keys") }
        for (key, value) in metadata {
            guard !key.isEmpty, key.count <= 40, !key.contains("["), !key.contains("]") else {
                throw .invalidRequest("metadata key “\(key)” must be 1–40 characters without square brackets")
            }
            guard value.count <= 500 else { throw .invalidRequest("metadata value for “\(key)” is over 500 characters") }
        }
    }

    static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = text.dropFirst(8) } else if lower.hasPrefix("http://") { rest = text.dropFirst(7) } else { return false }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !text.contains(where: { $0.isWhitespace }) && text.count <= 5000
    }

    /// Stripe ids are a prefix and letters, digits, underscores: safe to put into a URL path as they are.
    static func isPlainID(_ id: String, prefix: String) -> Bool {
        id.hasPrefix(prefix) && id.count > prefix.count && id.count <= 255
            && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}

// MARK: HTTP

extension StripeClient {
    private struct Failure: Error {
        let error: PaymentError
        /// Stripe's `Stripe-Should-Retry` answer header, when present.
        let shouldRetry: Bool?
    }

    private func post<T: Decodable & Sendable>(
        _ path: String, form: StripeForm, idempotencyKey: String?, as: T.Type, context: Logger.Metadata
    ) async throws(PaymentError) -> T {
        guard !secretKey.isEmpty else { throw .notConfigured("the Stripe secret key is empty") }
        var attempt = 0
        while true {
            let result: Result<T, Failure> = await send(path, form: form, idempotencyKey: idempotencyKey, as: T.self, context: context)
            switch result {
            case .success(let value):
                return value
            case .failure(let failure):
                let retry = idempotencyKey != nil && attempt < retryDelays.count
                    && (failure.shouldRetry ?? failure.error.isRetryable)
                guard retry else { throw failure.error }
                var metadata = context
                metadata["error"] = "\(failure.error)"
                logger.warning("Stripe POST \(path) failed, retrying with the same idempotency key", metadata: metadata)
                try? await Task.sleep(for: retryDelays[attempt])
                attempt += 1
            }
        }
    }

    private func send<T: Decodable>(
        _ path: String, form: StripeForm, idempotencyKey: String?, as: T.Type, context: Logger.Metadata
    ) async -> Result<T, Failure> {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        request.body = .bytes(ByteBuffer(string: form.encoded))

        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            headers = response.headers
            body = try await response.body.collect(upTo: 4 << 20)
        } catch {
            return .failure(Failure(error: .network("POST \(path): \(error)"), shouldRetry: nil))
        }

        var metadata = context
        metadata["status"] = "\(status)"
        if let requestID = headers.first(name: "Request-Id") { metadata["request_id"] = "\(requestID)" }
        let data = Data(buffer: body)
        guard (200..<300).contains(status) else {
            let envelope = try? JSONDecoder.stripe.decode(ErrorEnvelope.self, from: data)
            let message = envelope?.error.message ?? "HTTP \(status) without an error message"
            metadata["error"] = "\(message)"
            if let type = envelope?.error.type { metadata["error_type"] = "\(type)" }
            logger.warning("Stripe POST \(path) refused", metadata: metadata)
            let shouldRetry = headers.first(name: "Stripe-Should-Retry").map { $0.lowercased() == "true" }
            return .failure(Failure(error: .provider(status: status, message: message), shouldRetry: shouldRetry))
        }
        do {
            let value = try JSONDecoder.stripe.decode(T.self, from: data)
            logger.debug("Stripe POST \(path) done", metadata: metadata)
            return .success(value)
        } catch {
            return .failure(Failure(error: .invalidResponse("POST \(path) → \(status): \(error)"), shouldRetry: false))
        }
    }
}

// MARK: Wire shapes (only the fields we read)

struct SessionObject: Decodable, Sendable {
    let id: String
    let url: String?
    let expiresAt: Int64
    let amountTotal: Int64?
    let currency: String?
    let status: String?
}

struct RefundObject: Decodable, Sendable {
    let id: String
    let amount: Int64
    let currency: String
    let status: String?
}

struct ErrorEnvelope: Decodable {
    struct Body: Decodable {
        let message: String?
        let type: String?
        let code: String?
        let param: String?
    }
    let error: Body
}

extension JSONDecoder {
    static var stripe: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
