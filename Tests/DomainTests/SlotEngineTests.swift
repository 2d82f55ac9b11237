import Testing
@testable import Domain

/// Builds the engine with `now` two days before everything interesting and a two-week horizon, unless told.
private func engine(
    _ availability: WeeklyAvailability, _ zoneID: String, now: String = "2026-01-01T00:00",
    rules: SlotRules = SlotRules(horizonDays: 400), busy: [TimeRange] = []
) -> FreeTime {
    FreeTime(availability: availability, zone: zone(zoneID), now: utc(now), rules: rules, busy: busy)
}

/// One local date with one window: where the segment lies in real time and which starts it offers.
/// Every instant is hand-computed from the zone's offsets (see ZoneTests for the transitions).
struct DayCase: Sendable, CustomTestStringConvertible {
    let name: String
    let zone: String
    let date: String
    let window: String
    let duration: Int
    let segment: (String, String)
    let starts: [Instant]

    var testDescription: String { name }
}

@Suite("Slot engine: DST days and odd offsets")
struct SlotEngineDSTTests {
    static let cases: [DayCase] = [
        // New York, 09:00–17:00 is 8 real hours on the day before, on and after each transition.
        DayCase(name: "NY 2026-03-07 (EST) 09–17", zone: "America/New_York", date: "2026-03-07", window: "09:00-17:00",
                duration: 60, segment: ("2026-03-07T14:00", "2026-03-07T22:00"),
                starts: series("2026-03-07T14:00", through: "2026-03-07T21:00")),
        DayCase(name: "NY 2026-03-08 spring forward 09–17", zone: "America/New_York", date: "2026-03-08", window: "09:00-17:00",
                duration: 60, segment: ("2026-03-08T13:00", "2026-03-08T21:00"),
                starts: series("2026-03-08T13:00", through: "2026-03-08T20:00")),
        DayCase(name: "NY 2026-10-31 (EDT) 09–17", zone: "America/New_York", date: "2026-10-31", window: "09:00-17:00",
                duration: 60, segment: ("2026-10-31T13:00", "2026-10-31T21:00"),
                starts: series("2026-10-31T13:00", through: "2026-10-31T20:00")),
        DayCase(name: "NY 2026-11-01 fall back 09–17", zone: "America/New_York", date: "2026-11-01", window: "09:00-17:00",
                duration: 60, segment: ("2026-11-01T14:00", "2026-11-01T22:00"),
                starts: series("2026-11-01T14:00", through: "2026-11-01T21:00")),
        // 00:00–04:00 across spring forward: 00:00 EST (05:00Z) to 04:00 EDT (08:00Z) = 3 h; 01:45 EST (06:45Z)
        // is followed directly by 03:00 EDT (07:00Z), nothing at 02:xx.
        DayCase(name: "NY 2026-03-08 00–04 across the gap, 15 min", zone: "America/New_York", date: "2026-03-08",
                window: "00:00-04:00", duration: 15, segment: ("2026-03-08T05:00", "2026-03-08T08:00"),
                starts: series("2026-03-08T05:00", through: "2026-03-08T06:45") + series("2026-03-08T07:00", through: "2026-03-08T07:45")),
        DayCase(name: "NY 2026-03-08 00–04 across the gap, 60 min", zone: "America/New_York", date: "2026-03-08",
                window: "00:00-04:00", duration: 60, segment: ("2026-03-08T05:00", "2026-03-08T08:00"),
                starts: series("2026-03-08T05:00", through: "2026-03-08T07:00")),
        // 00:00–04:00 across fall back: 00:00 EDT (04:00Z) to 04:00 EST (09:00Z) = 5 h; 01:00–01:45 happen twice
        // (05:00–05:45Z EDT and 06:00–06:45Z EST), as distinct instants.
        DayCase(name: "NY 2026-11-01 00–04 across the overlap, 15 min", zone: "America/New_York", date: "2026-11-01",
                window: "00:00-04:00", duration: 15, segment: ("2026-11-01T04:00", "2026-11-01T09:00"),
                starts: series("2026-11-01T04:00", through: "2026-11-01T08:45")),
        DayCase(name: "NY 2026-11-01 00–04 across the overlap, 120 min", zone: "America/New_York", date: "2026-11-01",
                window: "00:00-04:00", duration: 120, segment: ("2026-11-01T04:00", "2026-11-01T09:00"),
                starts: series("2026-11-01T04:00", through: "2026-11-01T07:00")),
        // Madrid: 2026-03-29 02:00 CET → 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST → 02:00 CET (01:00Z).
        DayCase(name: "Madrid 2026-03-28 (CET) 09–17", zone: "Europe/Madrid", date: "2026-03-28", window: "09:00-17:00",
                duration: 60, segment: ("2026-03-28T08:00", "2026-03-28T16:00"),
                starts: series("2026-03-28T08:00", through: "2026-03-28T15:00")),
        DayCase(name: "Madrid 2026-03-29 spring forward 09–17", zone: "Europe/Madrid", date: "2026-03-29", window: "09:00-17:00",
                duration: 60, segment: ("2026-03-29T07:00", "2026-03-29T15:00"),
                starts: series("2026-03-29T07:00", through: "2026-03-29T14:00")),
        DayCase(name: "Madrid 2026-03-29 00–04 across the gap", zone: "Europe/Madrid", date: "2026-03-29", window: "00:00-04:00",
                duration: 15, segment: ("2026-03-28T23:00", "2026-03-29T02:00"),
                starts: series("2026-03-28T23:00", through: "2026-03-29T00:45") + series("2026-03-29T01:00", through: "2026-03-29T01:45")),
        DayCase(name: "Madrid 2026-10-25 00–04 across the overlap", zone: "Europe/Madrid", date: "2026-10-25", window: "00:00-04:00",
                duration: 60, segment: ("2026-10-24T22:00", "2026-10-25T03:00"),
                starts: series("2026-10-24T22:00", through: "2026-10-25T02:00")),
        // Kolkata +05:30: local :00/:15/:30/:45 are UTC :30/:45/:00/:15.
        DayCase(name: "Kolkata 09–12", zone: "Asia/Kolkata", date: "2026-03-08", window: "09:00-12:00",
                duration: 60, segment: ("2026-03-08T03:30", "2026-03-08T06:30"),
                starts: utcs(["2026-03-08T03:30", "2026-03-08T03:45", "2026-03-08T04:00", "2026-03-08T04:15", "2026-03-08T04:30",
                              "2026-03-08T04:45", "2026-03-08T05:00", "2026-03-08T05:15", "2026-03-08T05:30"])),
        DayCase(name: "Kolkata 00:10–01:20 (odd window edges)", zone: "Asia/Kolkata", date: "2026-03-08", window: "00:10-01:20",
                duration: 30, segment: ("2026-03-07T18:40", "2026-03-07T19:50"),
                starts: utcs(["2026-03-07T18:45", "2026-03-07T19:00", "2026-03-07T19:15"])),
        // Lord Howe: 2026-10-04 02:00 +10:30 → 02:30 +11 (15:30Z on 10-03); 00:00 (13:30Z) to 04:00 (17:00Z) = 3.5 h.
        DayCase(name: "Lord Howe 2026-10-04 00–04 across the 30-minute gap", zone: "Australia/Lord_Howe", date: "2026-10-04",
                window: "00:00-04:00", duration: 15, segment: ("2026-10-03T13:30", "2026-10-03T17:00"),
                starts: series("2026-10-03T13:30", through: "2026-10-03T15:15") + series("2026-10-03T15:30", through: "2026-10-03T16:45")),
        // Lord Howe: 2026-04-05 02:00 +11 → 01:30 +10:30 (15:00Z on 04-04); 00:00 (13:00Z) to 04:00 (17:30Z) = 4.5 h.
        DayCase(name: "Lord Howe 2026-04-05 00–04 across the 30-minute overlap", zone: "Australia/Lord_Howe", date: "2026-04-05",
                window: "00:00-04:00", duration: 60, segment: ("2026-04-04T13:00", "2026-04-04T17:30"),
                starts: series("2026-04-04T13:00", through: "2026-04-04T16:30")),
        // Bogotá, no DST: 09:00 is always 14:00Z.
        DayCase(name: "Bogotá 2026-03-08 09–17", zone: "America/Bogota", date: "2026-03-08", window: "09:00-17:00",
                duration: 60, segment: ("2026-03-08T14:00", "2026-03-08T22:00"),
                starts: series("2026-03-08T14:00", through: "2026-03-08T21:00")),
    ]

