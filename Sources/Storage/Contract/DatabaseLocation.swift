import Domain
import Logging
import SQLiteNIO

/// Where the data lives, from `DATABASE_URL`: a PostgreSQL URL, or a SQLite file.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// `postgres://…`/`postgresql://…` → PostgreSQL; `sqlite://path`, `sqlite:path` or a plain path → SQLite.
    public init(parsing text: String) throws(DatabaseURLError) {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw .malformed("it is empty") }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(try PostgresURL(parsing: trimmed))
        } else if trimmed.hasPrefix("sqlite://") || trimmed.hasPrefix("sqlite:") {
            let path = String(trimmed.drop(while: { $0 != ":" }).dropFirst())
            let cleaned = path.hasPrefix("//") ? String(path.dropFirst(2)) : path
            guard !cleaned.isEmpty else { throw .malformed("sqlite: needs a file path, e.g. sqlite://privatecalls.sqlite") }
            self = .sqlite(path: cleaned)
        } else if let scheme = Self.scheme(of: trimmed) {
            throw .unsupportedScheme(scheme)
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// "mysql" for "mysql://…"; nil for a plain path.
    static func scheme(of text: String) -> String? {
        let chars = Array(text)
        guard let colon = chars.firstIndex(of: ":"), colon > 0, chars.count > colon + 2,
              chars[colon + 1] == "/", chars[colon + 2] == "/",
              chars[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else { return nil }
        return String(chars[..<colon])
    }

    /// Safe for logs: no password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let url): url.redacted
        }
    }
}

public enum DatabaseURLError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case unsupportedScheme(String)

    public var description: String {
        switch self {
        case .malformed(let why): "is not a usable database URL: \(why)"
        case .unsupportedScheme(let s): "uses “\(s)://”, which is not supported (use postgres://… or a SQLite file path)"
        }
    }
}

public enum StorageOpenError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotConnect(String, reason: String)
    case cannotOpenFile(String, reason: String)

    public var description: String {
        switch self {
        case .cannotConnect(let url, let reason): "cannot connect to PostgreSQL at \(url): \(reason)"
        case .cannotOpenFile(let path, let reason): "cannot open the SQLite file \(path): \(reason)"
        }
    }
}

/// Opens the store for a location. The caller runs `migrate()` and, at the end, `close()`.
public enum StoreFactory {
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> any Store {
        switch location {
        case .sqlite(let path):
            do {
                return SQLStore(engine: try await SQLiteEngine.open(path: path, logger: logger), logger: logger)
            } catch let e as SQLiteError {
                throw StorageOpenError.cannotOpenFile(path, reason: e.message)
            }
        case .postgres(let url):
            return SQLStore(engine: try await PostgresEngine.open(url, logger: logger), logger: logger)
        }
    }
}
