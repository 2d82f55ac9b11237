import Testing
import struct Foundation.Data
import class Foundation.JSONDecoder
import class Foundation.JSONEncoder
@testable import Domain

/// Expected values are from the IANA database as printed by `zdump -v -c 2026,2027 <zone>`:
///  America/New_York  2026-03-08 07:00Z: 01:59:59 EST → 03:00 EDT;  2026-11-01 06:00Z: 01:59:59 EDT → 01:00 EST
///  Europe/Madrid     2026-03-29 01:00Z: 01:59:59 CET → 03:00 CEST; 2026-10-25 01:00Z: 02:59:59 CEST → 02:00 CET
///  Australia/Lord_Howe 2026-10-03 15:30Z: 01:59:59 +1030 → 02:30 +11; 2026-04-04 15:00Z: 01:59:59 +11 → 01:30 +1030
///  Asia/Kolkata +05:30 and America/Bogota −05:00, no transitions.
@Suite("Zone: offsets and local ↔ UTC conversion")
struct ZoneTests {
    @Test("a city as people type it finds its zone", arguments: [
        ("Bogota", "America/Bogota"), ("bogotá", "America/Bogota"), ("  BOGOTA ", "America/Bogota"), ("new york", "America/New_York"),
        ("New-York", "America/New_York"), ("Mexico City", "America/Mexico_City"), ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("Madrid", "Europe/Madrid"), ("kolkata", "Asia/Kolkata"), ("São Paulo", "America/Sao_Paulo"),
    ])
    func cityFindsItsZone(_ city: String, _ zone: String) {
        #expect(Zone.matching(city: city)?.identifier == zone)
    }

    @Test("no zone for what no tz name ends in", arguments: ["Atlantis", "", "ab", "America", "Europe/Madrid", "UTC+3"])
    func noZoneForUnknownCities(_ text: String) {
        #expect(Zone.matching(city: text) == nil)
    }

    @Test("UTC is written UTC, whatever Foundation calls it", arguments: ["UTC", "GMT", " UTC "])
    func utcIsCalledUTC(_ name: String) throws {
        let zone = try #require(Zone(identifier: name))
        #expect(zone.identifier == "UTC")
        #expect(zone == Zone.utc)
        #expect(zone.offsetSeconds(at: Instant(epochSeconds: 1_780_000_000)) == 0)
    }

    @Test("UTC offsets", arguments: [
        ("America/New_York", "2026-01-15T12:00", -18_000 as Int64),
        ("America/New_York", "2026-07-15T12:00", -14_400),
        ("America/New_York", "2026-03-08T06:59:59", -18_000),
        ("America/New_York", "2026-03-08T07:00", -14_400),
        ("America/New_York", "2026-11-01T05:59:59", -14_400),
        ("America/New_York", "2026-11-01T06:00", -18_000),
        ("Europe/Madrid", "2026-03-29T00:59:59", 3_600),
        ("Europe/Madrid", "2026-03-29T01:00", 7_200),
        ("Europe/Madrid", "2026-10-25T00:59:59", 7_200),
        ("Europe/Madrid", "2026-10-25T01:00", 3_600),
        ("Asia/Kolkata", "2026-01-15T12:00", 19_800),
        ("Asia/Kolkata", "2026-07-15T12:00", 19_800),
        ("Australia/Lord_Howe", "2026-10-03T15:29:59", 37_800),
        ("Australia/Lord_Howe", "2026-10-03T15:30", 39_600),
        ("Australia/Lord_Howe", "2026-04-04T14:59:59", 39_600),
        ("Australia/Lord_Howe", "2026-04-04T15:00", 37_800),
        ("America/Bogota", "2026-01-15T12:00", -18_000),
        ("America/Bogota", "2026-07-15T12:00", -18_000),
        ("UTC", "2026-07-15T12:00", 0),
    ])
    func offsets(identifier: String, instant: String, seconds: Int64) {
        #expect(zone(identifier).offsetSeconds(at: utc(instant)) == seconds)
    }

