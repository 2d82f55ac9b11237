import Bot
import Crypto
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Payments
import Storage

/// The per-booking token in our ePayco checkout link (`/pay/epayco/<booking>?t=<token>`): HMAC-SHA256 of the
/// booking id under `EPAYCO_P_KEY` (with a purpose prefix, so it is never an ePayco signature), 128 bits in
/// hex. Nobody can open the checkout of a booking whose link they were not sent.
enum EpaycoPage {
    static func token(for booking: BookingID, pKey: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("privatecalls-epayco-checkout-page:\(booking.rawValue)".utf8), using: SymmetricKey(data: Array(pKey.utf8)))
        let digits = Array("0123456789abcdef")
        return String(Array(mac).prefix(16).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    /// Constant time over the expected token's length (a wrong length fails without a shortcut on content).
    static func verify(_ token: String?, booking: BookingID, pKey: String) -> Bool {
        guard let token else { return false }
        let expected = Array(Self.token(for: booking, pKey: pKey).utf8)
        let received = Array(token.lowercased().utf8)
        var difference: UInt8 = received.count == expected.count ? 0 : 1
        for i in expected.indices { difference |= expected[i] ^ (i < received.count ? received[i] : 0) }
        return difference == 0
    }

    /// `a=1&b=x+y%21` → [("a", "1"), ("b", "x y!")], in order, duplicates kept (the verifier refuses those it
    /// reads). Nil when a part is not valid percent-encoding.
    static func formFields(_ text: String) -> [(String, String)]? {
        var fields: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String? { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(pair[0]), let value = pair.count == 2 ? decode(pair[1]) : "" else { return nil }
            fields.append((name, value))
        }
        return fields
    }
}

/// ePayco, end to end:
/// - `GET /pay/epayco/<booking>?t=<token>`: our checkout page; it starts ePayco's standard checkout
///   (`checkout.js` with `data-epayco-*`: public key, amount, currency, invoice = booking id, confirmation and
///   response URLs, test flag). Refused with a clear page for a wrong token (403), an unknown booking (404), or
///   a booking no longer waiting for payment (410).
/// - `POST` (or `GET`) `/webhooks/epayco`: ePayco's confirmation. The fields are verified as received
///   (`EpaycoConfirmation.verify`); a bad signature is 400, logged and audited, nothing stored. A signed
///   confirmation is recorded once per `x_ref_payco:x_transaction_id:x_cod_transaction_state` (so pending →
///   approved for one transaction is handled twice, a repeat once) and always answered 200 once handled, so
///   ePayco stops retrying — also for one naming no booking of ours (recorded, audited: refund by hand).
/// - `GET /payments/epayco/response`: where the browser returns. A friendly page; it never confirms anything.
struct EpaycoRoutes {
    let settings: EpaycoSettings?
    let runtime: PaymentsRuntime

    static let provider = "epayco"

    func register(on router: Router<some RequestContext>) {
        router.get("pay/epayco/:booking") { request, context -> Response in
            await checkoutPage(bookingText: context.parameters.get("booking"), token: request.uri.queryParameters.get("t"))
        }
        router.get("payments/epayco/response") { _, _ -> Response in
            htmlPage(title: "PrivateCalls", body: """
                <p>Thank you. If your payment was approved, your booking is confirmed in Telegram as soon as ePayco \
                confirms it to us (usually within a minute). If it was declined, nothing was charged and you can pick \
                another method in Telegram.</p>\
                <p lang="es">Gracias. Si tu pago fue aprobado, tu reserva se confirma en Telegram en cuanto ePayco nos lo \
                confirme (normalmente en un minuto). Si fue rechazado, no se cobró nada y puedes elegir otro método en Telegram.</p>
                """)
        }
        router.post("webhooks/epayco") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            // ePayco posts a form; a GET confirmation carries the same fields in the query string.
            return await confirmation(text.isEmpty ? (request.uri.query ?? "") : text)
        }
        router.get("webhooks/epayco") { request, _ -> Response in
            await confirmation(request.uri.query ?? "")
        }
    }

    // MARK: Checkout page