    @Test(arguments: cases)
    func oneDay(_ c: DayCase) {
        let free = engine(onlyOn([(c.date, [c.window])]), c.zone)
        #expect(free.segments == [range(c.segment.0, c.segment.1)])
        let starts = free.starts(durationMinutes: c.duration)
        #expect(starts == c.starts)
        #expect(Set(starts).count == starts.count)
        for s in starts {
            #expect(free.durations(at: s, options: [c.duration]) == [c.duration], "\(s)")
        }
    }

    @Test func realLengthOfWindowsAcrossTransitions() {
        // What fits at the first start is the real length of the window, in minutes.
        let options = Array(stride(from: 15, through: 330, by: 15))
        let cases: [(String, String, String, String, Int)] = [
            ("America/New_York", "2026-03-08", "00:00-04:00", "2026-03-08T05:00", 180),
            ("America/New_York", "2026-11-01", "00:00-04:00", "2026-11-01T04:00", 300),
            ("America/New_York", "2026-03-08", "09:00-17:00", "2026-03-08T13:00", 480),
            ("America/New_York", "2026-11-01", "09:00-17:00", "2026-11-01T14:00", 480),
            ("Europe/Madrid", "2026-03-29", "00:00-04:00", "2026-03-28T23:00", 180),
            ("Europe/Madrid", "2026-10-25", "00:00-04:00", "2026-10-24T22:00", 300),
            ("Australia/Lord_Howe", "2026-10-04", "00:00-04:00", "2026-10-03T13:30", 210),
            ("Australia/Lord_Howe", "2026-04-05", "00:00-04:00", "2026-04-04T13:00", 270),
        ]
        for (z, d, w, first, minutes) in cases {
            let free = engine(onlyOn([(d, [w])]), z)
            #expect(free.durations(at: utc(first), options: options) == options.filter { $0 <= minutes }, "\(z) \(d) \(w)")
        }
    }

