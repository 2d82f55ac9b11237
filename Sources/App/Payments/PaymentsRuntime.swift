import Bot
import Domain
import Foundation
import Hummingbird
import Logging
import Payments
import Storage

/// The configured payment providers: what the bot offers, how a checkout starts and ends, and the webhook
/// routes that confirm payments. A provider without its secrets is not offered.
final class PaymentsRuntime: CheckoutService {
    let configuration: AppConfiguration
    let store: any Store
    let now: @Sendable () -> Instant
    let notices: Notices?
    let logger: Logger
    let stripe: StripeClient?

    init(configuration: AppConfiguration, store: any Store, now: @escaping @Sendable () -> Instant, notices: Notices?, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.now = now
        self.notices = notices
        var paymentsLogger = logger
        paymentsLogger[metadataKey: "component"] = "payments"
        self.logger = paymentsLogger
        self.stripe = configuration.stripe.map { StripeClient(secretKey: $0.secretKey, baseURL: $0.apiURL, logger: paymentsLogger) }
    }

    var methods: [PaymentMethod] { stripe == nil ? [] : [.stripe] }

    /// Where Stripe sends the payer afterwards: our page when we have a public URL, else Telegram.
    var returnBase: String { configuration.telegram?.publicURL ?? "https://t.me" }

    func checkout(booking: Booking, host: Domain.Host, method: PaymentMethod, language: Language) async throws -> CheckoutLink {
        guard method == .stripe, let stripe, let id = booking.id else { throw PaymentsRuntimeError.notConfigured(method) }
        let now = self.now()
        let name = language == .es
            ? "Llamada privada con \(host.displayName.value), \(booking.price.minutes) min"
            : "Private call with \(host.displayName.value), \(booking.price.minutes) min"
        let request = CheckoutRequest(
            bookingID: id, amount: booking.price.total, description: name,
            expiresAt: StripeCheckoutWindow.clamp(booking.holdExpiresAt, now: now),
            successURL: configuration.telegram?.publicURL.map { "\($0)/payments/done?booking=\(id)" } ?? returnBase,
            cancelURL: configuration.telegram?.publicURL.map { "\($0)/payments/cancelled?booking=\(id)" } ?? returnBase,
            customerReference: String(booking.userID.rawValue))
        let session = try await stripe.createCheckoutSession(request, now: now)
        logger.info("stripe checkout created", metadata: ["booking": "\(id)", "session": "\(session.id)"])
        return CheckoutLink(url: session.url, reference: session.id, expiresAt: session.expiresAt)
    }

    func cancelCheckout(of booking: Booking, reference: String) async {
        guard let stripe, reference.hasPrefix("cs_") else { return }
        do {
            try await stripe.expireCheckoutSession(id: reference)
        } catch {
            logger.warning("could not expire checkout session", metadata: ["session": "\(reference)", "error": "\(error)"])
        }
    }

    /// Lapsed holds: close their open checkouts and tell the users.
    func holdsExpired(_ bookings: [Booking]) async {
        for b in bookings {
            if let id = b.id, let reference = try? await store.paymentReference(of: id) { await cancelCheckout(of: b, reference: reference) }
        }
        guard let notices else { return }
        var messages: [NewOutboxMessage] = []
        for b in bookings { messages += await notices.holdExpired(b) }
        do {
            try await store.enqueue(messages, at: now())
        } catch {
            logger.error("could not queue hold-expired notices", metadata: ["error": "\(error)"])
        }
    }

    func registerRoutes(on router: Router<some RequestContext>) {
        if let stripe, let settings = configuration.stripe {
            StripeWebhookRoutes(stripe: stripe, secret: settings.webhookSecret, runtime: self).register(on: router)
        }
        router.get("payments/done") { _, _ in Self.page("✅ Payment received. You can go back to Telegram: your booking is confirmed there as soon as the payment is verified.") }
        router.get("payments/cancelled") { _, _ in Self.page("Payment cancelled. Nothing was charged. You can go back to Telegram and pick another method.") }
    }

    static func page(_ text: String) -> Response {
        let html = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><title>PrivateCalls</title><p style='font:18px system-ui;margin:2em'>\(text)</p>"
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

enum PaymentsRuntimeError: Error, CustomStringConvertible {
    case notConfigured(PaymentMethod)
    var description: String {
        switch self {
        case .notConfigured(let m): "payment method \(m.rawValue) is not configured"
        }
    }
}
