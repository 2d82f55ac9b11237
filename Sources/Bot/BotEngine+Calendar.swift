import Core
import Domain
import Foundation
import Logging
import Storage
import Telegram

/// Calendar entries: "📅 Add to calendar" sends a booking's `.ics` file (RFC 5545) to its user or its linked
/// host; /host shows the host's private feed URL, `PUBLIC_URL/calendar/<token>.ics`, served by the app.
extension BotEngine {
    var calendarEntries: CalendarEntries { CalendarEntries(identity: settings.identity) }

    /// "📅 Add to calendar": the booking's `.ics` file for its user (the host by name, the user's zone) or its
    /// linked host (the host's zone), then a short screen. Anyone else, and a booking that is not confirmed or in
    /// progress, gets a screen saying so and no file.
    func calendarFile(_ id: BookingID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let booking = try await store.booking(id), let host = try await store.host(booking.hostID) else {
            return Outcome(screen: withPrefix(t.staleButton, mainMenu(session)), toast: t.staleButton, newMessage: true)
        }
        let forUser = booking.userID == session.user.id
        guard forUser || host.telegramUserID == session.user.id else {
            logger.notice("calendar file asked by a stranger", metadata: ["booking": "\(id)", "user": "\(session.user.id)"])
            return Outcome(screen: withPrefix(t.notYourCall, mainMenu(session)), toast: t.notYourCall, newMessage: true)
        }
        let keyboard: [[Screen.Button]] = [
            [forUser ? .action(t.myBookings, .myBookings) : .action(t.hostMenuButton, .hostMenu), .action(t.mainMenu, .mainMenu)],
        ]
        let entry = forUser
            ? calendarEntries.userEvent(booking, host: host, texts: t, zone: session.zone)
            : calendarEntries.hostEvent(booking, host: host, texts: t)
        guard booking.status == .confirmed || booking.status == .active, let entry else {
            return Outcome(screen: Screen(text: t.calendarUnavailable, keyboard: keyboard), toast: t.calendarUnavailable, newMessage: true)
        }
        let file = ICalendar(stamp: now(), events: [entry])
        var outcome = Outcome(screen: Screen(text: t.calendarFileSent, keyboard: keyboard), newMessage: true)
        outcome.document = InputFile(filename: "privatecall-\(id.rawValue).ics", contentType: CalendarEntries.contentType, data: file.bytes)
        return outcome
    }

    /// The booking of a calendar entry's link `t.me/<bot>?start=join_<id>` ("/start join_<id>"), which leads to
    /// Join — and Join sends a room link only to the booking's own user or host.
    func joinDeepLink(_ text: String) -> BookingID? {
        guard let payload = argument(of: text), payload.hasPrefix("join_"), let id = Int64(payload.dropFirst("join_".count)), id > 0 else { return nil }
        return BookingID(id)
    }

    /// The /host line with the host's private feed URL (its token made on first need: 32 random bytes,
    /// base64url); nil when `PUBLIC_URL` is not set, as there is then no address to subscribe to.
    func calendarFeedLine(_ host: Domain.Host, _ session: Session) async throws -> String? {
        guard let base = settings.publicURL, let hostID = host.id else { return nil }
        let token = try await store.calendarFeedToken(hostID: hostID, candidate: Secrets.token(bytes: 32), at: now())
        return session.texts.calendarFeedLine("\(base)/calendar/\(token).ics")
    }

}
