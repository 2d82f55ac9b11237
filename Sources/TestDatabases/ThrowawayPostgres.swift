import Foundation
import Logging
import PostgresNIO
import Storage

/// Throwaway PostgreSQL databases for tests and benchmarks: a fresh database per use on a server where we may
/// create and drop them (`PRIVATECALLS_TEST_POSTGRES_URL` in tests), dropped again afterwards.
public enum ThrowawayPostgres {
    /// The server tests may create databases on; nil when unset (then PostgreSQL suites skip).
    public static var testServer: String? {
        ProcessInfo.processInfo.environment["PRIVATECALLS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Creates `<prefix>_<16 hex>` on `admin`'s server and returns its URL. With `marker`, the database is
    /// recorded where CI counts the PostgreSQL suites that really ran (see `recordMarker`).
    public static func create(on admin: PostgresURL, prefix: String, marker: Bool = true, logger: Logger) async throws -> PostgresURL {
        let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await execute("CREATE DATABASE \(name)", on: admin, logger: logger)
        if marker { recordMarker(name) }
        var url = admin
        url.database = name
        return url
    }

    /// Drops `database` (connected to through `admin`, forcing out any connection left).
    public static func drop(_ database: PostgresURL, admin: PostgresURL, logger: Logger) async throws {
        guard let name = database.database else { return }
        try await execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: admin, logger: logger)
    }

    /// Runs one SQL statement on a connection of its own (DDL, bulk seeding).
    public static func execute(_ sql: String, on url: PostgresURL, logger: Logger) async throws {
        let config = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database ?? "postgres", tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// Leaves evidence that a PostgreSQL suite really ran: a line on standard output, and one in the file named
    /// by `PRIVATECALLS_POSTGRES_MARKER` (scripts/test counts those and fails on zero).
    public static func recordMarker(_ database: String) {
        print("[postgres-suite] created test database \(database)")
        guard let path = ProcessInfo.processInfo.environment["PRIVATECALLS_POSTGRES_MARKER"], !path.isEmpty else { return }
        if let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() {
            handle.seekToEndOfFile()
            handle.write(Data("\(database)\n".utf8))
            try? handle.close()
        }
    }
}
