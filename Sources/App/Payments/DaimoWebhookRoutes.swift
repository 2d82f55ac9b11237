import Bot
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Payments
import Storage

/// `POST /webhooks/daimo`. Every event must carry `Authorization: Basic <DAIMO_WEBHOOK_TOKEN>` (compared in
/// constant time); without the token configured the route refuses everything — it never skips the check. A
/// missing or wrong token is 401, logged, nothing stored. Each event id is handled once (`daimo`, id).
/// `payment_completed` confirms the booking when the destination amount is exactly its USD price (else
/// rejected and audited); a payment that cannot be honoured (slot taken, booking not payable, unknown booking)
/// is recorded as a manual refund and the user told. `payment_bounced`: Daimo already returned the funds;
/// recorded and the user told.
struct DaimoWebhookRoutes {
    let settings: DaimoSettings?
    let runtime: PaymentsRuntime

    static let provider = "daimo"

    func register(on router: Router<some RequestContext>) {
        router.post("webhooks/daimo") { request, _ -> Response in
            do {
                try DaimoWebhook.authenticate(authorizationHeader: request.headers[.authorization], token: settings?.webhookToken)
            } catch {
                runtime.logger.warning("daimo webhook refused", metadata: ["reason": "\(error)"])
                return Response(status: .unauthorized)
            }
            let body = try await request.body.collect(upTo: 1 << 20)
            let event: DaimoEvent
            do {
                event = try DaimoWebhook.decode(Array(body.readableBytesView))
            } catch {
                runtime.logger.warning("daimo webhook unreadable", metadata: ["reason": "\(error)"])
                return Response(status: .badRequest)
            }
            return await receive(event)
        }
    }

    func receive(_ event: DaimoEvent) async -> Response {
        let store = runtime.store
        var logger = runtime.logger
        logger[metadataKey: "daimoEvent"] = "\(event.id)"
        logger[metadataKey: "type"] = "\(event.type)"
        do {
            var booking: Booking?
            if let id = event.bookingID { booking = try await store.booking(id) }
            let record = PaymentEventRecord(
                provider: Self.provider, eventID: event.id, bookingID: booking?.id, providerReference: event.paymentID, kind: event.type,
                amount: event.usdCents.map { Money(minorUnits: $0, currency: .usd) }, status: "received", receivedAt: runtime.now())
            guard try await store.recordPaymentEvent(record) else {
                logger.info("daimo event already handled")
                return Response(status: .ok)
            }
            do {
                let outcome = try await handle(event, booking: booking, logger: logger)
                try await store.setPaymentEventStatus(provider: Self.provider, eventID: event.id, status: outcome)
                logger.info("daimo event handled", metadata: ["outcome": "\(outcome)"])
                return Response(status: .ok)
            } catch {
                // Let Daimo retry: forget that we saw it. Every step is idempotent.
                logger.error("daimo event failed; Daimo will retry", metadata: ["error": "\(error)"])
                try? await store.forgetPaymentEvent(provider: Self.provider, eventID: event.id)
                return Response(status: .internalServerError)
            }
        } catch {
            logger.error("daimo event could not be recorded", metadata: ["error": "\(error)"])
            return Response(status: .internalServerError)
        }
    }

    /// What became of the event, for the payments table.
    func handle(_ event: DaimoEvent, booking: Booking?, logger: Logger) async throws -> String {
        let store = runtime.store
        let got = "\(event.amountUnits ?? "?") \(event.tokenSymbol ?? "?")"
        let amount = event.usdCents.map { Money(minorUnits: $0, currency: .usd) }
        switch event.kind {
        case .completed:
            guard let booking else {
                return try await runtime.manualRefundNeeded(nil, method: .daimo, reference: event.paymentID, amount: amount,
                                                            reason: "unknown booking", claimed: event.externalID.map { String($0.prefix(40)) },
                                                            logger: logger)
            }
            guard event.matches(booking.price.total), let amount else {
                let currencyMatches = booking.price.total.currency == .usd && event.tokenBaseUnits != nil
                return try await runtime.rejectMismatch(booking, method: .daimo, reference: event.paymentID, got: got,
                                                        currencyMatches: currencyMatches, logger: logger)
            }
            return try await runtime.confirmOrMarkForRefund(booking, method: .daimo, reference: event.paymentID, amount: amount, logger: logger)
        case .bounced:
            guard let booking else { return "bounced: unknown booking" }
            try await store.enqueue(await runtime.notices?.paymentFailed(booking, method: .daimo, reference: event.paymentID) ?? [],
                                    at: runtime.now())
            return "bounced: returned to the payer by Daimo"
        case .other(let type):
            return "ignored: \(type)"
        }
    }
}
