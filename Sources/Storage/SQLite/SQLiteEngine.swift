import Logging
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLite on one file, through one connection. Every transaction and read takes an async lock first, so
/// transactions never interleave inside this process; `BEGIN IMMEDIATE` takes SQLite's write lock at the
/// start, and `busy_timeout` makes another process wait (with sleeps, not a spin) instead of failing.
/// Queries are never logged (`queryLogLevel: nil`, as on PostgreSQL): sqlite-kit's default logs every query with
/// its binds at debug, and binds carry calendar feed tokens, outbox payloads and names.
final class SQLiteEngine: SQLEngine {
    let flavor = SQLFlavor.sqlite
    private let connection: SQLiteConnection
    private let mutex = AsyncMutex()

    private init(connection: SQLiteConnection) { self.connection = connection }

    static func open(path: String, logger: Logger) async throws -> SQLiteEngine {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let db = connection.sql(queryLogLevel: nil)
        do {
            _ = try await db.raw("PRAGMA busy_timeout = 15000").all()
            _ = try await db.raw("PRAGMA journal_mode = WAL").all()
            _ = try await db.raw("PRAGMA synchronous = NORMAL").all()
            _ = try await db.raw("PRAGMA foreign_keys = ON").all()
        } catch {
            try? await connection.close()
            throw error
        }
        return SQLiteEngine(connection: connection)
    }

    func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await mutex.withLock {
            let db = connection.sql(queryLogLevel: nil)
            try await Self.begin(db)
            do {
                let result = try await body(db)
                try await Self.finish(db, "COMMIT")
                return result
            } catch {
                try? await Self.finish(db, "ROLLBACK")
                throw error
            }
        }
    }

    /// `BEGIN IMMEDIATE`. Should an earlier transaction have been left open on the connection (its end refused
    /// — it must never happen, see `finish`), it is rolled back first rather than wedging every later write.
    private static func begin(_ db: any SQLDatabase) async throws {
        do {
            try await db.raw("BEGIN IMMEDIATE").run()
        } catch let error as SQLiteError where error.message.contains("within a transaction") {
            try await finish(db, "ROLLBACK")
            try await db.raw("BEGIN IMMEDIATE").run()
        }
    }

    /// COMMIT or ROLLBACK in a task of its own: the caller's cancellation (a service stopping at shutdown in the
    /// middle of a transaction) must not stop the transaction from ending, or the one connection stays inside it.
    private static func finish(_ db: any SQLDatabase, _ statement: SQLQueryString) async throws {
        try await Task { try await db.raw(statement).run() }.value
    }

    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await mutex.withLock { try await body(connection.sql(queryLogLevel: nil)) }
    }

    func classify(_ error: any Error) -> StoreError? {
        guard let e = error as? SQLiteError else { return nil }
        switch e.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return .duplicate(e.message)
        case .constraint, .constraintCheckFailed, .constraintForeignKeyFailed, .constraintNotNullFailed: return .invalidData(e.message)
        default: return nil
        }
    }

    func close() async {
        _ = try? await mutex.withLock { try await connection.close() }
    }
}
