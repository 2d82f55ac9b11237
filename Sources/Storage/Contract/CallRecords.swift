import Domain

/// The two reminders before a call. The raw value is the stage stored with the booking (`reminders_sent`):
/// a booking at stage n has had every reminder up to n handled (sent, or skipped because it was booked later).
public enum CallReminder: Int, Hashable, Sendable, CaseIterable, Comparable {
    case dayBefore = 1
    case quarterHour = 2

    /// How long before the start it is due.
    public var leadMinutes: Int {
        switch self {
        case .dayBefore: 24 * 60
        case .quarterHour: 15
        }
    }

    /// "24h" / "15m", for dedupe keys and message kinds.
    public var code: String {
        switch self {
        case .dayBefore: "24h"
        case .quarterHour: "15m"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A booking's video room: which provider, and the unguessable room (channel) name. Credentials are never
/// stored; links are minted from this when they are needed.
public struct CallRoom: Hashable, Sendable {
    public var provider: String
    public var name: String

    public init(provider: String, name: String) {
        self.provider = provider
        self.name = name
    }
}

/// A confirmed booking ahead, with what the reminder scheduler needs to know about it.
public struct UpcomingCall: Hashable, Sendable {
    public var booking: Booking
    /// When it was confirmed (its payment's ledger row; the creation time when there is none).
    public var confirmedAt: Instant
    /// The last reminder handled, nil for none.
    public var handled: CallReminder?

    public init(booking: Booking, confirmedAt: Instant, handled: CallReminder?) {
        self.booking = booking
        self.confirmedAt = confirmedAt
        self.handled = handled
    }
}
