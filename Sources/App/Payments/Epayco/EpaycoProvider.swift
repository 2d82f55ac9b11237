import Bot
import Domain
import HTTPTypes
import Hummingbird
import Logging
import Payments
import Storage

/// ePayco's standard checkout. Its confirmation's `x_signature` covers only reference, transaction, amount and
/// currency — not the state nor our booking field — so an approved (1) or reversed (6) confirmation is checked
/// with ePayco (`GET <EPAYCO_VALIDATION_URL>/<x_ref_payco>`) and only ePayco's answer is acted on: its state,
/// amount, currency and `x_extra1`. ePayco unreachable → 503, ePayco retries, nothing confirmed. One
/// `ref:transaction` belongs to one booking forever (`PaymentBinding.firstUse`). No refund API we call: money
/// goes back by hand.
struct EpaycoProvider: PaymentProvider {
    let settings: EpaycoSettings
    let validation: EpaycoValidationClient
    let logger: Logger

    static func make(_ configuration: AppConfiguration, logger: Logger) -> EpaycoProvider? {
        guard let settings = configuration.epayco else { return nil }
        return EpaycoProvider(settings: settings, validation: EpaycoValidationClient(baseURL: settings.validationURL), logger: logger)
    }

    var method: PaymentMethod { .epayco }
    var refundMode: RefundMode { .manual }
    var webhookPath: String? { "webhooks/epayco" }
    var bindsCheckout: Bool { false }

    func accepts(_ booking: Booking) -> Bool { EpaycoConfirmation.currencies.contains(booking.price.total.currency) }

    func checkout(_ booking: Booking, host: Domain.Host, language: Language, now: Instant) async throws -> CheckoutLink {
        guard let id = booking.id else { throw PaymentsRuntimeError.notConfigured(method) }
        // Our own page opens ePayco's standard checkout; the token makes the link unguessable per booking.
        let url = "\(settings.publicURL)/pay/epayco/\(id)?t=\(EpaycoPage.token(for: id, pKey: settings.pKey))"
        return CheckoutLink(url: url, reference: "epayco:\(id)", expiresAt: booking.holdExpiresAt)
    }

    func cancelCheckout(reference: String) async {}

    func refund(handle: String, amount: PaidAmount?, user: TelegramUserID?, key: String, reason: String) async throws -> String {
        throw PaymentProviderError.manualRefundsOnly(method)
    }

    func registerPages(on router: Router<BasicRequestContext>, runtime: PaymentsRuntime) {
        EpaycoRoutes(settings: settings, runtime: runtime).register(on: router)
    }

    func receive(_ request: WebhookRequest, now: Instant) async -> WebhookVerdict {
        // ePayco posts a form; a GET confirmation carries the same fields in the query string.
        let text = request.body.isEmpty ? request.query : String(decoding: request.body, as: UTF8.self)
        guard let fields = EpaycoPage.formFields(text) else { return .refused(.badRequest, reason: "unreadable form") }
        let posted: EpaycoNotification
        do {
            posted = try EpaycoConfirmation.verify(fields: fields, customerID: settings.customerID, pKey: settings.pKey)
        } catch let error where error.isAuthenticationFailure {
            return .refused(.badRequest, reason: "\(error)")
        } catch {
            // Signed by ePayco but no booking of ours or a currency we do not take: ask ePayco what it is.
            func field(_ name: String) -> String { fields.first { $0.0 == name }?.1 ?? "" }
            return await lookedUp(reference: field("x_ref_payco"), transaction: field("x_transaction_id"), postedState: field("x_cod_transaction_state"))
        }
        switch posted.state {
        case .approved, .reversed, .unknown:
            return await lookedUp(reference: posted.reference, transaction: posted.transactionID, postedState: posted.stateCode)
        case .rejected, .pending:
            // No money moved: the signed fields are enough to tell the user (a forged one cannot confirm anything).
            if posted.isTest && !settings.test { return .ignored(reason: "test-mode confirmation while EPAYCO_TEST is off") }
            return .payment(ProviderPayment(
                provider: method.rawValue, eventID: "\(posted.idempotencyKey):\(posted.stateCode)", kind: "state \(posted.stateCode)",
                bookingID: posted.bookingID, reference: posted.idempotencyKey, binding: .firstUse, refundHandle: posted.reference,
                amount: .money(posted.amount), outcome: posted.state == .rejected ? .failed : .pending))
        }
    }

    /// What ePayco itself says of the transaction; the posted fields only name it.
    func lookedUp(reference: String, transaction: String, postedState: String) async -> WebhookVerdict {
        let answer: EpaycoValidationClient.Answer
        do {
            answer = try await validation.lookUp(reference: reference)
        } catch {
            return .retryLater(reason: "ePayco validation unavailable: \(error)")
        }
        guard case .found(let tx) = answer else {
            return .ignored(reason: "ePayco does not know reference \(reference.prefix(40)) (forged or mistyped)")
        }
        guard tx.reference == reference, tx.transactionID == transaction else {
            return .ignored(reason: "ePayco's transaction \(tx.reference):\(tx.transactionID) is not the posted \(reference.prefix(40)):\(transaction.prefix(40))")
        }
        if tx.isTest == true && !settings.test { return .ignored(reason: "test-mode transaction while EPAYCO_TEST is off") }
        if tx.stateCode != postedState {
            logger.warning("epayco confirmation state differs from ePayco's own", metadata: ["posted": "\(postedState.prefix(8))", "epayco": "\(tx.stateCode)"])
        }
        let state = EpaycoTransactionState(code: tx.stateCode)
        let outcome: ProviderOutcome
        switch state {
        case .approved: outcome = .paid
        case .rejected: outcome = .failed
        case .pending: outcome = .pending
        case .reversed: outcome = .reversed
        case .unknown(let code): return .ignored(reason: "ePayco state \(code)")
        }
        let currency = Currency(rawValue: tx.currencyCode.uppercased())
        let amount = currency.flatMap { EpaycoConfirmation.currencies.contains($0) ? EpaycoConfirmation.parseAmount(tx.amountText, currency: $0) : nil }
        let booking = tx.extra1.flatMap(EpaycoConfirmation.bookingID(_:))
        let key = "\(tx.reference):\(tx.transactionID)"
        return .payment(ProviderPayment(
            provider: method.rawValue, eventID: "\(key):\(tx.stateCode)", kind: "state \(tx.stateCode)", bookingID: booking,
            reference: key, binding: .firstUse, refundHandle: tx.reference, amount: amount.map(PaidAmount.money), outcome: outcome))
    }
}
