import Bot
import Domain
import Logging
import ServiceLifecycle
import Storage

/// Entry points for the benchmarks (Benchmarks/OutboxBenchmark), which cannot use `@testable import`: the
/// outbox sender and one scheduler tick, built as `buildApplication` builds them, with only the knobs a
/// benchmark turns. Nothing in the app calls these, and they change nothing in how the app behaves.
public enum BenchmarkEntryPoints {
    /// The `OutboxSender` service `buildApplication` runs (default batch, lease, poll interval), over `api`,
    /// with its pacing set: `perChatInterval` between two sends to one chat, `globalPerSecond` overall.
    public static func outboxSender(
        store: any Store, api: any BotAPI, clock: WallClock, instance: String, logger: Logger,
        perChatInterval: Duration = .seconds(1), globalPerSecond: Int = 30
    ) -> any Service {
        OutboxSender(
            store: store, api: api, now: { clock.now() }, instance: instance, logger: logger,
            perChatInterval: perChatInterval, globalPerSecond: globalPerSecond)
    }

    /// One tick of the `CallScheduler` `buildApplication` runs — with notices (in each recipient's language)
    /// and the configured video rooms (`configuration.video`), so due starts make both join links. `random`
    /// makes the room names. Lapsed holds are expired, but nobody is told (there is no payments runtime).
    public static func schedulerTick(
        configuration: AppConfiguration, store: any Store, clock: WallClock, random: RandomSource = .system, logger: Logger
    ) throws -> @Sendable () async -> Void {
        let now: @Sendable () -> Instant = { clock.now() }
        let rooms = AppCallRooms(
            provider: try configuration.video.makeProvider(), store: store, now: now, random: random,
            graceMinutes: configuration.video.graceMinutes)
        let scheduler = CallScheduler(
            store: store, now: now, interval: .seconds(configuration.schedulerIntervalSeconds), onExpired: { _ in },
            notices: Notices(store: store, defaultZone: configuration.defaultZone), rooms: rooms, logger: logger)
        return { await scheduler.tick() }
    }
}
