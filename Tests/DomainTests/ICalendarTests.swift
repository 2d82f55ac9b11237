import Domain
import Testing

@Suite("iCalendar writer (RFC 5545)")
struct ICalendarTests {
    static let event = CalendarEvent(
        uid: CalendarEvent.uid(booking: BookingID(42)), sequence: 3600, time: TimeRange(start: utc("2026-11-25T17:00"), minutes: 60),
        summary: "Private call with Anna", description: "Wed 25 Nov, 18:00–19:00 (Europe/Madrid)\nJoin: open the bot",
        url: "https://t.me/privatecalls_test_bot?start=join_42", status: .confirmed)

    /// The octets between CRLFs (a final CRLF ends the last line; a missing one leaves it as is).
    static func physicalLines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first {
            if first == 13, bytes.dropFirst().first == 10 {
                lines.append([])
                bytes = bytes.dropFirst(2)
            } else {
                lines[lines.count - 1].append(first)
                bytes = bytes.dropFirst()
            }
        }
        if lines.last == [] { lines.removeLast() }
        return lines
    }

    /// Unfolds (RFC 5545 §3.1: a CRLF followed by one space is removed) into content lines, each of which
    /// must be valid UTF-8 on its own.
    static func unfolded(_ text: String) -> [String] {
        var logical: [[UInt8]] = []
        for line in physicalLines(text) {
            if line.first == 32, !logical.isEmpty { logical[logical.count - 1] += line.dropFirst() } else { logical.append(line) }
        }
        return logical.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func utcDateTimesAreBasicFormWithZ() {
        #expect(ICalendar.utc(utc("2026-11-25T17:00")) == "20261125T170000Z")
        #expect(ICalendar.utc(utc("2026-03-08T06:45:30")) == "20260308T064530Z")
        #expect(ICalendar.utc(Instant(epochSeconds: 0)) == "19700101T000000Z")
        #expect(ICalendar.utc(Instant(epochSeconds: -1)) == "19691231T235959Z")
        #expect(ICalendar.utc(utc("2028-02-29T23:59:59")) == "20280229T235959Z")
    }

    @Test func textEscapesBackslashSemicolonCommaAndLineBreaks() {
        #expect(ICalendar.escape(#"a\b;c,d"#) == #"a\\b\;c\,d"#)
        #expect(ICalendar.escape("one\ntwo\r\nthree\rfour") == #"one\ntwo\nthree\nfour"#)
        #expect(ICalendar.escape("tab\tstays, bell\u{07}goes") == "tab\tstays\\, bell goes")
        #expect(ICalendar.escape("Zoë: 18:00–19:00 🎥") == "Zoë: 18:00–19:00 🎥", "colons and non-ASCII are not escaped")
        #expect(ICalendar.escape(#"\n"#) == #"\\n"#, "a literal backslash-n is not a line break")
    }

    @Test func foldingKeeps75OctetsAndNeverSplitsAUTF8Sequence() {
        // Two-, three- and four-byte scalars at every offset against the 75-octet boundary.
        for prefix in 0..<8 {
            for piece in ["é", "€", "🎥", "👩‍👩‍👧"] {
                let line = "DESCRIPTION:" + String(repeating: "x", count: prefix) + String(repeating: piece, count: 60)
                let physical = Self.physicalLines(ICalendar.fold(line))
                #expect(physical.count > 1)
                for (index, part) in physical.enumerated() {
                    #expect(part.count <= 75, "\(part.count) octets")
                    if index > 0 { #expect(part.first == 32) }
                    // Each physical line is valid UTF-8 on its own: nothing was cut inside a sequence.
                    #expect(String(validating: part, as: UTF8.self) != nil, "line \(index) of \(piece) after \(prefix)")
                }
                #expect(Self.unfolded(ICalendar.fold(line)) == [line])
            }
        }
        #expect(ICalendar.fold(String(repeating: "a", count: 75)) == String(repeating: "a", count: 75))
        #expect(ICalendar.fold(String(repeating: "a", count: 76)) == String(repeating: "a", count: 75) + "\r\n a")
        // A three-byte scalar that would end at octet 76 moves whole to the next line.
        #expect(ICalendar.fold(String(repeating: "a", count: 73) + "€") == String(repeating: "a", count: 73) + "\r\n €")
    }

    @Test func aCalendarHasItsHeaderAndOneEventWithUTCTimesAndCRLF() {
        let text = ICalendar(stamp: utc("2026-11-25T08:00"), events: [Self.event]).text()
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(Self.physicalLines(text).allSatisfy { !$0.contains(10) && !$0.contains(13) }, "every line ends with CRLF, no bare CR or LF")
        let lines = Self.unfolded(text)
        #expect(lines == [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//PrivateCalls//Private calls//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "BEGIN:VEVENT", "UID:booking-42@privatecalls", "SEQUENCE:3600", "DTSTAMP:20261125T080000Z",
            "DTSTART:20261125T170000Z", "DTEND:20261125T180000Z", "SUMMARY:Private call with Anna",
            #"DESCRIPTION:Wed 25 Nov\, 18:00–19:00 (Europe/Madrid)\nJoin: open the bot"#,
            "URL:https://t.me/privatecalls_test_bot?start=join_42", "STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT",
            "END:VCALENDAR",
        ])
        for physical in Self.physicalLines(text) { #expect(physical.count <= 75) }
    }

    @Test func aFeedHasItsNameAndCancelledEventsWithoutURL() {
        var cancelled = Self.event
        cancelled.uid = CalendarEvent.uid(booking: BookingID(7))
        cancelled.status = .cancelled
        cancelled.url = nil
        let lines = Self.unfolded(ICalendar(name: "PrivateCalls — Zoë; Anna, \"A\"", stamp: utc("2026-11-25T08:00"), events: [Self.event, cancelled]).text())
        #expect(lines.contains(#"X-WR-CALNAME:PrivateCalls — Zoë\; Anna\, "A""#))
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 2)
        #expect(lines.filter { $0.hasPrefix("URL:") }.count == 1)
        #expect(lines.contains("STATUS:CANCELLED") && lines.contains("UID:booking-7@privatecalls"))
        #expect(ICalendar(stamp: utc("2026-11-25T08:00"), events: []).text().contains("X-WR-CALNAME") == false)
    }

    @Test func theSequenceGrowsWithEveryChangeAndTheUIDStays() throws {
        var booking = try Booking.hold(hostID: HostID(1), userID: TelegramUserID(7), start: utc("2026-11-25T17:00"), minutes: 60,
                                       pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                       now: utc("2026-11-25T08:00"), holdMinutes: 30)
        #expect(CalendarEvent.sequence(of: booking) == 0)
        booking.updatedAt = utc("2026-11-25T08:05")
        let confirmed = CalendarEvent.sequence(of: booking)
        booking.updatedAt = utc("2026-11-26T10:00")
        let moved = CalendarEvent.sequence(of: booking)
        #expect(confirmed == 300 && moved > confirmed)
        #expect(moved < Int64(Int32.max))
        #expect(CalendarEvent.uid(booking: BookingID(9)) == "booking-9@privatecalls")
    }

    @Test(arguments: BookingStatus.allCases)
    func onlyPaidBookingsAreInACalendar(status: BookingStatus) throws {
        var booking = try Booking.hold(hostID: HostID(1), userID: TelegramUserID(7), start: utc("2026-11-25T17:00"), minutes: 60,
                                       pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                       now: utc("2026-11-25T08:00"), holdMinutes: 30)
        booking.status = status
        for payment in PaymentState.allCases {
            booking.paymentState = payment
            let expected: CalendarEvent.Status? = switch status {
            case .confirmed, .active, .completed: .confirmed
            case .cancelled: payment == .unpaid ? nil : .cancelled
            case .pending, .expired: nil
            }
            #expect(CalendarEvent.Status(of: booking) == expected, "\(status) \(payment)")
        }
    }

    @Test func aURLCannotBreakTheLine() {
        var event = Self.event
        event.url = "https://example.com/a\r\nX-EVIL:1"
        let lines = Self.unfolded(ICalendar(stamp: utc("2026-11-25T08:00"), events: [event]).text())
        #expect(lines.contains("URL:https://example.com/aX-EVIL:1"))
        #expect(!lines.contains("X-EVIL:1"))
    }
}