    func refusal(_ status: HTTPResponse.Status, _ en: String, _ es: String) -> Response {
        htmlPage(status, title: "PrivateCalls", body: "<p>\(html(en))</p><p lang=\"es\">\(html(es))</p>")
    }

    func checkoutPage(bookingText: String?, token: String?) async -> Response {
        guard let settings else {
            return refusal(.notFound, "ePayco is not available.", "ePayco no está disponible.")
        }
        guard let bookingText, let raw = Int64(bookingText), raw > 0 else {
            return refusal(.notFound, "This payment link is not valid.", "Este enlace de pago no es válido.")
        }
        let id = BookingID(raw)
        guard EpaycoPage.verify(token, booking: id, pKey: settings.pKey) else {
            runtime.logger.warning("epayco checkout page: wrong token", metadata: ["booking": "\(id)"])
            return refusal(.forbidden, "This payment link is not valid. Open the payment button in Telegram again.",
                           "Este enlace de pago no es válido. Abre de nuevo el botón de pago en Telegram.")
        }
        var booking: Booking?
        var host: Domain.Host?
        do {
            booking = try await runtime.store.booking(id)
            if let booking { host = try await runtime.store.host(booking.hostID) }
        } catch {
            runtime.logger.error("epayco checkout page: store failed", metadata: ["booking": "\(id)", "error": "\(error)"])
            return refusal(.serviceUnavailable, "Please try again in a moment.", "Inténtalo de nuevo en un momento.")
        }
        guard let booking, let host else {
            return refusal(.notFound, "This booking does not exist.", "Esta reserva no existe.")
        }
        guard booking.status == .pending, booking.blocksSlot(at: runtime.now()) else {
            return refusal(.gone, "This booking is no longer waiting for payment. Nothing was charged; you can book again in Telegram.",
                           "Esta reserva ya no está esperando el pago. No se cobró nada; puedes reservar de nuevo en Telegram.")
        }
        let language = ((try? await runtime.store.user(booking.userID)).flatMap { Language(rawValue: $0.language) }) ?? .es
        let name = language == .es ? "Llamada privada con \(host.displayName.value)" : "Private call with \(host.displayName.value)"
        let description = language == .es
            ? "\(booking.price.minutes) min, reserva \(id)" : "\(booking.price.minutes) min, booking \(id)"
        let checkout: EpaycoCheckout
        do {
            checkout = try EpaycoCheckout(
                publicKey: settings.publicKey, test: settings.test, bookingID: id, amount: booking.price.total, name: name,
                description: description, confirmationURL: settings.confirmationURL, responseURL: settings.responseURL,
                language: language.rawValue)
        } catch {
            runtime.logger.error("epayco checkout page: cannot build the checkout", metadata: ["booking": "\(id)", "error": "\(error)"])
            return refusal(.conflict, "ePayco cannot take this booking. Please pick another payment method in Telegram.",
                           "ePayco no puede cobrar esta reserva. Elige otro método de pago en Telegram.")
        }
        return htmlPage(title: name, body: Self.checkoutHTML(checkout, total: booking.price.total.formatted(), language: language), language: language)
    }

    /// ePayco's standard checkout: its script with our values as `data-epayco-*` attributes (all escaped).
    static func checkoutHTML(_ checkout: EpaycoCheckout, total: String, language: Language) -> String {
        var attributes = [("key", checkout.publicKey)]
        attributes += checkout.data.map { (name, value) in (name.replacingOccurrences(of: "_", with: "-"), value) }
        attributes.append(("methodconfirmation", "post"))
        let data = attributes.map { "\n  data-epayco-\($0.0)=\"\(html($0.1))\"" }.joined()
        let intro = language == .es
            ? "Total: <b>\(html(total))</b>. Pulsa el botón para pagar con ePayco; tu reserva se confirma en Telegram en cuanto ePayco confirme el pago."
            : "Total: <b>\(html(total))</b>. Press the button to pay with ePayco; your booking is confirmed in Telegram as soon as ePayco confirms the payment."
        return """
            <h1 style="font-size:1.3em">\(html(checkout.name))</h1><p>\(html(checkout.description))</p><p>\(intro)</p>
            <form><script src="https://checkout.epayco.co/checkout.js" class="epayco-button"\(data)>
            </script></form>
            """
    }

