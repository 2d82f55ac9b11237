import Domain
import Storage
import Testing

/// Double booking dies in the database: many attempts at once, exactly one winner.
@Suite("Double booking under concurrency")
struct DoubleBookingTests {
    @Test(arguments: Engine.available)
    func fiftyOverlappingHoldsExactlyOneWins(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            // 50 different ranges that all contain 10:00–10:15 of day 1.
            let holds = try (0..<50).map { i in
                try makeHold(host: host, user: Int64(1000 + i), start: at(day: 1, hour: 9, minute: 15 * (i % 4)), minutes: 60 + 15 * (i % 3))
            }
            let outcomes = await withTaskGroup(of: Result<Booking, any Error>.self) { group in
                for hold in holds {
                    group.addTask { do { return .success(try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max)) } catch { return .failure(error) } }
                }
                var all: [Result<Booking, any Error>] = []
                for await r in group { all.append(r) }
                return all
            }
            let wins = outcomes.filter { if case .success = $0 { true } else { false } }
            let taken = outcomes.filter { if case .failure(let e) = $0 { (e as? StoreError) == .slotTaken } else { false } }
            #expect(wins.count == 1)
            #expect(taken.count == 49, "every loser gets the typed slotTaken error, never anything else")
            let busy = try await store.busyRanges(hostID: host, overlapping: TimeRange(start: at(day: 1, hour: 0), minutes: 1440), at: day0)
            #expect(busy.count == 1)
        }
    }

    @Test(arguments: Engine.available)
    func fiftyDisjointHoldsAllWin(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let holds = try (0..<50).map { i in
                try makeHold(host: host, user: Int64(2000 + i), start: at(day: 1, hour: 0, minute: 30 * i), minutes: 30)
            }
            let failures = await withTaskGroup(of: (any Error)?.self) { group in
                for hold in holds {
                    group.addTask { do { _ = try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max); return nil } catch { return error } }
                }
                var errors: [any Error] = []
                for await e in group { if let e { errors.append(e) } }
                return errors
            }
            #expect(failures.isEmpty, "\(failures)")
            let busy = try await store.busyRanges(hostID: host, overlapping: TimeRange(start: at(day: 1, hour: 0), minutes: 2 * 1440), at: day0)
            #expect(busy.count == 50)
        }
    }

    @Test(arguments: Engine.available)
    func concurrentLatePaymentAndNewHoldNeverBothWin(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            for round in 0..<10 {
                let start = at(day: 2, hour: round)
                let lapsed = try await store.createHold(try makeHold(host: host, start: start, holdMinutes: 30), bufferMinutes: 0, maxLiveHolds: .max)
                let later = day0.adding(minutes: 31)
                _ = try await store.expireLapsedHolds(at: later)
                async let late: Booking? = try? store.apply(.paymentConfirmed(method: "stripe", at: later), to: try #require(lapsed.id))
                async let fresh: Booking? = try? store.createHold(try makeHold(host: host, user: 9, start: start, now: later), bufferMinutes: 0, maxLiveHolds: .max)
                let (a, b) = await (late, fresh)
                #expect((a == nil) != (b == nil), "exactly one of the late payment and the new hold keeps the slot (round \(round))")
            }
        }
    }
}
