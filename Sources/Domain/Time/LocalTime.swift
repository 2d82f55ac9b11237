/// A wall-clock time of day as minutes after midnight, 00:00 … 24:00 (24:00 only as a window's end).
public struct LocalTime: Hashable, Comparable, Sendable, Codable {
    public let minuteOfDay: Int

    public init?(minuteOfDay: Int) {
        guard (0...1440).contains(minuteOfDay) else { return nil }
        self.minuteOfDay = minuteOfDay
    }

    public init?(hour: Int, minute: Int) {
        guard (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1440 else { return nil }
        self.minuteOfDay = hour * 60 + minute
    }

    /// Parses "9:00", "09:00", "24:00".
    public init?(parsing text: String) {
        let parts = text.trimmingSpaces().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts[0].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isASCII),
              let h = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        self.init(hour: h, minute: m)
    }

    public static let midnight = LocalTime(minuteOfDay: 0)!
    public static let endOfDay = LocalTime(minuteOfDay: 1440)!

    public var hour: Int { minuteOfDay / 60 }
    public var minute: Int { minuteOfDay % 60 }

    public static func < (a: LocalTime, b: LocalTime) -> Bool { a.minuteOfDay < b.minuteOfDay }
}

extension LocalTime: CustomStringConvertible {
    public var description: String { pad2(hour) + ":" + pad2(minute) }
}