    // MARK: Confirmation

    func confirmation(_ text: String) async -> Response {
        let logger = runtime.logger
        guard let fields = EpaycoPage.formFields(text) else {
            logger.warning("epayco confirmation rejected: unreadable form")
            await audit("payment.signature_rejected", entityID: "none", detail: "unreadable form")
            return Response(status: .badRequest)
        }
        let notification: EpaycoNotification
        do {
            notification = try EpaycoConfirmation.verify(fields: fields, customerID: settings?.customerID ?? "", pKey: settings?.pKey ?? "")
        } catch let error where error.isAuthenticationFailure {
            let ref = fields.first { $0.0 == "x_ref_payco" }?.1 ?? "none"
            logger.warning("epayco confirmation rejected", metadata: ["reason": "\(error)", "x_ref_payco": "\(ref.prefix(40))"])
            await audit("payment.signature_rejected", entityID: "epayco:\(ref.prefix(40))", detail: "\(error)")
            return Response(status: settings == nil ? .forbidden : .badRequest)
        } catch {
            return await signedButUnusable(fields, error: error)
        }
        return await handleSigned(notification)
    }

    func audit(_ action: String, entityID: String, detail: String) async {
        do {
            try await runtime.store.appendAudit(AuditEntry(
                actor: nil, role: "system", action: action, entity: "payment", entityID: entityID, before: nil, after: detail, at: runtime.now()))
        } catch {
            runtime.logger.error("could not write an audit row", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }

    /// Signed by ePayco, but no booking of ours, or in a currency or amount format we do not take. Recorded and
    /// audited once, answered 200 (ePayco stops retrying); an approved one needs a refund by hand.
    func signedButUnusable(_ fields: [(String, String)], error: EpaycoError) async -> Response {
        func field(_ name: String) -> String { fields.first { $0.0 == name }?.1 ?? "" }
        let ref = field("x_ref_payco"), transaction = field("x_transaction_id"), state = field("x_cod_transaction_state")
        let eventID = "\(ref):\(transaction):\(state)"
        let approved = EpaycoTransactionState(code: state) == .approved
        let status: String
        switch error {
        case .invalidBookingID: status = approved ? PaymentsRuntime.manualRefundStatus : "ignored: unknown booking"
        case .unsupportedCurrency: status = approved ? PaymentsRuntime.manualRefundStatus : "rejected: currency mismatch"
        default: status = approved ? PaymentsRuntime.manualRefundStatus : "rejected: \(error)"
        }
        var logger = runtime.logger
        logger[metadataKey: "epaycoEvent"] = "\(eventID)"
        do {
            let record = PaymentEventRecord(
                provider: Self.provider, eventID: eventID, bookingID: nil, providerReference: ref, kind: "state \(state)", amount: nil,
                status: status, receivedAt: runtime.now())
            guard try await runtime.store.recordPaymentEvent(record) else {
                logger.info("epayco confirmation already handled")
                return Response(status: .ok)
            }
            logger.error("epayco confirmation for no booking of ours", metadata: ["reason": "\(error)"])
            try await runtime.store.appendAudit(AuditEntry(
                actor: nil, role: "system", action: approved ? "payment.refund_needed" : "payment.rejected", entity: "payment",
                entityID: "epayco:\(ref)", before: nil,
                after: "\(error) (x_extra1 “\(field("x_extra1").prefix(40))”, \(field("x_amount").prefix(20)) \(field("x_currency_code").prefix(8)))"
                    + (approved ? ": refund by hand" : ""),
                at: runtime.now()))
            return Response(status: .ok)
        } catch {
            logger.error("epayco confirmation failed; ePayco will retry", metadata: ["error": "\(error)"])
            try? await runtime.store.forgetPaymentEvent(provider: Self.provider, eventID: eventID)
            return Response(status: .internalServerError)
        }
    }

    func handleSigned(_ n: EpaycoNotification) async -> Response {
        let store = runtime.store
        let eventID = "\(n.idempotencyKey):\(n.stateCode)"
        var logger = runtime.logger
        logger[metadataKey: "epaycoEvent"] = "\(eventID)"
        logger[metadataKey: "booking"] = "\(n.bookingID)"
        do {
            let booking = try await store.booking(n.bookingID)
            let record = PaymentEventRecord(
                provider: Self.provider, eventID: eventID, bookingID: booking?.id, providerReference: n.reference,
                kind: "state \(n.stateCode)", amount: n.amount, status: "received", receivedAt: runtime.now())
            guard try await store.recordPaymentEvent(record) else {
                logger.info("epayco confirmation already handled")
                return Response(status: .ok)
            }
            do {
                let outcome = try await handle(n, booking: booking, logger: logger)
                try await store.setPaymentEventStatus(provider: Self.provider, eventID: eventID, status: outcome)
                logger.info("epayco confirmation handled", metadata: ["state": "\(n.stateCode)", "outcome": "\(outcome)"])
                return Response(status: .ok)
            } catch {
                // Let ePayco retry: forget that we saw it. Every step is idempotent (state machine, dedupe keys).
                logger.error("epayco confirmation failed; ePayco will retry", metadata: ["error": "\(error)"])
                try? await store.forgetPaymentEvent(provider: Self.provider, eventID: eventID)
                return Response(status: .internalServerError)
            }
        } catch {
            logger.error("epayco confirmation could not be recorded", metadata: ["error": "\(error)"])
            return Response(status: .internalServerError)
        }
    }

    /// What became of a signed confirmation, for the payments table.
    func handle(_ n: EpaycoNotification, booking: Booking?, logger: Logger) async throws -> String {
        let store = runtime.store
        guard let booking else {
            guard n.state == .approved else {
                try await store.appendAudit(AuditEntry(
                    actor: nil, role: "system", action: "payment.rejected", entity: "booking", entityID: "\(n.bookingID)", before: nil,
                    after: "epayco \(n.reference) state \(n.stateCode) for an unknown booking", at: runtime.now()))
                return "ignored: unknown booking"
            }
            return try await runtime.manualRefundNeeded(nil, method: .epayco, reference: n.reference, amount: n.amount,
                                                        reason: "unknown booking", claimed: "\(n.bookingID)", logger: logger)
        }
        if n.isTest && settings?.test != true {
            logger.error("a test-mode ePayco payment reached the live configuration: ignored")
            try await store.appendAudit(AuditEntry(
                actor: nil, role: "system", action: "payment.rejected", entity: "booking", entityID: "\(n.bookingID)", before: nil,
                after: "epayco \(n.reference): test payment while EPAYCO_TEST is off", at: runtime.now()))
            return "rejected: test payment in live mode"
        }
        switch n.state {
        case .approved:
            guard n.amount == booking.price.total else {
                return try await runtime.rejectMismatch(booking, method: .epayco, reference: n.reference,
                                                        got: "\(n.amountText) \(n.currencyCode)",
                                                        currencyMatches: n.amount.currency == booking.price.total.currency, logger: logger)
            }
            return try await runtime.confirmOrMarkForRefund(booking, method: .epayco, reference: n.reference, amount: n.amount, logger: logger)
        case .rejected:
            // No money moved. Tell the user only while the hold still waits for a payment.
            if booking.status == .pending && booking.blocksSlot(at: runtime.now()) {
                try await store.enqueue(await runtime.notices?.paymentFailed(booking, method: .epayco, reference: n.idempotencyKey) ?? [],
                                        at: runtime.now())
            }
            return "failed: state \(n.stateCode)"
        case .pending:
            return "pending: state \(n.stateCode)"
        case .reversed:
            logger.critical("epayco payment reversed after approval: admin attention needed", metadata: ["status": "\(booking.status.rawValue)"])
            try await store.appendAudit(AuditEntry(
                actor: nil, role: "system", action: "payment.reversed", entity: "booking", entityID: "\(n.bookingID)",
                before: booking.status.rawValue, after: "epayco \(n.reference) reversed (\(n.amount.formatted())): admin attention", at: runtime.now()))
            return "reversed: admin attention"
        case .unknown(let code):
            logger.warning("epayco confirmation with an unknown state", metadata: ["state": "\(code)"])
            return "ignored: state \(code)"
        }
    }
}
