import Testing
@testable import Domain

@Suite("LocalDate, LocalTime, Instant, TimeRange")
struct LocalDateTimeTests {
    /// Day numbers and weekdays checked against `date -u -d … +%s` / 86 400 (literal values).
    @Test("known day numbers and weekdays", arguments: [
        ("1970-01-01", 0 as Int64, Weekday.thursday),
        ("1969-12-31", -1, .wednesday),
        ("2000-03-01", 11_017, .wednesday),
        ("2026-11-25", 20_782, .wednesday),
        ("2026-03-08", 20_520, .sunday),
        ("1900-03-01", -25_508, .thursday),
        ("2100-03-01", 47_541, .monday),
        ("1600-01-01", -135_140, .saturday),
    ])
    func knownDays(iso: String, dayNumber: Int64, weekday: Weekday) throws {
        let d = try #require(LocalDate(iso: iso))
        #expect(d.dayNumber == dayNumber)
        #expect(d.weekday == weekday)
        #expect(LocalDate(dayNumber: dayNumber) == d)
        #expect(d.description == iso)
    }

    @Test func utcHelperMatchesEpochLiterals() {
        // `date -u -d '2026-03-08 13:00' +%s` and friends.
        #expect(utc("2026-03-08T13:00").epochSeconds == 1_772_974_800)
        #expect(utc("2026-03-07T14:00").epochSeconds == 1_772_892_000)
        #expect(utc("2026-11-25T00:00").epochSeconds == 1_795_564_800)
        #expect(utc("1969-12-31T23:59:59").epochSeconds == -1)
    }

    @Test func dayNumberRoundTripAndSuccession() {
        var previous = LocalDate(dayNumber: -150_000)
        for n in Int64(-149_999)...150_000 {
            let d = LocalDate(dayNumber: n)
            if d.dayNumber != n {
                Issue.record("day number \(n) round-trips to \(d.dayNumber)")
                return
            }
            // The next date is the previous one plus one day, computed here by hand.
            let expected: (Int, Int, Int) =
                if previous.day < daysIn(previous.month, previous.year) { (previous.year, previous.month, previous.day + 1) }
                else if previous.month < 12 { (previous.year, previous.month + 1, 1) }
                else { (previous.year + 1, 1, 1) }
            if (d.year, d.month, d.day) != expected {
                Issue.record("day \(n): \(d), expected \(expected)")
                return
            }
            previous = d
        }
    }

    @Test func yearLengthsFollowGregorianLeapRule() throws {
        for y in 1583...2600 {
            let a = try #require(LocalDate(year: y, month: 1, day: 1))
            let b = try #require(LocalDate(year: y + 1, month: 1, day: 1))
            #expect(b.dayNumber - a.dayNumber == (isLeap(y) ? 366 : 365), "year \(y)")
        }
    }

    @Test func weekdaysCycle() {
        // 2026-11-23 is a Monday; the following 14 days cycle Mon…Sun twice.
        let monday = date("2026-11-23")
        for i in 0..<14 {
            #expect(monday.adding(days: i).weekday.rawValue == i % 7 + 1)
        }
        #expect(date("2026-11-25").weekday == .wednesday)
    }

    @Test("February 29", arguments: [(2000, true), (2024, true), (2028, true), (1900, false), (2100, false), (2026, false)])
    func february29(year: Int, valid: Bool) {
        #expect((LocalDate(year: year, month: 2, day: 29) != nil) == valid)
    }

    @Test("invalid ISO dates", arguments: ["2026-3-8", "2026-02-30", "2026-13-01", "2026-00-10", "2026-04-31", "abcd-ef-gh", "2026-03-08T00", "", "2026/03/08"])
    func invalidISO(text: String) {
        #expect(LocalDate(iso: text) == nil)
    }

    @Test func addingDaysCrossesMonthsAndYears() {
        #expect(date("2026-12-31").adding(days: 1) == date("2027-01-01"))
        #expect(date("2024-02-28").adding(days: 1) == date("2024-02-29"))
        #expect(date("2026-03-01").adding(days: -1) == date("2026-02-28"))
        #expect(date("2026-01-01").adding(days: 365) == date("2027-01-01"))
        #expect(date("2026-03-08") < date("2026-03-09"))
    }

    @Test func descriptionPadsYear() {
        #expect(LocalDate(year: 999, month: 1, day: 2)?.description == "0999-01-02")
    }

    @Test("LocalTime parsing", arguments: [
        ("09:00", 540 as Int?), ("9:00", 540), ("00:00", 0), ("24:00", 1440), ("23:59", 1439), (" 17:30 ", 1050),
        ("24:01", nil), ("25:00", nil), ("12:60", nil), ("12:5", nil), ("123:00", nil), ("", nil), ("noon", nil), ("12", nil),
    ])
    func localTimeParsing(text: String, minuteOfDay: Int?) {
        #expect(LocalTime(parsing: text)?.minuteOfDay == minuteOfDay)
    }

    @Test func localTimeBoundsAndDescription() {
        #expect(LocalTime(minuteOfDay: -1) == nil)
        #expect(LocalTime(minuteOfDay: 1441) == nil)
        #expect(LocalTime(hour: 24, minute: 0) == .endOfDay)
        #expect(LocalTime(hour: 24, minute: 30) == nil)
        #expect(LocalTime(minuteOfDay: 545)?.description == "09:05")
        #expect(LocalTime.endOfDay.description == "24:00")
        #expect(LocalTime(minuteOfDay: 545)?.hour == 9 && LocalTime(minuteOfDay: 545)?.minute == 5)
    }

    @Test func instantDescriptionIsISOUTC() {
        #expect(Instant(epochSeconds: 1_772_953_200).description == "2026-03-08T07:00:00Z")
        #expect(Instant(epochSeconds: -1).description == "1969-12-31T23:59:59Z")
        #expect(Instant(epochSeconds: 0).description == "1970-01-01T00:00:00Z")
    }

    @Test func instantArithmetic() {
        let t = utc("2026-03-08T06:45")
        #expect(t.adding(minutes: 15) == utc("2026-03-08T07:00"))
        #expect(t.adding(days: 1) == utc("2026-03-09T06:45"))
        #expect(t.adding(seconds: -45 * 60) == utc("2026-03-08T06:00"))
        #expect(t.seconds(until: utc("2026-03-08T07:45")) == 3600)
    }

    @Test func timeRangesAreHalfOpen() {
        let a = range("2026-03-10T10:00", "2026-03-10T11:00")
        let b = range("2026-03-10T11:00", "2026-03-10T12:00")
        let c = range("2026-03-10T10:59", "2026-03-10T11:01")
        #expect(!a.overlaps(b) && !b.overlaps(a))
        #expect(a.overlaps(c) && c.overlaps(b))
        #expect(a.contains(utc("2026-03-10T10:00")))
        #expect(!a.contains(utc("2026-03-10T11:00")))
        #expect(a.seconds == 3600)
        #expect(TimeRange(start: utc("2026-03-10T10:00"), minutes: 90).end == utc("2026-03-10T11:30"))
        #expect(range("2026-03-10T10:00", "2026-03-10T10:00").isEmpty)
        #expect(range("2026-03-10T10:00", "2026-03-10T09:00").isEmpty)
    }

    private func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    private func daysIn(_ month: Int, _ year: Int) -> Int {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
