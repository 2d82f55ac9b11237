import SQLKit

/// The SQL dialects we speak. Queries are written once with SQLKit binds; only DDL and locking differ.
public enum SQLFlavor: String, Sendable {
    case sqlite
    case postgres
}

/// A database engine under `SQLStore`: how to run a transaction and a read.
protocol SQLEngine: Sendable {
    var flavor: SQLFlavor { get }
    /// Runs `body` in one write transaction; commits when it returns, rolls back when it throws.
    func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` for reading (no transaction guarantees beyond a single statement's).
    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T
    /// Maps an engine error to a `StoreError` where it has a meaning for the app.
    func classify(_ error: any Error) -> StoreError?
    func close() async
}
