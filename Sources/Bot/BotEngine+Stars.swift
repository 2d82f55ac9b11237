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
        guard let rate = settings.starsPerUSD, booking.price.total.currency == .usd else { return nil }
        let product = booking.price.total.minorUnits * Int64(rate)
        return (product + 99) / 100
    }

    /// The methods offered for a booking: the configured providers, plus Stars when they apply.
    func methods(for booking: Booking) -> [PaymentMethod] {
        checkout.methods(for: booking) + (starsPrice(booking) == nil ? [] : [.stars])
    }

    static func invoicePayload(_ id: BookingID) -> String { "booking:\(id.rawValue)" }

    static func booking(fromPayload payload: String) -> BookingID? {
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
        try await api.answerPreCheckoutQuery(AnswerPreCheckoutQuery(preCheckoutQueryId: query.id, ok: refusal == nil, errorMessage: refusal))
    }

    /// Confirms the booking (ledger written by the store) or refunds the Stars when it cannot be honoured.
    func handleSuccessfulPayment(_ payment: SuccessfulPayment, from: User, logger: Logger) async throws {
        let session = try await session(for: from)
        let t = session.texts
        let fresh = try await store.recordPaymentEvent(PaymentEventRecord(
            provider: "stars", eventID: payment.telegramPaymentChargeId, bookingID: Self.booking(fromPayload: payment.invoicePayload),
            providerReference: payment.telegramPaymentChargeId, kind: "successful_payment", amount: nil,
            status: "received \(payment.totalAmount) \(payment.currency)", receivedAt: now()))
        guard fresh else {
            logger.info("stars payment delivered again; ignored", metadata: ["charge": "\(payment.telegramPaymentChargeId)"])
            return
        }
        guard let id = Self.booking(fromPayload: payment.invoicePayload), let booking = try await store.booking(id),
              booking.userID == session.user.id, payment.currency == "XTR", payment.totalAmount == starsPrice(booking) else {
            try await refundStars(payment, user: from.id, reason: "unknown booking or amount", logger: logger)
            return
        }
        do {
            let messages = await notices.confirmed(booking, paid: "\(payment.totalAmount) ⭐")
            _ = try await store.apply(.paymentConfirmed(method: PaymentMethod.stars.rawValue, at: now()), to: id, messages: messages)
            try await store.setPaymentReference(payment.telegramPaymentChargeId, for: id, at: now())
            try await store.setPaymentEventStatus(provider: "stars", eventID: payment.telegramPaymentChargeId, status: "confirmed")
        } catch StoreError.slotTaken {
            try await refundStars(payment, user: from.id, reason: "slot taken", logger: logger)
            try await starsRefundedNotice(payment, session)
        } catch StoreError.invalidTransition {
            try await refundStars(payment, user: from.id, reason: "booking \(booking.status.rawValue)", logger: logger)
            try await starsRefundedNotice(payment, session)
        }
    }

    func starsRefundedNotice(_ payment: SuccessfulPayment, _ session: Session) async throws {
        try await store.enqueue([.send(
            SendMessage(chatId: session.chatID, text: session.texts.starsRefunded(payment.totalAmount)),
            kind: "payment.refunded", dedupeKey: "payment-refund:stars:\(payment.telegramPaymentChargeId)")], at: now())
    }

    func refundStars(_ payment: SuccessfulPayment, user: Int64, reason: String, logger: Logger) async throws {
        try await api.refundStarPayment(RefundStarPayment(userId: user, telegramPaymentChargeId: payment.telegramPaymentChargeId))
        try await store.setPaymentEventStatus(provider: "stars", eventID: payment.telegramPaymentChargeId, status: "refunded: \(reason)")
        logger.notice("stars payment refunded", metadata: ["charge": "\(payment.telegramPaymentChargeId)", "reason": "\(reason)"])
    }
}
