import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// The engines a contract test runs on: SQLite always; PostgreSQL when `PRIVATECALLS_TEST_POSTGRES_URL`
/// names a server we may create databases on (CI always sets it).
enum Engine: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["PRIVATECALLS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var available: [Engine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// A fresh, migrated store per test: a new SQLite file, or a new PostgreSQL database that is dropped after.
enum TestDatabase {
    static let logger: Logger = {
        var l = Logger(label: "storage-tests")
        l.logLevel = .warning
        return l
    }()

    static func withStore(_ engine: Engine, _ body: (any Store) async throws -> Void) async throws {
        switch engine {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("privatecalls-tests", isDirectory: true)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("\(UUID().uuidString).sqlite").path
            let store = try await StoreFactory.open(.sqlite(path: path), logger: logger)
            do {
                try await store.migrate()
                try await body(store)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }

        case .postgres:
            guard let text = Engine.postgresURL else { Issue.record("PRIVATECALLS_TEST_POSTGRES_URL is not set"); return }
            let admin = try PostgresURL(parsing: text)
            let name = "pc_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
            try await adminQuery(admin, "CREATE DATABASE \(name)")
            PostgresMarker.record(name)
            var url = admin
            url.database = name
            let store = try await StoreFactory.open(.postgres(url), logger: logger)
            do {
                try await store.migrate()
                try await body(store)
            } catch {
                await store.close()
                try? await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                throw error
            }
            await store.close()
            try await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    static func adminQuery(_ url: PostgresURL, _ sql: String) async throws {
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
}

/// Leaves evidence that the PostgreSQL suites really ran: CI counts these lines and fails on zero.
enum PostgresMarker {
    static func record(_ database: String) {
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

@Suite("PostgreSQL configuration")
struct PostgresConfigurationTests {
    /// CI sets PRIVATECALLS_REQUIRE_POSTGRES=1: then a missing URL is a failure, not a silent skip.
    @Test func postgresSuitesAreConfiguredWhenRequired() {
        let required = ProcessInfo.processInfo.environment["PRIVATECALLS_REQUIRE_POSTGRES"] == "1"
        if required {
            #expect(Engine.postgresURL != nil, "PRIVATECALLS_REQUIRE_POSTGRES=1 but PRIVATECALLS_TEST_POSTGRES_URL is unset")
        }
    }
}
