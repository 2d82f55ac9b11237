import Domain
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Payments
import Testing

@Suite("Daimo webhook authentication")
struct DaimoAuthenticationTests {
    let token = "0x6763…secret-token-a1b2c3"

    @Test("right token passes; missing, wrong or unset-secret is refused as 401")
    func tokens() throws {
        try DaimoWebhook.authenticate(authorizationHeader: "Basic \(token)", token: token)
        let refused: [(String?, String?, DaimoWebhookError)] = [
            (nil, token, .missingAuthorization),
            ("", token, .missingAuthorization),
            ("Basic wrong", token, .wrongToken),
            ("Bearer \(token)", token, .wrongToken),
            ("basic \(token)", token, .wrongToken),
            ("Basic  \(token)", token, .wrongToken),
            ("Basic \(token) ", token, .wrongToken),
            ("Basic \(token.dropLast())", token, .wrongToken),
            (token, token, .wrongToken),
            ("Basic \(token)", nil, .notConfigured),
            ("Basic \(token)", "", .notConfigured),
            ("Basic ", "", .notConfigured),
            (nil, nil, .notConfigured),
        ]
        for (header, configured, error) in refused {
            #expect(throws: error, "\(header ?? "nil") / \(configured ?? "nil")") {
                try DaimoWebhook.authenticate(authorizationHeader: header, token: configured)
            }
            #expect(error.isUnauthorized)
        }
        #expect(!DaimoWebhookError.invalidPayload("x").isUnauthorized)
    }

    @Test("timing-safe compare: equal only for identical bytes, any length")
    func timingSafe() {
        #expect(DaimoWebhook.timingSafeEqual("Basic abc", "Basic abc"))
        #expect(DaimoWebhook.timingSafeEqual("", ""))
        #expect(!DaimoWebhook.timingSafeEqual("Basic abc", "Basic abd"))
        #expect(!DaimoWebhook.timingSafeEqual("Basic abc", "Basic ab"))
        #expect(!DaimoWebhook.timingSafeEqual("Basic abc", ""))
        #expect(!DaimoWebhook.timingSafeEqual("café", "cafe\u{301}"))  // bytes, not Unicode equivalence
    }
}

func daimoEventBody(type: String, externalID: String? = "42", amountUnits: String = "45.00", token: String = "USDC", id: String? = nil) -> [UInt8] {
    let external = externalID.map { "\"\($0)\"" } ?? "null"
    let idField = id.map { "\"id\": \"\($0)\"," } ?? ""
    return Array("""
    {\(idField)
      "type": "\(type)",
      "paymentId": "7Tt3HUMmU83PPvd2djwcsHSZ8upMNW4sTL7a8eFQhWiQ",
      "chainId": 8453,
      "txHash": "0xf975e462c8191d18ef970579814ebf68c83c45b4fa8984184f744f739285133b",
      "payment": {
        "id": "7Tt3HUMmU83PPvd2djwcsHSZ8upMNW4sTL7a8eFQhWiQ",
        "status": "\(type)",
        "createdAt": "1739554073",
        "display": {"intent": "Private call with Ana", "paymentValue": "45.00", "currency": "USD"},
        "source": {"payerAddress": "0xFBfa6A0D1F44b60d7CCA4b95d5a2CfB15246DB0D", "chainId": "10", "amountUnits": "45.02", "tokenSymbol": "USDC"},
        "destination": {
          "destinationAddress": "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0", "txHash": null, "chainId": "8453",
          "amountUnits": "\(amountUnits)", "tokenSymbol": "\(token)",
          "tokenAddress": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "callData": "0x"
        },
        "externalId": \(external),
        "metadata": {"booking_id": "42"}
      }
    }
    """.utf8)
}

