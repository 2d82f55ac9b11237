import Bot
import Crypto
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Telegram
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

/// ePayco's pages (its confirmations are `EpaycoProvider.receive`):
/// - `GET /pay/epayco/<booking>?t=<token>`: our checkout page; it starts ePayco's standard checkout
///   (`checkout.js` with `data-epayco-*`: public key, amount, currency, invoice = booking id, confirmation and
///   response URLs, test flag). Refused with a clear page for a wrong token (403), an unknown booking (404), or
///   a booking no longer waiting for payment (410).
/// - `GET /payments/epayco/response`: where the browser returns. A friendly page; it never confirms anything.
struct EpaycoRoutes {
    let settings: EpaycoSettings
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
    }

    // MARK: Checkout page

    func refusal(_ status: HTTPResponse.Status, _ en: String, _ es: String) -> Response {
        htmlPage(status, title: "PrivateCalls", body: "<p>\(html(en))</p><p lang=\"es\">\(html(es))</p>")
    }

    func checkoutPage(bookingText: String?, token: String?) async -> Response {
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
}