    @Test func newYorkAcrossSeveralDaysAroundSpringForward() {
        // Every day 09:00–17:00; 2026-03-06/07 are EST (14:00Z–22:00Z), 2026-03-08/09 EDT (13:00Z–21:00Z).
        let free = engine(everyDay("09:00-17:00"), "America/New_York", now: "2026-03-06T00:00", rules: SlotRules(horizonDays: 4))
        let starts = free.starts(durationMinutes: 60)
        let expected = series("2026-03-06T14:00", through: "2026-03-06T21:00") + series("2026-03-07T14:00", through: "2026-03-07T21:00")
            + series("2026-03-08T13:00", through: "2026-03-08T20:00") + series("2026-03-09T13:00", through: "2026-03-09T20:00")
        #expect(starts == expected)
        #expect(Array(free.segments.prefix(4)) == [
            range("2026-03-06T14:00", "2026-03-06T22:00"), range("2026-03-07T14:00", "2026-03-07T22:00"),
            range("2026-03-08T13:00", "2026-03-08T21:00"), range("2026-03-09T13:00", "2026-03-09T21:00"),
        ])
    }

    @Test func bogotaHostSeenFromMadrid() {
        // Host in Bogotá, 09:00–10:00 every day. The user in Madrid sees the same instants; Madrid moves to
        // summer time on 2026-03-29, so 09:00 Bogotá is 15:00 in Madrid before and 16:00 after.
        let free = engine(everyDay("09:00-10:00"), "America/Bogota", now: "2026-03-27T00:00", rules: SlotRules(horizonDays: 4))
        let starts = free.starts(durationMinutes: 60)
        #expect(starts == utcs(["2026-03-27T14:00", "2026-03-28T14:00", "2026-03-29T14:00", "2026-03-30T14:00"]))
        let madrid = zone("Europe/Madrid")
        let seen = starts.map { madrid.local($0) }
        #expect(seen.map(\.date) == [date("2026-03-27"), date("2026-03-28"), date("2026-03-29"), date("2026-03-30")])
        #expect(seen.map(\.minuteOfDay) == [15 * 60, 15 * 60, 16 * 60, 16 * 60])
    }

    @Test func kolkataNoticeLandsOnTheLocalGrid() {
        // now 03:37Z = 09:07 IST; 60 minutes notice → 10:07 IST → first start 10:15 IST = 04:45Z.
        let free = engine(everyDay("09:00-12:00"), "Asia/Kolkata", now: "2026-03-08T03:37",
                          rules: SlotRules(horizonDays: 1, minimumNoticeMinutes: 60))
        #expect(free.starts(durationMinutes: 60).first == utc("2026-03-08T04:45"))
        #expect(free.durations(at: utc("2026-03-08T04:37"), options: [15]) == [])
        #expect(free.durations(at: utc("2026-03-08T04:30"), options: [15]) == [])
        #expect(free.durations(at: utc("2026-03-08T04:45"), options: [15, 60, 90, 120]) == [15, 60, 90])
    }

    /// The grid is the host's local clock (SlotRules.gridMinutes: "Starts sit on this grid of the host's local
    /// clock"). With a 60-minute grid in Lord Howe, whose clocks move by 30 minutes, the starts after the change
    /// must still be on the local hour, and each offered start must be accepted by `durations(at:)`.
    @Test("60-minute grid across Lord Howe's 30-minute shift", arguments: [
        ("2026-10-04", "00:00-05:00",
         // 00:00 +10:30, 01:00 +10:30, [02:00 does not exist], 03:00 +11, 04:00 +11
         ["2026-10-03T13:30", "2026-10-03T14:30", "2026-10-03T16:00", "2026-10-03T17:00"]),
        ("2026-04-05", "00:00-04:00",
         // 00:00 +11, 01:00 +11, 02:00 +10:30, 03:00 +10:30 (window ends 04:00 +10:30 = 17:30Z)
         ["2026-04-04T13:00", "2026-04-04T14:00", "2026-04-04T15:30", "2026-04-04T16:30"]),
    ])
    func hourGridAcrossHalfHourShift(day: String, window: String, expected: [String]) {
        let free = engine(onlyOn([(day, [window])]), "Australia/Lord_Howe", rules: SlotRules(horizonDays: 400, gridMinutes: 60))
        let starts = free.starts(durationMinutes: 60)
        #expect(starts == utcs(expected))
        for s in starts {
            #expect(zone("Australia/Lord_Howe").local(s).minuteOfDay % 60 == 0, "start \(s) is not on the local hour")
            #expect(free.durations(at: s, options: [60]) == [60], "offered start \(s) is refused by durations(at:)")
        }
    }
}

