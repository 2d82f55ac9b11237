import Foundation
import HTTPTypes
import Hummingbird
import LocalServer
import Logging
import NIOCore
import ServiceLifecycle

/// A strict stand-in for Stripe's Checkout Sessions API on 127.0.0.1 (a free port), for tests.
///
/// It implements only `POST /v1/checkout/sessions` (mode=payment, inline `price_data`) and
/// `POST /v1/checkout/sessions/:id/expire`, checking requests as Stripe documents them: `Authorization: Bearer
/// <secret key>` (401 otherwise), a form body, known parameters only, `expires_at` 30 min – 24 h after receipt
/// by the real clock, metadata limits, idempotency keys (same key + same parameters → the same answer; same key
/// + other parameters → 400 `idempotency_error`). Errors come in Stripe's shape
/// `{"error": {"type", "message", "param", "code"}}`. Every request is recorded.
public final class FakeStripeServer: Sendable {
    public let baseURL: String
    public let secretKey: String
    private let state: FakeStripeState
    private let server: LocalHTTPServer

    /// The double's clock (unix seconds): the real one by default; tests that run the app on an injected clock
    /// pass the same clock, so `expires_at` is judged against the time the app believes it is.
    private let clock: @Sendable () -> Int64

    private init(baseURL: String, secretKey: String, state: FakeStripeState, server: LocalHTTPServer, clock: @escaping @Sendable () -> Int64) {
        self.baseURL = baseURL
        self.secretKey = secretKey
        self.state = state
        self.server = server
        self.clock = clock
    }

    public static func start(
        secretKey: String = "sk_test_fake", now clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) async throws -> FakeStripeServer {
        let state = FakeStripeState(secretKey: secretKey)
        let router = Router(context: BasicRequestContext.self)
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
            }
            let incoming = IncomingRequest(
                method: request.method.rawValue, path: request.uri.path, headers: headers, body: Array(body.readableBytesView))
            let outgoing = await state.handle(incoming, now: clock())
            var fields: HTTPFields = [.contentType: "application/json", .init("Request-Id")!: "req_fake_" + FakeStripeState.randomID(14)]
            for (name, value) in outgoing.headers { if let name = HTTPField.Name(name) { fields[name] = value } }
            return Response(
                status: HTTPResponse.Status(code: outgoing.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: outgoing.body)))
        }
        router.post("**", use: handler)
        router.get("**", use: handler)
        router.delete("**", use: handler)
        var logger = Logger(label: "FakeStripe")
        logger.logLevel = .warning
        let server = try await LocalHTTPServer.start(router: router, logger: logger)
        return FakeStripeServer(baseURL: "http://127.0.0.1:\(server.port)", secretKey: secretKey, state: state, server: server, clock: clock)
    }

    /// Stops listening; open requests finish first.
    public func stop() async { await server.stop() }

    /// Every session created, oldest first, in its current state (an open one past `expires_at` reads expired).
    public func sessions() async -> [RecordedSession] { await state.allSessions(now: clock()) }

    /// Every request received, in order, with the answer's status and body.
    public func requests() async -> [RecordedRequest] { await state.allRequests() }

    /// Marks an open session paid, as if the payer finished Stripe's page; returns it, nil if not open.
    @discardableResult
    public func complete(sessionID: String) async -> RecordedSession? { await state.complete(sessionID: sessionID, now: clock()) }

    /// The next `count` authenticated requests (that are not idempotent replays) answer this error instead.
    public func failNext(status: Int, message: String, type: String = "api_error", count: Int = 1) async {
        await state.inject(StripeAPIError(status: status, type: type, message: message), count: count)
    }
}
