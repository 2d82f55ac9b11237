import Bot
import Domain
import Logging
import Payments
import Storage
import Telegram

/// Refunds of cancelled bookings, each through the booking's own provider:
/// - Stripe: `POST /v1/refunds` for the booking's PaymentIntent with `Idempotency-Key: refund-booking-<id>`, so a
///   retry (ours, or an admin's) never refunds twice;
/// - Telegram Stars: `refundStarPayment` with the stored charge id (a charge Telegram reports as refunded
///   already counts as done);
/// - ePayco and Daimo (no refund API we call): a manual refund record (payment event row + audit + a notice to
///   the user); the refund stays `pending` until an admin presses "✅ Refund done".
/// A refund that went out is settled with `Store.apply(.refundSettled(succeeded: true…), messages:, audit:)` —
/// the booking, the reversing ledger row and the notices to both sides in one transaction. A failure marks
/// the refund `failed` with an audit row; admins see it and can retry.
extension PaymentsRuntime {
    func refund(_ booking: Booking, api: any BotAPI, actor: TelegramUserID?) async -> RefundOutcome {
        guard let id = booking.id, booking.status == .cancelled, booking.refundState == .pending || booking.refundState == .failed,
              booking.paymentState == .paid else { return .notOwed }
        var logger = self.logger
        logger[metadataKey: "booking"] = "\(id)"
        let method = booking.paymentMethod.flatMap(PaymentMethod.init(rawValue:))
        let reference: String?
        do {
            reference = try await store.paymentReference(of: id)
        } catch {
            return await refundFailed(booking, reason: "could not read the payment reference: \(error)", actor: actor, logger: logger)
        }
        switch method {
        case .stripe:
            guard let stripe else { return await refundFailed(booking, reason: "Stripe is not configured", actor: actor, logger: logger) }
            guard let intent = reference, intent.hasPrefix("pi_") else {
                return await refundFailed(booking, reason: "no Stripe PaymentIntent stored (reference \(reference ?? "none"))", actor: actor, logger: logger)
            }
            let result: RefundResult
            do {
                result = try await stripe.refund(
                    paymentIntent: intent, amount: booking.price.total, idempotencyKey: Self.refundKey(id),
                    metadata: ["booking_id": "\(id)", "reason": "cancelled by \(booking.cancelledBy?.rawValue ?? "unknown")"])
            } catch {
                return await refundFailed(booking, reason: "Stripe refused the refund: \(error)", actor: actor, logger: logger)
            }
            _ = try? await store.recordPaymentEvent(PaymentEventRecord(
                provider: "stripe", eventID: Self.refundKey(id), bookingID: id, providerReference: result.id, kind: "refund",
                amount: result.amount, status: result.status, receivedAt: now()))
            return await refundSettled(booking, reference: result.id, shown: result.amount.formatted(), actor: actor, logger: logger)

        case .stars:
            guard let charge = reference, !charge.isEmpty else {
                return await refundFailed(booking, reason: "no Telegram Stars charge id stored", actor: actor, logger: logger)
            }
            do {
                try await api.refundStarPayment(RefundStarPayment(userId: booking.userID.rawValue, telegramPaymentChargeId: charge))
            } catch {
                // Telegram answers CHARGE_ALREADY_REFUNDED to a second refund: the money is back already.
                guard case .api(_, let description) = error, description.contains("CHARGE_ALREADY_REFUNDED") else {
                    return await refundFailed(booking, reason: "refundStarPayment failed: \(error)", actor: actor, logger: logger)
                }
            }
            _ = try? await store.recordPaymentEvent(PaymentEventRecord(
                provider: "stars", eventID: Self.refundKey(id), bookingID: id, providerReference: charge, kind: "refund",
                amount: nil, status: "refunded", receivedAt: now()))
            return await refundSettled(booking, reference: charge, shown: starsShown(booking) ?? booking.price.total.formatted(), actor: actor, logger: logger)

        case .epayco, .daimo, nil:
            return await manualRefund(booking, provider: booking.paymentMethod ?? "manual", reference: reference, actor: actor, logger: logger)
        }
    }

    static func refundKey(_ id: BookingID) -> String { "refund-booking-\(id.rawValue)" }