@Suite("Daimo webhook events")
struct DaimoEventTests {
    @Test("completed, bounced and other events decode")
    func decode() throws {
        let completed = try DaimoWebhook.decode(daimoEventBody(type: "payment_completed"))
        #expect(completed.kind == .completed)
        #expect(completed.paymentID == "7Tt3HUMmU83PPvd2djwcsHSZ8upMNW4sTL7a8eFQhWiQ")
        #expect(completed.id == "7Tt3HUMmU83PPvd2djwcsHSZ8upMNW4sTL7a8eFQhWiQ:payment_completed")
        #expect(completed.bookingID == BookingID(42))
        #expect(completed.amountUnits == "45.00")
        #expect(completed.tokenBaseUnits == 45_000_000)
        #expect(completed.usdCents == 4_500)

        let bounced = try DaimoWebhook.decode(daimoEventBody(type: "payment_bounced", id: "evt-9"))
        #expect(bounced.kind == .bounced)
        #expect(bounced.id == "evt-9")

        let started = try DaimoWebhook.decode(daimoEventBody(type: "payment_started", externalID: nil))
        #expect(started.kind == .other("payment_started"))
        #expect(started.bookingID == nil)

        let foreign = try DaimoWebhook.decode(daimoEventBody(type: "payment_completed", externalID: "order-7"))
        #expect(foreign.externalID == "order-7")
        #expect(foreign.bookingID == nil)

        for bad in ["", "{}", "[1]", "{\"type\": \"payment_completed\"}", "not json"] {
            #expect(throws: DaimoWebhookError.self, "\(bad)") { try DaimoWebhook.decode(Array(bad.utf8)) }
        }
    }

    @Test("amounts: USDC has 6 decimals; cents × 10^4 matches")
    func amounts() throws {
        let price = Money(minorUnits: 4_500, currency: .usd)
        #expect(try DaimoWebhook.decode(daimoEventBody(type: "payment_completed", amountUnits: "45")).matches(price))
        #expect(try DaimoWebhook.decode(daimoEventBody(type: "payment_completed", amountUnits: "45.000000")).matches(price))
        #expect(try !DaimoWebhook.decode(daimoEventBody(type: "payment_completed", amountUnits: "44.99")).matches(price))
        #expect(try !DaimoWebhook.decode(daimoEventBody(type: "payment_completed", amountUnits: "45.000001")).matches(price))
        #expect(try !DaimoWebhook.decode(daimoEventBody(type: "payment_completed", amountUnits: "45.0000001")).matches(price))
        #expect(try !DaimoWebhook.decode(daimoEventBody(type: "payment_completed", token: "WETH")).matches(price))
        #expect(try !DaimoWebhook.decode(daimoEventBody(type: "payment_completed")).matches(Money(minorUnits: 4_500, currency: .cop)))

        #expect(DaimoAmount.baseUnits("12.5") == 12_500_000)
        #expect(DaimoAmount.baseUnits("0.000001") == 1)
        #expect(DaimoAmount.baseUnits("12.") == nil)
        #expect(DaimoAmount.baseUnits("-1") == nil)
        #expect(DaimoAmount.baseUnits("1e6") == nil)
        #expect(DaimoAmount.cents(fromBaseUnits: 45_010_000) == 4_501)
        #expect(DaimoAmount.cents(fromBaseUnits: 45_000_001) == nil)
        #expect(DaimoAmount.amountUnits(Money(minorUnits: 1_250, currency: .usd)) == "12.50")
    }
}

// MARK: A tiny HTTP double for DaimoClient

/// Records each request and answers every one with `status` and `body`.
final class DaimoDouble: @unchecked Sendable {
    struct Recorded: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: [UInt8]
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    private let lock = NSLock()
    private var recorded: [Recorded] = []
    let status: HTTPResponseStatus
    let body: String
    private var channel: (any Channel)?
    var port: Int { channel?.localAddress?.port ?? 0 }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(status: HTTPResponseStatus, body: String) {
        self.status = status
        self.body = body
    }

    func start() async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(Handler(double: self)) }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel?.close().get() }

    func requests() -> [Recorded] { lock.withLock { recorded } }
    fileprivate func record(_ r: Recorded) { lock.withLock { recorded.append(r) } }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let double: DaimoDouble
        var head: HTTPRequestHead?
        var body: [UInt8] = []
        init(double: DaimoDouble) { self.double = double }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                double.record(Recorded(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body))
                let payload = ByteBuffer(string: double.body)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(payload.readableBytes))
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: double.status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

@Suite("Daimo client against a local double")
struct DaimoClientTests {
    let logger: Logger = {
        var l = Logger(label: "DaimoTests")
        l.logLevel = .critical
        return l
    }()

