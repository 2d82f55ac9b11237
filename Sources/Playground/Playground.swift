import App
import Domain
import FakeTelegram
import Foundation
import Hummingbird
import Logging
import Storage
import Synchronization
import Telegram

/// `serve` without a Telegram token: the real bot (the same engine, inbox, outbox, scheduler and payments code)
/// against the strict fake Bot API, started in this process on a loopback port, with a web chat at `/` to use
/// it as a few people at once, demo hosts, and a clock that can jump ahead to a call's reminders, start and end.
public final class Playground: Sendable {
    public let fake: FakeBotAPI
    /// The personas the page offers (their chats are private chats with the bot).
    public let personas: [Persona]
    /// How far the playground's clock is ahead of the wall clock, in seconds.
    private let offset = Mutex<Int64>(0)
    let store: any Store
    let logger: Logger

    public struct Persona: Codable, Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var role: String
        public var language: String
        public var username: String?

        var user: User { User(id: id, firstName: name, username: username, languageCode: language) }
    }

    public static let admin = Persona(id: 7_000_001, name: "Ada", role: "admin", language: "en", username: "ada_admin")
    public static let host = Persona(id: 7_000_010, name: "Anna", role: "host", language: "en", username: "anna_demo")
    public static let defaultPersonas = [
        Persona(id: 7_000_101, name: "María", role: "user", language: "en", username: "maria"),
        Persona(id: 7_000_102, name: "Juan", role: "user", language: "es", username: "juan"),
        host, admin,
    ]

    init(fake: FakeBotAPI, personas: [Persona], store: any Store, logger: Logger) {
        self.fake = fake
        self.personas = personas
        self.store = store
        self.logger = logger
    }

    /// The playground's clock: the wall clock plus the jumps made from the page.
    public var clock: WallClock {
        WallClock { [self] in WallClock.system.now().adding(seconds: offset.withLock { $0 }) }
    }

    func jump(seconds: Int64) { offset.withLock { $0 += max(0, seconds) } }

    /// Starts the simulated Telegram and turns `configuration` into the playground's: the bot talks to the
    /// simulator by long polling, the admin persona is an admin (unless ADMIN_TELEGRAM_IDS says otherwise), and
    /// Telegram Stars is offered when nothing else is configured, so a booking can always be paid. Seeds the demo
    /// hosts on the first start (an empty database).
    public static func start(configuration: inout AppConfiguration, store: any Store, logger: Logger) async throws -> Playground {
        var fakeLogger = logger
        fakeLogger[metadataKey: "component"] = "simulated-telegram"
        let token = "7000000:PLAYGROUND-\(UUID().uuidString.prefix(8))"
        let fake = try await FakeBotAPI.start(token: token, logger: fakeLogger)
        configuration.telegram = TelegramSettings(token: token, apiURL: fake.baseURL, mode: .polling, publicURL: nil,
                                                  webhookSecret: UUID().uuidString, pollTimeout: 1)
        if configuration.adminIDs.isEmpty { configuration.adminIDs = [TelegramUserID(admin.id)] }
        if configuration.starsPerUSD == nil { configuration.starsPerUSD = 50 }
        // A jump of the clock shows its reminders, call start and end within a couple of seconds.
        configuration.schedulerIntervalSeconds = min(configuration.schedulerIntervalSeconds, 2)
        let playground = Playground(fake: fake, personas: defaultPersonas, store: store, logger: logger)
        try await DemoData.prepare(store: store, fake: fake, host: host, now: WallClock.system.now())
        // Everyone has "opened the bot" (Telegram delivers nothing to a chat that never started it).
        for persona in defaultPersonas { await fake.open(chatWith: persona.user) }
        return playground
    }

    /// "Reset": every row of the playground's database erased, the demo world seeded again, the chats emptied
    /// and the clock back to now.
    func reset() async throws {
        try await store.eraseAllData()
        offset.withLock { $0 = 0 }
        await fake.startOver()
        try await DemoData.prepare(store: store, fake: fake, host: Self.host, now: clock.now())
        for persona in personas { await fake.open(chatWith: persona.user) }
        logger.notice("playground reset")
    }

    public func stop() async { await fake.stop() }
}

/// The playground is for trying the bot on one's own machine: only on a loopback address unless
/// `PLAYGROUND_PUBLIC=1` says otherwise (anyone who reaches it can act as any persona, the admin included).
public enum PlaygroundGate {
    public static func allowed(host: String, environment: [String: String]) -> Bool {
        if environment["PLAYGROUND_PUBLIC"] == "1" { return true }
        return ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
    }
}
