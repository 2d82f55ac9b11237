import Bot
import Domain
import Hummingbird
import Logging
import Storage

/// The configured payment providers: what the bot offers, how a checkout starts, and the webhook routes
/// that confirm payments.
final class PaymentsRuntime: CheckoutService {
    let configuration: AppConfiguration
    let store: any Store
    let now: @Sendable () -> Instant
    let notifier: Notifier?
    let logger: Logger

    init(configuration: AppConfiguration, store: any Store, now: @escaping @Sendable () -> Instant, notifier: Notifier?, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.now = now
        self.notifier = notifier
        self.logger = logger
    }

    var methods: [PaymentMethod] { [] }

    func checkout(booking: Booking, host: Host, method: PaymentMethod, language: Language) async throws -> CheckoutLink {
        throw PaymentsRuntimeError.notConfigured(method)
    }

    func registerRoutes(on router: Router<some RequestContext>) {}
}

enum PaymentsRuntimeError: Error, CustomStringConvertible {
    case notConfigured(PaymentMethod)
    var description: String {
        switch self {
        case .notConfigured(let m): "payment method \(m.rawValue) is not configured"
        }
    }
}
