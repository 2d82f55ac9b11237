/// One calendar entry (an RFC 5545 VEVENT): a booked call as a calendar application keeps it.
public struct CalendarEvent: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        case confirmed = "CONFIRMED"
        case cancelled = "CANCELLED"

        /// How a calendar shows a booking: paid and not cancelled (confirmed, in progress, done) → confirmed; cancelled
        /// after it was paid (the money kept or refunded) → cancelled, so a subscribed calendar drops the call it had;
        /// never paid (a hold, pending, lapsed or released) → not at all.
        public init?(of booking: Booking) {
            switch booking.status {
            case .confirmed, .active, .completed: self = .confirmed
            case .cancelled where booking.paymentState != .unpaid: self = .cancelled
            case .cancelled, .pending, .expired: return nil
            }
        }
    }

    /// Stable for the life of the entry: a client replaces the event with the same UID (and a higher SEQUENCE).
    public var uid: String
    /// The revision: must grow whenever the entry changes (a reschedule, a cancellation).
    public var sequence: Int64
    public var time: TimeRange
    /// One line: the title a calendar shows.
    public var summary: String
    /// Free text, lines separated by "\n".
    public var description: String
    /// Where to go for the event (a URI, written as is).
    public var url: String?
    public var status: Status

    public init(uid: String, sequence: Int64, time: TimeRange, summary: String, description: String, url: String?, status: Status) {
        self.uid = uid
        self.sequence = sequence
        self.time = time
        self.summary = summary
        self.description = description
        self.url = url
        self.status = status
    }

    /// The UID of a booking's entry: the same for every file and feed that shows that booking, whatever its time.
    public static func uid(booking id: BookingID) -> String { "booking-\(id.rawValue)@privatecalls" }

    /// A booking's revision for SEQUENCE: seconds from its creation to its last change. Every change a calendar
    /// shows (a reschedule, a cancellation) moves `updatedAt` on, so it grows; it stays far below the 32-bit
    /// INTEGER limit of RFC 5545 (epoch seconds themselves would pass it in 2038).
    public static func sequence(of booking: Booking) -> Int64 { max(0, booking.createdAt.seconds(until: booking.updatedAt)) }
}

/// An iCalendar object (RFC 5545): VCALENDAR with VEVENTs, published (METHOD:PUBLISH) — for an `.ics` file of
/// one call or a host's subscribed feed.
///
/// - Lines end with CRLF and are folded at 75 octets (a continuation line starts with one space), never inside
///   a UTF-8 sequence.
/// - TEXT values (SUMMARY, DESCRIPTION, X-WR-CALNAME) escape backslash, semicolon, comma and line breaks; other
///   control characters, which TEXT may not hold, become spaces.
/// - Times are UTC in the form `20261125T170000Z`; no VTIMEZONE is needed.
public struct ICalendar: Hashable, Sendable {
    public static let productID = "-//PrivateCalls//Private calls//EN"

    /// X-WR-CALNAME: the name a subscribed calendar shows (nil for a single file).
    public var name: String?
    /// DTSTAMP of every event: when this object was made.
    public var stamp: Instant
    public var events: [CalendarEvent]

    public init(name: String? = nil, stamp: Instant, events: [CalendarEvent]) {
        self.name = name
        self.stamp = stamp
        self.events = events
    }

    /// The whole object as text, every line folded and ended by CRLF.
    public func text() -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(Self.productID)", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        if let name { lines.append("X-WR-CALNAME:" + Self.escape(name)) }
        for event in events {
            lines += [
                "BEGIN:VEVENT",
                "UID:" + Self.escape(event.uid),
                "SEQUENCE:\(event.sequence)",
                "DTSTAMP:" + Self.utc(stamp),
                "DTSTART:" + Self.utc(event.time.start),
                "DTEND:" + Self.utc(event.time.end),
                "SUMMARY:" + Self.escape(event.summary),
                "DESCRIPTION:" + Self.escape(event.description),
            ]
            if let url = event.url { lines.append("URL:" + Self.uri(url)) }
            lines += ["STATUS:" + event.status.rawValue, "TRANSP:OPAQUE", "END:VEVENT"]
        }
        lines.append("END:VCALENDAR")
        return lines.map { Self.fold($0) + "\r\n" }.joined()
    }

    /// The UTF-8 bytes of `text()`.
    public var bytes: [UInt8] { Array(text().utf8) }

    /// DATE-TIME in UTC ("form #2"): `YYYYMMDDTHHMMSSZ`.
    public static func utc(_ instant: Instant) -> String {
        let days = floorDiv(instant.epochSeconds, 86_400)
        let second = Int(instant.epochSeconds - days * 86_400)
        let date = LocalDate(dayNumber: days)
        let year = String(date.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + pad2(date.month) + pad2(date.day)
            + "T" + pad2(second / 3600) + pad2(second / 60 % 60) + pad2(second % 60) + "Z"
    }

    /// A TEXT value: `\` → `\\`, `;` → `\;`, `,` → `\,`, a line break (CRLF, CR or LF) → `\n`; other control
    /// characters → space.
    public static func escape(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in value.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case ";": out.append(contentsOf: "\\;".unicodeScalars)
            case ",": out.append(contentsOf: "\\,".unicodeScalars)
            case "\r": out.append(contentsOf: "\\n".unicodeScalars)
            case "\n": if !afterCR { out.append(contentsOf: "\\n".unicodeScalars) }
            case "\t": out.append(scalar)
            default: out.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
            }
        }
        return String(out)
    }

    /// A URI value is written as is, but it cannot break the line: control characters are dropped.
    static func uri(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    /// Folds a content line: at most 75 octets per physical line (the continuation's leading space included),
    /// breaking only between Unicode scalars. The result has no final CRLF.
    public static func fold(_ line: String, limit: Int = 75) -> String {
        var out = ""
        var used = 0
        for scalar in line.unicodeScalars {
            let size = scalar.value < 0x80 ? 1 : scalar.value < 0x800 ? 2 : scalar.value < 0x1_0000 ? 3 : 4
            if used + size > limit {
                out += "\r\n "
                used = 1
            }
            out.unicodeScalars.append(scalar)
            used += size
        }
        return out
    }
}
