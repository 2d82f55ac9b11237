import Testing
@testable import Domain

/// Random availabilities, busy lists and rules (seeded SplitMix64) against a brute-force oracle that reads
/// the host's wall clock minute by minute. The oracle never converts local times to instants: a minute is
/// free when the host's local reading of it lies in a window of that local date, it is not within a busy
/// range widened by the buffer, and it is not before now + notice.
///
/// Window edges avoid local 01:00–03:00 (exclusive), where a reading can be skipped or repeated and "the
/// window starts at 02:30" needs the engine's documented resolution rather than a minute-by-minute reading;
/// windows still span those hours, so transitions are crossed (Lord Howe's 30-minute shift on an hourly grid
/// included).
@Suite("Slot engine: properties against a brute-force oracle")
struct SlotEnginePropertyTests {
    static let zones = ["UTC", "America/New_York", "Europe/Madrid", "Asia/Kolkata", "Australia/Lord_Howe",
                        "America/Bogota", "Asia/Kathmandu"]
    /// Quiet anchors (a summer day, a year end, a leap day) for any zone.
    static let anchors = ["2026-06-15T00:00", "2026-12-30T00:00", "2028-02-28T00:00", "2026-01-10T00:00"]
    /// The 2026 offset changes of the zones that have them (zdump), so most cases cross one.
    static let transitions = [
        "America/New_York": ["2026-03-08T07:00", "2026-11-01T06:00"],
        "Europe/Madrid": ["2026-03-29T01:00", "2026-10-25T01:00"],
        "Australia/Lord_Howe": ["2026-10-03T15:30", "2026-04-04T15:00"],
    ]
    static let durations = [15, 30, 60, 90, 120]
    static let options = Array(stride(from: 15, through: 180, by: 15))

    @Test(arguments: [0x5EED_0001 as UInt64, 0x5EED_0002, 0x5EED_0003, 0x5EED_0004])
    func engineMatchesOracle(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var offered = 0, casesWithOffers = 0, transitionCases = 0
        for n in 0..<150 {
            let c = try RandomCase(&rng)
            let (report, count) = c.check()
            offered += count
            if count > 0 { casesWithOffers += 1 }
            if c.crossesTransition { transitionCases += 1 }
            if !report.isEmpty {
                let details = report.prefix(8).joined(separator: "\n")
                Issue.record("seed \(seed) case \(n): \(c)\n\(details)")
                return
            }
        }
        // The generator must actually exercise the engine: most cases offer something, some cross a change.
        #expect(casesWithOffers >= 100, "only \(casesWithOffers) of 150 cases offered any start")
        #expect(offered >= 10_000, "only \(offered) starts offered in total")
        #expect(transitionCases >= 30, "only \(transitionCases) of 150 cases cross a UTC-offset change")
    }
}

private struct RandomCase: CustomStringConvertible {
    let zone: Zone
    let now: Instant
    let rules: SlotRules
    let weekly: [Weekday: [TimeWindow]]
    let overrides: [LocalDate: DayOverride]
    let busy: [TimeRange]
    let availability: WeeklyAvailability

    init(_ rng: inout SplitMix64) throws {
        zone = Zone(identifier: SlotEnginePropertyTests.zones.randomElement(using: &rng)!)!
        let horizonDays = Int.random(in: 1...4, using: &rng)
        if let changes = SlotEnginePropertyTests.transitions[zone.identifier], Int.random(in: 0..<4, using: &rng) > 0 {
            // now somewhere in the horizon before the change, so [now, now + horizon) contains it.
            now = utc(changes.randomElement(using: &rng)!).adding(seconds: -Int64.random(in: 1..<(Int64(horizonDays) * 86_400), using: &rng))
        } else {
            now = utc(SlotEnginePropertyTests.anchors.randomElement(using: &rng)!)
                .adding(seconds: Int64.random(in: 0..<(2 * 86_400), using: &rng))
        }
        let grids = [15, 30, 60]
        rules = SlotRules(
            horizonDays: horizonDays,
            minimumNoticeMinutes: [0, 0, 30, 60, 95, 240].randomElement(using: &rng)!,
            bufferMinutes: [0, 0, 5, 15, 30].randomElement(using: &rng)!,
            gridMinutes: grids.randomElement(using: &rng)!)

        var weekly: [Weekday: [TimeWindow]] = [:]
        for d in Weekday.allCases where Int.random(in: 0..<5, using: &rng) > 0 {
            weekly[d] = try Self.randomWindows(&rng)
        }
        var overrides: [LocalDate: DayOverride] = [:]
        let nowDate = Zone.utc.localDate(of: now)
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            let d = nowDate.adding(days: Int.random(in: -1...5, using: &rng))
            overrides[d] = Bool.random(using: &rng) ? .dayOff : .hours(try Self.randomWindows(&rng))
        }
        self.weekly = weekly
        self.overrides = overrides
        availability = try WeeklyAvailability(days: weekly, overrides: overrides)

