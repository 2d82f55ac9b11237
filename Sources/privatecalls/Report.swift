import App
import ArgumentParser
import Domain
import Foundation
import Logging
import Storage

/// `privatecalls report`: the business figures (bookings, revenue, commission, ratings, busiest hours, rates,
/// payouts) as text tables, or the ledger as CSV. Reads only; never migrates or writes.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print analytics (text) or export the commission ledger (csv).",
        discussion: """
            The window is [--from 00:00, the day after --to 00:00) in --zone: both dates are included. Bookings \
            are counted by their start, ledger rows and payouts by when they were recorded; ratings are all-time.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, csv
    }

    @OptionGroup var common: CommonOptions
    @Option(help: "IANA time zone for dates and the busiest hours (default: DEFAULT_TIMEZONE).") var zone: String?
    @Option(help: "First day included, YYYY-MM-DD in --zone.") var from: String?
    @Option(help: "Last day included, YYYY-MM-DD in --zone.") var to: String?
    @Option(help: "text (analytics tables) or csv (the ledger, RFC 4180).") var format: Format = .text

    func validate() throws {
        if let zone, Zone(identifier: zone) == nil {
            throw ValidationError("--zone: “\(zone)” is not an IANA time zone (e.g. Europe/Madrid)")
        }
        let first = try Self.date(from, "--from"), last = try Self.date(to, "--to")
        if let first, let last, last < first {
            throw ValidationError("--to (\(last)) is before --from (\(first))")
        }
    }

    static func date(_ text: String?, _ option: String) throws -> LocalDate? {
        guard let text else { return nil }
        guard let date = LocalDate(iso: text) else { throw ValidationError("\(option): “\(text)” is not a date like 2026-03-31") }
        return date
    }

    func run() async throws {
        let overrides = common.overrides
        // A report on a SQLite file that is not there would create an empty database and report nothing.
        if let configuration = try? AppConfiguration.load(environment: ProcessInfo.processInfo.environment, overrides: overrides),
           case .sqlite(let path) = configuration.database, !FileManager.default.fileExists(atPath: path) {
            Startup.fail("DATABASE_URL: there is no SQLite database at \(path)")
        }
        try await Startup.run(overrides: overrides) { configuration, store, _ in
            let zone = self.zone.flatMap(Zone.init(identifier:)) ?? configuration.defaultZone
            let first = try Self.date(from, "--from"), last = try Self.date(to, "--to")
            let start = first.map { zone.instant(of: $0, minuteOfDay: 0) }
            let end = last.map { zone.instant(of: $0.adding(days: 1), minuteOfDay: 0) }
            let output: String
            switch format {
            case .csv:
                output = try await store.ledgerCSV(from: start, to: end)
            case .text:
                let report = try await store.analyticsReport(from: start, to: end, zone: zone)
                let hosts = try await store.hosts(listedOnly: false)
                let names = Dictionary(hosts.compactMap { h in h.id.map { ($0, h.displayName.value) } }, uniquingKeysWith: { a, _ in a })
                let window = "\(first.map(\.description) ?? "the beginning") to \(last.map(\.description) ?? "now")"
                output = AnalyticsText.render(
                    report, hostNames: names, title: "PrivateCalls report: \(window), times in \(zone.identifier) (\(store.engineName))")
                    + "\n" + MoneyOwedText.render(try await store.moneyOwed())
            }
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }
}