    @Test("UTC → local wall clock", arguments: [
        ("America/New_York", "2026-03-08T06:59", "2026-03-08", 1 * 60 + 59),
        ("America/New_York", "2026-03-08T07:00", "2026-03-08", 3 * 60),
        ("America/New_York", "2026-03-08T13:00", "2026-03-08", 9 * 60),
        ("America/New_York", "2026-11-01T05:30", "2026-11-01", 1 * 60 + 30), // first 01:30 (EDT)
        ("America/New_York", "2026-11-01T06:30", "2026-11-01", 1 * 60 + 30), // second 01:30 (EST)
        ("America/New_York", "2026-03-08T04:59", "2026-03-07", 23 * 60 + 59),
        ("Europe/Madrid", "2026-03-29T01:00", "2026-03-29", 3 * 60),
        ("Europe/Madrid", "2026-03-28T23:30", "2026-03-29", 30),
        ("Asia/Kolkata", "2026-03-08T03:30", "2026-03-08", 9 * 60),
        ("Asia/Kolkata", "2026-03-07T18:30", "2026-03-08", 0),
        ("Asia/Kolkata", "2026-03-07T18:29", "2026-03-07", 23 * 60 + 59),
        ("Australia/Lord_Howe", "2026-10-03T15:29", "2026-10-04", 1 * 60 + 59),
        ("Australia/Lord_Howe", "2026-10-03T15:30", "2026-10-04", 2 * 60 + 30),
        ("Australia/Lord_Howe", "2026-04-04T14:59", "2026-04-05", 1 * 60 + 59),
        ("Australia/Lord_Howe", "2026-04-04T15:00", "2026-04-05", 1 * 60 + 30),
        ("America/Bogota", "2026-03-08T03:00", "2026-03-07", 22 * 60),
    ])
    func utcToLocal(identifier: String, instant: String, localDate: String, minuteOfDay: Int) {
        let l = zone(identifier).local(utc(instant))
        #expect(l.date == date(localDate))
        #expect(l.minuteOfDay == minuteOfDay)
        #expect(zone(identifier).localDate(of: utc(instant)) == date(localDate))
    }

    @Test("local wall clock → UTC (gaps move forward, overlaps take the earlier)", arguments: [
        ("America/New_York", "2026-03-07", 9 * 60, "2026-03-07T14:00"),
        ("America/New_York", "2026-03-08", 9 * 60, "2026-03-08T13:00"),
        ("America/New_York", "2026-03-08", 1 * 60 + 59, "2026-03-08T06:59"),
        ("America/New_York", "2026-03-08", 2 * 60, "2026-03-08T07:00"), // gap → 03:00 EDT
        ("America/New_York", "2026-03-08", 2 * 60 + 30, "2026-03-08T07:30"), // gap → 03:30 EDT
        ("America/New_York", "2026-03-08", 3 * 60, "2026-03-08T07:00"),
        ("America/New_York", "2026-11-01", 0, "2026-11-01T04:00"),
        ("America/New_York", "2026-11-01", 1 * 60, "2026-11-01T05:00"), // ambiguous → EDT
        ("America/New_York", "2026-11-01", 1 * 60 + 30, "2026-11-01T05:30"), // ambiguous → EDT
        ("America/New_York", "2026-11-01", 2 * 60, "2026-11-01T07:00"),
        ("America/New_York", "2026-11-01", 9 * 60, "2026-11-01T14:00"),
        ("America/New_York", "2026-03-07", 1440, "2026-03-08T05:00"),
        ("America/New_York", "2026-11-01", 1440, "2026-11-02T05:00"),
        ("Europe/Madrid", "2026-03-28", 9 * 60, "2026-03-28T08:00"),
        ("Europe/Madrid", "2026-03-29", 9 * 60, "2026-03-29T07:00"),
        ("Europe/Madrid", "2026-03-29", 2 * 60 + 30, "2026-03-29T01:30"), // gap → 03:30 CEST
        ("Europe/Madrid", "2026-10-25", 2 * 60 + 30, "2026-10-25T00:30"), // ambiguous → CEST
        ("Europe/Madrid", "2026-10-25", 0, "2026-10-24T22:00"),
        ("Asia/Kolkata", "2026-03-08", 9 * 60, "2026-03-08T03:30"),
        ("Asia/Kolkata", "2026-03-08", 0, "2026-03-07T18:30"),
        ("Asia/Kolkata", "2026-03-08", 9 * 60 + 15, "2026-03-08T03:45"),
        ("Australia/Lord_Howe", "2026-10-04", 1 * 60, "2026-10-03T14:30"),
        ("Australia/Lord_Howe", "2026-10-04", 2 * 60 + 15, "2026-10-03T15:45"), // gap → 02:45 +11
        ("Australia/Lord_Howe", "2026-10-04", 3 * 60, "2026-10-03T16:00"),
        ("Australia/Lord_Howe", "2026-04-05", 1 * 60 + 45, "2026-04-04T14:45"), // ambiguous → +11
        ("Australia/Lord_Howe", "2026-04-05", 3 * 60, "2026-04-04T16:30"),
        ("America/Bogota", "2026-03-08", 9 * 60, "2026-03-08T14:00"),
        ("America/Bogota", "2026-07-08", 9 * 60, "2026-07-08T14:00"),
        ("UTC", "2026-03-08", 9 * 60, "2026-03-08T09:00"),
    ])
    func localToUTC(identifier: String, localDate: String, minuteOfDay: Int, expected: String) {
        #expect(zone(identifier).instant(of: date(localDate), minuteOfDay: minuteOfDay) == utc(expected))
    }

