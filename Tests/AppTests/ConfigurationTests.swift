import Domain
import Storage
import Testing

@testable import App

@Suite("Configuration")
struct ConfigurationTests {
    @Test func defaultsMatchTheREADME() throws {
        let c = try AppConfiguration.load(environment: [:])
        #expect(c.database == .sqlite(path: "privatecalls.sqlite"))
        #expect(c.host == "127.0.0.1")
        #expect(c.port == 8080)
        #expect(c.commission.basisPoints == 3_000)
        #expect(c.holdMinutes == 30)
        #expect(c.slotRules == SlotRules(horizonDays: 14, minimumNoticeMinutes: 60, bufferMinutes: 0, gridMinutes: 15))
        #expect(c.defaultAvailability == (try WeeklyAvailability.everyDay([TimeWindow(parsing: "09:00-22:00")])))
        #expect(c.defaultZone == .utc)
        #expect(c.adminIDs.isEmpty)
    }

    @Test func readsEveryVariable() throws {
        let c = try AppConfiguration.load(environment: [
            "DATABASE_URL": "postgres://app:pw@db:5433/calls", "HOST": "0.0.0.0", "PORT": "9000", "COMMISSION_PERCENT": "12.5",
            "HOLD_MINUTES": "45", "BOOKING_HORIZON_DAYS": "21", "SLOT_MINUTES": "30", "MINIMUM_NOTICE_MINUTES": "120",
            "BUFFER_MINUTES": "10", "DEFAULT_AVAILABILITY": "Mon-Fri 10:00-18:00", "DEFAULT_TIMEZONE": "America/Bogota",
            "ADMIN_TELEGRAM_IDS": "11, 22", "LOG_LEVEL": "debug",
        ])
        #expect(c.database == .postgres(PostgresURL(host: "db", port: 5433, username: "app", password: "pw", database: "calls")))
        #expect(c.host == "0.0.0.0")
        #expect(c.port == 9000)
        #expect(c.commission.basisPoints == 1_250)
        #expect(c.holdMinutes == 45)
        #expect(c.slotRules == SlotRules(horizonDays: 21, minimumNoticeMinutes: 120, bufferMinutes: 10, gridMinutes: 30))
        #expect(c.defaultAvailability.windows(on: LocalDate(iso: "2026-11-28")!).isEmpty) // a Saturday
        #expect(c.defaultZone.identifier == "America/Bogota")
        #expect(c.adminIDs == [TelegramUserID(11), TelegramUserID(22)])
        #expect(c.logLevel == "debug")
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let c = try AppConfiguration.load(environment: ["PORT": "9000"], overrides: ["PORT": "9100"])
        #expect(c.port == 9100)
    }

    @Test(arguments: [
        ("DATABASE_URL", "mysql://root@db/calls"),
        ("DATABASE_URL", "postgres://app@db:99999/calls"),
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("COMMISSION_PERCENT", "150"),
        ("COMMISSION_PERCENT", "thirty"),
        ("HOLD_MINUTES", "0"),
        ("BOOKING_HORIZON_DAYS", "-3"),
        ("SLOT_MINUTES", "7"),
        ("MINIMUM_NOTICE_MINUTES", "soon"),
        ("BUFFER_MINUTES", "999"),
        ("DEFAULT_AVAILABILITY", "9am-5pm"),
        ("DEFAULT_AVAILABILITY", "09:00-12:00,11:00-13:00"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("ADMIN_TELEGRAM_IDS", "12,abc"),
        ("LOG_LEVEL", "loud"),
        ("STARS_PER_USD", "0"),
        ("STARS_PER_USD", "fifty"),
    ])
    func aBadValueNamesItsVariableInOneLine(variable: String, value: String) {
        do {
            _ = try AppConfiguration.load(environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix("configuration error: \(variable) "))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func passwordsNeverAppearInMessages() {
        do {
            _ = try AppConfiguration.load(environment: ["DATABASE_URL": "postgres://app:hunter2@db:badport/calls"])
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }
}