@Suite("Slot engine: rules")
struct SlotEngineRuleTests {
    // All in UTC so wall time and instant read the same. 2026-03-10 is a Tuesday.
    static let options = Array(stride(from: 15, through: 120, by: 15))

    @Test func bookingNeverCrossesTheEndOfAvailability() {
        let free = engine(onlyOn([("2026-03-10", ["09:00-12:00"])]), "UTC")
        let starts = free.starts(durationMinutes: 60)
        #expect(starts == series("2026-03-10T09:00", through: "2026-03-10T11:00"))
        #expect(!starts.contains(utc("2026-03-10T11:15")))
        #expect(free.durations(at: utc("2026-03-10T11:30"), options: Self.options) == [15, 30])
        #expect(free.durations(at: utc("2026-03-10T11:45"), options: Self.options) == [15])
        #expect(free.durations(at: utc("2026-03-10T09:00"), options: Self.options) == Self.options)
        #expect(free.durations(at: utc("2026-03-10T12:00"), options: Self.options) == [])
        #expect(free.durations(at: utc("2026-03-10T08:45"), options: Self.options) == [])
        #expect(free.durations(at: utc("2026-03-10T10:07"), options: Self.options) == []) // off the grid
        #expect(free.fits(start: utc("2026-03-10T11:00"), minutes: 60))
        #expect(!free.fits(start: utc("2026-03-10T11:15"), minutes: 60))
    }

