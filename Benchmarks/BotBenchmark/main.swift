import App
import Domain
import FakeTelegram
import Foundation
import Logging
import ServiceLifecycle
import Storage
import Telegram

// Updates handled per second through the full flow: the strict fake Bot API server (HTTP, same process) →
// long polling → the bot → its replies recorded by the fake. Each simulated user walks /start → Private
// Calls → host → Book → day → time → duration: 7 updates, each answered with an edit or a message.
// Run in release:  swift run -c release privatecalls-bot-bench [users]
// The figures go into docs/PERFORMANCE.md.

func residentKiB(_ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }
    return -1
}

let users = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100 : 100
var logger = Logger(label: "bot-bench")
logger.logLevel = .error
let fake = try await FakeBotAPI.start()
let path = FileManager.default.temporaryDirectory.appendingPathComponent("pc-bench-\(UUID().uuidString).sqlite").path
let store = try await StoreFactory.open(.sqlite(path: path), logger: logger)
try await store.migrate()
let start = Instant(epochSeconds: 1_795_564_800 + 8 * 3600) // Wed 2026-11-25 08:00 UTC
_ = try await store.createHost(Host(
    username: TelegramUsername(parsing: "anna_host"), displayName: DisplayName(parsing: "Anna"), bio: Bio(parsing: "Bench host"),
    pricePerMinute: PricePerMinute(Money(minorUnits: 500, currency: .usd)), durations: DurationRange(min: 15, max: 120),
    zone: Zone(identifier: "Europe/Madrid")!, availability: WeeklyAvailability(parsing: "09:00-22:00")), at: start)
let configuration = try AppConfiguration.load(environment: [
    "DATABASE_URL": path, "PORT": "0", "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.baseURL,
    "TELEGRAM_POLL_TIMEOUT": "1", "DEFAULT_TIMEZONE": "Europe/Madrid", "LOG_LEVEL": "error",
])
let app = buildApplication(configuration: configuration, store: store, clock: .fixed(start), logger: logger)
let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
let running = Task { try await group.run() }
try await fake.waitUntil(timeout: .seconds(10)) { await !fake.calls("getUpdates").isEmpty }
try await Task.sleep(for: .milliseconds(500))
let idle = residentKiB("VmRSS")

let people = (0..<users).map { User(id: Int64(100_000 + $0), firstName: "User\($0)", languageCode: "en") }
let steps = ["📞 Private Calls", "🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "60 min · $300.00"]
let clock = ContinuousClock()
let began = clock.now
await withTaskGroup(of: Void.self) { tasks in
    for person in people {
        tasks.addTask {
            await fake.sendText("/start", from: person)
            try? await fake.waitUntil(timeout: .seconds(60)) { await fake.lastMessage(chat: person.id) != nil }
            for label in steps {
                let before = await fake.lastMessage(chat: person.id)?.text
                _ = try? await fake.tap(label, as: person)
                try? await fake.waitUntil(timeout: .seconds(60)) { await fake.lastMessage(chat: person.id)?.text != before }
            }
        }
    }
}
let elapsed = began.duration(to: clock.now)
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let loaded = residentKiB("VmRSS"), peak = residentKiB("VmHWM")
let finished = await people.asyncCount { await fake.lastMessage(chat: $0.id)?.text?.contains("Your booking") == true }
print("users: \(users), updates: \(users * 7), completed flows: \(finished)")
print(String(format: "elapsed: %.2f s, updates per second: %.0f, replies recorded: %d", seconds, Double(users * 7) / seconds, await fake.calls().count))
print("memory (whole process, fake server included): idle RSS \(idle / 1024) MiB, after load RSS \(loaded / 1024) MiB, peak \(peak / 1024) MiB")
await group.triggerGracefulShutdown()
_ = await running.result
await fake.stop()
await store.close()
for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }

extension Array where Element: Sendable {
    func asyncCount(_ predicate: (Element) async -> Bool) async -> Int {
        var n = 0
        for e in self where await predicate(e) { n += 1 }
        return n
    }
}
