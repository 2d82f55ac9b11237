import Bot
import Domain
import HTTPTypes
import Logging
import Payments
import Storage

/// Stripe Checkout. A session is created per checkout with our tag (`metadata[app]`) and the booking id, and
/// stored as a checkout of the booking; a notification counts only when its `Stripe-Signature` verifies (any
/// v1, 300 s tolerance, constant time), it is tagged as ours (Stripe sends every event of the account:
/// untagged sessions are another app's — ignored, never refunded), and its session is a checkout of the
/// booking it names. Refunds go through `POST /v1/refunds` with an idempotency key.
struct StripeProvider: PaymentProvider {
    let client: StripeClient
    let webhookSecret: String
    let publicURL: String?

    static func make(_ configuration: AppConfiguration, logger: Logger) -> StripeProvider? {
        guard let settings = configuration.stripe else { return nil }
        return StripeProvider(
            client: StripeClient(secretKey: settings.secretKey, baseURL: settings.apiURL, logger: logger),
            webhookSecret: settings.webhookSecret, publicURL: configuration.publicURL)
    }

    var method: PaymentMethod { .stripe }
    var refundMode: RefundMode { .automatic }
    var webhookPath: String? { "webhooks/stripe" }
    var bindsCheckout: Bool { true }

    func accepts(_ booking: Booking) -> Bool { true }

    func checkout(_ booking: Booking, host: Domain.Host, language: Language, now: Instant) async throws -> CheckoutLink {
        guard let id = booking.id else { throw PaymentsRuntimeError.notConfigured(method) }
        let base = publicURL ?? "https://t.me"
        let request = CheckoutRequest(
            bookingID: id, amount: booking.price.total, description: PaymentsRuntime.itemName(booking, host: host, language: language),
            expiresAt: StripeCheckoutWindow.clamp(booking.holdExpiresAt, now: now),
            successURL: publicURL.map { "\($0)/payments/done?booking=\(id)" } ?? base,
            cancelURL: publicURL.map { "\($0)/payments/cancelled?booking=\(id)" } ?? base,
            customerReference: String(booking.userID.rawValue))
        let session = try await client.createCheckoutSession(request, now: now)
        return CheckoutLink(url: session.url, reference: session.id, expiresAt: session.expiresAt)
    }

    func cancelCheckout(reference: String) async {
        guard reference.hasPrefix("cs_") else { return }
        try? await client.expireCheckoutSession(id: reference)
    }

    func receive(_ request: WebhookRequest, now: Instant) async -> WebhookVerdict {
        let event: StripeEvent
        do {
            event = try StripeWebhook.verify(payload: request.body, header: request.headers[HTTPField.Name("Stripe-Signature")!],
                                             secret: webhookSecret, now: now)
        } catch {
            return .refused(.badRequest, reason: "\(error)")
        }
        let session = event.object
        switch event.type {
        case "checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed",
             "checkout.session.expired":
            break
        default:
            return .ignored(reason: "event type \(event.type)")
        }
        guard session.appTag == StripeClient.appTag else {
            return .ignored(reason: "session \(session.id) is not tagged as ours (another app on this Stripe account)")
        }
        if event.type == "checkout.session.expired" {
            guard let booking = session.bookingID else { return .ignored(reason: "expired session without a booking") }
            return .checkoutExpired(booking, reference: session.id)
        }
        let outcome: ProviderOutcome
        if event.type == "checkout.session.async_payment_failed" {
            outcome = .failed
        } else if session.paymentStatus == "paid" {
            outcome = .paid
        } else {
            // "unpaid" (an async method still running) or "no_payment_required": nothing was taken yet.
            outcome = .pending
        }
        let amount = session.amountTotal.flatMap { a in session.currency.flatMap { money(fromStripeAmount: a, currency: $0) } }
        return .payment(ProviderPayment(
            provider: method.rawValue, eventID: event.id, kind: event.type, bookingID: session.bookingID, reference: session.id,
            binding: .checkout, refundHandle: session.paymentIntent, amount: amount.map(PaidAmount.money), outcome: outcome))
    }

    func refund(handle: String, amount: PaidAmount?, user: TelegramUserID?, key: String, reason: String) async throws -> String {
        guard handle.hasPrefix("pi_") else { throw PaymentProviderError.noRefundHandle("no Stripe PaymentIntent (reference \(handle))") }
        var money: Money?
        if case .money(let m)? = amount { money = m }
        let result = try await client.refund(paymentIntent: handle, amount: money, idempotencyKey: key, metadata: ["reason": String(reason.prefix(400))])
        guard result.status != "failed" && result.status != "canceled" else {
            throw PaymentProviderError.noRefundHandle("Stripe reports refund \(result.id) \(result.status)")
        }
        return result.id
    }
}
