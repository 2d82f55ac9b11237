import Domain

/// Dates and times as a person reads them, in a zone and a language. No Foundation formatters: the output is
/// the same on every machine.
public struct TimeFormat: Sendable {
    public let language: Language
    public let zone: Zone

    public init(language: Language, zone: Zone) {
        self.language = language
        self.zone = zone
    }

    static let weekdaysEN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let weekdaysES = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]
    static let monthsEN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let monthsES = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]

    /// "Wed 26 Nov" / "mié 26 nov".
    public func day(_ date: LocalDate) -> String {
        let w = (language == .es ? Self.weekdaysES : Self.weekdaysEN)[date.weekday.rawValue - 1]
        let m = (language == .es ? Self.monthsES : Self.monthsEN)[date.month - 1]
        return "\(w) \(date.day) \(m)"
    }

    /// "14:15".
    public func clock(_ instant: Instant) -> String {
        let minute = zone.local(instant).minuteOfDay
        return pad(minute / 60) + ":" + pad(minute % 60)
    }

    /// "Wed 26 Nov, 14:15".
    public func dateTime(_ instant: Instant) -> String { "\(day(zone.localDate(of: instant))), \(clock(instant))" }

    /// "Wed 26 Nov, 14:15–15:15 (Europe/Madrid)".
    public func range(_ range: TimeRange) -> String {
        "\(dateTime(range.start))–\(clock(range.end)) (\(zone.identifier))"
    }

    private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
