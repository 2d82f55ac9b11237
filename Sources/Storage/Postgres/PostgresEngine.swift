import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through a `PostgresClient` pool. The client's run loop lives in a task owned by the engine.
final class PostgresEngine: SQLEngine {
    let flavor = SQLFlavor.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>

    private init(client: PostgresClient) {
        self.client = client
        self.runTask = Task { await client.run() }
    }

    /// Connects once directly first, so a wrong URL fails at once with the server's reason instead of the
    /// pool retrying in the background.
    static func open(_ url: PostgresURL, logger: Logger) async throws -> PostgresEngine {
        var config = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: .disable)
        config.options.connectTimeout = .seconds(5)
        config.options.maximumConnections = 10
        let probe = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: .disable)
        do {
            let connection = try await PostgresConnection.connect(configuration: probe, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw StorageOpenError.cannotConnect(url.redacted, reason: Self.reason(error))
        }
        return PostgresEngine(client: PostgresClient(configuration: config, backgroundLogger: logger))
    }

    static func reason(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            if let underlying = e.underlying { return "\(underlying)" }
            return "\(e.code)"
        }
        return "\(error)"
    }

    func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let db = connection.sql(queryLogLevel: nil)
            try await db.raw("BEGIN").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }

    func classify(_ error: any Error) -> StoreError? {
        guard let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] else { return nil }
        switch state {
        case "23P01": return .slotTaken // exclusion_violation: bookings_no_overlap
        case "23505": return .duplicate(e.serverInfo?[.detail] ?? "a unique value")
        case "23514", "23503", "23502": return .invalidData(e.serverInfo?[.message] ?? state)
        default: return nil
        }
    }

    func close() async {
        runTask.cancel()
        _ = await runTask.value
    }
}
