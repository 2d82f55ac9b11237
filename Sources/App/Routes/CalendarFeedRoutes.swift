import Bot
import Domain
import Hummingbird
import Logging
import Storage

/// `GET /calendar/<token>.ics`: a host's private feed of their calls, for Google or Apple Calendar to subscribe
/// to — paid calls (confirmed, in progress, done) as CONFIRMED, calls cancelled after payment as CANCELLED, each
/// with the UID of its booking and a SEQUENCE that grows with every change, so a reschedule or a cancellation
/// updates the entry the calendar already has. Times are UTC; descriptions are in the host's zone and language.
///
/// The token (32 random bytes, base64url; /host shows the URL) is the only credential: an unknown or malformed
/// one gets a bare 404, and the request log shows the path with the token replaced (`loggedPath`).
struct CalendarFeedRoutes {
    let store: any Store
    let entries: CalendarEntries
    let now: @Sendable () -> Instant

    func register(on router: Router<some RequestContext>) {
        router.get("calendar/:file") { _, context -> Response in
            guard let file = context.parameters.get("file"), let token = Self.token(inFileName: file) else { return Self.notFound }
            let calendar: ICalendar
            do {
                guard let host = try await store.host(calendarFeedToken: token) else { return Self.notFound }
                calendar = try await entries.feed(of: host, store: store, at: now())
            } catch {
                // The error's type only: nothing that could carry the token.
                context.logger.warning("calendar feed unavailable", metadata: ["error": "\(String(reflecting: type(of: error)))"])
                return Response(status: .serviceUnavailable)
            }
            return Response(
                status: .ok, headers: [.contentType: CalendarEntries.contentType, .cacheControl: "private, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: calendar.bytes)))
        }
    }

    static var notFound: Response { Response(status: .notFound) }

    /// The token of `<token>.ics`, if it has the form we issue (43 base64url characters); anything else is
    /// refused without a database look-up.
    static func token(inFileName file: String) -> String? {
        guard file.hasSuffix(".ics") else { return nil }
        let token = file.dropLast(".ics".count)
        let alphabet = { (c: UInt8) in (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95 }
        guard token.utf8.count == 43, token.utf8.allSatisfy(alphabet) else { return nil }
        return String(token)
    }

    /// A request path as the request log may show it: a feed's token replaced.
    static func loggedPath(_ path: String) -> String {
        path.hasPrefix("/calendar/") ? "/calendar/<token>.ics" : path
    }
}
