import Bot
import Domain
import HTTPTypes
import Logging
import Payments
import Storage

/// Daimo Pay (a USD stablecoin to our address). A webhook must carry `Authorization: Basic <DAIMO_WEBHOOK_TOKEN>`
/// (constant time; without a configured token every event is refused) — but the token is static and the body
/// unsigned, so a completed payment is looked up at Daimo (`GET <DAIMO_API_URL>/api/payment/<paymentId>`) and
/// acted on only when Daimo says it is completed, for our destination address, chain and token, the exact
/// amount and the booking (`externalId`). The payment id must be a checkout we created for that booking.
/// Daimo unreachable → 503 and Daimo retries. No refund API we call: money goes back by hand.
struct DaimoProvider: PaymentProvider {
    let settings: DaimoSettings
    let client: DaimoClient

    static func make(_ configuration: AppConfiguration, logger: Logger) -> DaimoProvider? {
        guard let settings = configuration.daimo else { return nil }
        return DaimoProvider(settings: settings, client: DaimoClient(apiKey: settings.apiKey, baseURL: settings.apiURL, logger: logger))
    }

    var method: PaymentMethod { .daimo }
    var refundMode: RefundMode { .manual }
    var webhookPath: String? { "webhooks/daimo" }
    var bindsCheckout: Bool { true }

    /// A stablecoin has no COP: USD prices only.
    func accepts(_ booking: Booking) -> Bool { booking.price.total.currency == .usd }

    func checkout(_ booking: Booking, host: Domain.Host, language: Language, now: Instant) async throws -> CheckoutLink {
        guard let id = booking.id else { throw PaymentsRuntimeError.notConfigured(method) }
        let payment = try await client.createPayment(DaimoPaymentRequest(
            bookingID: id, amount: booking.price.total, intent: PaymentsRuntime.itemName(booking, host: host, language: language),
            destinationAddress: settings.destinationAddress, chainID: settings.chainID, tokenAddress: settings.tokenAddress,
            refundAddress: settings.refundAddress))
        return CheckoutLink(url: payment.url, reference: payment.id, expiresAt: booking.holdExpiresAt)
    }

    func cancelCheckout(reference: String) async {}

    func refund(handle: String, amount: PaidAmount?, user: TelegramUserID?, key: String, reason: String) async throws -> String {
        throw PaymentProviderError.manualRefundsOnly(method)
    }

    func receive(_ request: WebhookRequest, now: Instant) async -> WebhookVerdict {
        do {
            try DaimoWebhook.authenticate(authorizationHeader: request.headers[.authorization], token: settings.webhookToken)
        } catch {
            return .refused(.unauthorized, reason: "\(error)")
        }
        let event: DaimoEvent
        do {
            event = try DaimoWebhook.decode(request.body)
        } catch {
            return .refused(.badRequest, reason: "\(error)")
        }
        switch event.kind {
        case .other(let type):
            return .ignored(reason: "event type \(type)")
        case .bounced:
            // Daimo already sent the funds back; nothing of ours moved. Tell the user while the hold waits.
            return .payment(ProviderPayment(
                provider: method.rawValue, eventID: event.id, kind: event.type, bookingID: event.bookingID, reference: event.paymentID,
                binding: .checkout, refundHandle: event.paymentID, amount: event.usdCents.map { .money(Money(minorUnits: $0, currency: .usd)) },
                outcome: .failed))
        case .completed:
            break
        }
        let found: DaimoPaymentLookup?
        do {
            found = try await client.payment(id: event.paymentID)
        } catch {
            return .retryLater(reason: "Daimo payment look-up unavailable: \(error)")
        }
        guard let p = found, p.id == event.paymentID else { return .ignored(reason: "Daimo does not know payment \(event.paymentID.prefix(40))") }
        guard p.isCompleted else { return .ignored(reason: "Daimo says payment \(p.id) is \(p.status), not completed") }
        var problems: [String] = []
        if p.destinationAddress?.lowercased() != settings.destinationAddress.lowercased() { problems.append("destination \(p.destinationAddress ?? "none")") }
        if p.chainID != String(settings.chainID) { problems.append("chain \(p.chainID ?? "none")") }
        if p.tokenAddress?.lowercased() != settings.tokenAddress.lowercased() { problems.append("token \(p.tokenAddress ?? "none")") }
        let booking = p.externalID.flatMap(EpaycoConfirmation.bookingID(_:))
        if booking == nil || booking != event.bookingID { problems.append("externalId \(p.externalID ?? "none") (event says \(event.externalID ?? "none"))") }
        let symbolIsUSD = p.tokenSymbol.map { DaimoWebhook.usdStablecoins.contains($0.uppercased()) } ?? true
        let cents = symbolIsUSD ? p.amountUnits.flatMap { DaimoAmount.baseUnits($0) }.flatMap(DaimoAmount.cents(fromBaseUnits:)) : nil
        if !problems.isEmpty {
            // Funds that did not reach our address, chain and token are not ours to confirm or return.
            return .ignored(reason: "Daimo payment \(p.id) is not ours to confirm: " + problems.joined(separator: ", "))
        }
        return .payment(ProviderPayment(
            provider: method.rawValue, eventID: event.id, kind: event.type, bookingID: booking, reference: p.id, binding: .checkout,
            refundHandle: p.id, amount: cents.map { .money(Money(minorUnits: $0, currency: .usd)) }, outcome: .paid))
    }
}
