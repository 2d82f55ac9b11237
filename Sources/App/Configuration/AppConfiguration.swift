import Domain
import Foundation
import Storage

/// Everything the server reads from its environment (flags may override). Parsing checks every value and
/// names the variable in its error, so a bad start-up stops with one clear line.
public struct AppConfiguration: Sendable {
    public var database: DatabaseLocation
    public var host: String
    public var port: Int
    public var commission: CommissionRate
    public var holdMinutes: Int
    public var slotRules: SlotRules
    public var defaultAvailability: WeeklyAvailability
    public var defaultZone: Zone
    public var adminIDs: Set<TelegramUserID>
    public var logLevel: String
    public var telegram: TelegramSettings?
    /// `PUBLIC_URL` (no trailing slash): this server's public base, for payment pages and callbacks (Stripe's
    /// return pages, ePayco, Agora's join page) and, only with `TELEGRAM_MODE=webhook`, Telegram's webhook.
    public var publicURL: String? = nil
    public var stripe: StripeSettings?
    /// ePayco; nil = not offered (see `EpaycoSettings`).
    public var epayco: EpaycoSettings? = nil
    /// Daimo Pay; nil = not offered (see `DaimoSettings`).
    public var daimo: DaimoSettings? = nil
    /// Video rooms for calls (`VIDEO_PROVIDER`, Jitsi or Agora; see `VideoSettings`).
    public var video: VideoSettings = .default
    /// How often the scheduler ticks (lapsed holds, reminders, call start and end).
    public var schedulerIntervalSeconds: Int
    /// Telegram Stars per US dollar; nil = Stars not offered.
    public var starsPerUSD: Int?
    /// Names this instance in outbox claims and logs (`INSTANCE_NAME`, default host-pid).
    public var instanceName = "privatecalls"
    /// How long an outbox sender's claim on a message holds (`OUTBOX_LEASE_SECONDS`); after it, another
    /// instance may take the message over. Renewed right before each send.
    public var outboxLeaseSeconds = 120
    /// How long a graceful shutdown (SIGTERM, SIGINT) may take (`SHUTDOWN_GRACE_SECONDS`): receiving stops at
    /// once, updates being handled and the send in progress finish; what is still running after it is cancelled.
    public var shutdownGraceSeconds = 20
    /// The user's refund and reschedule cut-off (`CANCELLATION_CUTOFF_HOURS`, 0…720, default 24).
    public var cancellation: CancellationPolicy = .standard
    /// Unpaid, unexpired holds one user may have at once (`MAX_LIVE_HOLDS_PER_USER`, 1…1000, default 2).
    public var maxLiveHoldsPerUser = 2

    public static let defaultDatabase = "privatecalls.sqlite"

