import Domain

/// A gallery photo: Telegram's `file_id` (never a file URL: that would embed the bot token).
public struct HostPhoto: Hashable, Sendable {
    public let id: Int64
    public let hostID: HostID
    public let fileID: String
    public let caption: String?
    public let position: Int
}

/// What we know of a Telegram user.
public struct UserProfile: Hashable, Sendable {
    public var id: TelegramUserID
    public var username: String?
    public var firstName: String?
    /// "en" or "es".
    public var language: String
    public var zone: Zone?

    public init(id: TelegramUserID, username: String? = nil, firstName: String? = nil, language: String = "en", zone: Zone? = nil) {
        self.id = id
        self.username = username
        self.firstName = firstName
        self.language = language
        self.zone = zone
    }
}

/// A provider notification, stored once per (provider, eventID).
public struct PaymentEventRecord: Hashable, Sendable {
    public var provider: String
    public var eventID: String
    public var bookingID: BookingID?
    public var providerReference: String?
    public var kind: String
    public var amount: Money?
    public var status: String
    public var receivedAt: Instant

    public init(provider: String, eventID: String, bookingID: BookingID?, providerReference: String?, kind: String,
                amount: Money?, status: String, receivedAt: Instant) {
        self.provider = provider
        self.eventID = eventID
        self.bookingID = bookingID
        self.providerReference = providerReference
        self.kind = kind
        self.amount = amount
        self.status = status
        self.receivedAt = receivedAt
    }
}

/// One row of the commission ledger. A paid booking writes a `payment` row (gross = price, split into
/// platform and host); a refund writes a `refund` row with every amount negated.
public struct LedgerEntry: Hashable, Sendable {
    public enum Kind: String, Sendable { case payment, refund }
    public let id: Int64
    public let bookingID: BookingID
    public let hostID: HostID
    public let kind: Kind
    public let gross: Money
    public let platform: Money
    public let host: Money
    public let createdAt: Instant
}

/// Who did what, from what to what.
public struct AuditEntry: Hashable, Sendable {
    public var actor: Int64?
    public var role: String
    public var action: String
    public var entity: String
    public var entityID: String
    public var before: String?
    public var after: String?
    public var at: Instant

    public init(actor: Int64?, role: String, action: String, entity: String, entityID: String, before: String?, after: String?, at: Instant) {
        self.actor = actor
        self.role = role
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.before = before
        self.after = after
        self.at = at
    }
}

/// A user's review of a completed booking.
public struct Review: Hashable, Sendable {
    public var id: Int64?
    public var bookingID: BookingID
    public var hostID: HostID
    public var userID: TelegramUserID
    public var rating: Int
    public var text: String?
    public var hidden: Bool
    public var createdAt: Instant

    public init(id: Int64? = nil, bookingID: BookingID, hostID: HostID, userID: TelegramUserID, rating: Int, text: String?, hidden: Bool = false, createdAt: Instant) {
        self.id = id
        self.bookingID = bookingID
        self.hostID = hostID
        self.userID = userID
        self.rating = rating
        self.text = text
        self.hidden = hidden
        self.createdAt = createdAt
    }
}

/// Average rating in hundredths of a star (4.67 → 467) and the number of reviews.
public struct RatingSummary: Hashable, Sendable {
    public var averageHundredths: Int
    public var count: Int

    public init(averageHundredths: Int, count: Int) {
        self.averageHundredths = averageHundredths
        self.count = count
    }

    /// "4.7".
    public var averageText: String {
        let tenths = (averageHundredths + 5) / 10
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// A one-time link that makes whoever opens it first a host's Telegram account. Only the token's hash is stored.
public struct HostInvite: Hashable, Sendable {
    public var tokenHash: String
    public var hostID: HostID
    public var createdBy: TelegramUserID?
    public var createdAt: Instant
    public var expiresAt: Instant

    public init(tokenHash: String, hostID: HostID, createdBy: TelegramUserID?, createdAt: Instant, expiresAt: Instant) {
        self.tokenHash = tokenHash
        self.hostID = hostID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// What opening an invite did.
public enum InviteRedemption: Hashable, Sendable {
    /// The account is now the host's.
    case linked(Host)
    /// This account had already used this invite (opened twice): still the host's.
    case alreadyLinked(Host)
    /// Another account used it first.
    case usedByAnother
    /// Older than its 7 days, or replaced by a newer invite.
    case expired
    /// No such invite (mistyped, forged).
    case unknown
    /// This account is already linked to another host (one account, one host).
    case accountIsAnotherHost(Host)
}

/// A signed-in admin on the web dashboard. Only the session token's hash is stored; the CSRF token every form
/// carries is stored as is (it is not a credential on its own).
public struct AdminSession: Hashable, Sendable {
    public var sessionHash: String
    public var admin: TelegramUserID
    public var csrfToken: String
    public var createdAt: Instant
    public var expiresAt: Instant

    public init(sessionHash: String, admin: TelegramUserID, csrfToken: String, createdAt: Instant, expiresAt: Instant) {
        self.sessionHash = sessionHash
        self.admin = admin
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
