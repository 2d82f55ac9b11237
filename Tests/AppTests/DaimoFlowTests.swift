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

@Suite("Paying with Daimo Pay through the bot", .serialized)
struct DaimoFlowTests {
    static let token = "daimo-webhook-token-5b1e9c"
    static let apiKey = "daimo-api-key-e2e"
    static let destination = "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0"
    let maria = User(id: 7201, firstName: "María", username: "maria", languageCode: "en")
    let anna = User(id: 9201, firstName: "Anna", username: "anna_host", languageCode: "en")
    /// In ADMIN_TELEGRAM_IDS: told of money to return.
    let admin = User(id: 9299, firstName: "Ada", languageCode: "en")
    static let usdc = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"

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
        let anna = self.anna, admin = self.admin
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
                var env = ["PORT": String(port), "ADMIN_TELEGRAM_IDS": String(admin.id)]
                if configured {
                    env.merge([
                        "DAIMO_API_KEY": Self.apiKey, "DAIMO_WEBHOOK_TOKEN": Self.token, "DAIMO_API_URL": api.baseURL,
                        "DAIMO_DESTINATION_ADDRESS": Self.destination,
                    ]) { $1 }
                }
                try await h.serve(env) {
                    await h.fake.sendText("/start", from: anna)
                    try await h.expectLast(anna.id, contains: "PrivateCalls")
                    // The admin's chat exists at the (strict) fake before a notice is sent to it.
                    await h.fake.sendText("/start", from: admin)
                    try await h.fake.waitUntil { await !h.fake.messages(chat: admin.id).isEmpty }
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
        for label in labels ?? ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "60 min · $300.00", "💳 Pay $300.00"] {
            try await h.tap(label, as: user)
        }
        try await h.expectLast(user.id, contains: user.languageCode == "es" ? "Elige cómo pagar" : "Choose how to pay")
        try await h.tap(user.languageCode == "es" ? "🪙 Cripto (Daimo)" : "🪙 Crypto (Daimo)", as: user)
        return try await h.expectLast(user.id, contains: user.languageCode == "es" ? "Paga con cripto" : "Pay with crypto")
    }

    @Test func checkoutCreatesADaimoPaymentAndAnAuthenticatedCompletionConfirmsOnce() async throws {
        let maria = self.maria, anna = self.anna, admin = self.admin
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
            #expect(try await h.store.checkoutBooking(provider: "daimo", reference: "pay_1") == BookingID(1))
            // Daimo's own record of the payment echoes what we asked for.
            let recorded = try #require(api.payment("pay_1"))
            #expect(recorded.destinationAddress == Self.destination && recorded.chainId == "8453" && recorded.tokenAddress == Self.usdc)
            #expect(recorded.amountUnits == "300.00" && recorded.externalId == "1")

            // A completion Daimo does not confirm yet (still unpaid there): acknowledged, nothing recorded.
            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            #expect(api.lookedUp() == ["pay_1"])
            #expect(try await h.allPaymentRows().isEmpty)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)

            api.complete("pay_1")
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
            try await h.outboxIdle()
            let sent = await h.fake.calls("sendMessage").count
            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            try await h.outboxIdle()
            #expect(await h.fake.calls("sendMessage").count == sent)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == ["confirmed"])
            #expect(await h.messages(maria.id, containing: "Payment received").count == 1)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
            #expect(await h.messages(admin.id, containing: "Money to return").isEmpty)
        }
    }

    @Test func aCOPHostIsNotOfferedDaimo() async throws {
        let maria = self.maria
        try await withDaimo { h, _, _ in
            await h.fake.sendText("/book_private_call", from: maria)
            try await h.expectLast(maria.id, contains: "Bea")
            let price = Money(minorUnits: 200_000, currency: .cop).formatted()
            let total = Money(minorUnits: 12_000_000, currency: .cop).formatted()
            for label in ["🟢 Bea · \(price)/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "60 min · \(total)", "💳 Pay \(total)"] {
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
        try await withDaimo { h, api, port in
            try await bookToDaimo(h, user: maria)
            api.complete("pay_1")
            for header in [nil, "", "Basic wrong-token", "Bearer \(Self.token)", "basic \(Self.token)"] {
                #expect(try await Self.post(port: port, body: Self.event(), authorization: header) == 401, "\(header ?? "none")")
            }
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).isEmpty)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            // Authenticated but unreadable.
            #expect(try await Self.post(port: port, body: "{", authorization: "Basic \(Self.token)") == 400)
            #expect(api.lookedUp().isEmpty, "nothing unauthenticated reaches Daimo's API")
            #expect(try await h.allPaymentRows().isEmpty)
            #expect(try await h.paymentAudit().isEmpty)
            try await h.outboxIdle()
            #expect(await h.messages(maria.id, containing: "booked").isEmpty)
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

    /// Booking `id` is still waiting, with nothing paid, recorded or owed, and its user was told nothing of a payment.
    static func untouched(_ h: BotHarness, _ id: BookingID, user: User, _ comment: Comment? = nil) async throws {
        try await h.outboxIdle()
        #expect(try await h.store.booking(id)?.status == .pending, comment)
        #expect(try await h.store.ledger(bookingID: id).isEmpty, comment)
        #expect(try await h.store.paymentEvents(bookingID: id).isEmpty, comment)
        #expect(await h.messages(user.id, containing: "booked").isEmpty, comment)
        #expect(await h.messages(user.id, containing: "returned").isEmpty, comment)
    }

    @Test func aBouncedPaymentTellsTheUserAndConfirmsNothing() async throws {
        let maria = self.maria
        try await withDaimo { h, _, port in
            try await bookToDaimo(h, user: maria)
            #expect(try await Self.deliver(Self.event(type: "payment_bounced", payment: "pay_1"), port: port) == 200)
            try await h.expectLast(maria.id, contains: "Daimo sent the funds back")
            #expect(try await Self.deliver(Self.event(type: "payment_bounced", payment: "pay_1"), port: port) == 200)
            try await h.outboxIdle()
            #expect(await h.messages(maria.id, containing: "Daimo sent the funds back").count == 1)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == ["failed"])
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
        }
    }

    // MARK: Attack corpus: a completion is acted on only as Daimo's API describes it

    @Test func aCompletionDaimoDoesNotConfirmChangesNothing() async throws {
        let maria = self.maria, admin = self.admin
        try await withDaimo { h, api, port in
            try await bookToDaimo(h, user: maria)
            // Daimo says the payment is not completed (unpaid, started, bounced).
            for status in ["payment_unpaid", "payment_started", "payment_bounced"] {
                api.update("pay_1") { $0.status = status }
                #expect(try await Self.deliver(Self.event(), port: port) == 200, "\(status)")
            }
            // Completed, but Daimo's payment is for another booking than the event claims.
            api.update("pay_1") { $0.status = "payment_completed"; $0.externalId = "2" }
            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            // Completed, but Daimo's payment names no booking at all.
            api.update("pay_1") { $0.externalId = nil }
            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            #expect(api.lookedUp() == Array(repeating: "pay_1", count: 5), "every completion is looked up")
            try await Self.untouched(h, BookingID(1), user: maria)
            #expect(try await h.allPaymentRows().isEmpty)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
            #expect(await h.messages(admin.id, containing: "Money to return").isEmpty)

            // The event claims $300.00; Daimo's record says $3.00 reached us: that money is returned, not kept.
            api.update("pay_1") { $0.externalId = "1"; $0.amountUnits = "3.00" }
            #expect(try await Self.deliver(Self.event(amount: "300.00"), port: port) == 200)
            let notice = try await h.expectLast(maria.id, contains: "It will be returned to you in full")
            #expect(notice.text?.contains("does not match the price of the booking") == true, "the true reason")
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == ["refund owed: paid $3.00, the price is $300.00"])
            let owed = try await h.store.moneyToReturn(openOnly: true)
            #expect(owed.count == 1)
            #expect(owed.first?.kind == .payment && owed.first?.provider == "daimo" && owed.first?.reference == "pay_1")
            #expect(owed.first?.bookingID == BookingID(1) && owed.first?.userID == TelegramUserID(maria.id))
            #expect(owed.first?.amount == .money(Money(minorUnits: 300, currency: .usd)))
            #expect(await h.messages(admin.id, containing: "Money to return").count == 1)
            #expect(await h.messages(maria.id, containing: "booked").isEmpty)
            #expect(try await h.paymentAudit().map(\.action) == ["payment.refund_needed"])
        }
    }

    @Test func fundsSentToAnotherDestinationChainOrTokenAreNotOurs() async throws {
        let maria = self.maria, admin = self.admin
        try await withDaimo { h, api, port in
            try await bookToDaimo(h, user: maria)
            api.complete("pay_1")
            let changes: [(String, @Sendable (inout FakeDaimoAPI.Payment) -> Void)] = [
                ("another address", { $0.destinationAddress = "0x1111111111111111111111111111111111111111" }),
                ("another chain", { $0.chainId = "1" }),
                ("another token", { $0.tokenAddress = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" }),
            ]
            for (label, change) in changes {
                let original = try #require(api.payment("pay_1"))
                api.update("pay_1", change)
                #expect(try await Self.deliver(Self.event(), port: port) == 200, "\(label)")
                try await Self.untouched(h, BookingID(1), user: maria, "\(label)")
                api.update("pay_1") { $0 = original }
            }
            #expect(try await h.allPaymentRows().isEmpty, "not even recorded: the event id stays free")
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty, "funds that never reached us are not ours to return")
            #expect(await h.messages(admin.id, containing: "Money to return").isEmpty)

            // The same event, once Daimo's record shows our destination: confirmed (once).
            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
        }
    }

    @Test func aPaymentIdThatIsNotThisBookingsCheckoutConfirmsNothing() async throws {
        let maria = self.maria, admin = self.admin
        let juan = User(id: 7204, firstName: "Juan", languageCode: "en")
        try await withDaimo { h, api, port in
            try await bookToDaimo(h, user: maria)
            try await bookToDaimo(h, user: juan, labels: ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "19:00", "60 min · $300.00", "💳 Pay $300.00"])
            let juans = try #require(try await h.store.bookings(userID: TelegramUserID(juan.id)).first?.id)
            #expect(try await h.store.paymentReference(of: juans) == "pay_2")
            api.complete("pay_2")

            // Unknown at Daimo (404), and ids that are no id at all: ignored, nothing recorded.
            for id in ["pay_404", "pay_1%2F..%2Fpay_2", String(repeating: "p", count: 200)] {
                #expect(try await Self.deliver(Self.event(payment: id), port: port) == 200, "\(id.prefix(20))")
            }
            // Juan's paid checkout claimed for María's booking: Daimo says it is Juan's booking.
            #expect(try await Self.deliver(Self.event(payment: "pay_2", booking: "1"), port: port) == 200)
            try await Self.untouched(h, BookingID(1), user: maria)
            #expect(try await h.allPaymentRows().isEmpty)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)

            // A completed payment to our address that Daimo files under María's booking but that is no checkout we
            // created for it: never confirms her booking. The funds did reach us, so they are listed for an admin.
            api.register(FakeDaimoAPI.Payment(
                id: "pay_elsewhere", status: "payment_completed", externalId: "1", destinationAddress: Self.destination, chainId: "8453",
                tokenAddress: Self.usdc, amountUnits: "300.00"))
            #expect(try await Self.deliver(Self.event(payment: "pay_elsewhere"), port: port) == 200)
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            #expect(await h.messages(maria.id, containing: "booked").isEmpty)
            let owed = try await h.store.moneyToReturn(openOnly: true)
            #expect(owed.map(\.reference) == ["pay_elsewhere"])
            #expect(owed.first?.bookingID == nil && owed.first?.reason.contains("no checkout of ours") == true)
            #expect(try await h.allPaymentRows().map(\.status) == ["refund owed: no checkout of ours has reference pay_elsewhere"])
            #expect(await h.messages(admin.id, containing: "Money to return").count == 1)

            // Juan's own completion confirms Juan's booking (and only it).
            #expect(try await Self.deliver(Self.event(payment: "pay_2", booking: "\(juans)"), port: port) == 200)
            try await h.expectLast(juan.id, contains: "your call is booked")
            try await h.outboxIdle()
            #expect(try await h.store.booking(juans)?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: juans).count == 1)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
        }
    }

    @Test func whileDaimoCannotBeAskedNothingIsRecordedAndTheRetryConfirmsOnce() async throws {
        let maria = self.maria
        try await withDaimo { h, api, port in
            try await bookToDaimo(h, user: maria)
            api.complete("pay_1")
            for status in [500, 503, 429] {
                api.failLookUps(status)
                #expect(try await Self.deliver(Self.event(), port: port) == 503, "Daimo answered \(status): Daimo must retry")
            }
            try await Self.untouched(h, BookingID(1), user: maria)
            #expect(try await h.allPaymentRows().isEmpty)

            api.failLookUps(nil)
            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            #expect(try await Self.deliver(Self.event(), port: port) == 200)
            try await h.expectConfirmedOnce(BookingID(1), user: maria.id)
        }
    }

    @Test func aLatePaymentIsHonouredWhenFreeAndOwedBackWhenTaken() async throws {
        let maria = self.maria, admin = self.admin
        let juan = User(id: 7202, firstName: "Juan", languageCode: "es")
        let lucia = User(id: 7203, firstName: "Lucía", languageCode: "en")
        try await withDaimo { h, api, port in
            // María's hold lapses; her payment arrives late and the slot is still free: honoured.
            try await bookToDaimo(h, user: maria)
            h.clock.advance(minutes: 31)
            try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
            api.complete("pay_1")
            #expect(try await Self.deliver(Self.event(payment: "pay_1"), port: port) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)

            // Lucía holds 19:00 and lets it lapse; Juan takes 19:00; Lucía's payment arrives late: owed back.
            await h.fake.sendText("/book_private_call", from: lucia)
            try await h.expectLast(lucia.id, contains: "Anna")
            for label in ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "19:00", "60 min · $300.00", "💳 Pay $300.00"] {
                try await h.tap(label, as: lucia)
            }
            try await h.tap("🪙 Crypto (Daimo)", as: lucia)
            try await h.expectLast(lucia.id, contains: "Pay with crypto")
            let lucias = try #require(try await h.store.bookings(userID: TelegramUserID(lucia.id)).first?.id)
            h.clock.advance(minutes: 31)
            try await h.fake.waitUntil { (try? await h.store.booking(lucias))?.status == .expired }
            try await bookToDaimo(h, user: juan, labels: ["🟢 Anna · $5.00/min", "📅 Reservar llamada", "Europe/Madrid", "mié 25 nov", "19:00", "60 min · $300.00", "💳 Pagar $300.00"])
            let paymentID = try #require(try await h.store.paymentReference(of: lucias))
            api.complete(paymentID)
            #expect(try await Self.deliver(Self.event(payment: paymentID, booking: "\(lucias)"), port: port) == 200)
            let notice = try await h.expectLast(lucia.id, contains: "It will be returned to you in full")
            #expect(notice.text?.contains("someone else booked that time") == true, "the true reason")
            try await h.outboxIdle()
            #expect(try await h.store.booking(lucias)?.status == .expired)
            #expect(try await h.store.ledger(bookingID: lucias).isEmpty)
            #expect(try await h.store.bookings(userID: TelegramUserID(juan.id)).first?.status == .pending, "Juan's hold is untouched")
            #expect(try await h.store.paymentEvents(bookingID: lucias).map(\.status) == ["refund owed: slot taken after the hold lapsed"])
            let owed = try await h.store.moneyToReturn(openOnly: true)
            #expect(owed.map(\.bookingID) == [lucias])
            #expect(owed.first?.userID == TelegramUserID(lucia.id) && owed.first?.reference == paymentID)
            #expect(owed.first?.amount == .money(Money(minorUnits: 30_000, currency: .usd)))
            #expect(await h.messages(admin.id, containing: "Money to return").count == 1)
            let audit = try await h.store.auditLog(limit: 20).filter { $0.action == "payment.refund_needed" }
            #expect(audit.map(\.entityID) == ["\(lucias)"])
        }
    }
}