    /// Every quarter hour of the transition days maps back to itself, except the second pass through an
    /// ambiguous hour, which resolves to the first.
    @Test("round trip over transition days", arguments: [
        ("America/New_York", "2026-03-07T00:00", "2026-03-10T00:00", nil as (String, String)?, 0 as Int64),
        ("America/New_York", "2026-10-31T00:00", "2026-11-03T00:00", ("2026-11-01T06:00", "2026-11-01T07:00"), 3_600),
        ("Europe/Madrid", "2026-10-24T00:00", "2026-10-27T00:00", ("2026-10-25T01:00", "2026-10-25T02:00"), 3_600),
        ("Australia/Lord_Howe", "2026-04-03T00:00", "2026-04-06T00:00", ("2026-04-04T15:00", "2026-04-04T15:30"), 1_800),
        ("Australia/Lord_Howe", "2026-10-02T00:00", "2026-10-05T00:00", nil, 0),
    ])
    func roundTrip(identifier: String, from: String, to: String, repeated: (String, String)?, shift: Int64) {
        let z = zone(identifier)
        for t in series(from, through: to) {
            let l = z.local(t)
            let back = z.instant(of: l.date, minuteOfDay: l.minuteOfDay)
            let inRepeat = repeated.map { range($0.0, $0.1).contains(t) } ?? false
            #expect(back == (inRepeat ? t.adding(seconds: -shift) : t), "\(identifier) \(t)")
        }
    }

    @Test func bogotaHostSeenFromMadrid() {
        let bogota = zone("America/Bogota"), madrid = zone("Europe/Madrid")
        // Bogotá 09:00 is 14:00Z every day (no DST).
        let winter = bogota.instant(of: date("2026-03-28"), minuteOfDay: 9 * 60)
        let summer = bogota.instant(of: date("2026-03-30"), minuteOfDay: 9 * 60)
        #expect(winter == utc("2026-03-28T14:00"))
        #expect(summer == utc("2026-03-30T14:00"))
        // Madrid reads 15:00 before its change on 2026-03-29 and 16:00 after.
        #expect(madrid.local(winter).date == date("2026-03-28") && madrid.local(winter).minuteOfDay == 15 * 60)
        #expect(madrid.local(summer).date == date("2026-03-30") && madrid.local(summer).minuteOfDay == 16 * 60)
    }

    @Test("unknown identifiers", arguments: ["Mars/Olympus", "", "   ", "Not/AZone", "America/Nowhere", String(repeating: "A", count: 65)])
    func unknownIdentifiers(identifier: String) {
        #expect(Zone(identifier: identifier) == nil)
    }

    @Test func identifierIsTrimmedAndComparedByName() throws {
        let z = try #require(Zone(identifier: " Europe/Madrid "))
        #expect(z.identifier == "Europe/Madrid")
        #expect(z.description == "Europe/Madrid")
        #expect(z == zone("Europe/Madrid"))
        #expect(z != zone("America/Bogota"))
        #expect(Set([z, zone("Europe/Madrid")]).count == 1)
        #expect(Zone.utc.offsetSeconds(at: utc("2026-07-01T00:00")) == 0)
    }

    @Test func codableRoundTripAndUnknownZoneFailsToDecode() throws {
        let data = try JSONEncoder().encode([zone("Asia/Kolkata")])
        #expect(try JSONDecoder().decode([Zone].self, from: data) == [zone("Asia/Kolkata")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Zone].self, from: Data(#"["Mars/Olympus"]"#.utf8))
        }
    }
}
