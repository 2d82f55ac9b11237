import Core
import Domain
import FakeStripe
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The operator's web dashboard in real Chromium, served by the real `privatecalls serve` talking to the strict
/// fake Bot API. The test seeds a SQLite file (three hosts, paid bookings over several days and hours, one
/// refunded, one outside the chosen range, an unpaid hold, an expired sign-in link and a non-admin's link), starts
/// the binary on it, and has the admin ask the bot for `/dashboard`. `Tests/Browser/dashboard.py` opens that link
/// and checks the overview against `privatecalls report` for a chosen range and zone, the 390-px phone layout,
/// a host's status change, payouts, the ledger CSV and every refusal. Afterwards a Telegram user asks the bot for
/// the host list and sees the status the browser saved. Screenshots go to `.build/dashboard-screenshots`.
@Suite("The dashboard in Chromium (DashboardBrowser)", .serialized)
struct DashboardBrowserTests {
    static let admin = User(id: 9_701, firstName: "Ada", languageCode: "en")
    static let stranger: Int64 = 9_702
    static let user = User(id: 9_703, firstName: "Ana", languageCode: "en")
    /// The zone chosen in the overview's form (not the server's DEFAULT_TIMEZONE, Europe/Madrid).
    static let zone = Zone(identifier: "America/Bogota")!

    /// What the seed put in the database, for the browser script.
    struct Seeded {
        var expiredLink: String
        var strangerLink: String
        var from: LocalDate
        var to: LocalDate
        var ledger: [String: Int]
    }

    @Test func anAdminUsesTheDashboardInChromium() async throws {
        guard PlaygroundBrowserTests.chromiumInstalled else {
            if PlaygroundBrowserTests.required { Issue.record("Chromium and chromedriver are required (scripts/test installs them)") }
            return
        }
        let python = try Peers.requirePython()
        let binary = try #require(ServeProcessTests.binary, "privatecalls binary not found next to the tests")
        let dir = try ServeProcessTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("dashboard.sqlite").path
        let port = Int.random(in: 20_000...40_000)
        let base = "http://127.0.0.1:\(port)"
        let seeded = try await Self.seed(database, base: base)

        let fake = try await FakeBotAPI.start(token: "424242:Dashboard-browser_test")
        let server: Server
        do {
            server = try Server.start(binary, in: dir, environment: [
                "DATABASE_URL": database, "PORT": String(port), "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.baseURL,
                "TELEGRAM_POLL_TIMEOUT": "1", "ADMIN_TELEGRAM_IDS": String(Self.admin.id), "DEFAULT_TIMEZONE": "Europe/Madrid",
                "LOG_LEVEL": "notice",
            ])
        } catch {
            await fake.stop()
            throw error
        }
        do {
            try await Self.scenario(fake: fake, server: server, base: base, python: python, binary: binary.path, database: database, seeded: seeded)
        } catch {
            _ = await server.stop()
            await fake.stop()
            throw error
        }
        let status = await server.stop()
        await fake.stop()
        #expect(status == 0, "serve exited \(status.map(String.init) ?? "late"): \(server.log.suffix(2_000))")
    }

