import Storage
import Testing

@Suite("DATABASE_URL parsing")
struct DatabaseLocationTests {
    @Test(arguments: [
        ("privatecalls.sqlite", DatabaseLocation.sqlite(path: "privatecalls.sqlite")),
        ("sqlite://data/app.sqlite", .sqlite(path: "data/app.sqlite")),
        ("sqlite:///var/lib/app.sqlite", .sqlite(path: "/var/lib/app.sqlite")),
        ("/tmp/x.db", .sqlite(path: "/tmp/x.db")),
        ("postgres://app:s%40cret@db.internal:6543/calls", .postgres(PostgresURL(host: "db.internal", port: 6543, username: "app", password: "s@cret", database: "calls"))),
        ("postgresql://app@localhost/calls?sslmode=disable", .postgres(PostgresURL(host: "localhost", port: 5432, username: "app", password: nil, database: "calls"))),
    ])
    func parses(text: String, expected: DatabaseLocation) throws {
        #expect(try DatabaseLocation(parsing: text) == expected)
    }

    @Test(arguments: ["", "   ", "mysql://root@localhost/db", "postgres://app@host:notaport/db", "postgres://app@:5432/db", "postgres://app@host/db?sslmode=verify-full", "sqlite://"])
    func rejects(text: String) {
        #expect(throws: DatabaseURLError.self) { try DatabaseLocation(parsing: text) }
    }

    @Test func redactsThePassword() throws {
        let location = try DatabaseLocation(parsing: "postgres://app:topsecret@db:5432/calls")
        #expect(!location.description.contains("topsecret"))
        #expect(location.description == "postgres://app:***@db:5432/calls")
    }
}
