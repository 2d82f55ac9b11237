import Bot
import Domain
import HTTPTypes
import Logging
import Storage
import Telegram

/// Telegram Stars: the invoice is sent inside the chat (`BotEngine+Stars.swift`), the payment arrives as a bot
/// update (`successful_payment`, kept in the Stars inbox before the update is acknowledged), a charge id is
/// bound to the booking its invoice names and paid by that booking's user, and money goes back through
/// `refundStarPayment` (a charge Telegram reports as refunded already counts as returned).
struct StarsProvider: PaymentProvider {
    let api: any BotAPI
    let starsPerUSD: Int

    static func make(_ configuration: AppConfiguration, api: (any BotAPI)?) -> StarsProvider? {
        guard let api, let rate = configuration.starsPerUSD else { return nil }
        return StarsProvider(api: api, starsPerUSD: rate)
    }

    var method: PaymentMethod { .stars }
    var refundMode: RefundMode { .automatic }
    var webhookPath: String? { nil }
    var bindsCheckout: Bool { false }

    func accepts(_ booking: Booking) -> Bool { Pricing.stars(for: booking.price.total, perUSD: starsPerUSD) != nil }

    func checkout(_ booking: Booking, host: Domain.Host, language: Language, now: Instant) async throws -> CheckoutLink {
        throw PaymentProviderError.paidInChat(method)
    }

    func cancelCheckout(reference: String) async {}

    func charged(_ booking: Booking) -> PaidAmount {
        Pricing.stars(for: booking.price.total, perUSD: starsPerUSD).map(PaidAmount.stars) ?? .money(booking.price.total)
    }

    func receive(_ request: WebhookRequest, now: Instant) async -> WebhookVerdict {
        .refused(.notFound, reason: "Telegram Stars payments arrive as bot updates")
    }

    /// A kept `successful_payment` as a provider payment: the charge id binds it, the invoice payload names
    /// the booking, the payer must be the booking's user.
    func payment(_ p: IncomingStarsPayment) -> ProviderPayment {
        ProviderPayment(
            provider: method.rawValue, eventID: p.chargeID, kind: "successful_payment", bookingID: BotEngine.booking(fromPayload: p.invoicePayload),
            reference: p.chargeID, binding: .firstUse, refundHandle: p.chargeID,
            amount: p.currency == "XTR" ? .stars(p.totalAmount) : nil, payer: p.userID, outcome: .paid)
    }

    func refund(handle: String, amount: PaidAmount?, user: TelegramUserID?, key: String, reason: String) async throws -> String {
        guard let user else { throw PaymentProviderError.noRefundHandle("no Telegram user to return Stars to") }
        do {
            try await api.refundStarPayment(RefundStarPayment(userId: user.rawValue, telegramPaymentChargeId: handle))
        } catch {
            // Telegram answers CHARGE_ALREADY_REFUNDED to a second refund: the money is back already.
            guard case .api(_, let description) = error, description.contains("CHARGE_ALREADY_REFUNDED") else { throw error }
        }
        return handle
    }
}
