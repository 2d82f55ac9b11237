import Testing
@testable import Domain

@Suite("Availability: windows, weekly rules, overrides")
struct AvailabilityTests {
    @Test("window parsing", arguments: [
        ("09:00-22:00", 540, 1320),
        ("9:00-17:00", 540, 1020),
        ("09:00 - 17:00", 540, 1020),
        ("09:00–17:00", 540, 1020),
        ("09:00—17:00", 540, 1020),
        ("00:00-24:00", 0, 1440),
        ("22:00-24:00", 1320, 1440),
    ])
    func windowParsing(text: String, start: Int, end: Int) throws {
        let w = try TimeWindow(parsing: text)
        #expect(w.start.minuteOfDay == start)
        #expect(w.end.minuteOfDay == end)
        #expect(w.minutes == end - start)
    }

    @Test("window refused", arguments: [
        ("25:00-26:00", AvailabilityError.unreadableWindow("25:00-26:00")),
        ("17:00-09:00", .emptyWindow("17:00–09:00")),
        ("09:00-09:00", .emptyWindow("09:00–09:00")),
        ("0900-1700", .unreadableWindow("0900-1700")),
        ("09:00", .unreadableWindow("09:00")),
        ("09:00-12:00-15:00", .unreadableWindow("09:00-12:00-15:00")),
        ("24:00-24:30", .unreadableWindow("24:00-24:30")),
        ("", .unreadableWindow("")),
    ])
    func windowRefused(text: String, error: AvailabilityError) {
        #expect(throws: error) { try TimeWindow(parsing: text) }
    }

    @Test func windowDescriptionAndOverlap() {
        #expect(window("09:00-12:00").description == "09:00–12:00")
        #expect(!window("09:00-12:00").overlaps(window("12:00-18:00")))
        #expect(window("09:00-12:00").overlaps(window("11:59-18:00")))
        #expect(window("09:00-12:00") < window("09:00-13:00"))
        #expect(window("08:00-23:00") < window("09:00-10:00"))
    }

