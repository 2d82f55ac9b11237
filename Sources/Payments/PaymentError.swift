/// Why a call to a payment provider failed. Descriptions are safe to log: they never contain a secret key.
public enum PaymentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The provider answered with an error: its HTTP status and its own message (Stripe's `error.message`).
    case provider(status: Int, message: String)
    /// No usable answer: connection refused, timeout, TLS. Retrying later with the same idempotency key is safe.
    case network(String)
    /// The provider answered 2xx with something we could not read.
    case invalidResponse(String)
    /// The provider is not set up (missing key or secret).
    case notConfigured(String)
    /// We refused the request before sending it: it would break one of the provider's documented rules (for
    /// Stripe: `expires_at` outside 30 min – 24 h, a non-positive amount, a relative URL).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .provider(let status, let message): "payment provider error (HTTP \(status)): \(message)"
        case .network(let detail): "payment provider unreachable: \(detail)"
        case .invalidResponse(let detail): "payment provider answer unreadable: \(detail)"
        case .notConfigured(let detail): "payment provider not configured: \(detail)"
        case .invalidRequest(let detail): "payment request refused before sending: \(detail)"
        }
    }

    /// Whether the same call (with the same idempotency key) may succeed later.
    public var isRetryable: Bool {
        switch self {
        case .network: true
        case .provider(let status, _): status == 409 || status == 429 || status >= 500
        case .invalidResponse, .notConfigured, .invalidRequest: false
        }
    }
}
