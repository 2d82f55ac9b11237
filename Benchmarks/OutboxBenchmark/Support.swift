import Domain
import Foundation
import Logging
import PostgresNIO
import SQLiteKit
import Storage
import Synchronization
import TestDatabases

/// The benchmark's fixed "now": Wed 2026-11-25 08:00 UTC. Storage sees this injected instant; timings use
/// the real `ContinuousClock`.
let benchStart = Instant(epochSeconds: 1_795_564_800 + 8 * 3600)

let verbose = ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil

let quietLogger: Logger = {
    var l = Logger(label: "outbox-bench")
    l.logLevel = ProcessInfo.processInfo.environment["BENCH_LOG"] == nil ? .critical : .debug
    return l
}()

/// Which engine a scenario runs on.
enum Engine: CustomStringConvertible {
    case sqlite
    /// An admin URL on a server where throwaway databases may be created.
    case postgres(PostgresURL)

    var description: String {
        switch self {
        case .sqlite: "SQLite"
        case .postgres: "PostgreSQL"
        }
    }

    var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }
}

/// A throwaway database: a SQLite file in the temporary directory or a fresh PostgreSQL database, dropped
/// (deleted) by `drop()`. Stores open on it are closed by `drop()` too.
final class BenchDatabase: @unchecked Sendable {
    let engine: Engine
    let location: DatabaseLocation
    private var stores: [any Store] = []
    private let admin: PostgresURL?
    private let name: String

    private init(engine: Engine, location: DatabaseLocation, admin: PostgresURL?, name: String) {
        self.engine = engine
        self.location = location
        self.admin = admin
        self.name = name
    }

    static func create(_ engine: Engine) async throws -> BenchDatabase {
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        switch engine {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("pc-outbox-bench-\(token).sqlite").path
            return BenchDatabase(engine: engine, location: .sqlite(path: path), admin: nil, name: path)
        case .postgres(let admin):
            let name = "pc_bench_\(token)"
            try await Self.postgres(admin, "CREATE DATABASE \(name)")
            var url = admin
            url.database = name
            return BenchDatabase(engine: engine, location: .postgres(url), admin: admin, name: name)
        }
    }

    /// Opens a store (one connection pool: one server instance) on this database and migrates it.
    func openStore() async throws -> any Store {
        let store = try await StoreFactory.open(location, logger: quietLogger)
        stores.append(store)
        try await store.migrate()
        return store
    }

    /// Runs raw SQL outside the store (bulk seeding only), on a connection of its own.
    func execute(_ sql: String) async throws {
        switch location {
        case .sqlite(let path):
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: quietLogger)
            do {
                _ = try await connection.sql().raw("PRAGMA busy_timeout = 5000").all()
                try await connection.sql().raw("\(unsafeRaw: sql)").run()
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        case .postgres(let url):
            try await Self.postgres(url, sql)
        }
    }

    func drop() async {
        for store in stores { await store.close() }
        stores = []
        switch location {
        case .sqlite(let path):
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        case .postgres:
            if let admin { try? await Self.postgres(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        }
    }

    static func postgres(_ url: PostgresURL, _ sql: String) async throws {
        try await ThrowawayPostgres.execute(sql, on: url, logger: quietLogger)
    }
}

/// Runs `body` on a fresh database, dropping it afterwards whatever happens.
func withDatabase<T>(_ engine: Engine, _ body: (BenchDatabase) async throws -> T) async throws -> T {
    let database = try await BenchDatabase.create(engine)
    do {
        let result = try await body(database)
        await database.drop()
        return result
    } catch {
        await database.drop()
        throw error
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1e3 }
}

/// Times `body` on the continuous clock.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let began = clock.now
    let value = try await body()
    return (value, began.duration(to: clock.now))
}

/// The value below which `p` of the samples fall (nearest rank); 0 when there are none.
func percentile(_ samples: [Duration], _ p: Double) -> Duration {
    guard !samples.isEmpty else { return .zero }
    let sorted = samples.sorted()
    let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// A Markdown table, printed as it is pasted into docs/PERFORMANCE.md.
final class Table: Sendable {
    let title: String
    let header: [String]
    private let box = Mutex<[[String]]>([])
    var rows: [[String]] { box.withLock { $0 } }

    init(_ title: String, _ header: [String]) {
        self.title = title
        self.header = header
    }

    func add(_ row: [String]) { box.withLock { $0.append(row) } }

    func print() {
        say("\n### \(title)\n")
        say("| " + header.joined(separator: " | ") + " |")
        say("|" + header.enumerated().map { $0.offset == 0 ? "---" : "---:" }.joined(separator: "|") + "|")
        for row in rows { say("| " + row.joined(separator: " | ") + " |") }
    }
}

func fmt(_ value: Double, _ digits: Int = 0) -> String {
    let text = String(format: "%.\(digits)f", value)
    guard digits == 0, value >= 1_000 else { return text }
    // Thousands separators for big whole numbers, as in the other tables.
    var out = ""
    for (i, c) in text.reversed().enumerated() {
        if i > 0, i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return String(out.reversed())
}

func fmtInt(_ value: Int) -> String { fmt(Double(value)) }

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}

/// Prints a line at once (stdout to a pipe is block-buffered; progress should show while it runs).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
