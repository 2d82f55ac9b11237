import Domain
import FakeTelegram
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Storage
import Synchronization
import Telegram
import TestDatabases
import Testing

@testable import App

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let value: Mutex<Instant>
    init(_ start: Instant) { value = Mutex(start) }
    var now: Instant { value.withLock { $0 } }
    func advance(minutes: Int) { value.withLock { $0 = $0.adding(minutes: minutes) } }
    var wall: WallClock { WallClock { [self] in now } }
}

/// The real server (built by `buildApplication`) on a real SQLite file, talking HTTP to the strict fake
/// Bot API server.
struct BotHarness {
    /// Wednesday 2026-11-25 08:00 UTC (09:00 in Madrid).
    static let start = Instant(epochSeconds: 1_795_564_800 + 8 * 3600)
    static let logger: Logger = {
        var l = Logger(label: "bot-e2e")
        l.logLevel = ProcessInfo.processInfo.environment["E2E_LOG"] == nil ? .error : .debug
        return l
    }()

    let fake: FakeBotAPI
    let store: any Store
    let clock: TestClock
    /// DATABASE_URL: the SQLite file, or the throwaway PostgreSQL database's URL.
    let path: String
    /// Drops the throwaway PostgreSQL database (nil for SQLite: the files are removed).
    var dropDatabase: (@Sendable () async -> Void)? = nil

    /// The engines a harness test can run on: SQLite always; PostgreSQL when `PRIVATECALLS_TEST_POSTGRES_URL` is set.
    enum Database: String, CustomTestStringConvertible, Sendable {
        case sqlite, postgres
        var testDescription: String { rawValue }
        static var postgresURL: String? {
            ProcessInfo.processInfo.environment["PRIVATECALLS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        }
        static var available: [Database] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
    }

    /// A harness on `database` for `body`, always cleaned up.
    static func with(_ database: Database, _ body: (BotHarness) async throws -> Void) async throws {
        guard database == .postgres else { return try await with(body) }
        try await using(try await makePostgres(), body)
    }

    /// A fresh database on the test PostgreSQL server (dropped by `cleanUp`).
    static func makePostgres() async throws -> BotHarness {
        let admin = try PostgresURL(parsing: try #require(Database.postgresURL))
        let name = "pc_bot_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await ThrowawayPostgres.execute("CREATE DATABASE \(name)", on: admin, logger: logger)
        ThrowawayPostgres.recordMarker(name)
        var url = admin
        url.database = name
        let drop: @Sendable () async -> Void = {
            try? await ThrowawayPostgres.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: admin, logger: logger)
        }
        let fake = try await FakeBotAPI.start()
        do {
            let store = try await StoreFactory.open(.postgres(url), logger: logger)
            try await store.migrate()
            // Only parsed by the configuration (the app is handed `store`); the test server's URL has no password.
            let user = url.password.map { "\(url.username):\($0)" } ?? url.username
            let text = "postgres://\(user)@\(url.host):\(url.port)/\(name)"
            return BotHarness(fake: fake, store: store, clock: TestClock(start), path: text, dropDatabase: drop)
        } catch {
            await fake.stop()
            await drop()
            throw error
        }
    }

    /// A harness for `body`, always cleaned up (an open SQLite connection must be closed before exit).
    static func with(_ body: (BotHarness) async throws -> Void) async throws {
        try await using(try await make(), body)
    }

    /// Runs `body` on `h`, always cleaning up.
    static func using(_ h: BotHarness, _ body: (BotHarness) async throws -> Void) async throws {
        do {
            try await body(h)
        } catch {
            await h.cleanUp()
            throw error
        }
        await h.cleanUp()
    }

    static func make() async throws -> BotHarness {
        let fake = try await FakeBotAPI.start()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pc-bot-\(UUID().uuidString).sqlite").path
        let store = try await StoreFactory.open(.sqlite(path: path), logger: logger)
        try await store.migrate()
        return BotHarness(fake: fake, store: store, clock: TestClock(start), path: path)
    }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        [
            "DATABASE_URL": path, "PORT": "0", "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.baseURL,
            "TELEGRAM_POLL_TIMEOUT": "1", "DEFAULT_TIMEZONE": "Europe/Madrid", "MINIMUM_NOTICE_MINUTES": "60",
            "SCHEDULER_INTERVAL_SECONDS": "1",
        ].merging(extra) { _, new in new }
    }

    /// Runs the server (with its services: polling or webhook, scheduler) while `body` runs.
    func run(_ extra: [String: String] = [:], _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let configuration = try AppConfiguration.load(environment: environment(extra))
        let app = buildApplication(configuration: configuration, store: store, clock: clock.wall, logger: Self.logger)
        try await app.test(.live) { client in try await body(client) }
    }

    /// Runs the server on the configured PORT (not a test framework's port), so PUBLIC_URL can point at it.
    /// `adjust` changes what the environment cannot express (e.g. shorter start-up backoff).
    func serve(
        _ extra: [String: String], logger: Logger = BotHarness.logger, adjust: (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable () async throws -> Void
    ) async throws {
        var configuration = try AppConfiguration.load(environment: environment(extra))
        adjust(&configuration)
        let app = buildApplication(configuration: configuration, store: store, clock: clock.wall, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: Self.logger))
        let running = Task { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @discardableResult
    func addHost(_ username: String = "anna_host", name: String = "Anna", price: Int64 = 500, zone: String = "Europe/Madrid",
                 hours: String = "09:00-22:00", status: HostStatus = .online, linkedTo account: Int64? = nil) async throws -> Domain.Host {
        try await store.createHost(Domain.Host(
            username: TelegramUsername(parsing: username), displayName: DisplayName(parsing: name),
            bio: Bio(parsing: "Film & books <3"), pricePerMinute: PricePerMinute(Money(minorUnits: price, currency: .usd)),
            durations: DurationRange(min: 15, max: 120), zone: Zone(identifier: zone)!, availability: WeeklyAvailability(parsing: hours),
            status: status, telegramUserID: account.map(TelegramUserID.init)), at: clock.now)
    }

    func cleanUp() async {
        await fake.stop()
        await store.close()
        if let dropDatabase { return await dropDatabase() }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    // MARK: Scripting

    /// Waits for the chat's newest bot message to contain `text`.
    @discardableResult
    func expectLast(_ chat: Int64, contains text: String, timeout: Duration = .seconds(20)) async throws -> Message {
        let fake = self.fake
        do {
            try await fake.waitUntil(timeout: timeout) {
                let last = await fake.lastMessage(chat: chat)
                return (last?.text ?? last?.caption ?? "").contains(text)
            }
        } catch {
            let last = await fake.lastMessage(chat: chat)
            Issue.record("chat \(chat): expected a message containing “\(text)”; last is “\(last?.text ?? last?.caption ?? "none")”, buttons \(last.map(fake.buttonLabels) ?? [])")
            throw error
        }
        return await fake.lastMessage(chat: chat)!
    }

    /// Taps a button and waits until the bot answered the callback query.
    func tap(_ label: String, as user: User) async throws {
        try await fake.tap(label, as: user)
        let fake = self.fake
        try await fake.waitUntil(timeout: .seconds(20)) { await fake.unansweredCallbackQueries().isEmpty }
    }
}
