import AsyncHTTPClient
import Domain
import FakeStripe
import FakeTelegram
import Foundation
import NIOCore
import NIOHTTP1
import Storage
import Telegram
import Testing

@testable import App

/// `epayco-django` (`epayco_django.utils.get_signature`, a test peer from PyPI) computes the `x_signature` of
/// every confirmation these tests post, so our verification is checked against an independent implementation.
enum EpaycoSigner {
    static let customer = "1554823"
    static let pKey = "9c3e1f7a2b5d4c6e8f0a1b3c5d7e9f2a4b6c8d0e"
    static let publicKey = "491d6a0b6e992cf924edd8d3d088aff1"

    static var shouldRun: Bool { EpaycoDjango.shouldRun }

    /// get_signature(cust id, p_key, x_ref_payco, x_transaction_id, x_amount, x_currency_code).
    static func sign(ref: String, transaction: String, amount: String, currency: String, pKey: String = pKey) async throws -> String {
        let output = try #require(try await EpaycoDjango.signatures([[customer, pKey, ref, transaction, amount, currency]], pKey: pKey).first)
        try #require(output.count == 64, "epayco-django did not sign: \(output)")
        return output
    }

    /// A confirmation as ePayco posts it (form fields in its order), signed by epayco-django.
    static func confirmation(
        ref: String, transaction: String, amount: String, currency: String = "COP", state: String = "1", booking: String = "1",
        signingPKey: String = pKey, test: Bool = true
    ) async throws -> [(String, String)] {
        let signature = try await sign(ref: ref, transaction: transaction, amount: amount, currency: currency, pKey: signingPKey)
        let texts = ["1": "Aceptada", "2": "Rechazada", "3": "Pendiente", "4": "Fallida", "6": "Reversada"]
        return [
            ("x_cust_id_cliente", customer), ("x_ref_payco", ref), ("x_id_invoice", booking),
            ("x_description", "Llamada privada con Anna — 60 min"), ("x_amount", amount), ("x_amount_country", amount),
            ("x_amount_ok", amount), ("x_tax", "0"), ("x_amount_base", "0"), ("x_currency_code", currency),
            ("x_bank_name", "Banco de Pruebas"), ("x_transaction_id", transaction), ("x_transaction_date", "2026-11-25 09:12:44"),
            ("x_cod_response", state), ("x_cod_transaction_state", state), ("x_transaction_state", texts[state] ?? "Otro"),
            ("x_signature", signature), ("x_test_request", test ? "TRUE" : "FALSE"), ("x_extra1", booking),
            ("x_customer_email", "maria+test@example.com"),
        ]
    }

    static func form(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
        allowed.insert(charactersIn: "-._~")
        func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s }
        return fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}

@Suite("Paying with ePayco through the bot", .serialized,
       .enabled(if: EpaycoSigner.shouldRun, Comment(rawValue: Peers.skipMessage + " (needs epayco-django and django)")))
struct EpaycoFlowTests {
    let maria = User(id: 7101, firstName: "María", username: "maria", languageCode: "en")
    let anna = User(id: 9101, firstName: "Anna", username: "anna_cop", languageCode: "en")
    /// In ADMIN_TELEGRAM_IDS: told of money to return and reversals.
    let admin = User(id: 9199, firstName: "Ada", languageCode: "en")
    /// COP 2.000 a minute: 60 minutes are COP 120.000 (12_000_000 minor units).
    static let perMinute = Money(minorUnits: 200_000, currency: .cop)
    static let total = Money(minorUnits: 12_000_000, currency: .cop)