    @Test func longBookingNeverRunsIntoALaterOne() {
        let free = engine(onlyOn([("2026-03-10", ["09:00-18:00"])]), "UTC", busy: [range("2026-03-10T14:00", "2026-03-10T15:00")])
        let starts = free.starts(durationMinutes: 120)
        #expect(starts == series("2026-03-10T09:00", through: "2026-03-10T12:00") + series("2026-03-10T15:00", through: "2026-03-10T16:00"))
        #expect(!starts.contains(utc("2026-03-10T13:00")))
        #expect(!starts.contains(utc("2026-03-10T12:15")))
        // The busy hour itself is never offered, for any length.
        let quarter = free.starts(durationMinutes: 15)
        for t in series("2026-03-10T14:00", through: "2026-03-10T14:45") { #expect(!quarter.contains(t)) }
        #expect(quarter.contains(utc("2026-03-10T13:45")) && quarter.contains(utc("2026-03-10T15:00")))
        #expect(free.durations(at: utc("2026-03-10T12:00"), options: Self.options) == [15, 30, 45, 60, 75, 90, 105, 120])
        #expect(free.durations(at: utc("2026-03-10T13:00"), options: Self.options) == [15, 30, 45, 60])
        #expect(free.durations(at: utc("2026-03-10T14:30"), options: Self.options) == [])
        #expect(free.segments == [range("2026-03-10T09:00", "2026-03-10T14:00"), range("2026-03-10T15:00", "2026-03-10T18:00")])
    }

    @Test func busyListMayBeUnsortedOverlappingOrEmpty() {
        let busy = [
            range("2026-03-10T15:00", "2026-03-10T16:00"),
            range("2026-03-10T10:00", "2026-03-10T11:00"),
            range("2026-03-10T10:30", "2026-03-10T11:30"),
            range("2026-03-10T13:00", "2026-03-10T13:00"), // empty: ignored
            range("2026-03-10T16:00", "2026-03-10T16:30"), // touches the 15:00 one
            range("2026-03-09T10:00", "2026-03-10T09:30"), // started yesterday
        ]
        let free = engine(onlyOn([("2026-03-10", ["09:00-18:00"])]), "UTC", busy: busy)
        #expect(free.segments == [
            range("2026-03-10T09:30", "2026-03-10T10:00"),
            range("2026-03-10T11:30", "2026-03-10T15:00"),
            range("2026-03-10T16:30", "2026-03-10T18:00"),
        ])
    }

    @Test func minimumNoticeRoundsUpToTheGrid() {
        let free = engine(onlyOn([("2026-03-10", ["09:00-18:00"])]), "UTC", now: "2026-03-10T10:07",
                          rules: SlotRules(horizonDays: 400, minimumNoticeMinutes: 60))
        let starts = free.starts(durationMinutes: 60)
        #expect(starts.first == utc("2026-03-10T11:15"))
        #expect(!starts.contains(utc("2026-03-10T11:07")) && !starts.contains(utc("2026-03-10T11:00")))
        #expect(free.earliestStart == utc("2026-03-10T11:07"))
        #expect(free.durations(at: utc("2026-03-10T11:00"), options: [15]) == [])
        #expect(free.durations(at: utc("2026-03-10T11:15"), options: [15]) == [15])
        // The notice is counted from `now`, seconds included: 10:14:30 + 60 min → 11:14:30 → 11:15.
        let later = engine(onlyOn([("2026-03-10", ["09:00-18:00"])]), "UTC", now: "2026-03-10T10:14:30",
                           rules: SlotRules(horizonDays: 400, minimumNoticeMinutes: 60))
        #expect(later.starts(durationMinutes: 15).first == utc("2026-03-10T11:15"))
        let exact = engine(onlyOn([("2026-03-10", ["09:00-18:00"])]), "UTC", now: "2026-03-10T10:15",
                           rules: SlotRules(horizonDays: 400, minimumNoticeMinutes: 60))
        #expect(exact.starts(durationMinutes: 15).first == utc("2026-03-10T11:15"))
    }

    @Test func noNoticeStillNeverOffersThePast() {
        let free = engine(onlyOn([("2026-03-10", ["09:00-18:00"])]), "UTC", now: "2026-03-10T10:07")
        #expect(free.starts(durationMinutes: 15).first == utc("2026-03-10T10:15"))
        #expect(free.durations(at: utc("2026-03-10T10:00"), options: [15]) == [])
    }

    @Test func bufferKeepsTimeAroundBookings() {
        let free = engine(onlyOn([("2026-03-10", ["09:00-18:00"])]), "UTC",
                          rules: SlotRules(horizonDays: 400, bufferMinutes: 15), busy: [range("2026-03-10T14:00", "2026-03-10T15:00")])
        let starts = free.starts(durationMinutes: 60)
        #expect(starts.contains(utc("2026-03-10T12:45")))
        #expect(!starts.contains(utc("2026-03-10T13:00"))) // would end 14:00, the buffer needs 13:45
        #expect(!starts.contains(utc("2026-03-10T15:00"))) // inside the buffer after
        #expect(starts.contains(utc("2026-03-10T15:15")))
        #expect(free.segments == [range("2026-03-10T09:00", "2026-03-10T13:45"), range("2026-03-10T15:15", "2026-03-10T18:00")])
        #expect(free.durations(at: utc("2026-03-10T13:00"), options: Self.options) == [15, 30, 45])
        #expect(free.durations(at: utc("2026-03-10T15:00"), options: Self.options) == [])
    }

    @Test func bufferAlsoAppliesToBookingsOutsideTheWindow() {
        // A booking right after the window (18:00–19:00) still eats its buffer at the end of the window.
        let free = engine(onlyOn([("2026-03-10", ["09:00-18:00"])]), "UTC",
                          rules: SlotRules(horizonDays: 400, bufferMinutes: 30), busy: [range("2026-03-10T18:00", "2026-03-10T19:00")])
        #expect(free.segments == [range("2026-03-10T09:00", "2026-03-10T17:30")])
    }

    @Test func adjacentWindowsAcrossMidnightJoin() throws {
        // Mon 22:00–24:00 and Tue 00:00–02:00; 2026-03-09 is a Monday.
        let a = try WeeklyAvailability(days: [.monday: [window("22:00-24:00")], .tuesday: [window("00:00-02:00")]])
        let free = engine(a, "UTC", now: "2026-03-09T00:00", rules: SlotRules(horizonDays: 2))
        #expect(free.segments == [range("2026-03-09T22:00", "2026-03-10T02:00")])
        let starts = free.starts(durationMinutes: 120)
        #expect(starts == series("2026-03-09T22:00", through: "2026-03-10T00:00"))
        #expect(starts.contains(utc("2026-03-09T23:00")))
        #expect(free.durations(at: utc("2026-03-09T23:00"), options: [60, 120, 180, 195]) == [60, 120, 180])
    }

    @Test func adjacentWindowsAcrossMidnightJoinInNewYork() throws {
        // The same host in New York (EDT, −4 since 2026-03-08): Mon 22:00 = Tue 02:00Z, Tue 02:00 = 06:00Z.
        let a = try WeeklyAvailability(days: [.monday: [window("22:00-24:00")], .tuesday: [window("00:00-02:00")]])
        let free = engine(a, "America/New_York", now: "2026-03-09T00:00", rules: SlotRules(horizonDays: 2))
        #expect(free.segments == [range("2026-03-10T02:00", "2026-03-10T06:00")])
        #expect(free.starts(durationMinutes: 120).contains(utc("2026-03-10T03:00"))) // 23:00 EDT
        #expect(free.durations(at: utc("2026-03-10T03:00"), options: [120, 180, 195]) == [120, 180])
    }

    @Test func horizonEndsOffers() {
        // now 2026-03-10 12:00Z, 2 days: starts must be before 2026-03-12 12:00Z (they may end after it).
        let free = engine(everyDay("09:00-17:00"), "UTC", now: "2026-03-10T12:00", rules: SlotRules(horizonDays: 2))
        let starts = free.starts(durationMinutes: 60)
        #expect(starts.first == utc("2026-03-10T12:00"))
        #expect(starts.last == utc("2026-03-12T11:45"))
        #expect(starts.allSatisfy { $0 < utc("2026-03-12T12:00") })
        #expect(free.horizonEnd == utc("2026-03-12T12:00"))
        #expect(free.durations(at: utc("2026-03-12T11:45"), options: [60]) == [60])
        #expect(free.durations(at: utc("2026-03-12T12:00"), options: [60]) == [])
        #expect(free.durations(at: utc("2026-03-13T09:00"), options: [60]) == [])
        #expect(starts.count == 17 + 29 + 12)
    }

    @Test func overridesReplaceTheWeeklyRuleInTheEngine() throws {
        // Every day 09:00–17:00, but 2026-03-11 off and 2026-03-12 only 13:00–14:00.
        var a = everyDay("09:00-17:00")
        try a.setOverride(.dayOff, on: date("2026-03-11"))
        try a.setOverride(.hours([window("13:00-14:00")]), on: date("2026-03-12"))
        let free = engine(a, "UTC", now: "2026-03-10T00:00", rules: SlotRules(horizonDays: 4))
        let starts = free.starts(durationMinutes: 30)
        #expect(starts == series("2026-03-10T09:00", through: "2026-03-10T16:30")
            + series("2026-03-12T13:00", through: "2026-03-12T13:30")
            + series("2026-03-13T09:00", through: "2026-03-13T16:30"))
    }

    @Test func weekdayRulesApplyOnTheHostsLocalDate() throws {
        // Mon–Fri 09:00–17:00 in Kolkata; 2026-03-14/15 are Saturday/Sunday, 2026-03-16 a Monday.
        let a = try WeeklyAvailability(parsing: "Mon-Fri 09:00-17:00")
        let free = engine(a, "Asia/Kolkata", now: "2026-03-13T12:00", rules: SlotRules(horizonDays: 3))
        let starts = free.starts(durationMinutes: 15)
        #expect(starts == series("2026-03-16T03:30", through: "2026-03-16T11:15"))
    }

    @Test func gridOfThirtyMinutes() {
        let free = engine(onlyOn([("2026-03-10", ["09:10-11:00"])]), "UTC", rules: SlotRules(horizonDays: 400, gridMinutes: 30))
        #expect(free.starts(durationMinutes: 30) == utcs(["2026-03-10T09:30", "2026-03-10T10:00", "2026-03-10T10:30"]))
        #expect(free.durations(at: utc("2026-03-10T09:45"), options: [15]) == [])
    }

    @Test func nothingToOffer() {
        #expect(engine(everyDay(), "UTC").starts(durationMinutes: 15).isEmpty)
        let full = engine(onlyOn([("2026-03-10", ["09:00-10:00"])]), "UTC", busy: [range("2026-03-10T08:00", "2026-03-10T11:00")])
        #expect(full.segments.isEmpty)
        #expect(full.starts(durationMinutes: 15).isEmpty)
        #expect(engine(onlyOn([("2026-03-10", ["09:00-10:00"])]), "UTC").starts(durationMinutes: 75).isEmpty)
    }
}
