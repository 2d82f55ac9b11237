import Domain

// The slot engine's cost per call: build a host's free time for the horizon and list the starts of one
// duration. Run in release:  swift run -c release privatecalls-bench
// The figures go into docs/PERFORMANCE.md.

struct Scenario {
    let name: String
    let zone: String
    let availability: String
    let now: Instant
    let bookings: Int
    let duration: Int
}

/// 2026-11-25T08:00:00Z; and 2026-10-25T08:00:00Z (the horizon crosses Europe's and America's DST ends).
let novemberNow = Instant(epochSeconds: 1_795_564_800 + 8 * 3600)
let octoberNow = Instant(epochSeconds: 1_792_886_400 + 8 * 3600)

let scenarios = [
    Scenario(name: "Madrid, Mon–Fri 09–17 + Sat, 50 bookings, 60 min", zone: "Europe/Madrid",
             availability: "Mon-Fri 09:00-17:00; Sat 10:00-14:00", now: novemberNow, bookings: 50, duration: 60),
    Scenario(name: "New York, every day 09–22, 50 bookings, 30 min, across DST end", zone: "America/New_York",
             availability: "09:00-22:00", now: octoberNow, bookings: 50, duration: 30),
    Scenario(name: "Kolkata, split day 09–13 + 15–21, 50 bookings, 120 min", zone: "Asia/Kolkata",
             availability: "09:00-13:00,15:00-21:00", now: novemberNow, bookings: 50, duration: 120),
    Scenario(name: "Madrid, 0 bookings, 15 min", zone: "Europe/Madrid",
             availability: "Mon-Fri 09:00-17:00; Sat 10:00-14:00", now: novemberNow, bookings: 0, duration: 15),
]

/// `count` non-overlapping bookings of 15–120 minutes on the 15-minute grid, inside the next 14 days.
func busy(count: Int, from now: Instant) -> [TimeRange] {
    var rng = SplitMix64(seed: 42)
    var ranges: [TimeRange] = []
    while ranges.count < count {
        let slot = Int64(rng.next() % UInt64(14 * 96))
        let minutes = 15 * Int(1 + rng.next() % 8)
        let start = Instant(epochSeconds: (now.epochSeconds / 900 + slot) * 900)
        let candidate = TimeRange(start: start, minutes: minutes)
        if !ranges.contains(where: { $0.overlaps(candidate) }) { ranges.append(candidate) }
    }
    return ranges.sorted { $0.start < $1.start }
}

@inline(never) func blackHole(_ x: Int) { if x == -1 { print("") } }

let rules = SlotRules(horizonDays: 14, minimumNoticeMinutes: 60, bufferMinutes: 0, gridMinutes: 15)
let clock = ContinuousClock()
print("slot engine: FreeTime(...) + starts(durationMinutes:) over a 14-day horizon")
print("scenario | starts | µs per call (median of 15 batches) | min")
for s in scenarios {
    let availability = try WeeklyAvailability(parsing: s.availability)
    let zone = Zone(identifier: s.zone)!
    let booked = busy(count: s.bookings, from: s.now)
    var starts = 0
    // Warm up.
    for _ in 0..<200 {
        starts = FreeTime(availability: availability, zone: zone, now: s.now, rules: rules, busy: booked).starts(durationMinutes: s.duration).count
    }
    let iterations = 2_000
    var batches: [Double] = []
    for _ in 0..<15 {
        var sink = 0
        let elapsed = clock.measure {
            for _ in 0..<iterations {
                sink &+= FreeTime(availability: availability, zone: zone, now: s.now, rules: rules, busy: booked).starts(durationMinutes: s.duration).count
            }
        }
        blackHole(sink)
        let (seconds, attoseconds) = elapsed.components
        let micros = (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(iterations)
        batches.append(micros)
    }
    batches.sort()
    let median = batches[batches.count / 2]
    print("\(s.name) | \(starts) | \(String(format2(median))) | \(String(format2(batches[0])))")
}

func format2(_ x: Double) -> String {
    let scaled = Int((x * 100).rounded())
    let frac = scaled % 100
    return "\(scaled / 100).\(frac < 10 ? "0" : "")\(frac)"
}
