import Domain
import Storage

/// Booked calls as calendar entries (`ICalendar`, RFC 5545), in the viewer's language and zone: a booking's
/// `.ics` file for its user or its host, and a host's subscribed feed. The entry's link is the bot's deep link
/// `t.me/<bot>?start=join_<id>` — never a video room token: whoever opens it, the bot sends a room link only to
/// the booking's own user or host.
public struct CalendarEntries: Sendable {
    public let identity: BotIdentity

    public init(identity: BotIdentity) { self.identity = identity }

    /// The content type of every `.ics` body we serve or send.
    public static let contentType = "text/calendar; charset=utf-8"

    /// Where "join" leads; nil until the bot's username is known (then the entry says where to press Join).
    public func joinLink(_ id: BookingID) -> String? { identity.deepLink("join_\(id.rawValue)") }

    /// The user's entry: the host by name, the time in `zone` (the user's).
    public func userEvent(_ booking: Booking, host: Host, texts: Texts, zone: Zone) -> CalendarEvent? {
        let when = TimeFormat(language: texts.language, zone: zone).range(booking.time)
        let name = host.displayName.value
        return event(booking, texts: texts, forHost: false, summary: texts.calendarSummary(host: name),
                     about: texts.calendarDescription(host: name, minutes: booking.price.minutes, when: when))
    }

    /// The host's entry: the booking's number and length, the time in the host's zone.
    public func hostEvent(_ booking: Booking, host: Host, texts: Texts) -> CalendarEvent? {
        guard let id = booking.id else { return nil }
        let n = Int(id.rawValue), minutes = booking.price.minutes
        let when = TimeFormat(language: texts.language, zone: host.zone).range(booking.time)
        return event(booking, texts: texts, forHost: true, summary: texts.calendarHostSummary(n, minutes: minutes),
                     about: texts.calendarHostDescription(n, minutes: minutes, when: when))
    }

    /// The host's feed: every booking a calendar shows (`CalendarEvent.Status(of:)`), in the language of the
    /// host's Telegram account (English until one is linked) and the host's zone.
    public func feed(of host: Host, store: any Store, at now: Instant) async throws -> ICalendar {
        guard let hostID = host.id else { return ICalendar(stamp: now, events: []) }
        var language = Language.en
        if let account = host.telegramUserID, let profile = try await store.user(account) { language = Language(rawValue: profile.language) ?? .en }
        let texts = Texts(language)
        let events = try await store.bookings(hostID: hostID)
            .sorted { ($0.time.start, $0.id?.rawValue ?? 0) < ($1.time.start, $1.id?.rawValue ?? 0) }
            .compactMap { hostEvent($0, host: host, texts: texts) }
        return ICalendar(name: texts.calendarName(host: host.displayName.value), stamp: now, events: events)
    }

    /// A cancelled entry says so in its title and description too (some calendars ignore STATUS) and has no link.
    private func event(_ booking: Booking, texts: Texts, forHost: Bool, summary: String, about: String) -> CalendarEvent? {
        guard let id = booking.id, let status = CalendarEvent.Status(of: booking) else { return nil }
        let cancelled = status == .cancelled
        let join = cancelled ? nil : joinLink(id)
        let last = cancelled ? texts.calendarCancelledLine : texts.calendarJoinHint(join, forHost: forHost, leadMinutes: BotEngine.joinLeadMinutes)
        return CalendarEvent(
            uid: CalendarEvent.uid(booking: id), sequence: CalendarEvent.sequence(of: booking), time: booking.time,
            summary: cancelled ? texts.calendarCancelled(summary) : summary, description: about + "\n" + last, url: join, status: status)
    }
}
