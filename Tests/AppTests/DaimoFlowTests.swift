import AsyncHTTPClient
import Domain
import FakeTelegram
import Foundation
import HTTPTypes
import Hummingbird
import LocalServer
import Logging
import NIOCore
import NIOHTTP1
import Storage
import Synchronization
import Telegram
import Testing

@testable import App

/// A small Daimo Pay API double: `POST /api/payment` records the request and answers like Daimo (one payment
/// per Idempotency-Key, echoing externalId and the destination amount).
final class FakeDaimoAPI: Sendable {
    struct Created: Sendable {
        var apiKey: String?
        var idempotencyKey: String?
        var contentType: String?
        /// Top-level JSON fields, nested objects as their description.
        var body: [String: String]
        var id: String
    }

    final class Recorder: Sendable {
        let state = Mutex<[Created]>([])

        func create(_ headers: HTTPFields, _ json: [String: Any]) -> Response {
            let key = headers[HTTPField.Name("Idempotency-Key")!]
            guard let apiKey = headers[HTTPField.Name("Api-Key")!] else {
                return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"missing Api-Key"}"#)))
            }
            let externalID = json["externalId"] as? String ?? ""
            let units = (json["destination"] as? [String: Any])?["amountUnits"] as? String ?? ""
            let id: String = state.withLock { all in
                if let key, let same = all.first(where: { $0.idempotencyKey == key }) { return same.id }
                let id = "pay_\(all.count + 1)"
                all.append(Created(apiKey: apiKey, idempotencyKey: key, contentType: headers[.contentType],
                                   body: json.mapValues { "\($0)" }, id: id))
                return id
            }
            let answer = """
                {"id":"\(id)","url":"https://pay.daimo.com/checkout?id=\(id)","payment":{"id":"\(id)","status":"payment_unpaid",\
                "externalId":"\(externalID)","destination":{"amountUnits":"\(units)","tokenSymbol":"USDC"}}}
                """
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
    }

    private let recorder: Recorder
    private let server: LocalHTTPServer
    var baseURL: String { server.baseURL }

    private init(recorder: Recorder, server: LocalHTTPServer) {
        self.recorder = recorder
        self.server = server
    }

    static func start() async throws -> FakeDaimoAPI {
        let recorder = Recorder()
        let router = Router()
        router.post("api/payment") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            guard let json = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] else {
                return Response(status: .badRequest)
            }
            return recorder.create(request.headers, json)
        }
        var logger = Logger(label: "fake-daimo")
        logger.logLevel = .error
        return FakeDaimoAPI(recorder: recorder, server: try await LocalHTTPServer.start(router: router, logger: logger))
    }

    func stop() async { await server.stop() }

    func created() -> [Created] { recorder.state.withLock { $0 } }
}

@Suite("Paying with Daimo Pay through the bot", .serialized)
struct DaimoFlowTests {
    static let token = "daimo-webhook-token-5b1e9c"
    static let apiKey = "daimo-api-key-e2e"
    static let destination = "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0"
    let maria = User(id: 7201, firstName: "María", username: "maria", languageCode: "en")
    let anna = User(id: 9201, firstName: "Anna", username: "anna_host", languageCode: "en")

    static func event(type: String = "payment_completed", payment: String = "pay_1", booking: String? = "1",
                      amount: String = "300.00", token: String = "USDC") -> String {
        let external = booking.map { #""\#($0)""# } ?? "null"
        return """
            {"type":"\(type)","isTestEvent":false,"paymentId":"\(payment)","payment":{"id":"\(payment)","status":"\(type)",\
            "externalId":\(external),"destination":{"destinationAddress":"\(destination)","chainId":"8453",\
            "amountUnits":"\(amount)","tokenSymbol":"\(token)","tokenAddress":"0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"}}}
            """
    }

    static func post(port: Int, body: String, authorization: String?) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/daimo")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(string: body))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
    }

    static func deliver(_ body: String, port: Int) async throws -> Int {
        try await post(port: port, body: body, authorization: "Basic \(token)")
    }

