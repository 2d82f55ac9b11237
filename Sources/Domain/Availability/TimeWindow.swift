/// A local time window within one day, [start, end). `end` may be 24:00; windows never cross midnight
/// (22:00–02:00 is two windows on two days, and the slot engine joins them when they touch).
public struct TimeWindow: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let start: LocalTime
    public let end: LocalTime

    public init(start: LocalTime, end: LocalTime) throws(AvailabilityError) {
        guard start < end else { throw .emptyWindow("\(start)–\(end)") }
        self.start = start
        self.end = end
    }

    /// Parses "09:00-22:00" (also with "–" or "—").
    public init(parsing text: String) throws(AvailabilityError) {
        let normalized = text.trimmingSpaces().replacingDashes()
        let parts = normalized.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let s = LocalTime(parsing: String(parts[0])), let e = LocalTime(parsing: String(parts[1])) else {
            throw .unreadableWindow(text)
        }
        try self.init(start: s, end: e)
    }

    public var minutes: Int { end.minuteOfDay - start.minuteOfDay }

    public func overlaps(_ other: TimeWindow) -> Bool { start < other.end && other.start < end }

    public static func < (a: TimeWindow, b: TimeWindow) -> Bool { (a.start, a.end) < (b.start, b.end) }

    public var description: String { "\(start)–\(end)" }
}

public enum AvailabilityError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyWindow(String)
    case unreadableWindow(String)
    case overlappingWindows(String, String)
    case unknownDay(String)

    public var description: String {
        switch self {
        case .emptyWindow(let w): "The window \(w) ends before it starts. Write it like 09:00-17:00."
        case .unreadableWindow(let w): "I could not read “\(w)”. Write hours like 09:00-17:00 (24-hour clock)."
        case .overlappingWindows(let a, let b): "The windows \(a) and \(b) overlap. Windows of one day must not overlap."
        case .unknownDay(let d): "“\(d)” is not a day. Use Mon, Tue, Wed, Thu, Fri, Sat, Sun."
        }
    }
}

extension String {
    func replacingDashes() -> String {
        String(map { $0 == "–" || $0 == "—" ? "-" : $0 })
    }
}

extension Array where Element == TimeWindow {
    /// Sorted, and throws when two windows overlap (touching is fine: 09:00–12:00 and 12:00–18:00).
    func validatedDay() throws(AvailabilityError) -> [TimeWindow] {
        let sorted = self.sorted()
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.overlaps(b) {
            throw .overlappingWindows(a.description, b.description)
        }
        return sorted
    }
}
