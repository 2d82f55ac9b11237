import Bot
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Payments
import Storage
import Telegram

/// The configured payment providers (`PaymentProviders`): what the bot offers, how a checkout starts and
/// ends, the webhook routes, and fulfilment — every verified provider payment goes through `fulfil`, one
/// store transaction — and the money-to-return list's automatic refunds.
final class PaymentsRuntime: CheckoutService {
    let configuration: AppConfiguration
    let store: any Store
    let now: @Sendable () -> Instant
    let notices: Notices?
    let logger: Logger
    let providers: PaymentProviders

    init(configuration: AppConfiguration, store: any Store, now: @escaping @Sendable () -> Instant, notices: Notices?, api: (any BotAPI)?,
         logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.now = now
        self.notices = notices
        var paymentsLogger = logger
        paymentsLogger[metadataKey: "component"] = "payments"
        self.logger = paymentsLogger
        self.providers = PaymentProviders.configured(configuration, api: api, logger: paymentsLogger)
    }

    /// The configured methods, in the order to offer them.
    var methods: [PaymentMethod] { providers.all.map(\.method) }

    func methods(for booking: Booking) -> [PaymentMethod] {
        providers.all.filter { $0.accepts(booking) }.map(\.method)
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

    /// The line item as the payer sees it at the provider.
    static func itemName(_ booking: Booking, host: Domain.Host, language: Language) -> String {
        language == .es
            ? "Llamada privada con \(host.displayName.value), \(booking.price.minutes) min"
            : "Private call with \(host.displayName.value), \(booking.price.minutes) min"
    }

    func checkout(booking: Booking, host: Domain.Host, method: PaymentMethod, language: Language) async throws -> CheckoutLink {
        guard let id = booking.id, let provider = providers.provider(method), provider.accepts(booking) else {
            throw PaymentsRuntimeError.notConfigured(method)
        }
        let link = try await provider.checkout(booking, host: host, language: language, now: now())
        if provider.bindsCheckout {
            try await store.recordCheckout(provider: method.rawValue, reference: link.reference, for: id, at: now())
        }
        logger.info("checkout started", metadata: ["booking": "\(id)", "method": "\(method.rawValue)", "reference": "\(link.reference)"])
        return link
    }

    func cancelCheckout(of booking: Booking, reference: String) async {
        for provider in providers.all { await provider.cancelCheckout(reference: reference) }
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

    func registerRoutes(on router: Router<BasicRequestContext>) {
        for provider in providers.all {
            provider.registerPages(on: router, runtime: self)
            guard let path = provider.webhookPath else { continue }
            let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                let received = WebhookRequest(headers: request.headers, body: Array(body.readableBytesView), query: request.uri.query ?? "")
                return await self.webhook(received, provider: provider)
            }
            router.post(RouterPath(path), use: handler)
            if provider.method == .epayco { router.get(RouterPath(path), use: handler) }
        }
        // Without their secrets ePayco and Daimo still answer, refusing everything (never skip the check).
        if providers.provider(.epayco) == nil {
            router.post("webhooks/epayco") { _, _ in Response(status: .forbidden) }
            router.get("webhooks/epayco") { _, _ in Response(status: .forbidden) }
            router.get("pay/epayco/:booking") { _, _ in
                htmlPage(.notFound, title: "PrivateCalls", body: "<p>ePayco is not available.</p><p lang=\"es\">ePayco no está disponible.</p>")
            }
        }
        if providers.provider(.daimo) == nil { router.post("webhooks/daimo") { _, _ in Response(status: .unauthorized) } }
        router.get("payments/done") { _, _ in Self.page("✅ Payment received. You can go back to Telegram: your booking is confirmed there as soon as the payment is verified.") }
        router.get("payments/cancelled") { _, _ in Self.page("Payment cancelled. Nothing was charged. You can go back to Telegram and pick another method.") }
    }

    static func page(_ text: String) -> Response {
        let html = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><title>PrivateCalls</title><p style='font:18px system-ui;margin:2em'>\(text)</p>"
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// One provider notification: authenticated and verified by the provider's code, then fulfilled in one
    /// transaction. 200 once handled (also a duplicate, or one that is none of ours), so the provider stops;
    /// 5xx when it could not be handled — then nothing was recorded and the provider's retry runs it again.
    func webhook(_ request: WebhookRequest, provider: any PaymentProvider) async -> Response {
        var logger = self.logger
        logger[metadataKey: "provider"] = "\(provider.method.rawValue)"
        switch await provider.receive(request, now: now()) {
        case .refused(let status, let reason):
            logger.warning("payment notification refused", metadata: ["reason": "\(reason)"])
            return Response(status: status)
        case .ignored(let reason):
            logger.notice("payment notification ignored", metadata: ["reason": "\(reason)"])
            return Response(status: .ok)
        case .retryLater(let reason):
            logger.error("payment notification not handled; the provider will retry", metadata: ["reason": "\(reason)"])
            return Response(status: .serviceUnavailable)
        case .checkoutExpired(let booking, let reference):
            do {
                try await releaseHold(booking, reference: reference, provider: provider.method)
                return Response(status: .ok)
            } catch {
                logger.error("expired checkout not handled; the provider will retry", metadata: ["error": "\(error)"])
                return Response(status: .internalServerError)
            }
        case .payment(let payment):
            do {
                _ = try await fulfil(payment, provider: provider)
                return Response(status: .ok)
            } catch {
                logger.error("payment not fulfilled; the provider will retry", metadata: ["event": "\(payment.eventID)", "error": "\(error)"])
                return Response(status: .internalServerError)
            }
        }
    }

    /// A checkout expired at the provider: a hold still waiting for it is released (only a checkout of that
    /// booking, and only while it is pending).
    func releaseHold(_ id: BookingID, reference: String, provider: PaymentMethod) async throws {
        guard try await store.checkoutBooking(provider: provider.rawValue, reference: reference) == id,
              let booking = try await store.booking(id), booking.status == .pending else { return }
        let at = now()
        let event: BookingEvent = at >= booking.holdExpiresAt ? .holdLapsed(at: at) : .cancelled(by: .system, refund: false, at: at)
        do {
            _ = try await store.apply(event, to: id)
        } catch StoreError.invalidTransition {
            return // paid or released meanwhile
        }
    }

    /// Fulfils a verified payment in one store transaction, then — for money we must give back through a
    /// provider with a refund API — returns it at once (a failure leaves it owed; the scheduler retries).
    @discardableResult
    func fulfil(_ payment: ProviderPayment, provider: any PaymentProvider) async throws -> FulfilmentResult {
        var logger = self.logger
        logger[metadataKey: "provider"] = "\(payment.provider)"
        logger[metadataKey: "event"] = "\(payment.eventID)"
        var booking: Booking?
        if let id = payment.bookingID { booking = try await store.booking(id) }
        let fulfilmentNotices = await notices?.fulfilment(
            booking, method: provider.method, reference: payment.reference, amount: payment.amount, reversal: payment.outcome == .reversed,
            automaticRefund: provider.refundMode == .automatic, admins: configuration.adminIDs.sorted()) ?? FulfilmentNotices()
        let result = try await store.fulfil(payment, notices: fulfilmentNotices, starsPerUSD: configuration.starsPerUSD, at: now())
        switch result {
        case .duplicate(let status):
            logger.info("payment event seen before; nothing changed", metadata: ["status": "\(status)"])
        case .confirmed(let b):
            logger.notice("payment confirmed", metadata: ["booking": "\(b.id.map { "\($0)" } ?? "?")", "late": "\(booking?.status == .expired)"])
        case .recorded(let status):
            logger.info("payment event recorded", metadata: ["status": "\(status)"])
        case .owed(let row):
            logger.error("money to return", metadata: ["row": "\(row.id)", "reason": "\(row.reason)", "kind": "\(row.kind.rawValue)"])
            if row.kind == MoneyToReturn.Kind.payment, provider.refundMode == .automatic { await returnMoney(row) }
        }
        return result
    }

    /// Gives a row of the list back through its provider's API: claimed (owed → requested) so only one caller
    /// does it, refunded with an idempotency key per row, then settled with the user's notice in one
    /// transaction. A failure puts it back to owed with the error (admins see it; the scheduler retries).
    @discardableResult
    func returnMoney(_ row: MoneyToReturn, staleAfterSeconds: Int64 = 300) async -> Bool {
        guard row.kind == MoneyToReturn.Kind.payment, let provider = providers.provider(named: row.provider), provider.refundMode == .automatic else { return false }
        var logger = self.logger
        logger[metadataKey: "moneyToReturn"] = "\(row.id)"
        do {
            guard let claimed = try await store.claimRefund(row.id, at: now(), staleAfterSeconds: staleAfterSeconds) else { return false }
            let reference: String
            do {
                reference = try await provider.refund(
                    handle: claimed.refundHandle ?? claimed.reference, amount: claimed.amount, user: claimed.userID,
                    key: "return-\(claimed.provider)-\(claimed.id)", reason: claimed.reason)
            } catch {
                logger.error("money to return: refund failed", metadata: ["error": "\(error)"])
                try await store.releaseRefundClaim(claimed.id, error: "\(error)", at: now())
                return false
            }
            let messages = await notices?.moneyReturned(claimed) ?? []
            _ = try await store.settleMoneyToReturn(claimed.id, by: nil, note: reference, messages: messages, at: now())
            logger.notice("money returned", metadata: ["refund": "\(reference)"])
            return true
        } catch {
            logger.error("money to return: could not record the refund; it will be retried", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The scheduler's sweep: rows owed through an automatic provider whose first attempt failed or was cut
    /// short (a crash between claim and settle) are tried again.
    func retryMoneyToReturn(olderThanSeconds age: Int64 = 300) async {
        guard let open = try? await store.moneyToReturn(openOnly: true) else { return }
        let cutoff = now().adding(seconds: -age)
        for row in open where row.updatedAt <= cutoff { await returnMoney(row, staleAfterSeconds: age) }
    }

    func refundsByHand(_ method: String?) -> Bool {
        method.flatMap(providers.provider(named:))?.refundMode != .automatic
    }

    func returnMoney(row id: Int64) async -> Bool {
        guard let row = try? await store.moneyToReturn(id: id) else { return false }
        // An admin's retry may take over a claim at once (a crash left it requested).
        return await returnMoney(row, staleAfterSeconds: 0)
    }

    // MARK: Telegram Stars

    /// A kept `successful_payment`: fulfilled like any provider payment, then marked processed. Safe to run
    /// twice (the fulfilment is once per charge id), which is what the restart sweep relies on.
    func fulfilStars(_ payment: IncomingStarsPayment) async throws {
        guard let stars = providers.provider(.stars) as? StarsProvider else {
            logger.critical("a Stars payment arrived while Stars are off: refund it by hand", metadata: ["charge": "\(payment.chargeID)"])
            try await store.appendAudit(AuditEntry(
                actor: nil, role: "system", action: "payment.refund_needed", entity: "payment", entityID: "stars:\(payment.chargeID)",
                before: nil, after: "\(payment.totalAmount) \(payment.currency) from user \(payment.userID) while STARS_PER_USD is unset", at: now()))
            try await store.markStarsPaymentProcessed(payment.chargeID, at: now())
            return
        }
        try await fulfil(stars.payment(payment), provider: stars)
        try await store.markStarsPaymentProcessed(payment.chargeID, at: now())
    }

    /// Kept Stars payments that were not processed (a crash, a failure): processed now.
    func processStarsInbox(receivedAtOrBefore cutoff: Instant) async {
        guard let kept = try? await store.unprocessedStarsPayments(receivedAtOrBefore: cutoff) else { return }
        for payment in kept {
            do {
                try await fulfilStars(payment)
            } catch {
                logger.error("stars payment not processed yet; will retry", metadata: ["charge": "\(payment.chargeID)", "error": "\(error)"])
            }
        }
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