    @Test func everyDayFromText() throws {
        let a = try WeeklyAvailability(parsing: "09:00-22:00")
        for d in Weekday.allCases { #expect(a.days[d] == [window("09:00-22:00")]) }
        #expect(a.summary == "Mon–Sun 09:00–22:00")
    }

    @Test func weekdaysAndSaturdayFromText() throws {
        let a = try WeeklyAvailability(parsing: "Mon-Fri 09:00-17:00; Sat 10:00-14:00")
        for d in [Weekday.monday, .tuesday, .wednesday, .thursday, .friday] {
            #expect(a.days[d] == [window("09:00-17:00")])
        }
        #expect(a.days[.saturday] == [window("10:00-14:00")])
        #expect(a.days[.sunday] == nil)
        #expect(a.summary == "Mon–Fri 09:00–17:00; Sat 10:00–14:00")
    }

    @Test("summaries", arguments: [
        ("09:00-13:00,15:00-22:00", "Mon–Sun 09:00–13:00, 15:00–22:00"),
        ("15:00-22:00, 09:00-13:00", "Mon–Sun 09:00–13:00, 15:00–22:00"),
        ("Mon,Wed,Fri 10:00-12:00", "Mon 10:00–12:00; Wed 10:00–12:00; Fri 10:00–12:00"),
        ("Fri-Mon 10:00-12:00", "Mon 10:00–12:00; Fri–Sun 10:00–12:00"),
        ("mon-tue 08:00-09:00; sun 20:00-24:00", "Mon–Tue 08:00–09:00; Sun 20:00–24:00"),
        ("Mon 09:00-12:00; Mon 12:00-18:00", "Mon 09:00–12:00, 12:00–18:00"),
        ("", "no hours"),
    ])
    func summaries(text: String, summary: String) throws {
        #expect(try WeeklyAvailability(parsing: text).summary == summary)
    }

    @Test("refused configurations", arguments: [
        ("09:00-12:00,11:00-13:00", AvailabilityError.overlappingWindows("09:00–12:00", "11:00–13:00")),
        ("Mon-Fri 09:00-17:00; Wed 16:00-18:00", .overlappingWindows("09:00–17:00", "16:00–18:00")),
        ("09:00-17:00,09:00-17:00", .overlappingWindows("09:00–17:00", "09:00–17:00")),
        ("25:00-26:00", .unreadableWindow("25:00-26:00")),
        ("17:00-09:00", .emptyWindow("17:00–09:00")),
        ("Mon-Fri 17:00-09:00", .emptyWindow("17:00–09:00")),
        ("Xyz 09:00-10:00", .unknownDay("Xyz")),
        ("Mon-Xyz 09:00-10:00", .unknownDay("Xyz")),
        ("Mon", .unreadableWindow("Mon")),
    ])
    func refused(text: String, error: AvailabilityError) {
        #expect(throws: error) { try WeeklyAvailability(parsing: text) }
    }

    @Test func initSortsWindowsAndDropsEmptyDays() throws {
        let a = try WeeklyAvailability(days: [.monday: [window("15:00-18:00"), window("09:00-12:00")], .tuesday: []])
        #expect(a.days[.monday] == [window("09:00-12:00"), window("15:00-18:00")])
        #expect(a.days[.tuesday] == nil)
    }

    @Test func initRejectsOverlappingDaysAndOverrides() {
        #expect(throws: AvailabilityError.overlappingWindows("09:00–12:00", "10:00–11:00")) {
            try WeeklyAvailability(days: [.monday: [window("09:00-12:00"), window("10:00-11:00")]])
        }
        #expect(throws: AvailabilityError.overlappingWindows("09:00–12:00", "10:00–11:00")) {
            try WeeklyAvailability(overrides: [date("2026-03-10"): .hours([window("10:00-11:00"), window("09:00-12:00")])])
        }
    }

    @Test func overridesReplaceTheWeeklyRule() throws {
        var a = try WeeklyAvailability(parsing: "Mon-Fri 09:00-17:00")
        // 2026-03-10 is a Tuesday, 2026-03-11 a Wednesday, 2026-03-14 a Saturday.
        #expect(a.windows(on: date("2026-03-10")) == [window("09:00-17:00")])
        #expect(a.windows(on: date("2026-03-14")) == [])
        try a.setOverride(.dayOff, on: date("2026-03-10"))
        try a.setOverride(.hours([window("18:00-20:00"), window("10:00-12:00")]), on: date("2026-03-11"))
        try a.setOverride(.hours([window("10:00-12:00")]), on: date("2026-03-14"))
        #expect(a.windows(on: date("2026-03-10")) == [])
        #expect(a.windows(on: date("2026-03-11")) == [window("10:00-12:00"), window("18:00-20:00")])
        #expect(a.windows(on: date("2026-03-14")) == [window("10:00-12:00")])
        #expect(a.windows(on: date("2026-03-17")) == [window("09:00-17:00")]) // the next Tuesday is untouched
        try a.setOverride(nil, on: date("2026-03-10"))
        #expect(a.windows(on: date("2026-03-10")) == [window("09:00-17:00")])
        #expect(throws: AvailabilityError.overlappingWindows("10:00–12:00", "11:00–13:00")) {
            try a.setOverride(.hours([window("10:00-12:00"), window("11:00-13:00")]), on: date("2026-03-12"))
        }
    }

    @Test func setWindowsReplacesOneWeekday() throws {
        var a = try WeeklyAvailability(parsing: "09:00-17:00")
        try a.setWindows([window("10:00-11:00")], on: .sunday)
        try a.setWindows([], on: .saturday)
        #expect(a.days[.sunday] == [window("10:00-11:00")])
        #expect(a.days[.saturday] == nil)
        #expect(a.summary == "Mon–Fri 09:00–17:00; Sun 10:00–11:00")
        #expect(throws: AvailabilityError.self) { try a.setWindows([window("10:00-11:00"), window("10:30-12:00")], on: .monday) }
        #expect(a.days[.monday] == [window("09:00-17:00")])
    }

    @Test("weekday short names", arguments: Weekday.allCases)
    func weekdayShortNames(day: Weekday) {
        #expect(Weekday(shortName: day.shortName) == day)
        #expect(Weekday(shortName: day.shortName.uppercased()) == day)
    }

    @Test func errorsReadAsSentences() {
        let errors: [AvailabilityError] = [
            .emptyWindow("17:00–09:00"), .unreadableWindow("x"), .overlappingWindows("a", "b"), .unknownDay("Xyz"),
        ]
        for e in errors {
            #expect(!e.description.isEmpty)
            #expect(e.description.last == ".")
        }
    }
}