    /// The server with Daimo pointed at the API double, a USD host linked to Anna's account and a COP host.
    func withDaimo(daimo configured: Bool = true, _ body: @Sendable (BotHarness, FakeDaimoAPI, Int) async throws -> Void) async throws {
        let api = try await FakeDaimoAPI.start()
        let anna = self.anna
        do {
            try await BotHarness.with { h in
                _ = try await h.store.createHost(Domain.Host(
                    username: TelegramUsername(parsing: "anna_host"), displayName: DisplayName(parsing: "Anna"), bio: Bio(parsing: "Film"),
                    pricePerMinute: PricePerMinute(Money(minorUnits: 500, currency: .usd)), durations: DurationRange(min: 15, max: 120),
                    zone: Zone(identifier: "Europe/Madrid")!, availability: WeeklyAvailability(parsing: "09:00-22:00"),
                    telegramUserID: TelegramUserID(anna.id)), at: h.clock.now)
                _ = try await h.store.createHost(Domain.Host(
                    username: TelegramUsername(parsing: "bea_cop"), displayName: DisplayName(parsing: "Bea"), bio: Bio(parsing: "Hola"),
                    pricePerMinute: PricePerMinute(Money(minorUnits: 200_000, currency: .cop)), durations: DurationRange(min: 15, max: 120),
                    zone: Zone(identifier: "America/Bogota")!, availability: WeeklyAvailability(parsing: "07:00-20:00")), at: h.clock.now)
                let port = try TelegramWebhookTests.freePort()
                var env = ["PORT": String(port)]
                if configured {
                    env.merge([
                        "DAIMO_API_KEY": Self.apiKey, "DAIMO_WEBHOOK_TOKEN": Self.token, "DAIMO_API_URL": api.baseURL,
                        "DAIMO_DESTINATION_ADDRESS": Self.destination,
                    ]) { $1 }
                }
                try await h.serve(env) {
                    await h.fake.sendText("/start", from: anna)
                    try await h.expectLast(anna.id, contains: "PrivateCalls")
                    try await body(h, api, port)
                }
            }
        } catch {
            await api.stop()
            throw error
        }
        await api.stop()
    }

    /// Walks the bot to the Daimo link for Wed 25 Nov 18:00, 60 minutes ($300.00).
    @discardableResult
    func bookToDaimo(_ h: BotHarness, user: User, labels: [String]? = nil) async throws -> Message {
        await h.fake.sendText("/book_private_call", from: user)
        try await h.expectLast(user.id, contains: "Anna")
        for label in labels ?? ["🟢 Anna · $5.00/min", "📅 Book a call", "Wed 25 Nov", "18:00", "60 min · $300.00", "💳 Pay $300.00"] {
            try await h.tap(label, as: user)
        }
        try await h.expectLast(user.id, contains: user.languageCode == "es" ? "Elige cómo pagar" : "Choose how to pay")
        try await h.tap(user.languageCode == "es" ? "🪙 Cripto (Daimo)" : "🪙 Crypto (Daimo)", as: user)
        return try await h.expectLast(user.id, contains: user.languageCode == "es" ? "Paga con cripto" : "Pay with crypto")
    }

