import Foundation

/// A request as the HTTP layer hands it over.
struct IncomingRequest: Sendable {
    var method: String
    var path: String
    /// Lower-cased names.
    var headers: [String: String]
    var body: [UInt8]
}

struct OutgoingResponse: Sendable {
    var status: Int
    var body: [UInt8]
    var headers: [String: String] = [:]
}

/// Everything the fake knows; one request at a time, so idempotency and state changes are atomic.
actor FakeStripeState {
    let secretKey: String
    private var sessions: [String: RecordedSession] = [:]
    private var sessionOrder: [String] = []
    private var log: [RecordedRequest] = []
    private var idempotent: [String: (fingerprint: String, response: OutgoingResponse)] = [:]
    private var injected: [StripeAPIError] = []

    init(secretKey: String) { self.secretKey = secretKey }

    func allSessions(now: Int64) -> [RecordedSession] {
        sessionOrder.compactMap { id in sessions[id].map { lapse($0, now: now) } }
    }

    func allRequests() -> [RecordedRequest] { log }

    func inject(_ error: StripeAPIError, count: Int) { injected.append(contentsOf: Array(repeating: error, count: count)) }

    func complete(sessionID: String, now: Int64) -> RecordedSession? {
        guard var session = sessions[sessionID].map({ lapse($0, now: now) }), session.status == "open" else { return nil }
        session.status = "complete"
        session.paymentStatus = "paid"
        session.paymentIntent = "pi_fake_" + FakeStripeState.randomID(24)
        sessions[sessionID] = session
        return session
    }

    func handle(_ request: IncomingRequest, now: Int64) -> OutgoingResponse {
        let form = FormBody.decode(request.body)
        let response = respond(request, form: form ?? [], formReadable: form != nil, now: now)
        log.append(RecordedRequest(
            method: request.method, path: request.path, headers: request.headers, form: form ?? [], status: response.status,
            responseBody: String(decoding: response.body, as: UTF8.self), receivedAt: now))
        return response
    }

    // MARK: Dispatch

    private func respond(_ request: IncomingRequest, form: [FormField], formReadable: Bool, now: Int64) -> OutgoingResponse {
        if let problem = authenticate(request.headers["authorization"]) { return Self.answer(problem) }

        let segments = request.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let isCreate = request.method == "POST" && segments == ["", "v1", "checkout", "sessions"]
        let isExpire = request.method == "POST" && segments.count == 6 && Array(segments[0..<4]) == ["", "v1", "checkout", "sessions"]
            && segments[5] == "expire" && !segments[4].isEmpty
        guard isCreate || isExpire else {
            return Self.answer(.init(
                status: 404, type: "invalid_request_error",
                message: "Unrecognized request URL (\(request.method): \(request.path)). FakeStripe implements only POST /v1/checkout/sessions and POST /v1/checkout/sessions/:id/expire."))
        }

        let contentType = request.headers["content-type"]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if (isCreate || !request.body.isEmpty) && contentType != "application/x-www-form-urlencoded" {
            return Self.answer(.invalid(
                "Invalid request: the body must be application/x-www-form-urlencoded (got \(request.headers["content-type"] ?? "no Content-Type")).",
                code: "invalid_content_type"))
        }
        guard formReadable else { return Self.answer(.invalid("Invalid request body: broken percent-encoding or not UTF-8.")) }

        // Idempotency: the same key with the same request replays the saved answer; with another request it is refused.
        let key = request.headers["idempotency-key"]
        let fingerprint = request.method + " " + request.path + "\n" + form.map(\.description).sorted().joined(separator: "&")
        if let key {
            guard !key.isEmpty, key.utf8.count <= 255 else {
                return Self.answer(.invalid("Idempotency-Key must be 1–255 characters.", code: "idempotency_key_in_use"))
            }
            if let saved = idempotent[key] {
                guard saved.fingerprint == fingerprint else {
                    return Self.answer(StripeAPIError(
                        status: 400, type: "idempotency_error",
                        message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '\(key)' if you meant to execute a different request."))
                }
                var replay = saved.response
                replay.headers["Idempotent-Replayed"] = "true"
                return replay
            }
        }

        if !injected.isEmpty { return Self.answer(injected.removeFirst()) }

        let response: OutgoingResponse
        do {
            response = isCreate
                ? try create(form: form, key: key, now: now)
                : try expire(id: segments[4], form: form, now: now)
        } catch {
            return Self.answer(error)
        }
        if let key { idempotent[key] = (fingerprint, response) }
        return response
    }

    private func authenticate(_ header: String?) -> StripeAPIError? {
        guard let header, !header.isEmpty else {
            return StripeAPIError(
                status: 401, type: "invalid_request_error",
                message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.")
        }
        var presented: String?
        if header.hasPrefix("Bearer ") {
            presented = String(header.dropFirst(7))
        } else if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))) {
            presented = String(decoding: data, as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false).first.map(String.init)
        }
        guard let presented, presented == secretKey else {
            let masked = presented.map { "\($0.prefix(8))****\($0.suffix(4))" } ?? "(unreadable Authorization header)"
            return StripeAPIError(
                status: 401, type: "invalid_request_error", message: "Invalid API Key provided: \(masked)", code: "api_key_invalid")
        }
        return nil
    }

    // MARK: Endpoints

    private func create(form: [FormField], key: String?, now: Int64) throws(StripeAPIError) -> OutgoingResponse {
        let p = try CheckoutParameters.parse(form, receivedAt: now)
        let id = "cs_test_" + Self.randomID(58)
        let session = RecordedSession(
            id: id, url: "https://checkout.stripe.com/c/pay/\(id)", mode: p.mode, status: "open", paymentStatus: "unpaid",
            amountTotal: p.amountTotal, currency: p.currency, lineItems: p.lineItems, created: now, expiresAt: p.expiresAt,
            successURL: p.successURL, cancelURL: p.cancelURL, clientReferenceID: p.clientReferenceID, metadata: p.metadata,
            paymentIntentMetadata: p.paymentIntentMetadata, paymentIntent: nil, idempotencyKey: key, form: form)
        sessions[id] = session
        sessionOrder.append(id)
        return OutgoingResponse(status: 200, body: Self.json(session))
    }

    private func expire(id: String, form: [FormField], now: Int64) throws(StripeAPIError) -> OutgoingResponse {
        if let extra = form.first(where: { FormBody.path($0.name)?.first != "expand" }) { throw .unknown(extra.name) }
        guard var session = sessions[id].map({ lapse($0, now: now) }) else {
            throw StripeAPIError(
                status: 404, type: "invalid_request_error", message: "No such checkout.session: '\(id)'", param: "session",
                code: "resource_missing")
        }
        guard session.status == "open" else {
            throw .invalid("Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of `\(session.status)`.")
        }
        session.status = "expired"
        sessions[id] = session
        return OutgoingResponse(status: 200, body: Self.json(session))
    }

    /// An open session past its `expires_at` is expired, as Stripe does on its own.
    private func lapse(_ session: RecordedSession, now: Int64) -> RecordedSession {
        guard session.status == "open", now >= session.expiresAt else { return session }
        var lapsed = session
        lapsed.status = "expired"
        sessions[session.id] = lapsed
        return lapsed
    }

    // MARK: Output

    private static func answer(_ error: StripeAPIError) -> OutgoingResponse {
        OutgoingResponse(status: error.status, body: error.body)
    }

    static func json(_ s: RecordedSession) -> [UInt8] {
        func orNull(_ value: Any?) -> Any { value ?? NSNull() }
        return FakeJSON.encode([
            "id": s.id, "object": "checkout.session", "url": s.status == "open" ? s.url : NSNull(), "mode": s.mode,
            "status": s.status, "payment_status": s.paymentStatus, "amount_total": s.amountTotal,
            "amount_subtotal": s.amountTotal, "currency": s.currency, "created": s.created, "expires_at": s.expiresAt,
            "success_url": s.successURL, "cancel_url": orNull(s.cancelURL), "client_reference_id": orNull(s.clientReferenceID),
            "metadata": s.metadata, "payment_intent": orNull(s.paymentIntent), "livemode": false, "customer": NSNull(),
        ])
    }

    static func randomID(_ length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }
}
