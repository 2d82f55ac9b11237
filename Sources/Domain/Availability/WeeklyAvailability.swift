/// When a host takes calls, in the host's own time zone: windows per weekday, plus date overrides.
public struct WeeklyAvailability: Hashable, Sendable, Codable {
    /// Sorted, non-overlapping windows for each weekday; a missing weekday means no hours.
    public private(set) var days: [Weekday: [TimeWindow]]
    /// Specific dates that replace the weekly rule.
    public private(set) var overrides: [LocalDate: DayOverride]

    public init(days: [Weekday: [TimeWindow]] = [:], overrides: [LocalDate: DayOverride] = [:]) throws(AvailabilityError) {
        var checked: [Weekday: [TimeWindow]] = [:]
        for (day, windows) in days where !windows.isEmpty { checked[day] = try windows.validatedDay() }
        var checkedOverrides: [LocalDate: DayOverride] = [:]
        for (date, o) in overrides {
            if case .hours(let w) = o { checkedOverrides[date] = .hours(try w.validatedDay()) } else { checkedOverrides[date] = o }
        }
        self.days = checked
        self.overrides = checkedOverrides
    }

    /// The same windows on every day of the week.
    public static func everyDay(_ windows: [TimeWindow]) throws(AvailabilityError) -> WeeklyAvailability {
        var days: [Weekday: [TimeWindow]] = [:]
        for d in Weekday.allCases { days[d] = windows }
        return try WeeklyAvailability(days: days)
    }

    /// Parses configuration such as "09:00-22:00" or "09:00-13:00,15:00-22:00" (every day), or
    /// "Mon-Fri 09:00-17:00; Sat 10:00-14:00".
    public init(parsing text: String) throws(AvailabilityError) {
        var days: [Weekday: [TimeWindow]] = [:]
        for clause in text.split(separator: ";") {
            let clause = String(clause).trimmingSpaces()
            guard !clause.isEmpty else { continue }
            let pieces = clause.split(separator: " ", maxSplits: 1).map(String.init)
            let targetDays: [Weekday]
            let windowText: String
            if let first = pieces.first, first.first?.isLetter == true {
                targetDays = try Self.parseDays(first)
                windowText = pieces.count > 1 ? pieces[1] : ""
            } else {
                targetDays = Weekday.allCases
                windowText = clause
            }
            var windows: [TimeWindow] = []
            for w in windowText.split(separator: ",") { windows.append(try TimeWindow(parsing: String(w))) }
            if windows.isEmpty { throw .unreadableWindow(clause) }
            for d in targetDays { days[d, default: []].append(contentsOf: windows) }
        }
        try self.init(days: days)
    }

    /// "Mon-Fri", "Sat", "Mon,Wed,Fri".
    static func parseDays(_ text: String) throws(AvailabilityError) -> [Weekday] {
        var result: [Weekday] = []
        for item in text.split(separator: ",") {
            let range = String(item).replacingDashes().split(separator: "-")
            guard let first = range.first, let a = Weekday(shortName: String(first)) else { throw .unknownDay(String(item)) }
            if range.count == 2 {
                guard let b = Weekday(shortName: String(range[1])) else { throw .unknownDay(String(range[1])) }
                var d = a.rawValue
                while true {
                    result.append(Weekday(rawValue: d)!)
                    if d == b.rawValue { break }
                    d = d % 7 + 1
                }
            } else if range.count == 1 {
                result.append(a)
            } else {
                throw .unknownDay(String(item))
            }
        }
        return result
    }

    /// The windows in force on a date: the override if there is one, else the weekday's.
    public func windows(on date: LocalDate) -> [TimeWindow] {
        switch overrides[date] {
        case .dayOff?: []
        case .hours(let w)?: w
        case nil: days[date.weekday] ?? []
        }
    }

    public mutating func setWindows(_ windows: [TimeWindow], on day: Weekday) throws(AvailabilityError) {
        days[day] = windows.isEmpty ? nil : try windows.validatedDay()
    }

    public mutating func setOverride(_ o: DayOverride?, on date: LocalDate) throws(AvailabilityError) {
        if case .hours(let w)? = o { overrides[date] = .hours(try w.validatedDay()) } else { overrides[date] = o }
    }

    /// A short human summary, e.g. "Mon–Fri 09:00–17:00; Sat 10:00–14:00".
    public var summary: String {
        var groups: [(first: Weekday, last: Weekday, windows: [TimeWindow])] = []
        for d in Weekday.allCases {
            let w = days[d] ?? []
            if let last = groups.last, last.windows == w, last.last.rawValue + 1 == d.rawValue {
                groups[groups.count - 1].last = d
            } else {
                groups.append((d, d, w))
            }
        }
        let parts = groups.filter { !$0.windows.isEmpty }.map { g in
            let label = g.first == g.last ? g.first.shortName : "\(g.first.shortName)–\(g.last.shortName)"
            return label + " " + g.windows.map(\.description).joined(separator: ", ")
        }
        return parts.isEmpty ? "no hours" : parts.joined(separator: "; ")
    }
}

/// What a specific date does instead of the weekly rule.
public enum DayOverride: Hashable, Sendable, Codable {
    case dayOff
    case hours([TimeWindow])
}
