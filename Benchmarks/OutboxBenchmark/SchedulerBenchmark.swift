import App
import Domain
import Foundation
import Storage
import Synchronization

/// Part 3: one `CallScheduler` tick (as the server runs it: hold expiry, the due-step queries, then each step
/// in its own transaction with its outbox rows; Jitsi rooms with signed links) over `bookings` confirmed
/// bookings: every host has a 60-minute call in each slot, slots 96 minutes apart (10,000 bookings over 50
/// hosts: 200 slots, 13.3 days). 96 minutes divide 24 hours, so a slot's start is also the 24 h reminder
/// moment of the slot 15 later: 50 starts + 50 reminders due in one tick.
enum SchedulerBenchmark {
    static let callMinutes = 60
    static let slotMinutes = 96
    /// The first slot starts an hour after the benchmark's start.
    static let firstSlot = benchStart.adding(minutes: 60)

    static func run(_ engine: Engine, bookings: Int, hosts: Int, slots measured: Int, table: Table) async throws {
        try await withDatabase(engine) { database in
            let store = try await database.openStore()
            let (_, seeding) = try await timed { try await seed(store, bookings: bookings, hosts: hosts, concurrency: engine.isPostgres ? 8 : 1) }
            say("  [\(engine)] seeded \(fmtInt(bookings)) confirmed bookings over \(hosts) hosts in \(fmt(seeding.seconds, 1)) s")
            // Statistics as autovacuum keeps them on a live database (without them, the planner's guesses for a
            // freshly filled table make every query several times slower until autoanalyze runs).
            if engine.isPostgres { try await database.execute("ANALYZE") }

            let time = Mutex(firstSlot.adding(minutes: -16))
            let configuration = try AppConfiguration.load(environment: [
                "DATABASE_URL": "unused.sqlite", "DEFAULT_TIMEZONE": "Europe/Madrid", "JITSI_DOMAIN": "meet.example.org",
                "JITSI_APP_ID": "privatecalls", "JITSI_APP_SECRET": "0123456789abcdef0123456789abcdef-bench", "JITSI_AUDIENCE": "jitsi",
            ])
            let random = Mutex(SplitMix64(seed: 42))
            let tick = try BenchmarkEntryPoints.schedulerTick(
                configuration: configuration, store: store, clock: WallClock { time.withLock { $0 } },
                random: RandomSource { random.withLock { $0.next() } }, logger: quietLogger)

            var written = try await store.pendingOutboxCount()
            /// One tick at `at`: its time and the outbox rows it wrote.
            func tickAt(_ at: Instant) async throws -> (Duration, Int) {
                time.withLock { $0 = at }
                let (_, elapsed) = await timed { await tick() }
                let now = try await store.pendingOutboxCount()
                defer { written = now }
                return (elapsed, now - written)
            }

            // The first tick after downtime, 16 minutes before the first slot: the 24 h reminders of every slot
            // in the next day (15 slots × 50).
            let (catchUp, catchUpRows) = try await tickAt(firstSlot.adding(minutes: -16))
            table.add(["\(engine)", "first tick after downtime: 750 × 24 h reminder", "1", fmt(catchUp.milliseconds, 1), fmt(catchUp.milliseconds, 1), fmtInt(catchUpRows)])

            var kinds: [(label: String, offset: Int, samples: [Duration], rows: Set<Int>)] = [
                ("nothing due (750 calls within 24 h, 15 min reminders not yet due)", 1, [], []),
                ("50 × 15 min reminder", -15, [], []),
                ("100 due: 50 starts (2 links each) + 50 × 24 h reminder", 0, [], []),
                ("50 ends (review prompt)", callMinutes, [], []),
            ]
            for slot in 0..<measured {
                let start = firstSlot.adding(minutes: slot * slotMinutes)
                // In time order: reminder, start, idle minutes, end.
                for (index, offset) in [(1, -15), (2, 0), (0, 1), (0, 2), (0, 3), (3, callMinutes)] {
                    let (elapsed, rows) = try await tickAt(start.adding(minutes: offset))
                    kinds[index].samples.append(elapsed)
                    kinds[index].rows.insert(rows)
                }
            }
            // Where an idle tick's time goes: its four queries, timed alone (the tick runs them in this order).
            let at = time.withLock { $0 }
            let (upcoming, upcomingTime) = try await timed { try await store.upcomingCalls(at: at, withinMinutes: 24 * 60) }
            let (_, expiryTime) = try await timed { try await store.expireLapsedHolds(at: at) }
            let (_, startTime) = try await timed { try await store.callsToStart(at: at) }
            let (_, endTime) = try await timed { try await store.callsToEnd(at: at) }
            say("  [\(engine)] idle tick's queries: expireLapsedHolds \(fmt(expiryTime.milliseconds, 2)) ms, upcomingCalls "
                + "\(fmt(upcomingTime.milliseconds, 2)) ms (\(upcoming.count) rows), callsToStart \(fmt(startTime.milliseconds, 2)) ms, "
                + "callsToEnd \(fmt(endTime.milliseconds, 2)) ms")
            for kind in kinds {
                let rows = kind.rows.count == 1 ? fmtInt(kind.rows.first ?? 0) : kind.rows.sorted().map(String.init).joined(separator: "–")
                table.add(["\(engine)", kind.label, "\(kind.samples.count)", fmt(percentile(kind.samples, 0.5).milliseconds, 2),
                           fmt(kind.samples.max()?.milliseconds ?? 0, 2), rows + " per tick"])
            }
        }
    }

    /// Hosts with Telegram accounts, 1,000 users (en/es), and the bookings: held and paid (Stars) two days
    /// before the benchmark's start, so every reminder is due to be sent.
    static func seed(_ store: any Store, bookings: Int, hosts: Int, concurrency: Int) async throws {
        let heldAt = benchStart.adding(days: -2)
        for h in 0..<hosts {
            _ = try await store.createHost(Domain.Host(
                username: TelegramUsername(parsing: "bench_host_\(h)"), displayName: DisplayName(parsing: "Host \(h)"),
                bio: Bio(parsing: "Benchmark host"), pricePerMinute: PricePerMinute(Money(minorUnits: 500, currency: .usd)),
                durations: DurationRange(min: 15, max: 120), zone: Zone(identifier: h % 2 == 0 ? "Europe/Madrid" : "America/New_York")!,
                availability: WeeklyAvailability(parsing: "00:00-24:00"), telegramUserID: TelegramUserID(Int64(5_000_000 + h))), at: heldAt)
        }
        let hostIDs = try await store.hosts(listedOnly: false).compactMap(\.id)
        let users = 1_000
        for u in 0..<users {
            try await store.saveUser(UserProfile(id: TelegramUserID(Int64(6_000_000 + u)), firstName: "User \(u)", language: u % 2 == 0 ? "en" : "es"), at: heldAt)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    for i in stride(from: lane, to: bookings, by: concurrency) {
                        let hold = try Booking.hold(
                            hostID: hostIDs[i % hostIDs.count], userID: TelegramUserID(Int64(6_000_000 + i % users)),
                            start: firstSlot.adding(minutes: slotMinutes * (i / hostIDs.count)), minutes: callMinutes,
                            pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: heldAt, holdMinutes: 30)
                        guard let id = try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id else { continue }
                        _ = try await store.apply(.paymentConfirmed(method: "stars", at: heldAt.adding(minutes: 1)), to: id)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
