import Domain
import Foundation
import Logging
import Storage
import Testing

/// `privatecalls report` run as a process on a SQLite file seeded through the Store API.
///
/// The seed (figures worked out by hand; Madrid is UTC+1 until 2026-03-29 01:00 UTC, then UTC+2):
///   A  Anna   starts 2026-03-28 09:00Z (Madrid 10:00)  60 × $5.00 = $300.00 → $90.00 + $210.00, paid 03-20 10:00Z
///   B  Anna   starts 2026-03-30 09:00Z (Madrid 11:00)  45 × $3.33 = $149.85 → $44.96 + $104.89, paid 03-21 10:00Z,
///             refunded 03-22 10:00Z
///   C  Bruno  starts 2026-03-30 08:00Z (Madrid 10:00)  30 × COP 1,500 = COP 45,000 → 13,500 + 31,500, paid 03-21 11:00Z
///   D  Anna   starts 2026-04-02 09:00Z  a hold never paid
///   Reviews: A 5 stars, C 4 stars, B 1 star hidden. Payout: Anna $100.00 on 03-25, reference "wire 7", by admin 42.
@Suite("privatecalls report as a process", .serialized)
struct ReportCommandTests {
    static let logger = Logger(label: "report-tests")

    static func utc(_ date: String, _ hour: Int) -> Instant {
        Instant(epochSeconds: LocalDate(iso: date)!.dayNumber * 86_400 + Int64(hour) * 3_600)
    }

