import Bot
import Domain
import HTTPTypes
import Hummingbird
import Logging
import Storage

/// How a provider gives money back.
enum RefundMode: Sendable, Equatable {
    /// Through its API, by us (`PaymentProvider.refund`): Stripe, Telegram Stars.
    case automatic
    /// By a person at the provider; an admin marks it done in the bot: ePayco, Daimo.
    case manual
}

/// A provider's HTTP notification as received: nothing trusted yet.
struct WebhookRequest: Sendable {
    var headers: HTTPFields
    var body: [UInt8]
    /// The query string (ePayco may confirm with a GET).
    var query: String
}

/// What a provider made of a notification.
enum WebhookVerdict: Sendable {
    /// Not authentic (signature, token): answered with this status, nothing stored.
    case refused(HTTPResponse.Status, reason: String)
    /// Authentic, but nothing of ours to act on (an untagged Stripe session, an event type we ignore): 200.
    case ignored(reason: String)
    /// The provider could not be asked (its look-up is down): 503, so the provider retries; nothing stored.
    case retryLater(reason: String)
    /// A verified payment event for `Store.fulfil`.
    case payment(ProviderPayment)
    /// A checkout of a booking expired at the provider: release the booking's hold if it still waits.
    case checkoutExpired(BookingID, reference: String)
}

/// One payment provider. Everything provider-specific lives in its folder (`Payments/<Name>/`): how a checkout
/// starts, how a notification is authenticated and verified with the provider, how money goes back. The rest
/// of the app (fulfilment, the money-to-return list, refunds of cancelled bookings) only talks to this.
protocol PaymentProvider: Sendable {
    var method: PaymentMethod { get }
    var refundMode: RefundMode { get }
    /// Where the provider posts its notifications (e.g. "webhooks/stripe"); nil when they reach us another way
    /// (Telegram Stars arrive as bot updates).
    var webhookPath: String? { get }
    /// Whether this provider can take the booking's price (currency).
    func accepts(_ booking: Booking) -> Bool
    /// Starts paying for a pending hold: a link for the payer. The link's reference is stored as a checkout of
    /// the booking (`Store.recordCheckout`) when `bindsCheckout`.
    func checkout(_ booking: Booking, host: Domain.Host, language: Language, now: Instant) async throws -> CheckoutLink
    /// Whether payments must name a checkout we created (`PaymentBinding.checkout`).
    var bindsCheckout: Bool { get }
    /// Closes an open checkout (best effort) so it cannot be paid any more.
    func cancelCheckout(reference: String) async
    /// Authenticates a notification and verifies it with the provider where the provider allows it.
    func receive(_ request: WebhookRequest, now: Instant) async -> WebhookVerdict
    /// Gives money back through the provider's API (only for `.automatic`); returns the provider's reference
    /// of the refund. `key` makes a repeat return the same refund.
    func refund(handle: String, amount: PaidAmount?, user: TelegramUserID?, key: String, reason: String) async throws -> String
    /// What the payer was charged for the booking (money, or Stars at the configured rate).
    func charged(_ booking: Booking) -> PaidAmount
    /// Extra pages of the provider (ePayco's checkout page); most have none.
    func registerPages(on router: Router<BasicRequestContext>, runtime: PaymentsRuntime)
}

extension PaymentProvider {
    func charged(_ booking: Booking) -> PaidAmount { .money(booking.price.total) }
    func registerPages(on router: Router<BasicRequestContext>, runtime: PaymentsRuntime) {}
}

enum PaymentProviderError: Error, CustomStringConvertible {
    case manualRefundsOnly(PaymentMethod)
    case noRefundHandle(String)
    case paidInChat(PaymentMethod)

    var description: String {
        switch self {
        case .manualRefundsOnly(let m): "\(m.rawValue) has no refund API we call: an admin returns the money by hand"
        case .noRefundHandle(let detail): "nothing to refund with: \(detail)"
        case .paidInChat(let m): "\(m.rawValue) is paid inside the chat (an invoice), not through a link"
        }
    }
}

/// The configured providers, in the order the bot offers them. Adding a provider: a folder with its
/// `PaymentProvider`, a `PaymentMethod` case (the compiler then asks for its button code and label), and one
/// line below.
struct PaymentProviders: Sendable {
    let all: [any PaymentProvider]

    static func configured(_ configuration: AppConfiguration, api: (any BotAPI)?, logger: Logger) -> PaymentProviders {
        let providers: [(any PaymentProvider)?] = [
            StripeProvider.make(configuration, logger: logger),
            EpaycoProvider.make(configuration, logger: logger),
            DaimoProvider.make(configuration, logger: logger),
            StarsProvider.make(configuration, api: api),
        ]
        return PaymentProviders(all: providers.compactMap { $0 })
    }

    func provider(_ method: PaymentMethod) -> (any PaymentProvider)? { all.first { $0.method == method } }
    func provider(named name: String) -> (any PaymentProvider)? { PaymentMethod(rawValue: name).flatMap(provider) }
}
