// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "privatecalls",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "privatecalls", targets: ["privatecalls"]),
        .executable(name: "privatecalls-bench", targets: ["SlotBenchmark"]),
        .executable(name: "privatecalls-bot-bench", targets: ["BotBenchmark"]),
        .executable(name: "privatecalls-outbox-bench", targets: ["OutboxBenchmark"]),
        .executable(name: "privatecalls-inbox-bench", targets: ["InboxBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    ],
    targets: [
        // Pure rules: money, availability, slots, booking lifecycle. No I/O, no clock reads.
        .target(name: "Domain", swiftSettings: strict),
        // One storage contract, two engines (SQLite, PostgreSQL) over SQLKit.
        .target(
            name: "Storage",
            dependencies: [
                "Domain",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The Telegram Bot API: Codable types and an HTTP client with a configurable base URL.
        .target(
            name: "Telegram",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Payment providers behind one protocol: Stripe first (Checkout Sessions, refunds, signed webhooks).
        .target(
            name: "Payments",
            dependencies: [
                "Domain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Video rooms behind one protocol: Jitsi (HS256 JWT per participant) and Agora (AccessToken2 "007").
        .target(
            name: "VideoRooms",
            dependencies: [
                "Domain",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Test support: a Hummingbird server on 127.0.0.1:0 for the test doubles.
        .target(
            name: "LocalServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Test support: a Stripe Checkout Sessions double that checks requests as Stripe documents them.
        .target(
            name: "FakeStripe",
            dependencies: [
                "LocalServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A strict fake Telegram Bot API server speaking HTTP on port 0: the tests' Telegram, and the playground's.
        .target(
            name: "FakeTelegram",
            dependencies: [
                "Telegram", "LocalServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Test support: throwaway PostgreSQL databases (create, drop, raw SQL, CI's marker) for tests and benchmarks.
        .target(
            name: "TestDatabases",
            dependencies: ["Storage", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The conversation: commands and buttons → screens, holds through the store, replies through the Bot API.
        // The use cases: the rules every face (the bot, the web) calls, with an actor and typed outcomes.
        .target(
            name: "Core",
            dependencies: ["Domain", "Storage", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "Bot",
            dependencies: ["Domain", "Storage", "Telegram", "Core", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The server: configuration, HTTP routes, long-running services.
        .target(
            name: "App",
            dependencies: [
                "Domain", "Storage", "Core", "Bot", "Telegram", "Payments", "VideoRooms",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `serve` without a Telegram token: the bot against the simulated Telegram, with a web chat at `/`.
        .target(
            name: "Playground",
            dependencies: [
                "App", "FakeTelegram", "Storage", "Domain", "Telegram",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "privatecalls",
            dependencies: [
                "App", "Storage", "Domain", "Playground",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "BotBenchmark",
            dependencies: [
                "App", "Storage", "Domain", "Telegram", "FakeTelegram",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/BotBenchmark",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "InboxBenchmark",
            dependencies: ["Storage", "Domain", "Bot", "Telegram", "FakeTelegram", "TestDatabases", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/InboxBenchmark",
            swiftSettings: strict
        ),
        .executableTarget(name: "SlotBenchmark", dependencies: ["Domain"], path: "Benchmarks/SlotBenchmark", swiftSettings: strict),
        .executableTarget(
            name: "OutboxBenchmark",
            dependencies: [
                "App", "Storage", "Domain", "Bot", "Telegram", "FakeTelegram", "TestDatabases",
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/OutboxBenchmark",
            swiftSettings: strict
        ),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: strict),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "Domain", "TestDatabases", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PaymentsTests",
            dependencies: ["Payments", "FakeStripe", "Domain", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core", "Storage", "Domain", .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "VideoRoomsTests", dependencies: ["VideoRooms", "Domain", "FakeStripe"], swiftSettings: strict),
        .testTarget(name: "BotTests", dependencies: ["Bot", "Domain", "Telegram"], swiftSettings: strict),
        .testTarget(name: "FakeTelegramTests", dependencies: ["FakeTelegram", "Telegram"], swiftSettings: strict),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "Core", "Storage", "Domain", "Telegram", "FakeTelegram", "FakeStripe", "Bot", "VideoRooms", "TestDatabases",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
