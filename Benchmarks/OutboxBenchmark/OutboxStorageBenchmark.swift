import Bot
import Domain
import Foundation
import Storage
import Telegram

/// Part 1: the outbox's store operations alone, no HTTP. The work per message is what `OutboxSender` asks of
/// the store: one claim per batch of 30 (only each chat's head is claimable), then per message a renewal of
/// the claim right before sending and the "sent" mark right after.
enum OutboxStorageBenchmark {
    static let batch = 30
    static let lease: Int64 = 120

    /// A message like the real ones (a reminder with HTML), for `chat`.
    static func message(_ n: Int, chat: Int64) -> NewOutboxMessage {
        .send(
            SendMessage(chatId: chat, text: "⏰ <b>Reminder</b>: your call with <b>Anna</b> starts in 15 minutes (Wed 25 Nov, 18:00). Message \(n)."),
            kind: "bench.reminder", dedupeKey: "bench:\(n)")
    }

    /// `count` messages over `chats` chats, interleaved (message n → chat n % chats), so each chat's queue
    /// holds count/chats messages that must go out in order.
    static func messages(_ range: Range<Int>, chats: Int) -> [NewOutboxMessage] {
        range.map { message($0, chat: Int64(1_000_000 + $0 % chats)) }
    }

    /// The index the claim query lacks (see docs/PERFORMANCE.md): created by the benchmark only, in the
    /// scenarios marked "+ chat index", to show what it would change. The app's schema does not have it.
    static let chatIndex = "CREATE INDEX bench_outbox_chat ON outbox (chat_id, status)"

    struct Drain {
        var messages: Int
        var chats: Int
        var withChatIndex: Bool
    }

    static func run(_ engine: Engine, enqueueCount: Int, chats: Int, drains: [Drain], history: Int, pendings: [(Int, Bool)],
                    table: Table, latency: Table) async throws {
        // Enqueue, one transaction per 2 messages (a confirmation: the user's and the host's notice).
        try await withDatabase(engine) { database in
            let store = try await database.openStore()
            let all = messages(0..<enqueueCount, chats: chats)
            let (_, elapsed) = try await timed {
                for pair in stride(from: 0, to: all.count, by: 2) {
                    try await store.enqueue(Array(all[pair..<min(pair + 2, all.count)]), at: benchStart)
                }
            }
            table.add(["\(engine)", "enqueue, 2 messages per transaction", "1", "\(fmtInt(enqueueCount)) / \(fmtInt(chats))",
                       fmt(elapsed.seconds, 2) + " s", fmt(Double(enqueueCount) / elapsed.seconds), "—"])
        }
        for drain in drains {
            var shapes = [(stores: 1, claimers: 1), (stores: 1, claimers: 4)]
            if engine.isPostgres { shapes.append((stores: 2, claimers: 2)) }
            for shape in shapes {
                try await withDatabase(engine) { database in
                    var stores: [any Store] = []
                    for _ in 0..<shape.stores { stores.append(try await database.openStore()) }
                    if drain.withChatIndex { try await database.execute(chatIndex) }
                    for start in stride(from: 0, to: drain.messages, by: 500) {
                        try await stores[0].enqueue(messages(start..<min(start + 500, drain.messages), chats: drain.chats), at: benchStart)
                    }
                    let (result, drained) = try await timed { try await self.drain(stores, claimersPerStore: shape.claimers, total: drain.messages) }
                    let who = shape.stores == 1 ? "\(shape.claimers)" : "\(shape.stores) instances × \(shape.claimers)"
                    table.add(["\(engine)", "claim → renew → mark sent" + (drain.withChatIndex ? ", + chat index" : ""), who,
                               "\(fmtInt(drain.messages)) / \(fmtInt(drain.chats))", fmt(drained.seconds, 2) + " s",
                               fmt(Double(drain.messages) / drained.seconds), result.summary])
                }
            }
        }
        try await claimLatency(engine, history: history, pendings: pendings, table: latency)
    }

    struct DrainResult {
        var claims = 0
        /// Marks that found the claim lost or the row sent already: must stay 0 (no message twice).
        var anomalies = 0
        var pendingAfter = 0
        var summary: String { "\(fmtInt(claims)) claims, \(anomalies) double, \(pendingAfter) left" }
    }

