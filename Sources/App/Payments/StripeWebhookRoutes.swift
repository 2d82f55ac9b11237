import Bot
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Payments
import Storage

/// `POST /webhooks/stripe`. A payment is confirmed only here, by an event whose `Stripe-Signature` verifies
/// (any v1, 300 s tolerance, constant time). Each event id is handled once; the amount and currency must be
/// the booking's. A payment that cannot be honoured (hold lost its slot, booking cancelled, already paid,
/// unknown booking) is refunded in full through Stripe — never silently kept.
struct StripeWebhookRoutes {
    let stripe: StripeClient
    let secret: String
    let runtime: PaymentsRuntime

    func register(on router: Router<some RequestContext>) {
        router.post("webhooks/stripe") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let header = request.headers[HTTPField.Name("Stripe-Signature")!]
            let event: StripeEvent
            do {
                event = try StripeWebhook.verify(payload: Array(body.readableBytesView), header: header, secret: secret, now: runtime.now())
            } catch {
                runtime.logger.warning("stripe webhook rejected", metadata: ["reason": "\(error)"])
                return Response(status: .badRequest)
            }
            var logger = runtime.logger
            logger[metadataKey: "stripeEvent"] = "\(event.id)"
            logger[metadataKey: "type"] = "\(event.type)"
            let record = PaymentEventRecord(
                provider: "stripe", eventID: event.id, bookingID: event.object.bookingID, providerReference: event.object.id,
                kind: event.type, amount: event.object.amountTotal.flatMap { a in event.object.currency.flatMap { money(fromStripeAmount: a, currency: $0) } },
                status: "received", receivedAt: runtime.now())
            guard try await runtime.store.recordPaymentEvent(record) else {
                logger.info("stripe event already handled")
                return Response(status: .ok)
            }
            do {
                let outcome = try await handle(event, logger: logger)
                try await runtime.store.setPaymentEventStatus(provider: "stripe", eventID: event.id, status: outcome)
                logger.info("stripe event handled", metadata: ["outcome": "\(outcome)"])
                return Response(status: .ok)
            } catch {
                // Let Stripe retry: forget that we saw it. Every step is idempotent (state machine, refund key).
                logger.error("stripe event failed; Stripe will retry", metadata: ["error": "\(error)"])
                try? await runtime.store.forgetPaymentEvent(provider: "stripe", eventID: event.id)
                return Response(status: .internalServerError)
            }
        }
    }

    /// Returns what became of the event, for the payments table.
    func handle(_ event: StripeEvent, logger: Logger) async throws -> String {
        switch event.type {
        case "checkout.session.completed", "checkout.session.async_payment_succeeded":
            return try await paid(event.object, logger: logger)
        case "checkout.session.expired":
            return try await expired(event.object, logger: logger)
        default:
            return "ignored"
        }
    }

    func paid(_ session: StripeEventObject, logger: Logger) async throws -> String {
        guard session.paymentStatus == "paid" else { return "ignored: payment_status \(session.paymentStatus ?? "none")" }
        let store = runtime.store
        guard let id = session.bookingID, let booking = try await store.booking(id) else {
            logger.error("payment for an unknown booking", metadata: ["session": "\(session.id)"])
            return try await refund(session, booking: nil, reason: "unknown booking", logger: logger)
        }
        guard let amount = session.amountTotal, let currency = session.currency, matches(booking.price.total, amount: amount, currency: currency) else {
            logger.error("payment amount does not match the booking", metadata: [
                "booking": "\(id)", "expected": "\(booking.price.total)", "got": "\(session.amountTotal.map(String.init) ?? "none") \(session.currency ?? "")",
            ])
            try await store.appendAudit(AuditEntry(actor: nil, role: "system", action: "payment.rejected", entity: "booking", entityID: "\(id)",
                                                   before: nil, after: "amount mismatch on \(session.id)", at: runtime.now()))
            return "rejected: amount mismatch"
        }
        do {
            let messages = await runtime.notices?.confirmed(booking) ?? []
            _ = try await store.apply(.paymentConfirmed(method: PaymentMethod.stripe.rawValue, at: runtime.now()), to: id, messages: messages)
            if booking.status == .expired { logger.notice("late payment honoured: the slot was still free", metadata: ["booking": "\(id)"]) }
            try await store.setPaymentReference(session.paymentIntent ?? session.id, for: id, at: runtime.now())
            return "confirmed"
        } catch StoreError.slotTaken {
            logger.notice("late payment: the slot was taken meanwhile, refunding", metadata: ["booking": "\(id)"])
            let outcome = try await refund(session, booking: booking, reason: "slot taken", logger: logger)
            try await store.enqueue(await runtime.notices?.latePaymentRefunded(booking, reference: session.id) ?? [], at: runtime.now())
            return outcome
        } catch StoreError.invalidTransition {
            // Already paid (a second payment), or cancelled meanwhile: this money is not needed.
            logger.notice("payment for a booking that cannot take it, refunding", metadata: ["booking": "\(id)", "status": "\(booking.status.rawValue)"])
            let outcome = try await refund(session, booking: booking, reason: "booking \(booking.status.rawValue)", logger: logger)
            try await store.enqueue(await runtime.notices?.latePaymentRefunded(booking, reference: session.id) ?? [], at: runtime.now())
            return outcome
        }
    }

    func refund(_ session: StripeEventObject, booking: Booking?, reason: String, logger: Logger) async throws -> String {
        guard let intent = session.paymentIntent else {
            logger.critical("paid session without a payment intent: refund by hand", metadata: ["session": "\(session.id)"])
            return "refund needed by hand: no payment_intent"
        }
        let result = try await stripe.refund(
            paymentIntent: intent, amount: nil, idempotencyKey: "refund-\(session.id)",
            metadata: ["booking_id": booking?.id.map { "\($0)" } ?? "", "reason": reason])
        _ = try await runtime.store.recordPaymentEvent(PaymentEventRecord(
            provider: "stripe", eventID: "refund:\(session.id)", bookingID: booking?.id, providerReference: result.id, kind: "refund",
            amount: result.amount, status: result.status, receivedAt: runtime.now()))
        try await runtime.store.appendAudit(AuditEntry(
            actor: nil, role: "system", action: "payment.refunded", entity: "booking", entityID: booking?.id.map { "\($0)" } ?? "none",
            before: nil, after: "\(result.id) \(result.amount) (\(reason))", at: runtime.now()))
        return "refunded: \(reason)"
    }

    func expired(_ session: StripeEventObject, logger: Logger) async throws -> String {
        guard let id = session.bookingID, let booking = try await runtime.store.booking(id), booking.status == .pending else { return "ignored" }
        let now = runtime.now()
        let event: BookingEvent = now >= booking.holdExpiresAt ? .holdLapsed(at: now) : .cancelled(by: .system, refund: false, at: now)
        _ = try await runtime.store.apply(event, to: id)
        return "hold released"
    }
}