    /// What a Stars payer paid, as shown ("15000 ⭐"), from the configured rate.
    func starsShown(_ booking: Booking) -> String? {
        guard let rate = configuration.starsPerUSD, booking.price.total.currency == .usd else { return nil }
        return "\((booking.price.total.minorUnits * Int64(rate) + 99) / 100) ⭐"
    }

    /// The provider gave the money back: settle, reverse the ledger and tell both sides, in one transaction.
    func refundSettled(_ booking: Booking, reference: String, shown: String, actor: TelegramUserID?, logger: Logger) async -> RefundOutcome {
        guard let id = booking.id else { return .notOwed }
        let at = now()
        let messages = await notices?.refunded(booking, amount: shown) ?? []
        do {
            _ = try await store.apply(
                .refundSettled(succeeded: true, at: at), to: id, messages: messages,
                audit: AuditEntry(actor: actor?.rawValue, role: actor == nil ? "system" : "refund", action: "refund.settled", entity: "booking",
                                  entityID: "\(id)", before: "refund \(booking.refundState.rawValue)",
                                  after: "refunded \(booking.price.total.decimalString) \(booking.price.total.currency.code) via \(booking.paymentMethod ?? "?") (\(reference))",
                                  at: at))
        } catch StoreError.invalidTransition {
            // Settled meanwhile (a concurrent retry): the idempotency key made the provider refund once.
            logger.info("refund settled already")
            return .refunded(amount: shown, reference: reference)
        } catch {
            // The money went back but we could not record it: leave it pending so a retry (same idempotency
            // key, or Stars' "already refunded") settles it without refunding twice.
            logger.critical("refund sent but not recorded; retry from the admin refunds screen", metadata: ["error": "\(error)"])
            return .failed("refund sent but not recorded: \(error)")
        }
        logger.notice("refund settled", metadata: ["reference": "\(reference)", "amount": "\(shown)"])
        return .refunded(amount: shown, reference: reference)
    }

    /// The provider refused or could not be reached: `failed`, audited; admins can retry.
    func refundFailed(_ booking: Booking, reason: String, actor: TelegramUserID?, logger: Logger) async -> RefundOutcome {
        guard let id = booking.id else { return .notOwed }
        let at = now()
        logger.error("refund failed", metadata: ["reason": "\(reason)"])
        do {
            _ = try await store.apply(
                .refundSettled(succeeded: false, at: at), to: id, messages: [],
                audit: AuditEntry(actor: actor?.rawValue, role: actor == nil ? "system" : "refund", action: "refund.failed", entity: "booking",
                                  entityID: "\(id)", before: "refund \(booking.refundState.rawValue)", after: "failed: \(reason)", at: at))
        } catch {
            logger.error("could not record the failed refund", metadata: ["error": "\(error)"])
        }
        return .failed(reason)
    }

    /// No refund API we call: a payment event row (the manual refund record), an audit row and a notice to the
    /// user; the refund stays pending until an admin records it as done.
    func manualRefund(_ booking: Booking, provider: String, reference: String?, actor: TelegramUserID?, logger: Logger) async -> RefundOutcome {
        guard let id = booking.id else { return .notOwed }
        let at = now()
        do {
            let fresh = try await store.recordPaymentEvent(PaymentEventRecord(
                provider: provider, eventID: "manual-refund-booking-\(id.rawValue)", bookingID: id, providerReference: reference,
                kind: "refund", amount: booking.price.total, status: "manual refund pending", receivedAt: at))
            if fresh {
                try await store.appendAudit(AuditEntry(
                    actor: actor?.rawValue, role: actor == nil ? "system" : "refund", action: "refund.manual_pending", entity: "booking",
                    entityID: "\(id)", before: nil,
                    after: "refund \(booking.price.total.decimalString) \(booking.price.total.currency.code) by hand in \(provider)", at: at))
                try await store.enqueue(await notices?.manualRefundPending(booking) ?? [], at: at)
            }
        } catch {
            logger.error("could not record the manual refund", metadata: ["error": "\(error)"])
            return .failed("could not record the manual refund: \(error)")
        }
        logger.notice("manual refund waiting for an admin", metadata: ["provider": "\(provider)"])
        return .manual
    }
}
