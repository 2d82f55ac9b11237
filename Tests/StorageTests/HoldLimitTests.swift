import Domain
import Storage
import Testing

/// One account cannot hoard the calendar: `createHold` refuses a user's hold beyond `maxLiveHolds` live ones,
/// decided inside its transaction (PostgreSQL: a per-user advisory lock; SQLite: the serialized writer).
@Suite("Live holds per user")
struct HoldLimitTests {
    static let limit = 2

    @Test(arguments: Engine.available)
    func fiftyConcurrentHoldsOfOneUserExactlyTheLimitWin(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            // 50 free, disjoint slots (30 minutes apart), all wanted by user 77 at the same moment.
            let holds = try (0..<50).map { i in try makeHold(host: host, user: 77, start: at(day: 1, hour: 0, minute: 30 * i), minutes: 30) }
            let outcomes = await withTaskGroup(of: Result<Booking, any Error>.self) { group in
                for hold in holds {
                    group.addTask {
                        do { return .success(try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: Self.limit)) } catch { return .failure(error) }
                    }
                }
                var all: [Result<Booking, any Error>] = []
                for await r in group { all.append(r) }
                return all
            }
            let wins = outcomes.compactMap { try? $0.get() }
            #expect(wins.count == Self.limit)
            let refusals = outcomes.compactMap { r -> [BookingID]? in
                guard case .failure(let e) = r, case StoreError.tooManyHolds(let open)? = e as? StoreError else { return nil }
                return open
            }
            #expect(refusals.count == 50 - Self.limit, "every other attempt gets the typed tooManyHolds, never anything else")
            // Each refusal names exactly the holds that won (earliest start first).
            let won = wins.sorted { $0.time.start < $1.time.start }.map { $0.id! }
            #expect(refusals.allSatisfy { $0 == won })
            let pending = try await store.bookings(userID: TelegramUserID(77)).filter { $0.status == .pending }
            #expect(pending.count == Self.limit)
        }
    }

    @Test(arguments: Engine.available)
    func lapsedCancelledAndOtherUsersHoldsDoNotCount(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let first = try await store.createHold(try makeHold(host: host, user: 5, start: at(day: 1, hour: 9)), bufferMinutes: 0, maxLiveHolds: 1)
            // At the limit: refused, naming the open hold; nothing is stored.
            do {
                _ = try await store.createHold(try makeHold(host: host, user: 5, start: at(day: 1, hour: 11)), bufferMinutes: 0, maxLiveHolds: 1)
                Issue.record("a second live hold was accepted with a limit of 1")
            } catch {
                #expect(error as? StoreError == .tooManyHolds(open: [first.id!]))
            }
            #expect(try await store.bookings(userID: TelegramUserID(5)).count == 1)
            // Another user is not affected.
            _ = try await store.createHold(try makeHold(host: host, user: 6, start: at(day: 1, hour: 11)), bufferMinutes: 0, maxLiveHolds: 1)
            // A hold that has lapsed (30 minutes) no longer counts, even before the scheduler marks it expired.
            let later = day0.adding(minutes: 31)
            let second = try await store.createHold(try makeHold(host: host, user: 5, start: at(day: 1, hour: 13), now: later),
                                                    bufferMinutes: 0, maxLiveHolds: 1)
            // A cancelled (released) one does not count either; a paid one is no longer a hold.
            _ = try await store.apply(.cancelled(by: .user, refund: false, at: later), to: second.id!)
            let third = try await store.createHold(try makeHold(host: host, user: 5, start: at(day: 1, hour: 14), now: later),
                                                   bufferMinutes: 0, maxLiveHolds: 1)
            _ = try await store.apply(.paymentConfirmed(method: "stars", at: later), to: third.id!)
            _ = try await store.createHold(try makeHold(host: host, user: 5, start: at(day: 1, hour: 15), now: later), bufferMinutes: 0, maxLiveHolds: 1)
            #expect(StoreError.tooManyHolds(open: [BookingID(3), BookingID(4)]).description.contains("#3, #4"))
        }
    }
}