        // Busy ranges on whole minutes around [now − 1 day, horizon end], some empty, some overlapping.
        let minuteNow = now.epochSeconds / 60 * 60
        var busy: [TimeRange] = []
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            let start = Instant(epochSeconds: minuteNow + 60 * Int64.random(in: -1440...Int64(rules.horizonDays * 1440), using: &rng))
            let minutes = Int.random(in: 0..<12, using: &rng) == 0 ? 0 : Int.random(in: 1...240, using: &rng)
            busy.append(TimeRange(start: start, minutes: minutes))
        }
        self.busy = busy
    }

    /// 0–3 disjoint windows, edges on 5-minute marks outside (01:00, 03:00); often reaching 00:00 or 24:00.
    static func randomWindows(_ rng: inout SplitMix64) throws -> [TimeWindow] {
        let count = Int.random(in: 0...3, using: &rng)
        guard count > 0 else { return [] }
        var edges: Set<Int> = []
        if Int.random(in: 0..<3, using: &rng) == 0 { edges.insert(0) }
        if Int.random(in: 0..<3, using: &rng) == 0 { edges.insert(1440) }
        while edges.count < 2 * count {
            let m = 5 * Int.random(in: 0...288, using: &rng)
            if m > 60 && m < 180 { continue }
            edges.insert(m)
        }
        let sorted = edges.sorted().prefix(2 * count)
        var windows: [TimeWindow] = []
        for i in stride(from: 0, to: sorted.count, by: 2) {
            let a = sorted[sorted.startIndex + i], b = sorted[sorted.startIndex + i + 1]
            windows.append(try TimeWindow(start: LocalTime(minuteOfDay: a)!, end: LocalTime(minuteOfDay: b)!))
        }
        return windows
    }

    var description: String {
        "zone \(zone) now \(now) rules \(rules) weekly \(weekly.mapValues { $0.map(\.description) }) overrides \(overrides) busy \(busy.map { "\($0.start)+\($0.seconds / 60)m" })"
    }

    // MARK: Oracle

    private func windowsOn(_ d: LocalDate) -> [TimeWindow] {
        switch overrides[d] {
        case .dayOff?: []
        case .hours(let w)?: w
        case nil: weekly[d.weekday] ?? []
        }
    }

    private func isFree(_ t: Instant, localDate d: LocalDate, minuteOfDay m: Int) -> Bool {
        let buffer = Int64(rules.bufferMinutes) * 60
        for b in busy where b.end > b.start {
            if b.start.epochSeconds - buffer <= t.epochSeconds && t.epochSeconds < b.end.epochSeconds + buffer { return false }
        }
        return windowsOn(d).contains { $0.start.minuteOfDay <= m && m < $0.end.minuteOfDay }
    }

    /// Whether the zone's UTC offset changes between now and the horizon.
    var crossesTransition: Bool {
        zone.offsetSeconds(at: now) != zone.offsetSeconds(at: now.adding(days: rules.horizonDays))
    }

    /// Every mismatch between the engine and the oracle, and how many starts the engine offered.
    func check() -> ([String], Int) {
        var offered = 0
        var problems: [String] = []
        let free = FreeTime(availability: availability, zone: zone, now: now, rules: rules, busy: busy)
        let earliest = now.epochSeconds + Int64(rules.minimumNoticeMinutes) * 60
        let horizonEnd = now.epochSeconds + Int64(rules.horizonDays) * 86_400
        let base = (earliest + 59) / 60 * 60 // first whole minute at or after earliest (all positive here)
        let longest = SlotEnginePropertyTests.options.last!
        let count = Int((horizonEnd - base) / 60) + longest + 2

        // run[i]: consecutive free minutes starting at minute i.
        var run = [Int](repeating: 0, count: count + 1)
        var onGrid = [Bool](repeating: false, count: count)
        for i in stride(from: count - 1, through: 0, by: -1) {
            let t = Instant(epochSeconds: base + Int64(i) * 60)
            let (d, m) = zone.local(t)
            onGrid[i] = m % rules.gridMinutes == 0
            run[i] = isFree(t, localDate: d, minuteOfDay: m) ? run[i + 1] + 1 : 0
        }
        let gridPoints = (0..<count).filter { onGrid[$0] && base + Int64($0) * 60 < horizonEnd }

        // Segments: sorted, disjoint, separated, never before now + notice.
        for s in free.segments where s.isEmpty || s.start.epochSeconds < earliest { problems.append("bad segment \(s)") }
        for (a, b) in zip(free.segments, free.segments.dropFirst()) where !(a.end < b.start) {
            problems.append("segments \(a) and \(b) overlap or touch")
        }

        for d in SlotEnginePropertyTests.durations {
            let starts = free.starts(durationMinutes: d)
            offered += starts.count
            let expected = gridPoints.filter { run[$0] >= d }.map { Instant(epochSeconds: base + Int64($0) * 60) }
            if starts != expected {
                let extra = Set(starts).subtracting(expected).sorted().prefix(3)
                let missing = Set(expected).subtracting(starts).sorted().prefix(3)
                problems.append("starts(\(d)): \(starts.count) vs oracle \(expected.count); extra \(Array(extra)), missing \(Array(missing))")
            }
            if !zip(starts, starts.dropFirst()).allSatisfy({ $0 < $1 }) { problems.append("starts(\(d)) not strictly increasing") }
            for s in starts {
                if s.epochSeconds < earliest || s.epochSeconds >= horizonEnd { problems.append("start \(s) outside [notice, horizon)") }
                let l = zone.local(s)
                if l.minuteOfDay % rules.gridMinutes != 0 || s.epochSeconds % 60 != 0 { problems.append("start \(s) off the local grid") }
                if !free.durations(at: s, options: [d]).contains(d) { problems.append("start \(s) for \(d) refused by durations(at:)") }
                if !free.fits(start: s, minutes: d) { problems.append("start \(s) for \(d) refused by fits") }
            }
        }

        // durations(at:) at every grid point agrees with the oracle; off-grid points get nothing.
        for p in gridPoints {
            let t = Instant(epochSeconds: base + Int64(p) * 60)
            let got = free.durations(at: t, options: SlotEnginePropertyTests.options)
            let want = SlotEnginePropertyTests.options.filter { run[p] >= $0 }
            if got != want { problems.append("durations(at: \(t)) = \(got), oracle \(want)") }
            let off = t.adding(minutes: 5)
            if !free.durations(at: off, options: SlotEnginePropertyTests.options).isEmpty { problems.append("off-grid \(off) accepted") }
        }
        return (problems, offered)
    }
}
