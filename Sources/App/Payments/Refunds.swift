import Core
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
        let reference: String?
        do {
            reference = try await store.paymentReference(of: id)
        } catch {
            return await refundFailed(booking, reason: "could not read the payment reference: \(error)", actor: actor, logger: logger)
        }
        // The booking's own provider says how its money goes back; a method we no longer have is returned by hand.
        guard let provider = booking.paymentMethod.flatMap(providers.provider(named:)) else {
            return await manualRefund(booking, provider: booking.paymentMethod ?? "manual", reference: reference, actor: actor, logger: logger)
        }
        switch provider.refundMode {
        case .manual:
            return await manualRefund(booking, provider: provider.method.rawValue, reference: reference, actor: actor, logger: logger)
        case .automatic:
            guard let handle = reference, !handle.isEmpty else {
                return await refundFailed(booking, reason: "no \(provider.method.rawValue) payment reference stored", actor: actor, logger: logger)
            }
            let paid = provider.charged(booking)
            let refundReference: String
            do {
                refundReference = try await provider.refund(
                    handle: handle, amount: paid, user: booking.userID, key: Self.refundKey(id),
                    reason: "cancelled by \(booking.cancelledBy?.rawValue ?? "unknown")")
            } catch {
                return await refundFailed(booking, reason: "\(provider.method.rawValue) refused the refund: \(error)", actor: actor, logger: logger)
            }
            _ = try? await store.recordPaymentEvent(PaymentEventRecord(
                provider: provider.method.rawValue, eventID: Self.refundKey(id), bookingID: id, providerReference: refundReference, kind: "refund",
                amount: booking.price.total, status: "refunded", receivedAt: now()))
            return await refundSettled(booking, reference: refundReference, shown: paid.description, actor: actor, logger: logger)
        }
    }

    static func refundKey(_ id: BookingID) -> String { "refund-booking-\(id.rawValue)" }

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
            // Admins are told at once (one notice per booking and failure state; the list shows the reason).
            let admins = await notices?.adminRefundOwed(booking, manual: false, admins: configuration.adminIDs.sorted()) ?? []
            _ = try await store.apply(
                .refundSettled(succeeded: false, at: at), to: id, messages: admins,
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
                let admins = await notices?.adminRefundOwed(booking, manual: true, admins: configuration.adminIDs.sorted()) ?? []
                try await store.enqueue((await notices?.manualRefundPending(booking) ?? []) + admins, at: at)
            }
        } catch {
            logger.error("could not record the manual refund", metadata: ["error": "\(error)"])
            return .failed("could not record the manual refund: \(error)")
        }
        logger.notice("manual refund waiting for an admin", metadata: ["provider": "\(provider)"])
        return .manual
    }
}
