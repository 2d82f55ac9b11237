import Foundation
import Storage

// The outbox and the scheduler, measured on a real SQLite file and — when PRIVATECALLS_BENCH_POSTGRES_URL (or
// PRIVATECALLS_TEST_POSTGRES_URL) names a server where databases may be created — on PostgreSQL, each scenario
// in a throwaway database dropped afterwards:
//   1. the outbox's store operations: enqueue; claim → renew → mark sent with 1 and 4 claimers (and two
//      instances on PostgreSQL); the claim query's latency behind 100,000 sent rows;
//   2. OutboxSender end to end against the fake Bot API: default pacing (must stay under 30/s), and unpaced;
//   3. one CallScheduler tick over 10,000 confirmed bookings and 50 hosts: nothing due, and 100 steps due.
// Run in release:  swift run -c release privatecalls-outbox-bench [sqlite|postgres] [storage|sender|scheduler]
// The figures go into docs/PERFORMANCE.md.

let arguments = Set(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
let postgresText = [environment["PRIVATECALLS_BENCH_POSTGRES_URL"], environment["PRIVATECALLS_TEST_POSTGRES_URL"]]
    .compactMap { $0 }.first { !$0.isEmpty }

var engines: [Engine] = []
if arguments.contains("sqlite") || !arguments.contains("postgres") { engines.append(.sqlite) }
if let postgresText, arguments.contains("postgres") || !arguments.contains("sqlite") {
    do {
        engines.append(.postgres(try PostgresURL(parsing: postgresText)))
    } catch {
        say("PRIVATECALLS_BENCH_POSTGRES_URL: \(error)")
        exit(2)
    }
} else if arguments.contains("postgres") {
    say("postgres asked for, but neither PRIVATECALLS_BENCH_POSTGRES_URL nor PRIVATECALLS_TEST_POSTGRES_URL is set")
    exit(2)
}
let parts = ["storage", "sender", "scheduler"]
let chosen = parts.filter(arguments.contains)
func wanted(_ part: String) -> Bool { chosen.isEmpty || chosen.contains(part) }

say("cores: \(ProcessInfo.processInfo.activeProcessorCount), engines: \(engines.map(\.description).joined(separator: ", "))")

let throughput = Table("Outbox store: enqueue; claim → renew → mark sent (10 messages per chat, claims of 30)",
                       ["engine", "operation", "claimers", "messages / chats", "elapsed", "messages/s", "claims, double sends, left"])
let latency = Table("Claim query latency (limit 30) behind a sent history (pending: 10 per chat)",
                    ["engine", "schema", "sent rows", "pending rows", "samples", "p50 ms", "p99 ms", "claimed"])
let sender = Table("OutboxSender end to end (fake Bot API over HTTP, same process)",
                   ["engine", "pacing", "messages / chats", "elapsed", "delivered/s", "first→last send/s", "most in any 1 s",
                    "closest 2 sends to a chat", "wall per message", "accepted"])
let scheduler = Table("CallScheduler tick (10,000 confirmed bookings over 13.3 days, 50 hosts, Jitsi links)",
                      ["engine", "tick", "ticks", "median ms", "max ms", "outbox rows written"])

let clock = ContinuousClock()
for engine in engines {
    if wanted("storage") {
        let (_, elapsed) = try await timed {
            try await OutboxStorageBenchmark.run(
                engine, enqueueCount: 10_000, chats: 1_000,
                drains: [.init(messages: 2_000, chats: 200, withChatIndex: false), .init(messages: 10_000, chats: 1_000, withChatIndex: true)],
                history: 100_000, pendings: [(1_000, false), (10_000, false), (10_000, true)], table: throughput, latency: latency)
        }
        say("  [\(engine)] outbox store: \(fmt(elapsed.seconds, 1)) s")
    }
    if wanted("sender") {
        let (_, elapsed) = try await timed {
            try await SenderBenchmark.run(engine, [
                .init(label: "default: 30/s, 1 s per chat", messages: 300, chats: 100, perChatInterval: .seconds(1), globalPerSecond: 30),
                .init(label: "lifted", messages: 3_000, chats: 1_000, perChatInterval: .zero, globalPerSecond: 1_000_000_000),
                .init(label: "lifted", messages: 3_000, chats: 1_000, perChatInterval: .zero, globalPerSecond: 1_000_000_000, withChatIndex: true),
            ], table: sender)
        }
        say("  [\(engine)] sender: \(fmt(elapsed.seconds, 1)) s")
    }
    if wanted("scheduler") {
        let (_, elapsed) = try await timed {
            try await SchedulerBenchmark.run(engine, bookings: 10_000, hosts: 50, slots: 8, table: scheduler)
        }
        say("  [\(engine)] scheduler: \(fmt(elapsed.seconds, 1)) s")
    }
}
if wanted("storage") {
    throughput.print()
    latency.print()
}
if wanted("sender") { sender.print() }
if wanted("scheduler") { scheduler.print() }
