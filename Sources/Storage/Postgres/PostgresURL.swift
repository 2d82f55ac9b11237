/// The parts of a `postgres://user:password@host:port/database` URL. Parsed by hand: PostgresNIO's
/// configuration has no URL initialiser.
public struct PostgresURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// The URL without its password, safe for logs.
    public var redacted: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database ?? "")"
    }

    public init(parsing text: String) throws(DatabaseURLError) {
        var rest = Substring(text)
        if rest.hasPrefix("postgresql://") { rest = rest.dropFirst("postgresql://".count) }
        else if rest.hasPrefix("postgres://") { rest = rest.dropFirst("postgres://".count) }
        else { throw .malformed("it must start with postgres:// or postgresql://") }
        if let q = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: q)...]
            for item in query.split(separator: "&") where !item.isEmpty {
                let pair = item.split(separator: "=", maxSplits: 1)
                let key = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
                guard key == "sslmode", value == "disable" || value == "prefer" || value == "allow" else {
                    throw .malformed("unsupported option “\(key)”; only sslmode=disable is understood")
                }
            }
            rest = rest[..<q]
        }
        var userInfo: Substring = ""
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var hostPort = rest
        var database: String?
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            let db = rest[rest.index(after: slash)...]
            database = db.isEmpty ? nil : try Self.decode(db)
        }
        var host = String(hostPort)
        var port = 5432
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            host = String(hostPort[..<colon])
            let portText = hostPort[hostPort.index(after: colon)...]
            guard let p = Int(portText), (1...65535).contains(p) else { throw .malformed("the port “\(portText)” is not a number from 1 to 65535") }
            port = p
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .malformed("it names no host") }
        var username = "postgres"
        var password: String?
        if !userInfo.isEmpty {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = try Self.decode(parts[0])
            if parts.count > 1 { password = try Self.decode(parts[1]) }
        }
        guard !username.isEmpty else { throw .malformed("it names no user") }
        self.init(host: host, port: port, username: username, password: password, database: database)
    }

    /// Percent-decoding of URL parts (a password may hold "@" as %40).
    static func decode(_ s: Substring) throws(DatabaseURLError) -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let utf8 = s.utf8
        while i != utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h1 = utf8.index(after: i)
                guard h1 != utf8.endIndex, utf8.index(after: h1) != utf8.endIndex,
                      let v = UInt8(String(decoding: [utf8[h1], utf8[utf8.index(after: h1)]], as: UTF8.self), radix: 16) else {
                    throw .malformed("it has a broken %-escape")
                }
                bytes.append(v)
                i = utf8.index(i, offsetBy: 3)
            } else {
                bytes.append(b)
                i = utf8.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