    /// Claimers (`claimersPerStore` per store, each with its own name) claim, renew and mark sent until
    /// `total` messages are sent.
    static func drain(_ stores: [any Store], claimersPerStore: Int, total: Int) async throws -> DrainResult {
        let done = Counter()
        let results = try await withThrowingTaskGroup(of: DrainResult.self) { group in
            for (s, store) in stores.enumerated() {
                for c in 0..<claimersPerStore {
                    group.addTask {
                        var result = DrainResult()
                        let claimer = "instance-\(s)-claimer-\(c)"
                        while done.current < total {
                            let (claimed, took) = try await timed { try await store.claimOutbox(limit: batch, now: benchStart, lease: lease, claimer: claimer) }
                            if verbose { say("    claim \(result.claims): \(claimed.count) in \(fmt(took.milliseconds, 1)) ms, done \(done.current)") }
                            result.claims += 1
                            if claimed.isEmpty {
                                // Every head is held by another claimer: their marks free the next ones.
                                try await Task.sleep(for: .milliseconds(1))
                                continue
                            }
                            for message in claimed {
                                guard let claim = message.claim, try await store.renewOutboxClaim(claim, now: benchStart, lease: lease) else {
                                    result.anomalies += 1
                                    continue
                                }
                                if try await store.markOutboxSent(claim, at: benchStart) != .marked { result.anomalies += 1 }
                                done.add(1)
                            }
                        }
                        return result
                    }
                }
            }
            return try await group.reduce(into: [DrainResult]()) { $0.append($1) }
        }
        var total = DrainResult()
        for r in results {
            total.claims += r.claims
            total.anomalies += r.anomalies
        }
        total.pendingAfter = try await stores[0].pendingOutboxCount()
        return total
    }

    /// The claim query with a long history: `history` sent rows (over 10,000 chats, seeded in bulk with SQL),
    /// then for each of `pendings` (count, with the chat index) that many due messages over count/10 chats, in
    /// a fresh database. Each sample claims 30 and hands them back (pending, due now), so every claim sees the
    /// same queue; at most 200 samples or 5 s.
    static func claimLatency(_ engine: Engine, history: Int, pendings: [(Int, Bool)], table: Table) async throws {
        var first = true
        for (pending, withChatIndex) in pendings {
            try await withDatabase(engine) { database in
                let store = try await database.openStore()
                if withChatIndex { try await database.execute(chatIndex) }
                try await database.execute(seedSentHistory(engine, count: history))
                if engine.isPostgres { try await database.execute("ANALYZE outbox") }
                let index = withChatIndex ? "+ chat index" : "as is"
                if first {
                    // The idle poll: nothing due, only history.
                    let idle = try await sample { try await store.claimOutbox(limit: batch, now: benchStart, lease: lease, claimer: "probe") }
                    table.add(["\(engine)", index, fmtInt(history), "0", "\(idle.samples.count)", fmt(percentile(idle.samples, 0.5).milliseconds, 2),
                               fmt(percentile(idle.samples, 0.99).milliseconds, 2), "0"])
                    first = false
                }
                for start in stride(from: 0, to: pending, by: 500) {
                    try await store.enqueue(messages(history + start..<history + min(start + 500, pending), chats: max(pending / 10, 1)), at: benchStart)
                }
                let busy = try await sample {
                    let claimed = try await store.claimOutbox(limit: batch, now: benchStart, lease: lease, claimer: "probe")
                    return claimed
                } after: { claimed in
                    for message in claimed {
                        if let claim = message.claim { _ = try await store.rescheduleOutbox(claim, notBefore: benchStart, error: nil) }
                    }
                }
                table.add(["\(engine)", index, fmtInt(history), fmtInt(pending), "\(busy.samples.count)", fmt(percentile(busy.samples, 0.5).milliseconds, 2),
                           fmt(percentile(busy.samples, 0.99).milliseconds, 2), "\(busy.last.count)"])
            }
        }
    }

    /// Times `claim` up to 200 times or for 5 s, running `after` (untimed) after each.
    static func sample(
        _ claim: () async throws -> [OutboxMessage], after: ([OutboxMessage]) async throws -> Void = { _ in }
    ) async throws -> (samples: [Duration], last: [OutboxMessage]) {
        var samples: [Duration] = []
        var last: [OutboxMessage] = []
        var total = Duration.zero
        while samples.count < 200, total < .seconds(5) {
            let (claimed, elapsed) = try await timed { try await claim() }
            samples.append(elapsed)
            total += elapsed
            last = claimed
            try await after(claimed)
        }
        return (samples, last)
    }

    /// `count` sent rows, ids 1…count, over 10,000 chats, sent over the 30 days before `benchStart`.
    static func seedSentHistory(_ engine: Engine, count: Int) -> String {
        let payload = #"{"chat_id":0,"text":"An old notice","parse_mode":"HTML","link_preview_options":{"is_disabled":true}}"#
        let t = benchStart.epochSeconds
        let columns = "chat_id, kind, payload, dedupe_key, status, attempts, not_before, created_at, sent_at, claimed_by"
        let values = """
            2000000 + n % 10000, 'bench.history', '\(payload)', 'history:' || n, 'sent', 1,
            \(t) - 2592000 + n * 25, \(t) - 2592000 + n * 25, \(t) - 2592000 + n * 25 + 1, 'old-instance'
            """
        if engine.isPostgres {
            return "INSERT INTO outbox (\(columns)) SELECT \(values) FROM generate_series(1, \(count)) AS s(n)"
        }
        return "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < \(count)) INSERT INTO outbox (\(columns)) SELECT \(values) FROM s"
    }
}
