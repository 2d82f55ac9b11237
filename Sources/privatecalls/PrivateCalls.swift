import App
import ArgumentParser
import Logging

@main
struct PrivateCalls: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privatecalls",
        abstract: "Paid 1:1 private video calls, booked through a Telegram bot.",
        subcommands: [Serve.self, Migrate.self, Report.self],
        defaultSubcommand: Serve.self)
}

/// Flags that mirror environment variables; a flag wins over its variable.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "DATABASE_URL: postgres://… or a SQLite file path.")
    var databaseURL: String?

    var overrides: [String: String] {
        var o: [String: String] = [:]
        if let databaseURL { o["DATABASE_URL"] = databaseURL }
        return o
    }
}
