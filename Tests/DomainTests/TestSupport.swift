@testable import Domain

// Helpers shared by the Domain tests. No clock reads, no Foundation randomness: every instant is built
// from an explicit UTC date-time, every random case from a seeded SplitMix64.

/// A UTC instant from "2026-03-08T06:45" (or "2026-03-08T06:45:30"). Day numbers come from
/// `LocalDate(iso:)`, whose day numbers are pinned to literal epoch values in `LocalDateTests`.
func utc(_ text: String) -> Instant {
    let halves = text.split(separator: "T")
    guard halves.count == 2, let date = LocalDate(iso: String(halves[0])) else {
        preconditionFailure("bad UTC date-time \(text)")
    }
    let clock = halves[1].split(separator: ":").map { Int64($0)! }
    precondition(clock.count == 2 || clock.count == 3, "bad UTC date-time \(text)")
    let seconds = clock[0] * 3600 + clock[1] * 60 + (clock.count == 3 ? clock[2] : 0)
    return Instant(epochSeconds: date.dayNumber * 86_400 + seconds)
}

/// Several UTC instants at once.
func utcs(_ texts: [String]) -> [Instant] { texts.map { utc($0) } }

/// Every `step` minutes from `first` through `last` inclusive (both literal UTC date-times).
func series(_ first: String, through last: String, everyMinutes step: Int = 15) -> [Instant] {
    let a = utc(first), b = utc(last)
    precondition(a <= b)
    return Array(stride(from: a.epochSeconds, through: b.epochSeconds, by: step * 60)).map(Instant.init(epochSeconds:))
}

/// A local wall-clock reading in `zone`, e.g. local(ny, "2026-03-08 09:00"), through
/// `Zone.instant(of:minuteOfDay:)`. Used to build inputs, never expected values.
func local(_ zone: Zone, _ text: String) -> Instant {
    let parts = text.split(separator: " ")
    guard parts.count == 2, let date = LocalDate(iso: String(parts[0])), let time = LocalTime(parsing: String(parts[1])) else {
        preconditionFailure("bad local date-time \(text)")
    }
    return zone.instant(of: date, minuteOfDay: time.minuteOfDay)
}

func zone(_ identifier: String) -> Zone {
    guard let z = Zone(identifier: identifier) else { preconditionFailure("unknown zone \(identifier)") }
    return z
}

func date(_ iso: String) -> LocalDate {
    guard let d = LocalDate(iso: iso) else { preconditionFailure("bad date \(iso)") }
    return d
}

func window(_ text: String) -> TimeWindow {
    do { return try TimeWindow(parsing: text) } catch { preconditionFailure("bad window \(text): \(error)") }
}

func usd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .usd) }
func eur(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .eur) }
func cop(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .cop) }

/// Availability with hours only on the given dates (no weekly rule), so a test sees exactly one day.
func onlyOn(_ dates: [(String, [String])]) -> WeeklyAvailability {
    var overrides: [LocalDate: DayOverride] = [:]
    for (d, ws) in dates { overrides[date(d)] = .hours(ws.map(window)) }
    do { return try WeeklyAvailability(days: [:], overrides: overrides) } catch { preconditionFailure("\(error)") }
}

func everyDay(_ windows: String...) -> WeeklyAvailability {
    do { return try WeeklyAvailability.everyDay(windows.map(window)) } catch { preconditionFailure("\(error)") }
}

/// The range [start, end) from two literal UTC date-times.
func range(_ start: String, _ end: String) -> TimeRange { TimeRange(start: utc(start), end: utc(end)) }

