import Domain
import Logging
import Storage
import Telegram

/// Telegram Stars: an invoice in XTR with an empty provider token, a pre-checkout answered only while the
/// hold is valid and the amount is right, and `successful_payment` confirming the booking once (a second
/// delivery of the same charge changes nothing). A payment that cannot be honoured is refunded with
/// `refundStarPayment`.
extension BotEngine {
    /// Stars for a booking's price: ceil(cents × stars per USD / 100). Nil when Stars are off or the booking
    /// is not priced in USD.
    func starsPrice(_ booking: Booking) -> Int64? {
        Pricing.stars(for: booking.price.total, perUSD: settings.starsPerUSD)
    }

    /// The methods offered for a booking: the configured providers that can take its price (Stars among them).
    func methods(for booking: Booking) -> [PaymentMethod] {
        checkout.methods(for: booking)
    }

    static func invoicePayload(_ id: BookingID) -> String { "booking:\(id.rawValue)" }

    public static func booking(fromPayload payload: String) -> BookingID? {
        guard payload.hasPrefix("booking:"), let n = Int64(payload.dropFirst("booking:".count)) else { return nil }
        return BookingID(n)
    }

    /// Sends the Stars invoice for a pending hold.
    func payWithStars(_ booking: Booking, host: Host, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let stars = starsPrice(booking), let id = booking.id else { return Outcome(screen: paymentChoice(booking, session)) }
        let title = String(t.starsTitle(host.displayName.value, booking.price.minutes).prefix(32))
        let description = String(t.starsDescription(session.format.range(booking.time), booking.price.total.formatted()).prefix(255))
        _ = try await api.sendInvoice(SendInvoice(
            chatId: session.chatID, title: title, description: description, payload: Self.invoicePayload(id), providerToken: "",
            currency: "XTR", prices: [LabeledPrice(label: title, amount: stars)]))
        logger.info("stars invoice sent", metadata: ["booking": "\(id)", "stars": "\(stars)"])
        return Outcome(screen: Screen(text: t.starsInvoiceSent(stars), keyboard: [[.action(t.cancelHold, .cancelHold(booking: id))]]), newMessage: true)
    }

    /// Answered within Telegram's 10 seconds: yes only for the booking's own user, a hold still valid, the exact amount.
    func handlePreCheckout(_ query: PreCheckoutQuery, logger: Logger) async throws {
        let session = try await session(for: query.from)
        let t = session.texts
        var refusal: String?
        if let id = Self.booking(fromPayload: query.invoicePayload), let booking = try await store.booking(id), booking.userID == session.user.id {
            if booking.status != .pending || !booking.blocksSlot(at: now()) {
                refusal = t.holdGone
            } else if query.currency != "XTR" || query.totalAmount != starsPrice(booking) {
                refusal = t.starsAmountChanged
            }
        } else {
            refusal = t.holdGone
        }
        if let refusal { logger.notice("pre-checkout refused", metadata: ["payload": "\(query.invoicePayload)", "reason": "\(refusal)"]) }
        do {
            try await api.answerPreCheckoutQuery(AnswerPreCheckoutQuery(preCheckoutQueryId: query.id, ok: refusal == nil, errorMessage: refusal))
        } catch {
            // A 400 says the query is answered already (by an attempt of this update that a crash cut short
            // after Telegram took the answer) or too old: no answer can change it now. Anything else is retried.
            guard case .api(400, let description) = error else { throw error }
            logger.notice("pre-checkout answer refused by Telegram", metadata: ["reason": "\(description)"])
        }
    }

    /// The Stars payment of a `successful_payment` message, as kept in the Stars inbox.
    public static func incomingStarsPayment(_ message: Message, at now: Instant) -> IncomingStarsPayment? {
        guard let payment = message.successfulPayment, let from = message.from else { return nil }
        return IncomingStarsPayment(
            chargeID: payment.telegramPaymentChargeId, userID: TelegramUserID(from.id), chatID: message.chat.id,
            invoicePayload: payment.invoicePayload, totalAmount: payment.totalAmount, currency: payment.currency, receivedAt: now)
    }

    /// Confirms the booking or returns the Stars, once per charge (the payments layer fulfils it in one
    /// transaction). The dispatcher kept it in the Stars inbox before the update was acknowledged; keeping it
    /// again here changes nothing.
    func handleSuccessfulPayment(_ message: Message, logger: Logger) async throws {
        guard let incoming = Self.incomingStarsPayment(message, at: now()) else { return }
        _ = try await store.recordStarsPayment(incoming)
        try await checkout.fulfilStars(incoming)
        logger.info("stars payment handled", metadata: ["charge": "\(incoming.chargeID)"])
    }
}