    /// Reads the configuration from environment variables (see README's table). `overrides` win over the
    /// environment (flags of `privatecalls serve`).
    public static func load(environment: [String: String], overrides: [String: String] = [:]) throws(ConfigurationError) -> AppConfiguration {
        let env = environment.merging(overrides) { _, flag in flag }
        var reader = Reader(env: env)
        let database: DatabaseLocation
        let databaseText = env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultDatabase
        do {
            database = try DatabaseLocation(parsing: databaseText)
        } catch {
            throw ConfigurationError(variable: "DATABASE_URL", message: error.description)
        }
        let host = try reader.string("HOST", default: "127.0.0.1")
        let port = try reader.int("PORT", default: 8080, in: 0...65535)
        let commissionText = try reader.string("COMMISSION_PERCENT", default: "30")
        guard let commission = CommissionRate(percentText: commissionText) else {
            throw ConfigurationError(variable: "COMMISSION_PERCENT", message: "must be a percentage from 0 to 100 with at most two decimals, got “\(commissionText)”")
        }
        let hold = try reader.int("HOLD_MINUTES", default: 30, in: 5...1440)
        let horizon = try reader.int("BOOKING_HORIZON_DAYS", default: 14, in: 1...90)
        let slot = try reader.int("SLOT_MINUTES", default: 15, in: 5...60)
        guard 60 % slot == 0 else {
            throw ConfigurationError(variable: "SLOT_MINUTES", message: "must divide an hour (5, 10, 15, 20, 30 or 60), got \(slot)")
        }
        let notice = try reader.int("MINIMUM_NOTICE_MINUTES", default: 60, in: 0...10_080)
        let buffer = try reader.int("BUFFER_MINUTES", default: 0, in: 0...240)
        let availabilityText = try reader.string("DEFAULT_AVAILABILITY", default: "09:00-22:00")
        let availability: WeeklyAvailability
        do { availability = try WeeklyAvailability(parsing: availabilityText) } catch {
            throw ConfigurationError(variable: "DEFAULT_AVAILABILITY", message: error.description)
        }
        let zoneText = try reader.string("DEFAULT_TIMEZONE", default: "UTC")
        guard let zone = Zone(identifier: zoneText) else {
            throw ConfigurationError(variable: "DEFAULT_TIMEZONE", message: "“\(zoneText)” is not an IANA time zone (e.g. Europe/Madrid)")
        }
        var admins: Set<TelegramUserID> = []
        for item in try reader.string("ADMIN_TELEGRAM_IDS", default: "").split(separator: ",") {
            let text = item.trimmingSpaces()
            guard let id = Int64(text), id > 0 else {
                throw ConfigurationError(variable: "ADMIN_TELEGRAM_IDS", message: "must be comma-separated Telegram user ids, got “\(text)”")
            }
            admins.insert(TelegramUserID(id))
        }
        let logLevel = try reader.string("LOG_LEVEL", default: "info")
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigurationError(variable: "LOG_LEVEL", message: "must be one of trace, debug, info, notice, warning, error, critical; got “\(logLevel)”")
        }
        let interval = try reader.int("SCHEDULER_INTERVAL_SECONDS", default: 15, in: 1...3600)
        var stars: Int?
        if let text = value(env, "STARS_PER_USD") {
            guard let n = Int(text), (1...100_000).contains(n) else {
                throw ConfigurationError(variable: "STARS_PER_USD", message: "must be a whole number of Stars per US dollar from 1 to 100000, got “\(text)”")
            }
            stars = n
        }
        var configuration = AppConfiguration(
            database: database, host: host, port: port, commission: commission, holdMinutes: hold,
            slotRules: SlotRules(horizonDays: horizon, minimumNoticeMinutes: notice, bufferMinutes: buffer, gridMinutes: slot),
            defaultAvailability: availability, defaultZone: zone, adminIDs: admins, logLevel: logLevel,
            telegram: try telegram(env), stripe: try stripe(env), schedulerIntervalSeconds: interval,
            starsPerUSD: stars)
        // Later settings are read one per line below, each by its own function (keeps this list short).
        configuration.publicURL = try value(env, "PUBLIC_URL") == nil ? nil : httpURL(env, "PUBLIC_URL", default: "")
        configuration.instanceName = try reader.string("INSTANCE_NAME", default: defaultInstanceName())
        configuration.outboxLeaseSeconds = try reader.int("OUTBOX_LEASE_SECONDS", default: 120, in: 1...3600)
        configuration.shutdownGraceSeconds = try reader.int("SHUTDOWN_GRACE_SECONDS", default: 20, in: 1...600)
        configuration.epayco = try epayco(env)
        configuration.daimo = try daimo(env)
        configuration.video = try video(env)
        configuration.cancellation = try cancellationPolicy(reader)
        configuration.maxLiveHoldsPerUser = try reader.int("MAX_LIVE_HOLDS_PER_USER", default: 2, in: 1...1000)
        return configuration
    }

    private static func cancellationPolicy(_ reader: Reader) throws(ConfigurationError) -> CancellationPolicy {
        let range = CancellationPolicy.allowedCutoffHours
        let hours = try reader.int("CANCELLATION_CUTOFF_HOURS", default: CancellationPolicy.defaultCutoffHours, in: range)
        do { return try CancellationPolicy(cutoffHours: hours) } catch {
            throw ConfigurationError(variable: "CANCELLATION_CUTOFF_HOURS", message: error.description)
        }
    }

    /// host-pid: tells apart several `serve` instances sharing one database (outbox claims, logs).
    static func defaultInstanceName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    private struct Reader {
        let env: [String: String]

        func string(_ name: String, default value: String) throws(ConfigurationError) -> String {
            guard let raw = env[name] else { return value }
            let text = raw.trimmingSpaces()
            return text.isEmpty ? value : text
        }

        func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            let text = try string(name, default: String(value))
            guard let n = Int(text), range.contains(n) else {
                throw ConfigurationError(variable: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got “\(text)”")
            }
            return n
        }
    }
}

/// A configuration value that stops start-up. `description` is the one line printed.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let variable: String
    public let message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "configuration error: \(variable) \(message)" }
}
