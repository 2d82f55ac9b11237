import Domain
import Logging
import SQLKit

/// The `Store` over SQL, written once for both engines. Each method is one transaction or one read.
public final class SQLStore: Store {
    let engine: any SQLEngine
    let logger: Logger

    init(engine: any SQLEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    public var engineName: String { engine.flavor.rawValue }
    var flavor: SQLFlavor { engine.flavor }

    public func close() async { await engine.close() }

    public func ping() async throws {
        _ = try await read { db in try await db.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int64.self) }
    }

    /// A write transaction whose engine errors are mapped to `StoreError` where they mean something.
    func write<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await engine.transaction(body)
        } catch let error as StoreError {
            throw error
        } catch {
            if let mapped = engine.classify(error) { throw mapped }
            throw error
        }
    }

    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await engine.read(body)
    }

    /// `FOR UPDATE` where the engine has row locks (SQLite's writer already holds the whole database).
    var forUpdate: SQLQueryString { flavor == .postgres ? " FOR UPDATE" : "" }

    // MARK: Migrations

    public func migrate() async throws {
        let flavor = self.flavor
        let logger = self.logger
        try await write { db in
            if flavor == .postgres {
                // Several instances may start at once: one migrates, the others wait and find nothing to do.
                try await db.raw("SELECT pg_advisory_xact_lock(727274737)").run()
            }
            try await db.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
                )
                """).run()
            let applied = Set(try await db.raw("SELECT version FROM schema_migrations").all().map {
                try $0.decode(column: "version", as: Int64.self)
            })
            for migration in Schema.migrations where !applied.contains(Int64(migration.version)) {
                for statement in migration.statements(flavor) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw("INSERT INTO schema_migrations (version, name) VALUES (\(bind: migration.version), \(bind: migration.name))").run()
                logger.info("migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }

    public func appliedMigrations() async throws -> [Int] {
        try await read { db in
            try await db.raw("SELECT version FROM schema_migrations ORDER BY version").all().map {
                Int(try $0.decode(column: "version", as: Int64.self))
            }
        }
    }

    // MARK: Conversations

    public func conversationState(chatID: Int64) async throws -> String? {
        try await read { db in
            try await db.raw("SELECT state FROM conversation_state WHERE chat_id = \(bind: chatID)").first()?
                .decode(column: "state", as: String.self)
        }
    }

    public func setConversationState(chatID: Int64, _ state: String?, at now: Instant) async throws {
        try await write { db in
            if let state {
                try await db.raw("""
                    INSERT INTO conversation_state (chat_id, state, updated_at) VALUES (\(bind: chatID), \(bind: state), \(bind: now.epochSeconds))
                    ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    """).run()
            } else {
                try await db.raw("DELETE FROM conversation_state WHERE chat_id = \(bind: chatID)").run()
            }
        }
    }

    // MARK: Audit

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await write { db in try await Self.insertAudit(entry, db) }
    }

    static func insertAudit(_ e: AuditEntry, _ db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO audit_log (actor_telegram_id, actor_role, action, entity, entity_id, before_value, after_value, created_at)
            VALUES (\(bind: e.actor), \(bind: e.role), \(bind: e.action), \(bind: e.entity), \(bind: e.entityID),
                    \(bind: e.before), \(bind: e.after), \(bind: e.at.epochSeconds))
            """).run()
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try await db.raw("SELECT * FROM audit_log ORDER BY id DESC LIMIT \(bind: limit)").all().map(Self.decodeAudit)
        }
    }
}

extension SQLStore {
    static func decodeAudit(_ row: any SQLRow) throws -> AuditEntry {
        AuditEntry(
            actor: try row.optional("actor_telegram_id", Int64.self), role: try row.decode(column: "actor_role", as: String.self),
            action: try row.decode(column: "action", as: String.self), entity: try row.decode(column: "entity", as: String.self),
            entityID: try row.decode(column: "entity_id", as: String.self), before: try row.optional("before_value", String.self),
            after: try row.optional("after_value", String.self), at: Instant(epochSeconds: try row.decode(column: "created_at", as: Int64.self)))
    }
}

extension SQLRow {
    /// A nullable column.
    func optional<T: Decodable>(_ column: String, _ type: T.Type) throws -> T? {
        try decodeNil(column: column) ? nil : decode(column: column, as: T.self)
    }

    func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func int(_ column: String) throws -> Int { Int(try decode(column: column, as: Int64.self)) }
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func bool(_ column: String) throws -> Bool { try decode(column: column, as: Bool.self) }
    func instant(_ column: String) throws -> Instant { Instant(epochSeconds: try int64(column)) }
}
