/// Whether a host can be booked right now.
public enum HostStatus: String, CaseIterable, Sendable, Codable, Hashable {
    /// Bookable.
    case online
    /// In a call (set automatically while a booking is active); still listed.
    case busy
    /// Hidden from users.
    case offline

    public var dot: String {
        switch self {
        case .online: "🟢"
        case .busy: "🟡"
        case .offline: "⚫"
        }
    }
}

/// A person who sells call time ("model" in the original brief).
public struct Host: Hashable, Sendable, Codable {
    public var id: HostID?
    public var username: TelegramUsername
    public var displayName: DisplayName
    public var bio: Bio
    public var pricePerMinute: PricePerMinute
    public var durations: DurationRange
    public var zone: Zone
    public var availability: WeeklyAvailability
    /// Deactivated hosts are hidden from users; their bookings stay.
    public var isActive: Bool
    public var status: HostStatus
    /// The host's own Telegram account once they have written to the bot.
    public var telegramUserID: TelegramUserID?

    public init(
        id: HostID? = nil, username: TelegramUsername, displayName: DisplayName, bio: Bio,
        pricePerMinute: PricePerMinute, durations: DurationRange, zone: Zone, availability: WeeklyAvailability,
        isActive: Bool = true, status: HostStatus = .online, telegramUserID: TelegramUserID? = nil
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.bio = bio
        self.pricePerMinute = pricePerMinute
        self.durations = durations
        self.zone = zone
        self.availability = availability
        self.isActive = isActive
        self.status = status
        self.telegramUserID = telegramUserID
    }

    /// Shown to users and bookable: every active host. The status (online, in a call, offline) says whether
    /// the host is around now; future times of an offline host can still be booked. Only an admin's
    /// deactivation takes a host off the list.
    public var isListed: Bool { isActive }

    public var currency: Currency { pricePerMinute.money.currency }
}
