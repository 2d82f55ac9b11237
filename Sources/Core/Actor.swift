import Domain

/// Who asks a use case for something. A use case checks the claim itself: an admin must be in
/// `ADMIN_TELEGRAM_IDS` as configured at that moment, a host must be the host's linked account.
public enum Actor: Sendable, Hashable {
    case admin(TelegramUserID)
    case host(TelegramUserID)
    case user(TelegramUserID)

    public var account: TelegramUserID {
        switch self {
        case .admin(let id), .host(let id), .user(let id): id
        }
    }

    /// The audit log's role column.
    public var role: String {
        switch self {
        case .admin: "admin"
        case .host: "host"
        case .user: "user"
        }
    }
}

/// Why a use case did nothing. Faces (the bot, the web) turn these into words; no use case returns text.
public enum Refusal: Error, Sendable, Equatable {
    /// The actor may not do this (not an admin any more, not this host's account).
    case notAllowed
    /// The host does not exist (a stale button or link).
    case noSuchHost
    /// The review does not exist.
    case noSuchReview
    /// The photo is not in this host's gallery (removed meanwhile, or another host's).
    case noSuchPhoto
    /// An amount that does not read as money in the host's currency.
    case invalidAmount(MoneyParseError)
    /// A payout of zero or less.
    case notPositive
    /// More than the host is owed in that currency; `balance` is what is unpaid now.
    case exceedsBalance(balance: Money)
    /// A dashboard login link that is unknown, already used or expired.
    case linkUsedOrExpired
    /// A dashboard form without the session's CSRF token.
    case badCSRFToken
    /// The booking does not exist (a stale button or link).
    case noSuchBooking
    /// The booking is no longer in a state that allows this (already cancelled, started, settled, or the
    /// policy says no).
    case bookingUnchangeable
    /// The row of the money-to-return list, or the no-show report, is gone or settled already.
    case alreadySettled
    /// A reference that is empty, longer than 100 characters or has control characters.
    case invalidReference
}
