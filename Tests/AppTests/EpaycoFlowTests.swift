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
    /// COP 2.000 a minute: 60 minutes are COP 120.000 (12_000_000 minor units).
    static let perMinute = Money(minorUnits: 200_000, currency: .cop)
    static let total = Money(minorUnits: 12_000_000, currency: .cop)

    static func post(port: Int, path: String = "/webhooks/epayco", form: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
    }

    static func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    static func deliver(_ fields: [(String, String)], port: Int) async throws -> Int {
        try await post(port: port, form: EpaycoSigner.form(fields))
    }

    /// The server in webhook mode at PUBLIC_URL = its own address, ePayco configured (test mode), Daimo too (so
    /// the test sees that a COP host is not offered Daimo), one host priced in COP and linked to Anna's account.
    func withEpayco(_ body: @Sendable (BotHarness, Int) async throws -> Void) async throws {
        let anna = self.anna
        try await BotHarness.with { h in
            _ = try await h.store.createHost(Domain.Host(
                username: TelegramUsername(parsing: "anna_cop"), displayName: DisplayName(parsing: "Anna"), bio: Bio(parsing: "Café y libros"),
                pricePerMinute: PricePerMinute(Self.perMinute), durations: DurationRange(min: 15, max: 120),
                zone: Zone(identifier: "America/Bogota")!, availability: WeeklyAvailability(parsing: "07:00-20:00"), status: .online,
                telegramUserID: TelegramUserID(anna.id)), at: h.clock.now)
            let port = try TelegramWebhookTests.freePort()
            let env = [
                "PORT": String(port), "PUBLIC_URL": "http://127.0.0.1:\(port)", "TELEGRAM_WEBHOOK_SECRET": "epayco-e2e-secret",
                "EPAYCO_CUST_ID": EpaycoSigner.customer, "EPAYCO_P_KEY": EpaycoSigner.pKey, "EPAYCO_PUBLIC_KEY": EpaycoSigner.publicKey,
                "EPAYCO_TEST": "true",
                "DAIMO_API_KEY": "daimo-unused", "DAIMO_WEBHOOK_TOKEN": "daimo-token-unused-0123", "DAIMO_API_URL": "http://127.0.0.1:9",
                "DAIMO_DESTINATION_ADDRESS": "0x98a1b6fdFAE5cF3A274b921d8AcDB441E697a5B0",
            ]
            try await h.serve(env) {
                try await h.fake.waitUntil { await h.fake.webhook() != nil }
                // Anna's account talks to the bot once, so the fake Bot API knows her chat.
                await h.fake.sendText("/start", from: anna)
                try await h.expectLast(anna.id, contains: "PrivateCalls")
                try await body(h, port)
            }
        }
    }

    /// Walks the bot to the ePayco button for Wed 25 Nov 18:00 Madrid, 60 minutes (COP 120.000).
    @discardableResult
    func bookToEpayco(_ h: BotHarness, user: User, labels: [String]? = nil) async throws -> Message {
        let total = Self.total.formatted()
        await h.fake.sendText("/book_private_call", from: user)
        try await h.expectLast(user.id, contains: "Anna")
        let steps = labels ?? ["🟢 Anna · \(Self.perMinute.formatted())/min", "📅 Book a call", "Wed 25 Nov", "18:00", "60 min · \(total)", "💳 Pay \(total)"]
        for label in steps { try await h.tap(label, as: user) }
        let choice = try await h.expectLast(user.id, contains: user.languageCode == "es" ? "Elige cómo pagar" : "Choose how to pay")
        let offered = h.fake.buttonLabels(of: choice).flatMap { $0 }
        #expect(offered.contains("💳 ePayco"))
        #expect(!offered.contains { $0.contains("Daimo") }, "Daimo settles in USD: a COP booking must not offer it")
        try await h.tap("💳 ePayco", as: user)
        return try await h.expectLast(user.id, contains: user.languageCode == "es" ? "Paga con ePayco" : "Pay with ePayco")
    }

    @Test func aCOPBookingPaysOnOurPageAndASignedApprovalConfirmsItOnce() async throws {
        let maria = self.maria, anna = self.anna
        try await withEpayco { h, port in
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

            // Pending first (recorded only), then approved for the same transaction: "120000" as ePayco may send it.
            let pending = try await EpaycoSigner.confirmation(ref: "93241527", transaction: "1807562945", amount: "120000.00", state: "3")
            #expect(try await Self.deliver(pending, port: port) == 200)
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            let approved = try await EpaycoSigner.confirmation(ref: "93241527", transaction: "1807562945", amount: "120000")
            #expect(try await Self.deliver(approved, port: port) == 200)

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
            #expect(Set(events.map(\.status)) == ["pending: state 3", "confirmed"])

            // A replay is acknowledged and changes nothing.
            let sent = await h.fake.calls("sendMessage").count
            #expect(try await Self.deliver(approved, port: port) == 200)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await h.fake.calls("sendMessage").count == sent)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).count == 2)

            // A paid booking's page is gone.
            let (gone, gonePage) = try await Self.get(url)
            #expect(gone == 410)
            #expect(gonePage.contains("no longer waiting for payment"))
        }
    }

    @Test func forgedMismatchedDeclinedAndForeignConfirmationsChangeNothing() async throws {
        let maria = self.maria
        try await withEpayco { h, port in
            try await bookToEpayco(h, user: maria)
            // Signed with someone else's p_key.
            let forged = try await EpaycoSigner.confirmation(ref: "500", transaction: "600", amount: "120000.00", signingPKey: "not-our-p-key")
            #expect(try await Self.deliver(forged, port: port) == 400)
            // Signed properly, then the amount changed on the way.
            var tampered = try await EpaycoSigner.confirmation(ref: "501", transaction: "601", amount: "120000.00")
            tampered = tampered.map { $0.0 == "x_amount" ? ($0.0, "1200.00") : $0 }
            #expect(try await Self.deliver(tampered, port: port) == 400)
            // Unsigned.
            #expect(try await Self.post(port: port, form: "x_ref_payco=1&x_transaction_id=2&x_amount=120000&x_currency_code=COP&x_cod_transaction_state=1&x_extra1=1") == 400)
            let refused = try await h.store.auditLog(limit: 20).filter { $0.action == "payment.signature_rejected" }
            #expect(refused.count == 3)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).isEmpty)

            // Signed, approved, but not the booking's amount; then not its currency.
            let cheap = try await EpaycoSigner.confirmation(ref: "502", transaction: "602", amount: "1200.00")
            #expect(try await Self.deliver(cheap, port: port) == 200)
            let dollars = try await EpaycoSigner.confirmation(ref: "503", transaction: "603", amount: "120000.00", currency: "USD")
            #expect(try await Self.deliver(dollars, port: port) == 200)
            // Declined: the user is told, nothing else changes.
            let declined = try await EpaycoSigner.confirmation(ref: "504", transaction: "604", amount: "120000.00", state: "2")
            #expect(try await Self.deliver(declined, port: port) == 200)
            try await h.expectLast(maria.id, contains: "Your ePayco payment was declined")
            // Approved for a booking that is not ours: recorded, audited, 200 so ePayco stops retrying.
            let foreign = try await EpaycoSigner.confirmation(ref: "505", transaction: "605", amount: "120000.00", booking: "999")
            #expect(try await Self.deliver(foreign, port: port) == 200)
            #expect(try await Self.deliver(foreign, port: port) == 200)

            let booking = try #require(try await h.store.booking(BookingID(1)))
            #expect(booking.status == .pending)
            #expect(booking.paymentState != .paid)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
            let events = try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status).sorted()
            #expect(events == ["failed: state 2", "rejected: amount mismatch", "rejected: currency mismatch"])
            let audit = try await h.store.auditLog(limit: 50)
            #expect(audit.filter { $0.action == "payment.rejected" }.count == 2)
            let refund = audit.filter { $0.action == "payment.refund_needed" }
            #expect(refund.count == 1, "the unknown booking's payment is audited once, even when delivered twice")
            #expect(refund.first?.entityID == "999")
        }
    }

    @Test func aLateApprovalIsHonouredWhenTheSlotIsStillFree() async throws {
        let maria = self.maria
        try await withEpayco { h, port in
            try await bookToEpayco(h, user: maria)
            h.clock.advance(minutes: 35)
            try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
            try await h.expectLast(maria.id, contains: "Your hold ran out")
            let late = try await EpaycoSigner.confirmation(ref: "700", transaction: "701", amount: "120000.00")
            #expect(try await Self.deliver(late, port: port) == 200)
            try await h.expectLast(maria.id, contains: "your call is booked")
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
        }
    }

    @Test func aLateApprovalForATakenSlotIsMarkedForAManualRefundAndTheUserIsTold() async throws {
        let maria = self.maria
        let juan = User(id: 7102, firstName: "Juan", languageCode: "es")
        try await withEpayco { h, port in
            try await bookToEpayco(h, user: maria)
            h.clock.advance(minutes: 31)
            try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
            let total = Self.total.formatted()
            try await bookToEpayco(h, user: juan, labels: [
                "🟢 Anna · \(Self.perMinute.formatted())/min", "📅 Reservar llamada", "mié 25 nov", "18:00", "60 min · \(total)", "💳 Pagar \(total)",
            ])
            let late = try await EpaycoSigner.confirmation(ref: "800", transaction: "801", amount: "120000.00")
            #expect(try await Self.deliver(late, port: port) == 200)
            try await h.expectLast(maria.id, contains: "It will be returned to you in full")

            #expect(try await h.store.booking(BookingID(1))?.status == .expired)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty, "money to be returned never enters the ledger")
            #expect(try await h.store.bookings(userID: TelegramUserID(juan.id)).first?.status == .pending)
            #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.status) == ["refund needed (manual)"])
            let audit = try await h.store.auditLog(limit: 20).filter { $0.action == "payment.refund_needed" }
            #expect(audit.count == 1)
            #expect(audit.first?.entityID == "1")
            #expect(audit.first?.after?.contains("slot taken") == true)
        }
    }
}
