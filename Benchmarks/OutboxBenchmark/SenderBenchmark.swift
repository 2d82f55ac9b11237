import App
import Domain
import FakeTelegram
import Foundation
import ServiceLifecycle
import Storage
import Telegram

/// Part 2: the whole sender, end to end — `OutboxSender` as the server runs it (claim, pacing, renew, HTTP
/// to the strict fake Bot API on loopback, mark sent), both in this process, so the fake's work (HTTP, JSON,
/// HTML validation, recording) shares the cores.
enum SenderBenchmark {
    struct Run {
        var label: String
        var messages: Int
        var chats: Int
        var perChatInterval: Duration
        var globalPerSecond: Int
        /// Adds the index the claim query lacks (`OutboxStorageBenchmark.chatIndex`; benchmark only).
        var withChatIndex = false
    }

    static func run(_ engine: Engine, _ runs: [Run], table: Table) async throws {
        for run in runs {
            try await withDatabase(engine) { database in
                let store = try await database.openStore()
                if run.withChatIndex { try await database.execute(OutboxStorageBenchmark.chatIndex) }
                let fake = try await FakeBotAPI.start()
                do {
                    try await measure(run, engine: engine, store: store, fake: fake, table: table)
                } catch {
                    await fake.stop()
                    throw error
                }
                await fake.stop()
            }
        }
    }

    static func measure(_ run: Run, engine: Engine, store: any Store, fake: FakeBotAPI, table: Table) async throws {
        let chats = (0..<run.chats).map { Int64(3_000_000 + $0) }
        // The fake only writes to chats whose user wrote to the bot first.
        for chat in chats { _ = await fake.sendText("/start", from: User(id: chat, firstName: "User \(chat)")) }
        for start in stride(from: 0, to: run.messages, by: 500) {
            try await store.enqueue((start..<min(start + 500, run.messages)).map {
                OutboxStorageBenchmark.message($0, chat: chats[$0 % chats.count])
            }, at: benchStart)
        }
        let client = TelegramClient(token: fake.token, baseURL: fake.baseURL, logger: quietLogger)
        let sender = BenchmarkEntryPoints.outboxSender(
            store: store, api: client, clock: .fixed(benchStart), instance: "bench", logger: quietLogger,
            perChatInterval: run.perChatInterval, globalPerSecond: run.globalPerSecond)
        let clock = ContinuousClock()
        let began = clock.now
        let running = Task { try await sender.run() }
        // Done when every message is recorded as sent (polled every 20 ms: one COUNT on an index).
        let deadline = began + .seconds(120)
        while try await store.pendingOutboxCount() > 0, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let elapsed = began.duration(to: clock.now)
        running.cancel()
        _ = await running.result

        let sends = await fake.calls("sendMessage")
        let accepted = sends.filter { $0.status == 200 }
        let span = accepted.count > 1 ? accepted[0].at.duration(to: accepted[accepted.count - 1].at) : .zero
        // Telegram's view: the most sends in any one second, and the closest two sends to one chat.
        var busiest = 0, low = 0
        for high in accepted.indices {
            while accepted[low].at + .seconds(1) <= accepted[high].at { low += 1 }
            busiest = max(busiest, high - low + 1)
        }
        var last: [Int64: ContinuousClock.Instant] = [:]
        var closest: Duration?
        for call in accepted {
            guard let chat = (try? call.decode(SendMessage.self))?.chatId else { continue }
            if let previous = last[chat] { closest = min(closest ?? .seconds(3600), previous.duration(to: call.at)) }
            last[chat] = call.at
        }
        let perSecond = Double(accepted.count) / elapsed.seconds
        let spanRate = span > .zero ? Double(accepted.count - 1) / span.seconds : 0
        table.add([
            "\(engine)", run.label + (run.withChatIndex ? ", + chat index" : ""), "\(fmtInt(run.messages)) / \(fmtInt(run.chats))", fmt(elapsed.seconds, 2) + " s", fmt(perSecond, 1),
            fmt(spanRate, 1), "\(busiest)", closest.map { fmt($0.milliseconds, 0) + " ms" } ?? "—",
            fmt(elapsed.seconds * 1e6 / Double(max(accepted.count, 1)), 0) + " µs",
            "\(fmtInt(accepted.count)) of \(fmtInt(run.messages))" + (sends.count == accepted.count ? "" : ", \(sends.count - accepted.count) refused"),
        ])
    }
}
