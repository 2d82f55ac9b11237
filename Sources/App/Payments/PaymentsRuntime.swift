import Bot
import Domain
import Foundation
import HTTPTypes
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
    let epayco: EpaycoSettings?
    let daimo: DaimoClient?

    init(configuration: AppConfiguration, store: any Store, now: @escaping @Sendable () -> Instant, notices: Notices?, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.now = now
        self.notices = notices
        var paymentsLogger = logger
        paymentsLogger[metadataKey: "component"] = "payments"
        self.logger = paymentsLogger
        self.stripe = configuration.stripe.map { StripeClient(secretKey: $0.secretKey, baseURL: $0.apiURL, logger: paymentsLogger) }
        self.epayco = configuration.epayco
        self.daimo = configuration.daimo.map { DaimoClient(apiKey: $0.apiKey, baseURL: $0.apiURL, logger: paymentsLogger) }
    }

    /// The provider methods whose secrets are configured (Stars is offered by the bot itself).
    var methods: [PaymentMethod] {
        (stripe == nil ? [] : [.stripe]) + (epayco == nil ? [] : [.epayco]) + (daimo == nil ? [] : [.daimo])
    }

    /// ePayco charges COP or USD; Daimo settles in a USD stablecoin, so only USD prices; Stripe takes all ours.
    func methods(for booking: Booking) -> [PaymentMethod] {
        methods.filter { Self.accepts($0, booking.price.total.currency) }
    }

    static func accepts(_ method: PaymentMethod, _ currency: Currency) -> Bool {
        switch method {
        case .stripe: true
        case .epayco: EpaycoConfirmation.currencies.contains(currency)
        case .daimo: currency == .usd
        case .stars: currency == .usd
        }
    }

    /// "stripe, epayco, stars" — what start-up logs (names only, never secrets).
    static func enabledSummary(_ configuration: AppConfiguration) -> String {
        var names: [String] = []
        if configuration.stripe != nil { names.append("stripe") }
        if configuration.epayco != nil { names.append(configuration.epayco?.test == true ? "epayco (test mode)" : "epayco") }
        if configuration.daimo != nil { names.append("daimo") }
        if configuration.starsPerUSD != nil { names.append("stars") }
        return names.isEmpty ? "none" : names.joined(separator: ", ")
    }

    /// Where Stripe sends the payer afterwards: our page when we have a public URL, else Telegram.
    var returnBase: String { configuration.telegram?.publicURL ?? "https://t.me" }

    func checkout(booking: Booking, host: Domain.Host, method: PaymentMethod, language: Language) async throws -> CheckoutLink {
        guard let id = booking.id, methods(for: booking).contains(method) else { throw PaymentsRuntimeError.notConfigured(method) }
        let now = self.now()
        let name = language == .es
            ? "Llamada privada con \(host.displayName.value), \(booking.price.minutes) min"
            : "Private call with \(host.displayName.value), \(booking.price.minutes) min"
        switch method {
        case .epayco:
            guard let epayco else { throw PaymentsRuntimeError.notConfigured(method) }
            // Our own page opens ePayco's standard checkout; the token makes the link unguessable per booking.
            let url = "\(epayco.publicURL)/pay/epayco/\(id)?t=\(EpaycoPage.token(for: id, pKey: epayco.pKey))"
            logger.info("epayco checkout page offered", metadata: ["booking": "\(id)"])
            return CheckoutLink(url: url, reference: "epayco:\(id)", expiresAt: booking.holdExpiresAt)
        case .daimo:
            guard let daimo, let settings = configuration.daimo else { throw PaymentsRuntimeError.notConfigured(method) }
            let payment = try await daimo.createPayment(DaimoPaymentRequest(
                bookingID: id, amount: booking.price.total, intent: name, destinationAddress: settings.destinationAddress,
                chainID: settings.chainID, tokenAddress: settings.tokenAddress, refundAddress: settings.refundAddress))
            logger.info("daimo payment created", metadata: ["booking": "\(id)", "payment": "\(payment.id)"])
            return CheckoutLink(url: payment.url, reference: payment.id, expiresAt: booking.holdExpiresAt)
        case .stars:
            throw PaymentsRuntimeError.notConfigured(method)
        case .stripe:
            break
        }
        guard let stripe else { throw PaymentsRuntimeError.notConfigured(method) }
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
        // Always registered: without their secrets they refuse every request (never skip the check).
        EpaycoRoutes(settings: epayco, runtime: self).register(on: router)
        DaimoWebhookRoutes(settings: configuration.daimo, runtime: self).register(on: router)
        router.get("payments/done") { _, _ in Self.page("✅ Payment received. You can go back to Telegram: your booking is confirmed there as soon as the payment is verified.") }
        router.get("payments/cancelled") { _, _ in Self.page("Payment cancelled. Nothing was charged. You can go back to Telegram and pick another method.") }
    }

    static func page(_ text: String) -> Response {
        let html = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><title>PrivateCalls</title><p style='font:18px system-ui;margin:2em'>\(text)</p>"
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

// MARK: Payments confirmed by a provider we refund by hand (ePayco, Daimo)

extension PaymentsRuntime {
    /// A verified, amount-checked payment for `booking`: confirms it (ledger row and messages in the same
    /// transaction) — also a late one whose slot is still free. When the slot was taken meanwhile, or the
    /// booking cannot take a payment any more (cancelled, already paid), the money must go back: these
    /// providers have no refund API we call, so a refund-needed record, an audit row and a notice to the user.
    /// Returns the payment event's status.
    func confirmOrMarkForRefund(
        _ booking: Booking, method: PaymentMethod, reference: String, amount: Money, logger: Logger
    ) async throws -> String {
        guard let id = booking.id else { return "ignored: booking without id" }
        do {
            let messages = await notices?.confirmed(booking) ?? []
            _ = try await store.apply(.paymentConfirmed(method: method.rawValue, at: now()), to: id, messages: messages)
            if booking.status == .expired { logger.notice("late payment honoured: the slot was still free", metadata: ["booking": "\(id)"]) }
            try await store.setPaymentReference(reference, for: id, at: now())
            return "confirmed"
        } catch StoreError.slotTaken {
            logger.notice("late payment: the slot was taken meanwhile; refund by hand", metadata: ["booking": "\(id)"])
            return try await manualRefundNeeded(booking, method: method, reference: reference, amount: amount, reason: "slot taken", logger: logger)
        } catch StoreError.invalidTransition {
            let status = (try? await store.booking(id))?.status ?? booking.status
            logger.notice("payment for a booking that cannot take it; refund by hand", metadata: ["booking": "\(id)", "status": "\(status.rawValue)"])
            return try await manualRefundNeeded(booking, method: method, reference: reference, amount: amount,
                                                reason: "booking \(status.rawValue)", logger: logger)
        }
    }

    /// Money we cannot keep and cannot send back through an API: audited for an admin, the user told it will
    /// be returned. `booking` is nil for a payment naming no booking of ours (then only the audit row).
    func manualRefundNeeded(
        _ booking: Booking?, method: PaymentMethod, reference: String, amount: Money?, reason: String, claimed: String? = nil,
        logger: Logger
    ) async throws -> String {
        let entityID = booking?.id.map { "\($0)" } ?? claimed ?? "none"
        logger.error("payment needs a manual refund", metadata: [
            "method": "\(method.rawValue)", "reference": "\(reference)", "booking": "\(entityID)", "reason": "\(reason)",
        ])
        try await store.appendAudit(AuditEntry(
            actor: nil, role: "system", action: "payment.refund_needed", entity: "booking", entityID: entityID, before: nil,
            after: "\(method.rawValue) \(reference) \(amount?.formatted() ?? "?") (\(reason)): refund by hand", at: now()))
        if let booking {
            try await store.enqueue(
                await notices?.paymentToBeReturned(booking, amount: amount?.formatted(), reference: "\(method.rawValue):\(reference)") ?? [],
                at: now())
        }
        return Self.manualRefundStatus
    }

    /// The payment event status of a payment that must be returned by hand.
    static let manualRefundStatus = "refund needed (manual)"

    /// A signed notification whose amount or currency is not the booking's: nothing changes; audited.
    func rejectMismatch(
        _ booking: Booking, method: PaymentMethod, reference: String, got: String, currencyMatches: Bool, logger: Logger
    ) async throws -> String {
        let status = currencyMatches ? "rejected: amount mismatch" : "rejected: currency mismatch"
        logger.error("payment amount does not match the booking", metadata: [
            "booking": "\(booking.id.map { "\($0)" } ?? "?")", "expected": "\(booking.price.total)", "got": "\(got)",
        ])
        try await store.appendAudit(AuditEntry(
            actor: nil, role: "system", action: "payment.rejected", entity: "booking", entityID: booking.id.map { "\($0)" } ?? "none",
            before: nil, after: "\(method.rawValue) \(reference): \(status.dropFirst("rejected: ".count)), got \(got)", at: now()))
        return status
    }
}

/// An HTML page of ours (checkout, response, refusals): small, escaped, no external resources except the
/// provider's script where one is needed.
func htmlPage(_ status: HTTPResponse.Status = .ok, title: String, body: String, language: Language = .en) -> Response {
    let page = """
        <!doctype html><html lang="\(language.rawValue)"><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
        <title>\(html(title))</title><body style="font:18px system-ui;margin:2em;max-width:36em">\(body)</body></html>
        """
    return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(string: page)))
}

enum PaymentsRuntimeError: Error, CustomStringConvertible {
    case notConfigured(PaymentMethod)
    var description: String {
        switch self {
        case .notConfigured(let m): "payment method \(m.rawValue) is not configured"
        }
    }
}