    static func post(port: Int, path: String = "/webhooks/epayco", form: String, timeout: TimeAmount = .seconds(10)) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        return Int(try await HTTPClient.shared.execute(request, timeout: timeout).status.code)
    }

    static func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    static func deliver(_ fields: [(String, String)], port: Int) async throws -> Int {
        try await post(port: port, form: EpaycoSigner.form(fields))
    }

    /// The server at PUBLIC_URL = its own address, the bot polling (PUBLIC_URL alone does not mean webhook mode:
    /// ePayco needs it for its pages and confirmations), ePayco configured (test mode) with its validation
    /// look-up pointed at the stand-in (or at `validationURL`), Daimo too (so the test sees that a COP host is not
    /// offered Daimo), one host priced in COP and linked to Anna's account, an admin.
    func withEpayco(validationURL: String? = nil, _ body: @Sendable (BotHarness, FakeEpaycoValidation, Int) async throws -> Void) async throws {
        let anna = self.anna, admin = self.admin
        let validation = try await FakeEpaycoValidation.start()
        do {
            try await BotHarness.with { h in
                _ = try await h.store.createHost(Domain.Host(
                    username: TelegramUsername(parsing: "anna_cop"), displayName: DisplayName(parsing: "Anna"), bio: Bio(parsing: "Café y libros"),
                    pricePerMinute: PricePerMinute(Self.perMinute), durations: DurationRange(min: 15, max: 120),
                    zone: Zone(identifier: "America/Bogota")!, availability: WeeklyAvailability(parsing: "07:00-20:00"), status: .online,
                    telegramUserID: TelegramUserID(anna.id)), at: h.clock.now)
                let port = try TelegramWebhookTests.freePort()
                let env = [
                    "PORT": String(port), "PUBLIC_URL": "http://127.0.0.1:\(port)",
                    "EPAYCO_CUST_ID": EpaycoSigner.customer, "EPAYCO_P_KEY": EpaycoSigner.pKey, "EPAYCO_PUBLIC_KEY": EpaycoSigner.publicKey,
                    "EPAYCO_TEST": "true", "EPAYCO_VALIDATION_URL": validationURL ?? validation.url,
                    "DAIMO_API_KEY": "daimo-unused", "DAIMO_WEBHOOK_TOKEN": "daimo-token-unused-0123", "DAIMO_API_URL": "http://127.0.0.1:9",
                    "DAIMO_DESTINATION_ADDRESS": "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0",
                    "ADMIN_TELEGRAM_IDS": String(admin.id),
                ]
                try await h.serve(env) {
                    // Anna's account and the admin talk to the bot once, so the fake Bot API knows their chats.
                    await h.fake.sendText("/start", from: anna)
                    try await h.expectLast(anna.id, contains: "PrivateCalls")
                    await h.fake.sendText("/start", from: admin)
                    try await h.fake.waitUntil { await !h.fake.messages(chat: admin.id).isEmpty }
                    #expect(await h.fake.webhook() == nil, "TELEGRAM_MODE defaults to polling, PUBLIC_URL or not")
                    #expect(await !h.fake.calls("getUpdates").isEmpty)
                    try await body(h, validation, port)
                }
            }
        } catch {
            await validation.stop()
            throw error
        }
        await validation.stop()
    }

    /// A genuine transaction: ePayco knows it (its validation answers these values) and posts its confirmation.
    static func genuine(
        _ validation: FakeEpaycoValidation, ref: String, transaction: String, amount: String, currency: String = "COP", state: String = "1",
        booking: String = "1"
    ) async throws -> [(String, String)] {
        validation.knows(.init(ref: ref, transaction: transaction, amount: amount, currency: currency, state: state, extra1: booking, invoice: booking))
        return try await EpaycoSigner.confirmation(ref: ref, transaction: transaction, amount: amount, currency: currency, state: state, booking: booking)
    }

    /// Booking `id` is still waiting, with nothing paid or recorded, and its user was told nothing of a payment.
    static func untouched(_ h: BotHarness, _ id: BookingID, user: User, _ comment: Comment? = nil) async throws {
        try await h.outboxIdle()
        #expect(try await h.store.booking(id)?.status == .pending, comment)
        #expect(try await h.store.booking(id)?.paymentState != .paid, comment)
        #expect(try await h.store.ledger(bookingID: id).isEmpty, comment)
        #expect(try await h.store.paymentEvents(bookingID: id).isEmpty, comment)
        #expect(await h.messages(user.id, containing: "booked").isEmpty, comment)
        #expect(await h.messages(user.id, containing: "returned").isEmpty, comment)
    }

    /// Walks the bot to the ePayco button for Wed 25 Nov 18:00 Madrid, 60 minutes (COP 120.000).
    @discardableResult
    func bookToEpayco(_ h: BotHarness, user: User, labels: [String]? = nil) async throws -> Message {
        let total = Self.total.formatted()
        await h.fake.sendText("/book_private_call", from: user)
        try await h.expectLast(user.id, contains: "Anna")
        let steps = labels ?? ["🟢 Anna · \(Self.perMinute.formatted())/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "60 min · \(total)", "💳 Pay \(total)"]
        for label in steps { try await h.tap(label, as: user) }
        let choice = try await h.expectLast(user.id, contains: user.languageCode == "es" ? "Elige cómo pagar" : "Choose how to pay")
        let offered = h.fake.buttonLabels(of: choice).flatMap { $0 }
        #expect(offered.contains("💳 ePayco"))
        #expect(!offered.contains { $0.contains("Daimo") }, "Daimo settles in USD: a COP booking must not offer it")
        try await h.tap("💳 ePayco", as: user)
        return try await h.expectLast(user.id, contains: user.languageCode == "es" ? "Paga con ePayco" : "Pay with ePayco")
    }

    @Test func aCOPBookingPaysOnOurPageAndASignedApprovalConfirmsItOnce() async throws {
        let maria = self.maria, anna = self.anna, admin = self.admin
        try await withEpayco { h, validation, port in
            let message = try await bookToEpayco(h, user: maria)
            let url = try #require(message.replyMarkup?.inlineKeyboard.first?.first?.url)
            #expect(url.hasPrefix("http://127.0.0.1:\(port)/pay/epayco/1?t="))

            // Our page starts ePayco's standard checkout with the booking's values.
            let (status, page) = try await Self.get(url)
            #expect(status == 200)
            #expect(page.contains(#"src="https://checkout.epayco.co/checkout.js""#))
            #expect(page.contains(#"data-epayco-key="\#(EpaycoSigner.publicKey)""#))
            #expect(page.contains(#"data-epayco-amount="120000.00""#))
            #expect(page.contains(#"data-epayco-currency="cop""#))
            #expect(page.contains(#"data-epayco-invoice="1""#))
            #expect(page.contains(#"data-epayco-extra1="1""#))
            #expect(page.contains(#"data-epayco-test="true""#))
            #expect(page.contains(#"data-epayco-confirmation="http://127.0.0.1:\#(port)/webhooks/epayco""#))
            #expect(page.contains(#"data-epayco-response="http://127.0.0.1:\#(port)/payments/epayco/response""#))
            #expect(!page.contains(EpaycoSigner.pKey), "p_key never reaches the browser")

            // The page refuses a wrong token and a booking that does not exist.
            let wrongToken = String(url.dropLast()) + (url.hasSuffix("0") ? "1" : "0")
            let (forbidden, forbiddenPage) = try await Self.get(wrongToken)
            #expect(forbidden == 403)
            #expect(forbiddenPage.contains("not valid"))
            #expect(try await Self.get("http://127.0.0.1:\(port)/pay/epayco/1").0 == 403)
            let other = EpaycoPage.token(for: BookingID(77), pKey: EpaycoSigner.pKey)
            #expect(try await Self.get("http://127.0.0.1:\(port)/pay/epayco/77?t=\(other)").0 == 404)

            // The browser's return never confirms anything.
            let (back, backPage) = try await Self.get("http://127.0.0.1:\(port)/payments/epayco/response?ref_payco=93241527")
            #expect(back == 200)
            #expect(backPage.contains("confirmed in Telegram as soon as ePayco"))
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)

            // Pending first (recorded only, from the signed fields: ePayco is not asked), then approved for the same
            // transaction, "120000" as ePayco may send it: checked with ePayco before it confirms anything.
            let pending = try await EpaycoSigner.confirmation(ref: "93241527", transaction: "1807562945", amount: "120000.00", state: "3")
            #expect(try await Self.deliver(pending, port: port) == 200)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(validation.asked().isEmpty)
            let approved = try await Self.genuine(validation, ref: "93241527", transaction: "1807562945", amount: "120000")
            #expect(try await Self.deliver(approved, port: port) == 200)
            #expect(validation.asked() == ["93241527"])

            let confirmation = try await h.expectLast(maria.id, contains: "Payment received — your call is booked!")
            #expect(confirmation.text?.contains("Paid: \(Self.total.formatted())") == true)
            try await h.expectLast(anna.id, contains: "New booking")
            let booking = try #require(try await h.store.booking(BookingID(1)))
            #expect(booking.status == .confirmed)
            #expect(booking.paymentMethod == "epayco")
            let ledger = try await h.store.ledger(bookingID: BookingID(1))
            #expect(ledger.count == 1)
            #expect(ledger.first?.gross == Self.total)
            #expect(ledger.first?.platform.minorUnits == 3_600_000)
            #expect(ledger.first?.host.minorUnits == 8_400_000)
            #expect(ledger.first.map { $0.platform.minorUnits + $0.host.minorUnits } == Self.total.minorUnits)
            let events = try await h.store.paymentEvents(bookingID: BookingID(1))
            #expect(events.map(\.status) == ["pending", "confirmed"])
            #expect(events.map(\.eventID) == ["93241527:1807562945:3", "93241527:1807562945:1"])

            // A replay is acknowledged and changes nothing.
            try await h.outboxIdle()
            let sent = await h.fake.calls("sendMessage").count
            #expect(try await Self.deliver(approved, port: port) == 200)
            try await h.outboxIdle()
            #expect(await h.fake.calls("sendMessage").count == sent)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).count == 2)
            #expect(await h.messages(maria.id, containing: "Payment received").count == 1)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
            #expect(await h.messages(admin.id, containing: "Money to return").isEmpty)

            // A paid booking's page is gone.
            let (gone, gonePage) = try await Self.get(url)
            #expect(gone == 410)
            #expect(gonePage.contains("no longer waiting for payment"))
        }
    }

    // MARK: Attack corpus: only ePayco's own answer confirms

    @Test func forgedSignaturesAreRefusedAndStoreNothing() async throws {
        let maria = self.maria
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            validation.knows(.init(ref: "500", transaction: "600", amount: "120000.00"))
            // Signed with someone else's p_key.
            let forged = try await EpaycoSigner.confirmation(ref: "500", transaction: "600", amount: "120000.00", signingPKey: "not-our-p-key")
            #expect(try await Self.deliver(forged, port: port) == 400)
            // Signed properly, then the amount changed on the way.
            var tampered = try await EpaycoSigner.confirmation(ref: "501", transaction: "601", amount: "120000.00")
            tampered = tampered.map { $0.0 == "x_amount" ? ($0.0, "1200.00") : $0 }
            #expect(try await Self.deliver(tampered, port: port) == 400)
            // Unsigned; and a signed field twice.
            #expect(try await Self.post(port: port, form: "x_ref_payco=1&x_transaction_id=2&x_amount=120000&x_currency_code=COP&x_cod_transaction_state=1&x_extra1=1") == 400)
            let twice = try await EpaycoSigner.confirmation(ref: "500", transaction: "600", amount: "120000.00") + [("x_amount", "1.00")]
            #expect(try await Self.deliver(twice, port: port) == 400)

            #expect(validation.asked().isEmpty, "nothing unauthenticated is even looked up")
            #expect(try await h.paymentAudit().isEmpty, "a refusal is a log line, not a row")
            #expect(try await h.allPaymentRows().isEmpty)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
            try await Self.untouched(h, BookingID(1), user: maria)
        }
    }

    @Test func amountsAndCurrenciesThatAreNotThePriceAreOwedBack() async throws {
        let maria = self.maria, admin = self.admin
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            let cheap = try await Self.genuine(validation, ref: "502", transaction: "602", amount: "1200.00")
            #expect(try await Self.deliver(cheap, port: port) == 200)
            let dollars = try await Self.genuine(validation, ref: "503", transaction: "603", amount: "120000.00", currency: "USD")
            #expect(try await Self.deliver(dollars, port: port) == 200)
            #expect(try await Self.deliver(dollars, port: port) == 200)
            try await h.outboxIdle()

            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            let cheapMoney = Money(minorUnits: 120_000, currency: .cop), dollarMoney = Money(minorUnits: 12_000_000, currency: .usd)
            let reasons = ["paid \(cheapMoney.formatted()), the price is \(Self.total.formatted())",
                           "paid \(dollarMoney.formatted()), the price is \(Self.total.formatted())"]
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == reasons.map { "refund owed: \($0)" })
            let owed = try await h.store.moneyToReturn(openOnly: true)
            #expect(owed.map(\.reason) == reasons)
            #expect(owed.map(\.reference) == ["502:602", "503:603"])
            #expect(owed.map(\.refundHandle) == ["502", "503"])
            #expect(owed.map(\.amount) == [.money(cheapMoney), .money(dollarMoney)])
            #expect(owed.allSatisfy { $0.bookingID == BookingID(1) && $0.userID == TelegramUserID(maria.id) && $0.provider == "epayco" })
            #expect(await h.messages(maria.id, containing: "It will be returned to you in full").count == 2, "one notice per payment, not per delivery")
            #expect(await h.messages(admin.id, containing: "Money to return").count == 2)
            #expect(await h.messages(maria.id, containing: "booked").isEmpty)
            #expect(try await h.paymentAudit().map(\.action) == ["payment.refund_needed", "payment.refund_needed"])
        }
    }

    @Test func declinedFieldsRepostedAsApprovedConfirmNothing() async throws {
        let maria = self.maria, admin = self.admin
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            // Declined: the user is told (from the signed fields), nothing else changes.
            let declined = try await Self.genuine(validation, ref: "504", transaction: "604", amount: "120000.00", state: "2")
            #expect(try await Self.deliver(declined, port: port) == 200)
            try await h.expectLast(maria.id, contains: "Your ePayco payment was declined")
            // The same signed fields with the state changed to approved: the signature still matches (it does not
            // cover the state), but ePayco says 2.
            let flipped = declined.map { field -> (String, String) in
                switch field.0 {
                case "x_cod_transaction_state", "x_cod_response": (field.0, "1")
                case "x_transaction_state": (field.0, "Aceptada")
                default: field
                }
            }
            #expect(try await Self.deliver(flipped, port: port) == 200)
            // A transaction ePayco still holds as pending, posted as approved.
            validation.knows(.init(ref: "505", transaction: "605", amount: "120000.00", state: "3"))
            let early = try await EpaycoSigner.confirmation(ref: "505", transaction: "605", amount: "120000.00", state: "1")
            #expect(try await Self.deliver(early, port: port) == 200)
            #expect(validation.asked() == ["504", "505"])
            try await h.outboxIdle()

            let booking = try #require(try await h.store.booking(BookingID(1)))
            #expect(booking.status == .pending)
            #expect(booking.paymentState != .paid)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.eventID) == ["504:604:2", "505:605:3"])
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == ["failed", "pending"])
            #expect(await h.messages(maria.id, containing: "declined").count == 1)
            #expect(await h.messages(maria.id, containing: "booked").isEmpty)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
            #expect(await h.messages(admin.id, containing: "Money to return").isEmpty)
        }
    }

    @Test func approvedFieldsNamingAnotherBookingConfirmOnlyTheBookingEpaycoKnows() async throws {
        let maria = self.maria, admin = self.admin
        let juan = User(id: 7103, firstName: "Juan", languageCode: "en")
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            let total = Self.total.formatted()
            try await bookToEpayco(h, user: juan, labels: [
                "🟢 Anna · \(Self.perMinute.formatted())/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "19:00", "60 min · \(total)", "💳 Pay \(total)",
            ])
            let juans = try #require(try await h.store.bookings(userID: TelegramUserID(juan.id)).first?.id)
            #expect(juans != BookingID(1))

            // Juan's approved payment, re-posted first with María's booking in x_extra1 and x_id_invoice (neither is
            // signed): ePayco says it is Juan's, so it confirms Juan's booking and nothing of María's.
            let juansPayment = try await Self.genuine(validation, ref: "900", transaction: "901", amount: "120000.00", booking: "\(juans)")
            let retargeted = juansPayment.map { ["x_extra1", "x_id_invoice"].contains($0.0) ? ($0.0, "1") : $0 }
            #expect(try await Self.deliver(retargeted, port: port) == 200)
            try await h.expectLast(juan.id, contains: "your call is booked")
            #expect(try await Self.deliver(juansPayment, port: port) == 200)

            // A signed approval naming no booking of ours, for a reference ePayco does not know: ignored.
            var nobodys = try await EpaycoSigner.confirmation(ref: "910", transaction: "911", amount: "120000.00")
            nobodys = nobodys.map { ["x_extra1", "x_id_invoice"].contains($0.0) ? ($0.0, "order-1") : $0 }
            #expect(try await Self.deliver(nobodys, port: port) == 200)
            try await Self.untouched(h, BookingID(1), user: maria)

            #expect(try await h.store.booking(juans)?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: juans).count == 1)
            #expect(try await h.store.paymentEvents(bookingID: juans).map(\.status) == ["confirmed"])
            #expect(await h.messages(juan.id, containing: "Payment received").count == 1)
            #expect(try await h.allPaymentRows().count == 1)

            // Approved by ePayco for a booking that does not exist: money to return, for an admin (once, however
            // often ePayco delivers it); no user to tell.
            let foreign = try await Self.genuine(validation, ref: "920", transaction: "921", amount: "120000.00", booking: "999")
            #expect(try await Self.deliver(foreign, port: port) == 200)
            #expect(try await Self.deliver(foreign, port: port) == 200)
            try await h.outboxIdle()
            let owed = try await h.store.moneyToReturn(openOnly: true)
            #expect(owed.map(\.reference) == ["920:921"])
            #expect(owed.first?.bookingID == nil && owed.first?.userID == nil)
            #expect(owed.first?.reason == "booking 999 does not exist")
            #expect(await h.messages(admin.id, containing: "Money to return").count == 1)
            let refund = try await h.paymentAudit().filter { $0.action == "payment.refund_needed" }
            #expect(refund.count == 1, "the unknown booking's payment is audited once, even when delivered twice")
            #expect(refund.first?.entityID == "none")
            try await Self.untouched(h, BookingID(1), user: maria)
        }
    }

    @Test func aStateNeverMovesBackAndOnlyEpaycosReversalCountsAsOne() async throws {
        let maria = self.maria, admin = self.admin
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            let approved = try await Self.genuine(validation, ref: "700", transaction: "701", amount: "120000.00")
            #expect(try await Self.deliver(approved, port: port) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")

            // Later "rejected" and "pending" confirmations for the same ref:transaction (signed fields, state changed):
            // recorded as ignored, no failure notice, the booking stays confirmed.
            func restated(_ code: String) -> [(String, String)] {
                approved.map { ["x_cod_transaction_state", "x_cod_response"].contains($0.0) ? ($0.0, code) : $0 }
            }
            #expect(try await Self.deliver(restated("2"), port: port) == 200)
            #expect(try await Self.deliver(restated("3"), port: port) == 200)
            // A "reversed" confirmation ePayco does not confirm (it still says approved): nothing.
            #expect(try await Self.deliver(restated("6"), port: port) == 200)
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == [
                "confirmed", "ignored: paid → failed", "ignored: paid → pending",
            ])
            #expect(await h.messages(maria.id, containing: "declined").isEmpty)
            #expect(await h.messages(maria.id, containing: "Payment received").count == 1)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)

            // ePayco itself reverses it: a row for an admin; the booking is left for the admin to look at.
            validation.knows(.init(ref: "700", transaction: "701", amount: "120000.00", state: "6"))
            #expect(try await Self.deliver(restated("6"), port: port) == 200)
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status).last == "reversed: admin attention")
            let owed = try await h.store.moneyToReturn(openOnly: true)
            #expect(owed.map(\.kind) == [.reversal])
            #expect(owed.first?.bookingID == BookingID(1) && owed.first?.reference == "700:701")
            #expect(await h.messages(admin.id, containing: "Payment reversed").count == 1)
            #expect(try await h.paymentAudit().map(\.action) == ["payment.reversed"])
        }
    }

    @Test func whenEpaycoDisagreesWithThePostItsOwnAmountIsUsed() async throws {
        let maria = self.maria, admin = self.admin
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            // Posted (and signed) for the full price, but ePayco's record is COP 1.200: that is what we hold.
            let posted = try await EpaycoSigner.confirmation(ref: "710", transaction: "711", amount: "120000.00")
            validation.knows(.init(ref: "710", transaction: "711", amount: "1200.00"))
            #expect(try await Self.deliver(posted, port: port) == 200)
            try await h.expectLast(maria.id, contains: "It will be returned to you in full")
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            let small = Money(minorUnits: 120_000, currency: .cop)
            #expect(try await h.store.moneyToReturn(openOnly: true).map(\.amount) == [.money(small)])
            // ePayco answering for another transaction of the reference than the one posted: not acted on.
            let other = try await EpaycoSigner.confirmation(ref: "730", transaction: "731", amount: "120000.00")
            validation.knows(.init(ref: "730", transaction: "999", amount: "120000.00"))
            #expect(try await Self.deliver(other, port: port) == 200)
            // ePayco's record in test mode while we are in test mode is fine; its record for the full price
            // confirms, whatever the post said.
            let cheapPost = try await EpaycoSigner.confirmation(ref: "720", transaction: "721", amount: "1200.00")
            validation.knows(.init(ref: "720", transaction: "721", amount: "120000.00"))
            #expect(try await Self.deliver(cheapPost, port: port) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            let ledger = try await h.store.ledger(bookingID: BookingID(1))
            #expect(ledger.map(\.gross) == [Self.total])
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == [
                "refund owed: paid \(small.formatted()), the price is \(Self.total.formatted())", "confirmed",
            ])
            #expect(await h.messages(admin.id, containing: "Money to return").count == 1)
        }
    }

    @Test func whileEpaycoCannotBeAskedNothingIsRecordedAndTheRetryConfirmsOnce() async throws {
        let maria = self.maria
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            // A signed approval for a reference ePayco does not know: 200, nothing recorded.
            let unknown = try await EpaycoSigner.confirmation(ref: "740", transaction: "741", amount: "120000.00")
            #expect(try await Self.deliver(unknown, port: port) == 200)

            let approved = try await Self.genuine(validation, ref: "750", transaction: "751", amount: "120000.00")
            for status in [503, 500, 502] {
                validation.fail(status: status)
                #expect(try await Self.deliver(approved, port: port) == 503, "ePayco answered \(status): it must retry")
            }
            validation.answerGarbage()
            #expect(try await Self.deliver(approved, port: port) == 503, "an answer that is not JSON")
            #expect(validation.asked() == ["740", "750", "750", "750", "750"])
            try await Self.untouched(h, BookingID(1), user: maria)
            #expect(try await h.allPaymentRows().isEmpty)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)

            // ePayco is back: its retry confirms, exactly once.
            validation.recover()
            #expect(try await Self.deliver(approved, port: port) == 200)
            #expect(try await Self.deliver(approved, port: port) == 200)
            try await h.expectConfirmedOnce(BookingID(1), user: maria.id)
        }
    }

    @Test func anUnreachableValidationEndpointConfirmsNothing() async throws {
        let maria = self.maria
        let closed = try TelegramWebhookTests.freePort()
        try await withEpayco(validationURL: "http://127.0.0.1:\(closed)/validation/v1/reference") { h, validation, port in
            try await bookToEpayco(h, user: maria)
            let approved = try await Self.genuine(validation, ref: "760", transaction: "761", amount: "120000.00")
            // (The look-up keeps trying to connect until its own 15 s timeout before giving up.)
            #expect(try await Self.post(port: port, form: EpaycoSigner.form(approved), timeout: .seconds(40)) == 503)
            // Declines need no look-up: they still reach the user.
            let declined = try await Self.genuine(validation, ref: "770", transaction: "771", amount: "120000.00", state: "2")
            #expect(try await Self.deliver(declined, port: port) == 200)
            try await h.expectLast(maria.id, contains: "Your ePayco payment was declined")
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            #expect(try await h.allPaymentRows().map(\.status) == ["failed"])
        }
    }

    /// ePayco's validation API writes `x_ref_payco`, `x_amount` and `x_cod_transaction_state` as JSON numbers.
    /// A Foundation number 1 also casts to `Bool`: read carelessly, state 1 would be "true" and every approval
    /// ignored.
    @Test func anApprovalEpaycoAnswersWithNumbersConfirms() async throws {
        let maria = self.maria
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            let approved = try await EpaycoSigner.confirmation(ref: "780", transaction: "781", amount: "120000")
            validation.knows(.init(ref: "780", transaction: "781", amount: "120000", numeric: true))
            #expect(try await Self.deliver(approved, port: port) == 200)
            try await h.outboxIdle()
            let status = try await h.store.booking(BookingID(1))?.status
            let ledger = try await h.store.ledger(bookingID: BookingID(1)).count
            #expect(status == .confirmed)
            #expect(ledger == 1)
        }
    }

    /// The state of a confirmation is not signed: anyone holding a real approval's fields can post them as
    /// "declined" before ePayco's own approval arrives. The approval, which ePayco confirms, still counts.
    @Test func aForgedDeclineBeforeTheApprovalDoesNotMakeThePaymentVanish() async throws {
        let maria = self.maria
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            let forged = try await EpaycoSigner.confirmation(ref: "790", transaction: "791", amount: "120000", state: "2")
            #expect(try await Self.deliver(forged, port: port) == 200)
            let approved = try await Self.genuine(validation, ref: "790", transaction: "791", amount: "120000")
            #expect(try await Self.deliver(approved, port: port) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")
            try await h.outboxIdle()
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
        }
    }

    // MARK: Late payments

    @Test func aLateApprovalIsHonouredWhenTheSlotIsStillFree() async throws {
        let maria = self.maria
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            h.clock.advance(minutes: 35)
            try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
            try await h.expectLast(maria.id, contains: "Your hold ran out")
            let late = try await Self.genuine(validation, ref: "700", transaction: "701", amount: "120000.00")
            #expect(try await Self.deliver(late, port: port) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.moneyToReturn(openOnly: false).isEmpty)
        }
    }

    @Test func aLateApprovalForATakenSlotIsOwedBackAndTheUserAndAdminsAreTold() async throws {
        let maria = self.maria, admin = self.admin
        let juan = User(id: 7102, firstName: "Juan", languageCode: "es")
        try await withEpayco { h, validation, port in
            try await bookToEpayco(h, user: maria)
            h.clock.advance(minutes: 31)
            try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
            let total = Self.total.formatted()
            try await bookToEpayco(h, user: juan, labels: [
                "🟢 Anna · \(Self.perMinute.formatted())/min", "📅 Reservar llamada", "Europe/Madrid", "mié 25 nov", "18:00", "60 min · \(total)", "💳 Pagar \(total)",
            ])
            let late = try await Self.genuine(validation, ref: "800", transaction: "801", amount: "120000.00")
            #expect(try await Self.deliver(late, port: port) == 200)
            let notice = try await h.expectLast(maria.id, contains: "It will be returned to you in full")
            #expect(notice.text?.contains("arrived after your hold had run out, and meanwhile someone else booked that time") == true)
            try await h.outboxIdle()

            #expect(try await h.store.booking(BookingID(1))?.status == .expired)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty, "money to be returned never enters the ledger")
            #expect(try await h.store.bookings(userID: TelegramUserID(juan.id)).first?.status == .pending)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == ["refund owed: slot taken after the hold lapsed"])
            let owed = try await h.store.moneyToReturn(openOnly: true)
            #expect(owed.count == 1)
            #expect(owed.first?.bookingID == BookingID(1) && owed.first?.userID == TelegramUserID(maria.id))
            #expect(owed.first?.reference == "800:801" && owed.first?.refundHandle == "800")
            #expect(owed.first?.amount == .money(Self.total))
            #expect(await h.messages(admin.id, containing: "Money to return").count == 1)
            #expect(await h.messages(juan.id, containing: "booked").isEmpty)
            let audit = try await h.store.auditLog(limit: 20).filter { $0.action == "payment.refund_needed" }
            #expect(audit.count == 1)
            #expect(audit.first?.entityID == "1")
            #expect(audit.first?.after?.contains("slot taken") == true)
        }
    }
}