    func request(_ booking: Int64 = 42) -> DaimoPaymentRequest {
        DaimoPaymentRequest(
            bookingID: BookingID(booking), amount: Money(minorUnits: 4_500, currency: .usd), intent: "Private call with Ana, 30 min",
            destinationAddress: "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0", chainID: 8453,
            tokenAddress: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", refundAddress: "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0")
    }

    @Test("creates a payment with Api-Key, Idempotency-Key and externalId = booking id")
    func create() async throws {
        let double = DaimoDouble(status: .ok, body: """
        {"id": "pay_9x", "url": "https://pay.daimo.com/checkout?id=pay_9x",
         "payment": {"id": "pay_9x", "externalId": "42", "destination": {"amountUnits": "45.00", "tokenSymbol": "USDC"}}}
        """)
        try await double.start()
        defer { Task { await double.stop() } }
        let client = DaimoClient(apiKey: "daimo-live-KEY-123", baseURL: double.baseURL + "/", logger: logger)
        let link = try await client.createPayment(request())
        #expect(link == DaimoPaymentLink(id: "pay_9x", url: "https://pay.daimo.com/checkout?id=pay_9x"))

        let sent = try #require(double.requests().first)
        #expect(sent.method == "POST")
        #expect(sent.uri == "/api/payment")
        #expect(sent.header("Api-Key") == "daimo-live-KEY-123")
        #expect(sent.header("Idempotency-Key") == "daimo-payment-42")
        #expect(sent.header("Content-Type") == "application/json")
        #expect(sent.header("Authorization") == nil)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(sent.body)) as? [String: Any])
        #expect(json["externalId"] as? String == "42")
        let destination = try #require(json["destination"] as? [String: Any])
        #expect(destination["amountUnits"] as? String == "45.00")
        #expect(destination["chainId"] as? Int == 8453)
        #expect(destination["destinationAddress"] as? String == "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0")
        let display = try #require(json["display"] as? [String: Any])
        #expect(display["intent"] as? String == "Private call with Ana, 30 min")
        #expect(display["currency"] as? String == "USD")
        #expect(json["refundAddress"] as? String == "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0")

        #expect(!"\(client)".contains("KEY-123"))
        #expect(!String(reflecting: client).contains("KEY-123"))
    }

    @Test("provider errors, wrong answers and local refusals are typed")
    func errors() async throws {
        let refusing = DaimoDouble(status: .unauthorized, body: #"{"error": "invalid api key"}"#)
        try await refusing.start()
        defer { Task { await refusing.stop() } }
        let client = DaimoClient(apiKey: "bad-key", baseURL: refusing.baseURL, logger: logger)
        await #expect(throws: PaymentError.provider(status: 401, message: "invalid api key")) { try await client.createPayment(request()) }

        let wrongAmount = DaimoDouble(status: .ok, body: """
        {"id": "pay_1", "url": "https://pay.daimo.com/checkout?id=pay_1", "payment": {"id": "pay_1", "externalId": "42", "destination": {"amountUnits": "4.50"}}}
        """)
        try await wrongAmount.start()
        defer { Task { await wrongAmount.stop() } }
        await #expect(throws: PaymentError.self) {
            try await DaimoClient(apiKey: "k", baseURL: wrongAmount.baseURL, logger: logger).createPayment(request())
        }

        let noURL = DaimoDouble(status: .ok, body: #"{"id": "pay_2", "url": ""}"#)
        try await noURL.start()
        defer { Task { await noURL.stop() } }
        await #expect(throws: PaymentError.invalidResponse("payment pay_2 has no usable url")) {
            try await DaimoClient(apiKey: "k", baseURL: noURL.baseURL, logger: logger).createPayment(request())
        }

        await #expect(throws: PaymentError.notConfigured("DAIMO_API_KEY is empty")) {
            try await DaimoClient(apiKey: "", baseURL: noURL.baseURL, logger: logger).createPayment(request())
        }
        var cop = request()
        cop.amount = Money(minorUnits: 12_000_000, currency: .cop)
        await #expect(throws: PaymentError.invalidRequest("Daimo payments are in USD, not COP")) {
            try await DaimoClient(apiKey: "k", baseURL: noURL.baseURL, logger: logger).createPayment(cop)
        }
        // Nothing was sent for the local refusals.
        #expect(noURL.requests().count == 1)

        // Nothing listening: a network error.
        let closed = DaimoDouble(status: .ok, body: "{}")
        try await closed.start()
        let deadURL = closed.baseURL
        await closed.stop()
        var dead = DaimoClient(apiKey: "k", baseURL: deadURL, logger: logger)
        dead.timeout = .seconds(1)  // AsyncHTTPClient retries a refused connection until the deadline
        await #expect(throws: PaymentError.self) { try await dead.createPayment(request()) }
    }
}
