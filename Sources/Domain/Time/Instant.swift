/// A point on the UTC time line, in whole seconds since 1970-01-01T00:00:00Z. Storage keeps these; local
/// dates and times exist only next to a `Zone`.
public struct Instant: Hashable, Comparable, Sendable, Codable {
    public var epochSeconds: Int64

    public init(epochSeconds: Int64) { self.epochSeconds = epochSeconds }

    public static func < (a: Instant, b: Instant) -> Bool { a.epochSeconds < b.epochSeconds }

    public func adding(seconds: Int64) -> Instant { Instant(epochSeconds: epochSeconds + seconds) }
    public func adding(minutes: Int) -> Instant { adding(seconds: Int64(minutes) * 60) }
    public func adding(days: Int) -> Instant { adding(seconds: Int64(days) * 86_400) }

    /// Seconds from `self` to `other` (positive when `other` is later).
    public func seconds(until other: Instant) -> Int64 { other.epochSeconds - epochSeconds }
}

extension Instant: CustomStringConvertible {
    /// ISO 8601 in UTC, e.g. 2026-03-08T07:00:00Z.
    public var description: String {
        let days = floorDiv(epochSeconds, 86_400)
        let secondOfDay = Int(epochSeconds - days * 86_400)
        let date = LocalDate(dayNumber: days)
        return "\(date)T\(pad2(secondOfDay / 3600)):\(pad2(secondOfDay / 60 % 60)):\(pad2(secondOfDay % 60))Z"
    }
}

/// A half-open span of time [start, end).
public struct TimeRange: Hashable, Sendable, Codable {
    public var start: Instant
    public var end: Instant

    public init(start: Instant, end: Instant) {
        self.start = start
        self.end = end
    }

    public init(start: Instant, minutes: Int) {
        self.init(start: start, end: start.adding(minutes: minutes))
    }

    public var isEmpty: Bool { end <= start }
    public var seconds: Int64 { end.epochSeconds - start.epochSeconds }

    public func overlaps(_ other: TimeRange) -> Bool { start < other.end && other.start < end }
    public func contains(_ instant: Instant) -> Bool { start <= instant && instant < end }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
