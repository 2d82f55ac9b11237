import Foundation
import Logging
import PostgresNIO
import Storage
import TestDatabases
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
            ThrowawayPostgres.recordMarker(name)
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
        try await ThrowawayPostgres.execute(sql, on: url, logger: logger)
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
