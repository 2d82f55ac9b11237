import App
import ArgumentParser
import Domain
import Foundation
import Logging
import Playground
import Storage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate the database, then run the HTTP server and the bot.")

    @OptionGroup var common: CommonOptions
    @Option(help: "HOST: listen address.") var hostname: String?
    @Option(help: "PORT: listen port (0 picks a free one).") var port: Int?

    func run() async throws {
        var overrides = common.overrides
        if let hostname { overrides["HOST"] = hostname }
        if let port { overrides["PORT"] = String(port) }
        let environment = ProcessInfo.processInfo.environment
        let playground = (environment["TELEGRAM_BOT_TOKEN"] ?? "").isEmpty
        // The playground keeps its own database unless one is named.
        if playground, (environment["DATABASE_URL"] ?? "").isEmpty, overrides["DATABASE_URL"] == nil {
            overrides["DATABASE_URL"] = "privatecalls-playground.sqlite"
        }
        try await Startup.run(overrides: overrides) { configuration, store, logger in
            var configuration = configuration
            try await store.migrate()
            var simulator: Playground?
            if playground {
                guard PlaygroundGate.allowed(host: configuration.host, environment: environment) else {
                    Startup.fail("no TELEGRAM_BOT_TOKEN: the playground only listens on a loopback HOST (127.0.0.1, ::1, localhost); "
                                 + "set PLAYGROUND_PUBLIC=1 to serve it on \(configuration.host)")
                }
                simulator = try await Playground.start(configuration: &configuration, store: store, logger: logger)
                let shown = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
                logger.notice("no TELEGRAM_BOT_TOKEN: playground at http://\(shown):\(configuration.port)/")
            }
            logger.info("starting", metadata: [
                "database": "\(configuration.database)", "address": "\(configuration.host):\(configuration.port)",
                "commission": "\(configuration.commission)", "holdMinutes": "\(configuration.holdMinutes)",
            ])
            do {
                try await runServer(configuration: configuration, store: store, clock: simulator?.clock ?? .system, logger: logger) { router in
                    simulator?.register(on: router)
                }
            } catch {
                await simulator?.stop()
                throw error
            }
            await simulator?.stop()
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations and exit.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await Startup.run(overrides: common.overrides) { configuration, store, logger in
            let before = try? await store.appliedMigrations()
            try await store.migrate()
            let after = try await store.appliedMigrations()
            let new = after.count - (before?.count ?? 0)
            print("migrated \(configuration.database): schema version \(after.last ?? 0) (\(new) applied now)")
        }
    }
}

/// Loads configuration, sets up logging, opens the store and closes it again — and turns every start-up
/// failure into one clear line on stderr and exit status 1.
enum Startup {
    static func run(
        overrides: [String: String], _ body: (AppConfiguration, any Store, Logger) async throws -> Void
    ) async throws {
        let configuration: AppConfiguration
        do {
            configuration = try AppConfiguration.load(environment: ProcessInfo.processInfo.environment, overrides: overrides)
        } catch {
            fail(error.description)
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "privatecalls")
        let store: any Store
        do {
            store = try await StoreFactory.open(configuration.database, logger: logger)
        } catch {
            fail("DATABASE_URL: \(error)")
        }
        do {
            try await body(configuration, store, logger)
            await store.close()
        } catch {
            await store.close()
            fail("\(error)")
        }
    }

    static func fail(_ line: String) -> Never {
        FileHandle.standardError.write(Data("privatecalls: \(line)\n".utf8))
        exit(1)
    }
}
