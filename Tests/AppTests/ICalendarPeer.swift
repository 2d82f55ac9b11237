import FakeStripe
import Foundation
import Testing

/// Python's `icalendar` (a test peer, `scripts/peers`) reads an `.ics` body; what it found comes back as JSON.
enum ICalendarPeer {
    struct Parsed: Decodable {
        var version: String?
        var prodid: String?
        var calscale: String?
        var method: String?
        var name: String?
        /// Problems icalendar noted while parsing (it is lenient and keeps going).
        var errors: [String]
        var events: [Event]
    }

    struct Event: Decodable {
        var uid: String
        var sequence: Int64
        /// ISO 8601 as Python writes an aware datetime: "2026-11-27T17:00:00+00:00".
        var start: String
        var end: String
        var stamp: String
        /// Seconds east of UTC of DTSTART and DTEND (nil: a floating time).
        var startOffset: Int?
        var endOffset: Int?
        var summary: String
        var description: String
        var url: String?
        var status: String?
    }

    static let script = #"""
    import json, sys
    from icalendar import Calendar

    def offset(value):
        delta = value.utcoffset()
        return None if delta is None else int(delta.total_seconds())

    calendar = Calendar.from_ical(open(sys.argv[1], "rb").read())
    text = lambda component, key: None if component.get(key) is None else str(component.get(key))
    errors = [f"{name}: {problem}" for component in calendar.walk() for (name, problem) in component.errors]
    events = []
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        events.append({
            "uid": text(event, "UID"), "sequence": int(event.get("SEQUENCE")),
            "start": start.isoformat(), "end": end.isoformat(), "stamp": event.decoded("DTSTAMP").isoformat(),
            "startOffset": offset(start), "endOffset": offset(end),
            "summary": text(event, "SUMMARY"), "description": text(event, "DESCRIPTION"),
            "url": text(event, "URL"), "status": text(event, "STATUS"),
        })
    print(json.dumps({
        "version": text(calendar, "VERSION"), "prodid": text(calendar, "PRODID"), "calscale": text(calendar, "CALSCALE"),
        "method": text(calendar, "METHOD"), "name": text(calendar, "X-WR-CALNAME"), "errors": errors, "events": events,
    }, ensure_ascii=False))
    """#

    /// Parses `bytes` with icalendar. Also checks the octets themselves: CRLF line ends, ≤ 75 octets a line.
    static func parse(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Parsed {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pc-\(UUID().uuidString).ics")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await Peers.run(["-c", script, file.path])
        let parsed = try JSONDecoder().decode(Parsed.self, from: Data(output.utf8))
        #expect(parsed.errors.isEmpty, "icalendar: \(parsed.errors)", sourceLocation: sourceLocation)
        var line: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 13, index + 1 < bytes.count, bytes[index + 1] == 10 {
                #expect(line.count <= 75, "a line of \(line.count) octets", sourceLocation: sourceLocation)
                line = []
                index += 2
                continue
            }
            #expect(bytes[index] != 10 && bytes[index] != 13, "a bare CR or LF at octet \(index)", sourceLocation: sourceLocation)
            line.append(bytes[index])
            index += 1
        }
        #expect(line.isEmpty, "the last line ends with CRLF", sourceLocation: sourceLocation)
        return parsed
    }
}
