import struct Foundation.Date
import struct Foundation.TimeZone

/// An IANA time zone. Converts between UTC instants and local wall-clock readings. Uses the system's tz
/// database through Foundation's `TimeZone` (a data lookup, not I/O against the clock).
public struct Zone: Hashable, Sendable, Codable, CustomStringConvertible {
    public let identifier: String
    private let timeZone: TimeZone

    /// nil when the identifier is not a known IANA zone ("Mars/Olympus", "").
    public init?(identifier: String) {
        let trimmed = identifier.trimmingSpaces()
        guard !trimmed.isEmpty, trimmed.count <= 64, let tz = TimeZone(identifier: trimmed) else { return nil }
        // Foundation on Linux names UTC "GMT"; people (and RFC 5545, and the tz database's own "UTC" link)
        // call it UTC. Same offset, no DST: one zone, written "UTC".
        self.identifier = tz.identifier == "GMT" ? "UTC" : tz.identifier
        self.timeZone = tz
    }

    public static let utc = Zone(identifier: "UTC")!

    public var description: String { identifier }

    public static func == (a: Zone, b: Zone) -> Bool { a.identifier == b.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    public init(from decoder: any Decoder) throws {
        let id = try decoder.singleValueContainer().decode(String.self)
        guard let zone = Zone(identifier: id) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown time zone \(id)"))
        }
        self = zone
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(identifier)
    }

    /// UTC offset in seconds in force at `instant`.
    public func offsetSeconds(at instant: Instant) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant.epochSeconds))))
    }

    /// The local date and minute of day of an instant.
    public func local(_ instant: Instant) -> (date: LocalDate, minuteOfDay: Int) {
        let local = instant.epochSeconds + offsetSeconds(at: instant)
        let days = floorDiv(local, 86_400)
        return (LocalDate(dayNumber: days), Int((local - days * 86_400) / 60))
    }

    public func localDate(of instant: Instant) -> LocalDate { local(instant).date }

    /// The instant a local wall-clock reading names.
    /// - A reading skipped by a spring-forward gap (02:30 in New York on 2026-03-08) moves forward by the gap
    ///   (it becomes 03:30 EDT), the way ISO/java.time resolve it.
    /// - A reading that happens twice in a fall-back overlap resolves to the earlier instant.
    /// `minuteOfDay` may be 1440 (the next midnight).
    public func instant(of date: LocalDate, minuteOfDay: Int) -> Instant {
        let local = date.dayNumber * 86_400 + Int64(minuteOfDay) * 60
        let before = offsetSeconds(at: Instant(epochSeconds: local - 86_400))
        let after = offsetSeconds(at: Instant(epochSeconds: local + 86_400))
        if before == after {
            // No transition nearby in the common case; confirm to stay exact with odd histories.
            let candidate = local - before
            if offsetSeconds(at: Instant(epochSeconds: candidate)) == before { return Instant(epochSeconds: candidate) }
        }
        let early = local - before
        let late = local - after
        let earlyValid = offsetSeconds(at: Instant(epochSeconds: early)) == before
        let lateValid = offsetSeconds(at: Instant(epochSeconds: late)) == after
        switch (earlyValid, lateValid) {
        case (true, true): return Instant(epochSeconds: min(early, late))
        case (true, false): return Instant(epochSeconds: early)
        case (false, true): return Instant(epochSeconds: late)
        case (false, false): return Instant(epochSeconds: early) // inside a gap: shift forward by the gap
        }
    }
}
