import AsyncHTTPClient
import Domain
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One Daimo Pay payment for one booking, paid in a USD stablecoin to our address.
public struct DaimoPaymentRequest: Sendable, Equatable {
    public var bookingID: BookingID
    /// USD only: the destination receives `amount` in the stablecoin's units ($12.50 → "12.50" USDC).
    public var amount: Money
    /// Shown to the payer, e.g. "Private call with Ana, 30 min".
    public var intent: String
    /// Where the funds go: our address, the chain and the token (e.g. USDC on Base: 8453, 0x8335…2913).
    public var destinationAddress: String
    public var chainID: Int
    public var tokenAddress: String
    /// Where Daimo returns funds of a bounced payment; nil lets Daimo decide.
    public var refundAddress: String?

    public init(
        bookingID: BookingID, amount: Money, intent: String, destinationAddress: String, chainID: Int,
        tokenAddress: String, refundAddress: String? = nil
    ) {
        self.bookingID = bookingID
        self.amount = amount
        self.intent = intent
        self.destinationAddress = destinationAddress
        self.chainID = chainID
        self.tokenAddress = tokenAddress
        self.refundAddress = refundAddress
    }
}

/// A created payment: send the payer to `url`.
public struct DaimoPaymentLink: Sendable, Equatable {
    public var id: String
    public var url: String

    public init(id: String, url: String) {
        self.id = id
        self.url = url
    }
}

/// Daimo Pay's API: create a payment (`POST /api/payment`) with `Api-Key` and `Idempotency-Key`, externalId =
/// our booking id. The API key goes only into its header; `description` and errors never show it.
public struct DaimoClient: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let baseURL: String
    private let apiKey: String
    private let http: HTTPClient
    private let logger: Logger
    public var timeout: TimeAmount = .seconds(30)

    public init(apiKey: String, baseURL: String = "https://pay.daimo.com", httpClient: HTTPClient = .shared, logger: Logger) {
        self.apiKey = apiKey
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = httpClient
        self.logger = logger
    }

    public var description: String { "DaimoClient(baseURL: \(baseURL), apiKey: \(apiKey.isEmpty ? "unset" : "set"))" }
    public var debugDescription: String { description }

    /// One payment per booking: a retry, or a second tap on "pay", gets the same payment back.
    public static func idempotencyKey(for request: DaimoPaymentRequest) -> String { "daimo-payment-\(request.bookingID)" }

    public func createPayment(_ r: DaimoPaymentRequest) async throws(PaymentError) -> DaimoPaymentLink {
        guard !apiKey.isEmpty else { throw .notConfigured("DAIMO_API_KEY is empty") }
        guard r.amount.currency == .usd else { throw .invalidRequest("Daimo payments are in USD, not \(r.amount.currency.code)") }
        guard r.amount.isPositive else { throw .invalidRequest("the amount must be positive, not \(r.amount)") }
        guard !r.intent.allSatisfy(\.isWhitespace) else { throw .invalidRequest("the payment needs an intent") }
        guard !r.destinationAddress.isEmpty, !r.tokenAddress.isEmpty else {
            throw .invalidRequest("the destination address and token are required")
        }
        let units = DaimoAmount.amountUnits(r.amount)
        let body = CreateBody(
            display: .init(intent: r.intent, paymentValue: units, currency: "USD"),
            destination: .init(destinationAddress: r.destinationAddress, chainId: r.chainID, tokenAddress: r.tokenAddress,
                               amountUnits: units),
            refundAddress: r.refundAddress, externalId: r.bookingID.description,
            metadata: ["booking_id": r.bookingID.description])

        var request = HTTPClientRequest(url: baseURL + "/api/payment")
        request.method = .POST
        request.headers.add(name: "Api-Key", value: apiKey)
        request.headers.add(name: "Idempotency-Key", value: Self.idempotencyKey(for: r))
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        do {
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        } catch {
            throw .invalidRequest("could not encode the payment: \(error)")
        }

        let (status, data) = try await ProviderHTTP.send(request, http: http, timeout: timeout, what: "POST /api/payment")
        let metadata: Logger.Metadata = ["booking_id": "\(r.bookingID)", "status": "\(status)"]
        guard (200..<300).contains(status) else {
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: data)).flatMap { $0.error ?? $0.message }
                ?? "HTTP \(status) without an error message"
            logger.warning("Daimo POST /api/payment refused", metadata: metadata.merging(["error": "\(message)"]) { $1 })
            throw .provider(status: status, message: message)
        }
        let created: CreatedBody
        do {
            created = try JSONDecoder().decode(CreatedBody.self, from: data)
        } catch {
            throw .invalidResponse("POST /api/payment → \(status): \(error)")
        }
        guard !created.id.isEmpty, StripeClient.isAbsoluteHTTPURL(created.url) else {
            throw .invalidResponse("payment \(created.id) has no usable url")
        }
        if let external = created.payment?.externalId, external != r.bookingID.description {
            throw .invalidResponse("payment \(created.id) is for externalId \(external), not booking \(r.bookingID)")
        }
        if let got = created.payment?.destination?.amountUnits,
            DaimoAmount.baseUnits(got).map({ !DaimoAmount.matches(tokenBaseUnits: $0, usd: r.amount) }) ?? true {
            throw .invalidResponse("payment \(created.id) is for \(got), not \(units)")
        }
        logger.debug("Daimo payment created", metadata: metadata)
        return DaimoPaymentLink(id: created.id, url: created.url)
    }

    /// `GET <path>` with the API key; the status and body (never logged: Daimo's answers name addresses).
    func get(_ path: String) async throws(PaymentError) -> (Int, Data) {
        guard !apiKey.isEmpty else { throw .notConfigured("DAIMO_API_KEY is empty") }
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Api-Key", value: apiKey)
        request.headers.add(name: "Accept", value: "application/json")
        return try await ProviderHTTP.send(request, http: http, timeout: timeout, what: "GET \(path)")
    }

    struct CreateBody: Encodable {
        struct Display: Encodable {
            let intent: String
            let paymentValue: String
            let currency: String
        }
        struct Destination: Encodable {
            let destinationAddress: String
            let chainId: Int
            let tokenAddress: String
            let amountUnits: String
        }
        let display: Display
        let destination: Destination
        let refundAddress: String?
        let externalId: String
        let metadata: [String: String]
    }

    struct CreatedBody: Decodable {
        let id: String
        let url: String
        let payment: DaimoWebhook.Wire.Payment?
    }

    struct ErrorBody: Decodable {
        let error: String?
        let message: String?
    }
}
