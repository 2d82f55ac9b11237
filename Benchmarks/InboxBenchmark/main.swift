import Bot
import Domain
import FakeTelegram
import Foundation
import Logging
import Storage
import Telegram
import TestDatabases

// Several `privatecalls serve` processes (the release binary built next to this one) on one PostgreSQL
// database, polling the strict fake Bot API server (HTTP, in this process):
//   1. updates per second through the durable inbox with 1, 2 and 3 instances: users walk /start → Private
//      Calls → host → Book → day → time → duration (7 updates, each answered by an edit or a message); the
//      leader polls and keeps every update in the inbox, every instance claims and handles;
//   2. the delay between a SIGKILL of the instance sending a message and the next send of that message: by
//      another instance that sees the dead one's heartbeat lapse (claim lease 120 s), and by the same instance
//      restarted at once.
// Run in release:  swift build -c release && PRIVATECALLS_BENCH_POSTGRES_URL=postgres://… \
//                  swift run -c release privatecalls-inbox-bench [users]
// The figures go into docs/PERFORMANCE.md.

var logger = Logger(label: "inbox-bench")
logger.logLevel = .error
let environment = ProcessInfo.processInfo.environment
guard let adminText = [environment["PRIVATECALLS_BENCH_POSTGRES_URL"], environment["PRIVATECALLS_TEST_POSTGRES_URL"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
    print("set PRIVATECALLS_BENCH_POSTGRES_URL (or PRIVATECALLS_TEST_POSTGRES_URL) to a server where databases may be created")
    exit(2)
}
let admin = try PostgresURL(parsing: adminText)
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("privatecalls")
guard FileManager.default.isExecutableFile(atPath: binary.path) else {
    print("\(binary.path) not found: build it first (swift build -c release)")
    exit(2)
}
let users = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200 : 200
let clock = ContinuousClock()
print("cores: \(ProcessInfo.processInfo.activeProcessorCount), users: \(users), binary: \(binary.path)")

/// A fresh database with one bookable host, a fake Bot API, and `serve` processes on them.
final class Rig: @unchecked Sendable {
    let url: PostgresURL
    let store: any Store
    let fake: FakeBotAPI
    let dir: URL
    var processes: [String: Process] = [:]

    init() async throws {
        url = try await ThrowawayPostgres.create(on: admin, prefix: "pc_inbox_bench", marker: false, logger: logger)
        store = try await StoreFactory.open(.postgres(url), logger: logger)
        try await store.migrate()
        _ = try await store.createHost(Host(
            username: TelegramUsername(parsing: "anna_host"), displayName: DisplayName(parsing: "Anna"), bio: Bio(parsing: "Bench host"),
            pricePerMinute: PricePerMinute(Money(minorUnits: 500, currency: .usd)), durations: DurationRange(min: 15, max: 120),
            zone: Zone(identifier: "UTC")!, availability: WeeklyAvailability(parsing: "08:00-20:00")), at: wallNow())
        fake = try await FakeBotAPI.start(token: "765432:BENCH-token")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pc-inbox-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    var databaseText: String {
        let user = url.password.map { "\(url.username):\($0)" } ?? url.username
        return "postgres://\(user)@\(url.host):\(url.port)/\(url.database ?? "postgres")"
    }

    func start(_ name: String, extra: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"]
        process.environment = [
            "PATH": "/usr/bin:/bin", "DATABASE_URL": databaseText, "PORT": "0", "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.baseURL, "TELEGRAM_POLL_TIMEOUT": "1", "INSTANCE_NAME": name, "LOG_LEVEL": "error",
            "STARS_PER_USD": "50",
        ].merging(extra) { _, new in new }
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        processes[name] = process
    }

    /// Waits until every started instance beats and one of them polls.
    func waitUntilRunning() async throws {
        let names = Array(processes.keys)
        let store = self.store, fake = self.fake
        try await fake.waitUntil(timeout: .seconds(60)) {
            for name in names where (try? await store.leaseHolder("instance:\(name)", at: wallNow())) != name { return false }
            return !(await fake.calls("getUpdates").isEmpty)
        }
    }

    func kill(_ name: String) {
        guard let process = processes.removeValue(forKey: name) else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func close() async {
        for process in processes.values { process.terminate() }
        for process in processes.values { process.waitUntilExit() }
        processes = [:]
        await fake.stop()
        await store.close()
        try? await ThrowawayPostgres.drop(url, admin: admin, logger: logger)
        try? FileManager.default.removeItem(at: dir)
    }
}

func dayLabel(daysAhead: Int) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "EEE d MMM"
    return formatter.string(from: Date().addingTimeInterval(Double(daysAhead) * 86_400))
}

// MARK: 1. Throughput

print("\n| instances | users | updates | elapsed | updates per second | inbox rows done | attempts > 1 |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for instances in [1, 2, 3] {
    let rig = try await Rig()
    for i in 0..<instances { try rig.start("i\(i)") }
    try await rig.waitUntilRunning()
    let fake = rig.fake
    let people = (0..<users).map { User(id: Int64(200_000 + $0), firstName: "User\($0)", languageCode: "en") }
    let steps = ["📞 Private Calls", "🟢 Anna · $5.00/min", "📅 Book a call", "UTC", dayLabel(daysAhead: 2), "12:00", "60 min · $300.00"]
    let began = clock.now
    let failures = await withTaskGroup(of: Int.self) { tasks in
        for person in people {
            tasks.addTask {
                var failed = 0
                await fake.sendText("/start", from: person)
                do {
                    try await fake.waitUntil(timeout: .seconds(120)) { await fake.lastMessage(chat: person.id) != nil }
                    for label in steps {
                        let before = await fake.lastMessage(chat: person.id)?.text
                        _ = try await fake.tap(label, as: person)
                        try await fake.waitUntil(timeout: .seconds(120)) { await fake.lastMessage(chat: person.id)?.text != before }
                    }
                } catch {
                    failed += 1
                }
                return failed
            }
        }
        var total = 0
        for await failed in tasks { total += failed }
        return total
    }
    let elapsed = clock.now - began
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let updates = users * 7
    // The last replies can arrive a moment before their rows are marked done.
    let store = rig.store
    try await fake.waitUntil(timeout: .seconds(30)) { (try? await store.openInboxCount()) == 0 }
    let done = try await rig.store.inbox(status: .done)
    let retried = done.filter { $0.attempts > 1 }.count
    let line = String(format: "| %d | %d | %d | %.2f s | %.0f | %d | %d |", instances, users, updates, seconds, Double(updates) / seconds, done.count, retried)
    print(line + (failures > 0 ? " (\(failures) users did not finish)" : ""))
    await rig.close()
}

// MARK: 2. Crash → next send

/// Kills the instance sending a held message; returns the time from the kill to the message's next send.
func crashDelay(restartSame: Bool) async throws -> Duration {
    let rig = try await Rig()
    let long = ["OUTBOX_LEASE_SECONDS": "120"]
    try rig.start("alpha", extra: long)
    try await rig.waitUntilRunning()
    let chat = User(id: 300_001, firstName: "Crash", languageCode: "en")
    let known = await rig.fake.sendText("/settings", from: chat)
    _ = known
    let store = rig.store, fake = rig.fake
    try await fake.waitUntil(timeout: .seconds(30)) {
        guard (try? await store.openInboxCount()) == 0 else { return false }
        return !(await fake.messages(chat: chat.id).isEmpty)
    }
    if !restartSame {
        try rig.start("beta", extra: long)
        try await rig.waitUntilRunning()
    }
    let sentBefore = await fake.calls("sendMessage").count
    await fake.dropNext("sendMessage", chat: chat.id, after: .seconds(300))
    try await store.enqueue([.send(SendMessage(chatId: chat.id, text: "after a crash"), kind: "bench.crash", dedupeKey: "crash")],
                            at: wallNow())
    // Claimed and in flight: the fake holds the request.
    try await fake.waitUntil(timeout: .seconds(30)) { await fake.calls("sendMessage").count > sentBefore }
    let holder = try await store.outbox(status: .sending).first?.claimedBy ?? "alpha"
    rig.kill(holder)
    let killed = clock.now
    if restartSame { try rig.start(holder, extra: long) }
    try await fake.waitUntil(timeout: .seconds(300)) { await fake.calls("sendMessage").filter { $0.status == 200 }.count > sentBefore }
    let delay = clock.now - killed
    await rig.close()
    return delay
}

print("\n| crash of the sending instance | runs | median | max |")
print("|---|---:|---:|---:|")
for restartSame in [false, true] {
    var delays: [Duration] = []
    for _ in 0..<5 { delays.append(try await crashDelay(restartSame: restartSame)) }
    delays.sort()
    func text(_ d: Duration) -> String {
        String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
    print("| \(restartSame ? "restarted at once (same INSTANCE_NAME)" : "another instance takes over (not restarted)") | \(delays.count) | \(text(delays[2])) | \(text(delays[4])) |")
}

/// The processes' clock: the system's, in whole seconds.
@Sendable func wallNow() -> Instant { Instant(epochSeconds: Int64(Date().timeIntervalSince1970.rounded(.down))) }