    static func scenario(fake: FakeBotAPI, server: Server, base: String, python: String, binary: String, database: String,
                         seeded: Seeded) async throws {
        try await server.waitUntilReady(base)

        // Before: Anna is online in the bot's host list.
        try await Self.hostList(fake, shows: "🟢 Anna · $5.00/min")

        // The admin's one-time link, from the bot's URL button.
        await fake.sendText("/dashboard", from: Self.admin)
        try await fake.waitUntil(timeout: .seconds(20)) { await Self.link(fake) != nil }
        let login = try #require(await Self.link(fake))
        #expect(login.hasPrefix("\(base)/admin/login?t="), "\(login)")

        let settings: [String: Any] = [
            "base": base, "login": login, "expired": seeded.expiredLink, "stranger": seeded.strangerLink, "binary": binary,
            "database": database, "shots": PlaygroundBrowserTests.repository.appendingPathComponent(".build/dashboard-screenshots").path,
            "zone": Self.zone.identifier, "from": "\(seeded.from)", "to": "\(seeded.to)", "ledger": seeded.ledger,
            "statusHost": "anna_host", "csrfHost": "boris_host", "moneyHost": "anna_host",
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys]), as: UTF8.self)
        let script = PlaygroundBrowserTests.repository.appendingPathComponent("Tests/Browser/dashboard.py").path
        let (status, output, errors) = try await PlaygroundBrowserTests.run(python, [script, json])
        #expect(status == 0 && output.contains("dashboard browser test: every step held"), "exit \(status)\n\(output)\n\(errors)")

        // After: the status the browser saved is the one a Telegram user sees.
        try await Self.hostList(fake, shows: "⚫ Anna · $5.00/min", text: "offline")
    }

    /// The URL of the newest dashboard link the bot sent the admin.
    static func link(_ fake: FakeBotAPI) async -> String? {
        await fake.lastMessage(chat: admin.id)?.replyMarkup?.inlineKeyboard.joined().compactMap(\.url).first { $0.contains("/admin/login?t=") }
    }

    /// A user sends /book_private_call; the bot's newest host list has a button labelled `label`.
    static func hostList(_ fake: FakeBotAPI, shows label: String, text: String? = nil) async throws {
        let before = await fake.messages(chat: user.id).count
        await fake.sendText("/book_private_call", from: user)
        let found: @Sendable () async -> Bool = {
            let messages = await fake.messages(chat: user.id)
            guard messages.count > before, let list = messages[before...].last(where: { ($0.text ?? "").contains("choose a host") })
            else { return false }
            return fake.buttonLabels(of: list).joined().contains(label) && text.map { (list.text ?? "").contains($0) } != false
        }
        do {
            try await fake.waitUntil(timeout: .seconds(20), found)
        } catch {
            let last = await fake.lastMessage(chat: user.id)
            Issue.record("the host list has no button “\(label)”: \(last?.text ?? "none"), \(last.map(fake.buttonLabels) ?? [])")
            throw error
        }
    }

    // MARK: The seed

    /// Three hosts and bookings relative to the real now (the binary runs on the wall clock), all starting two or
    /// more days ahead so the scheduler leaves them alone while the test runs (no reminder, no start).
    static func seed(_ path: String, base: String) async throws -> Seeded {
        let store = try await StoreFactory.open(.sqlite(path: path), logger: BotHarness.logger)
        do {
            let seeded = try await seed(store, base: base)
            await store.close()
            return seeded
        } catch {
            await store.close()
            throw error
        }
    }

    static func seed(_ store: any Store, base: String) async throws -> Seeded {
        try await store.migrate()
        let now = Instant(epochSeconds: Int64(Date().timeIntervalSince1970))
        let hour = Instant(epochSeconds: now.epochSeconds - now.epochSeconds % 3_600)
        func host(_ username: String, _ name: String, _ price: Int64, _ currency: Currency, _ status: HostStatus) async throws -> Domain.Host {
            try await store.createHost(Domain.Host(
                username: TelegramUsername(parsing: username), displayName: DisplayName(parsing: name), bio: Bio(parsing: "Talks about \(name)"),
                pricePerMinute: PricePerMinute(Money(minorUnits: price, currency: currency)), durations: DurationRange(min: 15, max: 120),
                zone: Zone(identifier: "Europe/Madrid")!, availability: WeeklyAvailability(parsing: "09:00-22:00"), status: status,
                telegramUserID: nil), at: now.adding(days: -30))
        }
        let anna = try await host("anna_host", "Anna", 500, .usd, .online)
        let boris = try await host("boris_host", "Boris", 300, .eur, .online)
        let carla = try await host("carla_host", "Carla", 250, .usd, .busy)

        var user: Int64 = 8_000
        func hold(_ host: Domain.Host, days: Int, hours: Int, minutes: Int, at: Instant) async throws -> BookingID {
            user += 1
            let booking = try Booking.hold(
                hostID: host.id!, userID: TelegramUserID(user), start: hour.adding(days: days).adding(minutes: hours * 60), minutes: minutes,
                pricePerMinute: host.pricePerMinute.money, commission: .standard, now: at, holdMinutes: 30)
            return try #require(try await store.createHold(booking, bufferMinutes: 0, maxLiveHolds: .max).id)
        }
        func paid(_ host: Domain.Host, days: Int, hours: Int, minutes: Int, paidAt: Instant) async throws -> BookingID {
            let id = try await hold(host, days: days, hours: hours, minutes: minutes, at: paidAt.adding(minutes: -5))
            _ = try await store.apply(.paymentConfirmed(method: "stripe", at: paidAt), to: id)
            return id
        }
        _ = try await paid(anna, days: 2, hours: 0, minutes: 30, paidAt: now.adding(minutes: -120))
        _ = try await paid(anna, days: 3, hours: 5, minutes: 45, paidAt: now.adding(minutes: -90))
        _ = try await paid(boris, days: 2, hours: 3, minutes: 60, paidAt: now.adding(minutes: -60))
        _ = try await paid(carla, days: 4, hours: 7, minutes: 20, paidAt: now.adding(minutes: -30))
        let refunded = try await paid(anna, days: 5, hours: 1, minutes: 30, paidAt: now.adding(minutes: -20))
        _ = try await store.apply(.cancelled(by: .admin, refund: true, at: now.adding(minutes: -10)), to: refunded)
        _ = try await store.apply(.refundSettled(succeeded: true, at: now.adding(minutes: -5)), to: refunded)
        // Outside the range: it starts after `to` and was paid before `from`.
        _ = try await paid(boris, days: 20, hours: 2, minutes: 30, paidAt: now.adding(days: -5))
        // An unpaid hold (it lapses in 30 minutes, long after the test).
        _ = try await hold(carla, days: 3, hours: 9, minutes: 15, at: now)

        let adminID = TelegramUserID(admin.id), strangerID = TelegramUserID(stranger)
        let expired = try await AdminAccess(store: store, now: { now.adding(minutes: -11) }, admins: { [adminID] }).loginLink(.admin(adminID))
        let foreign = try await AdminAccess(store: store, now: { now }, admins: { [strangerID] }).loginLink(.admin(strangerID))
        let today = zone.localDate(of: now)
        return Seeded(expiredLink: "\(base)/admin/login?t=\(expired)", strangerLink: "\(base)/admin/login?t=\(foreign)",
                      from: today.adding(days: -1), to: today.adding(days: 7), ledger: ["payment": 6, "refund": 1])
    }

    // MARK: The server process

    /// `privatecalls serve` as a process; its log goes to a file (no pipe to fill or to read on the test's threads).
    struct Server {
        let process: Process
        let logFile: URL

        static func start(_ binary: URL, in dir: URL, environment: [String: String]) throws -> Server {
            let logFile = dir.appendingPathComponent("serve.log")
            FileManager.default.createFile(atPath: logFile.path, contents: nil)
            let process = Process()
            process.executableURL = binary
            process.arguments = ["serve"]
            process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: logFile)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            return Server(process: process, logFile: logFile)
        }

        var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

        func waitUntilReady(_ base: String) async throws {
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while ContinuousClock.now < deadline, process.isRunning {
                if let (_, response) = try? await URLSession.shared.data(from: URL(string: "\(base)/readyz")!),
                   (response as? HTTPURLResponse)?.statusCode == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("privatecalls serve did not become ready: \(log.suffix(2_000))")
            throw CancellationError()
        }

        /// SIGINT (graceful shutdown), then waits for the exit by polling; SIGKILL after 15 s. The exit status, or
        /// nil when it had to be killed.
        func stop() async -> Int32? {
            guard process.isRunning else { return process.terminationStatus }
            process.interrupt()
            let deadline = ContinuousClock.now.advanced(by: .seconds(15))
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(100)) }
            guard !process.isRunning else {
                Glibc.kill(process.processIdentifier, SIGKILL)
                while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
                return nil
            }
            return process.terminationStatus
        }
    }
}
