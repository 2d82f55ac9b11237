import Foundation
import Logging
import NIOCore
import SQLKit
import Synchronization

@testable import Storage

/// Fails one chosen write inside chosen transactions, to prove fulfilment and refunds are all-or-nothing.
/// Writes (INSERT, UPDATE, DELETE) are counted, from the moment of arming, across the transactions whose
/// first statement starts with one of `prefixes`; the `failAt`-th one throws `InjectedFault` (once).
final class Faults: Sendable {
    struct State {
        var prefixes: [String] = []
        var failAt = 0
        var seen = 0
        var fired = false
    }
    let state = Mutex(State())

    func arm(failAtWrite n: Int, inTransactionsStartingWith prefixes: [String]) {
        state.withLock { $0 = State(prefixes: prefixes, failAt: n, seen: 0, fired: false) }
    }
    func disarm() { state.withLock { $0.prefixes = [] } }
    var fired: Bool { state.withLock { $0.fired } }
    /// Writes counted since arming.
    var writes: Int { state.withLock { $0.seen } }

    /// Called for every statement of a transaction whose first statement was `first`.
    func check(first: String, statement: String) -> InjectedFault? {
        let upper = statement.drop { $0.isWhitespace }.prefix(6).uppercased()
        guard ["INSERT", "UPDATE", "DELETE"].contains(upper) else { return nil }
        return state.withLock { s in
            guard !s.prefixes.isEmpty, s.prefixes.contains(where: { first.hasPrefix($0) }) else { return nil }
            s.seen += 1
            guard s.seen == s.failAt, !s.fired else { return nil }
            s.fired = true
            return InjectedFault(write: s.seen, statement: String(statement.prefix(80)))
        }
    }
}

struct InjectedFault: Error, CustomStringConvertible {
    let write: Int
    let statement: String
    var description: String { "injected fault at write \(write): \(statement)" }
}

/// The real engine, with every write transaction's statements passed by `Faults` first.
struct FaultyEngine: SQLEngine {
    let base: any SQLEngine
    let faults: Faults

    var flavor: SQLFlavor { base.flavor }

    func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let first = Opening()
        return try await base.transaction { db in try await body(FaultyDatabase(base: db, faults: faults, first: first)) }
    }

    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T { try await base.read(body) }
    func classify(_ error: any Error) -> StoreError? { base.classify(error) }
    func close() async { await base.close() }

    /// A SQLite store whose writes can be made to fail.
    static func sqliteStore(path: String, faults: Faults, logger: Logger) async throws -> any Store {
        SQLStore(engine: FaultyEngine(base: try await SQLiteEngine.open(path: path, logger: logger), faults: faults), logger: logger)
    }
}

/// The first statement of one transaction.
final class Opening: Sendable {
    let statement = Mutex<String?>(nil)
}

final class FaultyDatabase: SQLDatabase, @unchecked Sendable {
    let base: any SQLDatabase
    let faults: Faults
    let first: Opening

    init(base: any SQLDatabase, faults: Faults, first: Opening) {
        self.base = base
        self.faults = faults
        self.first = first
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func fault(_ query: any SQLExpression) -> InjectedFault? {
        let sql = base.serialize(query).sql
        let opening = first.statement.withLock { f in
            if f == nil { f = sql.trimmingCharacters(in: .whitespacesAndNewlines) }
            return f!
        }
        return faults.check(first: opening, statement: sql)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        if let fault = fault(query) { return eventLoop.makeFailedFuture(fault) }
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        if let fault = fault(query) { throw fault }
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.withSession { db in try await closure(FaultyDatabase(base: db, faults: self.faults, first: self.first)) }
    }
}