    static func seed(_ path: String) async throws -> (anna: HostID, bruno: HostID) {
        let store = try await StoreFactory.open(.sqlite(path: path), logger: logger)
        do {
            try await store.migrate()
            let created = utc("2026-03-20", 9)
            func host(_ username: String, _ name: String, _ currency: Currency) async throws -> HostID {
                try #require(try await store.createHost(Domain.Host(
                    username: TelegramUsername(parsing: username), displayName: DisplayName(parsing: name), bio: Bio(parsing: "Hi"),
                    pricePerMinute: PricePerMinute(Money(minorUnits: 500, currency: currency)), durations: DurationRange(min: 15, max: 120),
                    zone: Zone(identifier: "Europe/Madrid")!, availability: WeeklyAvailability(parsing: "09:00-22:00")), at: created).id)
            }
            let anna = try await host("anna_host", "Anna, \"the voice\"", .usd)
            let bruno = try await host("bruno_host", "Bruno", .cop)
            func hold(_ host: HostID, _ start: Instant, _ minutes: Int, _ perMinute: Money) async throws -> BookingID {
                let booking = try Booking.hold(
                    hostID: host, userID: TelegramUserID(777), start: start, minutes: minutes, pricePerMinute: perMinute,
                    commission: .standard, now: created, holdMinutes: 30)
                return try #require(try await store.createHold(booking, bufferMinutes: 0, maxLiveHolds: .max).id)
            }
            let a = try await hold(anna, utc("2026-03-28", 9), 60, Money(minorUnits: 500, currency: .usd))
            let b = try await hold(anna, utc("2026-03-30", 9), 45, Money(minorUnits: 333, currency: .usd))
            let c = try await hold(bruno, utc("2026-03-30", 8), 30, Money(minorUnits: 150_000, currency: .cop))
            _ = try await hold(anna, utc("2026-04-02", 9), 60, Money(minorUnits: 500, currency: .usd))
            _ = try await store.apply(.paymentConfirmed(method: "stripe", at: utc("2026-03-20", 10)), to: a)
            _ = try await store.apply(.paymentConfirmed(method: "stripe", at: utc("2026-03-21", 10)), to: b)
            _ = try await store.apply(.paymentConfirmed(method: "stripe", at: utc("2026-03-21", 11)), to: c)
            _ = try await store.apply(.cancelled(by: .admin, refund: true, at: utc("2026-03-22", 9)), to: b)
            _ = try await store.apply(.refundSettled(succeeded: true, at: utc("2026-03-22", 10)), to: b)
            for (booking, host, rating, hidden) in [(a, anna, 5, false), (c, bruno, 4, false), (b, anna, 1, true)] {
                _ = try await store.addReview(Review(bookingID: booking, hostID: host, userID: TelegramUserID(777), rating: rating, text: nil,
                                                     hidden: hidden, createdAt: utc("2026-03-31", 12)))
            }
            _ = try await store.recordPayout(hostID: anna, amount: Money(minorUnits: 10_000, currency: .usd), reference: "wire 7",
                                             recordedBy: TelegramUserID(42), at: utc("2026-03-25", 10))
            await store.close()
            return (anna, bruno)
        } catch {
            await store.close()
            throw error
        }
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }

    static func report(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = try #require(ServeProcessTests.binary, "privatecalls binary not found next to the tests")
        process.arguments = ["report"] + arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin", "LOG_LEVEL": "error"]) { a, _ in a }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func withSeededDatabase(_ body: (String, HostID, HostID) async throws -> Void) async throws {
        let dir = try ServeProcessTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("report.sqlite").path
        let (anna, bruno) = try await seed(path)
        try await body(path, anna, bruno)
    }

    @Test func textReportShowsTheFiguresInTheZone() async throws {
        try await Self.withSeededDatabase { path, _, _ in
            let run = try Self.report(["--database-url", path, "--zone", "Europe/Madrid"])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.lines
            #expect(lines.first == "PrivateCalls report: the beginning to now, times in Europe/Madrid (sqlite)")
            #expect(lines.contains("  Holds created               4"))
            #expect(lines.contains("  Paid bookings               3"))
            #expect(lines.contains("  Payment success rate  75.00 %  3 paid of 4 holds"))
            #expect(lines.contains("  Refund rate           33.33 %  1 refunded of 3 paid"))
            // Currency, gross, commission, host share, paid out.
            #expect(lines.contains { $0.split(separator: " ", omittingEmptySubsequences: true)
                == ["COP", "COP", "45,000", "COP", "13,500", "COP", "31,500", "COP", "0"] })
            #expect(lines.contains { $0.split(separator: " ", omittingEmptySubsequences: true)
                == ["USD", "$300.00", "$90.00", "$210.00", "$100.00"] })
            #expect(lines.contains { $0.contains("Anna, \"the voice\"") && $0.contains("5.00 (1)") && $0.contains("$300.00") })
            #expect(lines.contains { $0.contains("Bruno") && $0.contains("4.00 (1)") && $0.contains("COP 45,000") })
            // Madrid: A and C start at 10:00 local, B at 11:00 (after the change to summer time).
            let hours = try #require(lines.firstIndex(of: "Most-booked hours (Europe/Madrid)"))
            #expect(lines[hours + 3].split(separator: " ") == ["10:00–11:00", "2"])
            #expect(lines[hours + 4].split(separator: " ") == ["11:00–12:00", "1"])
            #expect(lines.contains { $0.contains("2026-03-25T10:00:00Z") && $0.contains("$100.00") && $0.contains("wire 7") && $0.contains("42") })
        }
    }

    @Test func theReportEndsWithTheMoneyToReturn() async throws {
        try await Self.withSeededDatabase { path, _, _ in
            let before = try Self.report(["--database-url", path])
            #expect(before.lines.contains("Money to return (open): 0"))
            // A payment naming no booking of ours, owed back by hand (ePayco).
            let store = try await StoreFactory.open(.sqlite(path: path), logger: Self.logger)
            let result = try await store.fulfil(
                ProviderPayment(provider: "epayco", eventID: "77:88:1", kind: "state 1", bookingID: nil, reference: "77:88", binding: .firstUse,
                                refundHandle: "77", amount: .money(Money(minorUnits: 1_200, currency: .usd)), outcome: .paid),
                notices: FulfilmentNotices(), starsPerUSD: nil, at: Instant(epochSeconds: 1_790_000_000))
            await store.close()
            guard case .owed(let row) = result else { Issue.record("expected money to return, got \(result)"); return }
            let after = try Self.report(["--database-url", path])
            #expect(after.status == 0, "\(after.stderr)")
            #expect(after.lines.contains("Money to return (open): 1"))
            #expect(after.lines.contains { $0.hasPrefix("  #\(row.id) epayco 77:88 $12.00 no booking, owed since ") && $0.hasSuffix("names no booking of ours") })
            #expect(after.lines.contains("  total: $12.00"))
        }
    }

    @Test func defaultZoneComesFromTheConfigurationAndTheWindowIsInclusiveDays() async throws {
        try await Self.withSeededDatabase { path, _, _ in
            // Bogotá is UTC−5 all year: A and B start at 04:00 there, C at 03:00.
            let bogota = try Self.report(["--database-url", path], environment: ["DEFAULT_TIMEZONE": "America/Bogota"])
            #expect(bogota.status == 0, "\(bogota.stderr)")
            let hours = try #require(bogota.lines.firstIndex(of: "Most-booked hours (America/Bogota)"))
            #expect(bogota.lines[hours + 3].split(separator: " ") == ["04:00–05:00", "2"])
            #expect(bogota.lines[hours + 4].split(separator: " ") == ["03:00–04:00", "1"])

            // Madrid days 29–31 March: bookings B and C start inside; no ledger row or payout was recorded then.
            let window = try Self.report(["--database-url", path, "--zone", "Europe/Madrid", "--from", "2026-03-29", "--to", "2026-03-31"])
            #expect(window.status == 0, "\(window.stderr)")
            #expect(window.lines.first == "PrivateCalls report: 2026-03-29 to 2026-03-31, times in Europe/Madrid (sqlite)")
            #expect(window.lines.contains("  Payment success rate  100.00 %  2 paid of 2 holds"))
            #expect(window.lines.contains("  Refund rate            50.00 %  1 refunded of 2 paid"))
            #expect(window.lines.contains("  no payments"))
            let payouts = try #require(window.lines.firstIndex(of: "Payouts (newest first)"))
            #expect(window.lines[payouts + 1] == "  none")
            #expect(window.lines.suffix(2) == ["Money to return (open): 0", ""])
        }
    }

    @Test func csvIsTheLedgerOfTheWindow() async throws {
        try await Self.withSeededDatabase { path, anna, bruno in
            let all = try Self.report(["--database-url", path, "--format", "csv"])
            #expect(all.status == 0, "\(all.stderr)")
            let rows = all.stdout.components(separatedBy: "\r\n")
            #expect(rows.count == 6, "header, four ledger rows, and nothing after the last CRLF: \(rows)")
            #expect(rows[0] == "entry_id,created_at,booking_id,host_id,host_name,kind,currency,gross,platform,host_share")
            #expect(rows[1].hasPrefix("1,2026-03-20T10:00:00Z,1,\(anna),\"Anna, \"\"the voice\"\"\",payment,USD,300.00,90.00,210.00"))
            #expect(rows[4] == "4,2026-03-22T10:00:00Z,2,\(anna),\"Anna, \"\"the voice\"\"\",refund,USD,-149.85,-44.96,-104.89")
            #expect(rows[5] == "")

            // Madrid's 21 March is [2026-03-20 23:00Z, 2026-03-21 23:00Z): B's and C's payments.
            let day = try Self.report(["--database-url", path, "--format", "csv", "--zone", "Europe/Madrid", "--from", "2026-03-21", "--to", "2026-03-21"])
            #expect(day.status == 0, "\(day.stderr)")
            #expect(day.stdout == "entry_id,created_at,booking_id,host_id,host_name,kind,currency,gross,platform,host_share\r\n"
                + "2,2026-03-21T10:00:00Z,2,\(anna),\"Anna, \"\"the voice\"\"\",payment,USD,149.85,44.96,104.89\r\n"
                + "3,2026-03-21T11:00:00Z,3,\(bruno),Bruno,payment,COP,45000.00,13500.00,31500.00\r\n")
        }
    }

    @Test func badInputFailsWithOneClearLine() async throws {
        let dir = try ServeProcessTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nope.sqlite").path
        let noFile = try Self.report(["--database-url", missing])
        #expect(noFile.status == 1)
        #expect(noFile.stderr == "privatecalls: DATABASE_URL: there is no SQLite database at \(missing)\n")
        #expect(!FileManager.default.fileExists(atPath: missing), "a report never creates a database")

        for (arguments, message) in [
            (["--zone", "Mars/Olympus"], "--zone: “Mars/Olympus” is not an IANA time zone"),
            (["--from", "2026-02-30"], "--from: “2026-02-30” is not a date like 2026-03-31"),
            (["--from", "2026-03-02", "--to", "2026-03-01"], "--to (2026-03-01) is before --from (2026-03-02)"),
            (["--format", "xml"], "xml"),
        ] {
            let run = try Self.report(["--database-url", missing] + arguments)
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }
}