    @Test func checkoutCreatesADaimoPaymentAndAnAuthenticatedCompletionConfirmsOnce() async throws {
        let maria = self.maria, anna = self.anna
        try await withDaimo { h, api, port in
            let message = try await bookToDaimo(h, user: maria)
            #expect(message.replyMarkup?.inlineKeyboard.first?.first?.url == "https://pay.daimo.com/checkout?id=pay_1")
            let created = try #require(api.created().first)
            #expect(created.apiKey == Self.apiKey)
            #expect(created.idempotencyKey == "daimo-payment-1")
            #expect(created.contentType == "application/json")
            #expect(created.body["externalId"] == "1")
            let destination = created.body["destination"] ?? ""
            #expect(destination.contains("300.00"))
            #expect(destination.contains(Self.destination))
            #expect(destination.contains("8453"))
            #expect(try await h.store.paymentReference(of: BookingID(1)) == "pay_1")

            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            let confirmation = try await h.expectLast(maria.id, contains: "Payment received — your call is booked!")
            #expect(confirmation.text?.contains("Paid: $300.00") == true)
            try await h.expectLast(anna.id, contains: "New booking")
            let booking = try #require(try await h.store.booking(BookingID(1)))
            #expect(booking.status == .confirmed)
            #expect(booking.paymentMethod == "daimo")
            let ledger = try await h.store.ledger(bookingID: BookingID(1))
            #expect(ledger.count == 1)
            #expect(ledger.first?.platform.minorUnits == 9_000)
            #expect(ledger.first?.host.minorUnits == 21_000)

            // A replay changes nothing.
            let sent = await h.fake.calls("sendMessage").count
            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await h.fake.calls("sendMessage").count == sent)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == ["confirmed"])
        }
    }

    @Test func aCOPHostIsNotOfferedDaimo() async throws {
        let maria = self.maria
        try await withDaimo { h, _, _ in
            await h.fake.sendText("/book_private_call", from: maria)
            try await h.expectLast(maria.id, contains: "Bea")
            let price = Money(minorUnits: 200_000, currency: .cop).formatted()
            let total = Money(minorUnits: 12_000_000, currency: .cop).formatted()
            for label in ["🟢 Bea · \(price)/min", "📅 Book a call", "Wed 25 Nov", "18:00", "60 min · \(total)", "💳 Pay \(total)"] {
                try await h.tap(label, as: maria)
            }
            // Daimo is the only provider configured here, and it settles in USD: nothing to offer for COP, so
            // nothing is held either.
            let refusal = try await h.expectLast(maria.id, contains: "no payment method is available")
            #expect(!h.fake.buttonLabels(of: refusal).flatMap { $0 }.contains { $0.contains("Daimo") })
            #expect(try await h.store.bookings(userID: TelegramUserID(maria.id)).isEmpty)
        }
    }

    @Test func wrongOrMissingTokensAreRefusedAndChangeNothing() async throws {
        let maria = self.maria
        try await withDaimo { h, _, port in
            try await bookToDaimo(h, user: maria)
            for header in [nil, "", "Basic wrong-token", "Bearer \(Self.token)", "basic \(Self.token)"] {
                #expect(try await Self.post(port: port, body: Self.event(), authorization: header) == 401, "\(header ?? "none")")
            }
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).isEmpty)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            // Authenticated but unreadable.
            #expect(try await Self.post(port: port, body: "{", authorization: "Basic \(Self.token)") == 400)
        }
    }

    @Test func withoutATokenConfiguredTheEndpointRefusesEverything() async throws {
        try await withDaimo(daimo: false) { h, _, port in
            var statuses: [Int] = []
            for header in ["Basic ", "Basic \(Self.token)", nil] {
                statuses.append(try await Self.post(port: port, body: Self.event(), authorization: header))
            }
            #expect(statuses == [401, 401, 401])
            #expect(try await h.store.auditLog(limit: 10).filter { $0.action.hasPrefix("payment") }.isEmpty)
        }
    }

    @Test func wrongAmountsWrongTokensBouncesAndForeignPaymentsAreRecorded() async throws {
        let maria = self.maria
        try await withDaimo { h, _, port in
            try await bookToDaimo(h, user: maria)
            #expect(try await Self.deliver(Self.event(payment: "pay_1", amount: "3.00"), port: port) == 200)
            #expect(try await Self.deliver(Self.event(payment: "pay_x", amount: "300.00", token: "WETH"), port: port) == 200)
            #expect(try await Self.deliver(Self.event(payment: "pay_9", booking: "999"), port: port) == 200)
            #expect(try await Self.deliver(Self.event(payment: "pay_8", booking: "order-8"), port: port) == 200)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            #expect(try await Self.deliver(Self.event(type: "payment_bounced", payment: "pay_1"), port: port) == 200)
            try await h.expectLast(maria.id, contains: "Daimo sent the funds back")

            let events = try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status).sorted()
            #expect(events == ["bounced: returned to the payer by Daimo", "rejected: amount mismatch", "rejected: currency mismatch"])
            let audit = try await h.store.auditLog(limit: 50)
            #expect(audit.filter { $0.action == "payment.rejected" }.count == 2)
            #expect(Set(audit.filter { $0.action == "payment.refund_needed" }.map(\.entityID)) == ["999", "order-8"])
        }
    }

    @Test func aLatePaymentIsHonouredWhenFreeAndMarkedForAManualRefundWhenTaken() async throws {
        let maria = self.maria
        let juan = User(id: 7202, firstName: "Juan", languageCode: "es")
        let lucia = User(id: 7203, firstName: "Lucía", languageCode: "en")
        try await withDaimo { h, _, port in
            // María's hold lapses; her payment arrives late and the slot is still free: honoured.
            try await bookToDaimo(h, user: maria)
            h.clock.advance(minutes: 31)
            try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
            #expect(try await Self.deliver(Self.event(payment: "pay_1"), port: port) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)

            // Lucía holds 19:00 and lets it lapse; Juan takes 19:00; Lucía's payment arrives late: refund by hand.
            await h.fake.sendText("/book_private_call", from: lucia)
            try await h.expectLast(lucia.id, contains: "Anna")
            for label in ["🟢 Anna · $5.00/min", "📅 Book a call", "Wed 25 Nov", "19:00", "60 min · $300.00", "💳 Pay $300.00"] {
                try await h.tap(label, as: lucia)
            }
            try await h.tap("🪙 Crypto (Daimo)", as: lucia)
            try await h.expectLast(lucia.id, contains: "Pay with crypto")
            let lucias = try #require(try await h.store.bookings(userID: TelegramUserID(lucia.id)).first?.id)
            h.clock.advance(minutes: 31)
            try await h.fake.waitUntil { (try? await h.store.booking(lucias))?.status == .expired }
            try await bookToDaimo(h, user: juan, labels: ["🟢 Anna · $5.00/min", "📅 Reservar llamada", "mié 25 nov", "19:00", "60 min · $300.00", "💳 Pagar $300.00"])
            let paymentID = try #require(try await h.store.paymentReference(of: lucias))
            #expect(try await Self.deliver(Self.event(payment: paymentID, booking: "\(lucias)"), port: port) == 200)
            try await h.expectLast(lucia.id, contains: "It will be returned to you in full")
            #expect(try await h.store.booking(lucias)?.status == .expired)
            #expect(try await h.store.ledger(bookingID: lucias).isEmpty)
            #expect(try await h.store.paymentEvents(bookingID: lucias).map(\.status) == ["refund needed (manual)"])
            let audit = try await h.store.auditLog(limit: 20).filter { $0.action == "payment.refund_needed" }
            #expect(audit.map(\.entityID) == ["\(lucias)"])
        }
    }
}
