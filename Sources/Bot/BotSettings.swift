import Core
import Domain
import Synchronization
import Storage
import Telegram

/// What the bot needs from configuration.
public struct BotSettings: Sendable {
    public var commission: CommissionRate
    public var holdMinutes: Int
    public var slotRules: SlotRules
    public var defaultZone: Zone
    public var hostsPerPage: Int
    public var adminIDs: Set<TelegramUserID>
    /// Telegram Stars per US dollar; nil turns Stars off. Offered for bookings priced in USD.
    public var starsPerUSD: Int?
    /// Cut-off for a user's refund and reschedule (`CANCELLATION_CUTOFF_HOURS`).
    public var cancellation: CancellationPolicy = .standard
    /// How many unpaid, unexpired holds one user may have at once (`MAX_LIVE_HOLDS_PER_USER`); enforced by the
    /// store's `createHold`.
    public var maxLiveHoldsPerUser = 2
    /// `PUBLIC_URL` (no trailing slash): where hosts' calendar feeds are served; nil shows no feed link.
    public var publicURL: String?
    /// Where this server's web pages are (the dashboard's login links): `PUBLIC_URL`, else the listening address.
    public var webURL = "http://127.0.0.1:8080"
    /// The bot's own username (from `getMe`), for t.me deep links.
    public var identity = BotIdentity()

    public init(commission: CommissionRate, holdMinutes: Int, slotRules: SlotRules, defaultZone: Zone, hostsPerPage: Int = 5,
                adminIDs: Set<TelegramUserID> = [], starsPerUSD: Int? = nil) {
        self.starsPerUSD = starsPerUSD
        self.commission = commission
        self.holdMinutes = holdMinutes
        self.slotRules = slotRules
        self.defaultZone = defaultZone
        self.hostsPerPage = hostsPerPage
        self.adminIDs = adminIDs
    }

    /// Zones offered as buttons in Settings; any other IANA name can be typed.
    public static let commonZones = [
        "UTC", "Europe/London", "Europe/Madrid", "Europe/Berlin", "Europe/Moscow", "America/New_York",
        "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Mexico_City", "America/Bogota",
        "America/Lima", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Asia/Dubai", "Asia/Kolkata",
        "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
    ]
}

/// The bot's @username, learned from `getMe` at start-up (nil until then: deep links are not shown yet).
public final class BotIdentity: Sendable {
    private let name: Mutex<String?>

    public init(username: String? = nil) { name = Mutex(username) }

    public var username: String? {
        get { name.withLock { $0 } }
        set { name.withLock { $0 = newValue } }
    }

    /// `https://t.me/<bot>?start=<payload>`; nil while the username is unknown.
    public func deepLink(_ payload: String) -> String? { username.map { "https://t.me/\($0)?start=\(payload)" } }
}

/// Starts a payment for a held booking (implemented by the app over its payment providers).
public protocol CheckoutService: Sendable {
    /// The methods that are configured, in the order to offer them.
    var methods: [PaymentMethod] { get }
    func checkout(booking: Booking, host: Host, method: PaymentMethod, language: Language) async throws -> CheckoutLink
    /// The configured methods that can take this booking (e.g. Daimo only for USD prices).
    func methods(for booking: Booking) -> [PaymentMethod]
    /// Closes an open checkout of a booking the user cancelled (best effort), so it cannot be paid any more.
    func cancelCheckout(of booking: Booking, reference: String) async
    /// Returns the money of a cancelled booking whose refund is pending (or failed before) through the
    /// booking's own provider, then settles it in the store with the refund notices and an audit row; a
    /// provider without a refund API we call leaves it pending as a manual refund. `api` is the bot's Bot API
    /// (Telegram Stars refunds); `actor` who asked for it (nil: the system). See `RefundOutcome`.
    func refund(_ booking: Booking, api: any BotAPI, actor: TelegramUserID?) async -> RefundOutcome
    /// A Telegram Stars payment kept in the Stars inbox: fulfilled once (confirmed, or its Stars returned),
    /// then marked processed.
    func fulfilStars(_ payment: IncomingStarsPayment) async throws
    /// Whether money paid through `method` goes back by hand (its provider has no refund API we call). A method
    /// no configured provider knows is returned by hand.
    func refundsByHand(_ method: String?) -> Bool
    /// Tries an automatic return of a row of the money-to-return list again; true when the money went back.
    func returnMoney(row: Int64) async -> Bool
}

extension CheckoutService {
    /// By default every configured method takes every booking.
    public func methods(for booking: Booking) -> [PaymentMethod] { methods }
}

public struct CheckoutLink: Sendable, Equatable {
    public var url: String
    public var reference: String
    public var expiresAt: Instant

    public init(url: String, reference: String, expiresAt: Instant) {
        self.url = url
        self.reference = reference
        self.expiresAt = expiresAt
    }
}
