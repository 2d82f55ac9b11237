import Domain
import Foundation
import Storage
import Testing

/// Rooms, reminders, the scheduler's due-call queries and the host status that follows a call, run against
/// every available engine.
@Suite("Calls contract")
struct CallStoreContractTests {
    /// A host and a booking of it confirmed (paid) at `paidAt`.
    static func confirmed(_ store: any Store, start: Instant, minutes: Int = 60, paidAt: Instant = day0, user: Int64 = 1001) async throws -> Booking {
        var host = try await store.host(username: TelegramUsername(parsing: "anna_host"))
        if host == nil { host = try await store.createHost(try makeHost(), at: day0) }
        let hostID = try #require(host?.id)
        let hold = try await store.createHold(try makeHold(host: hostID, user: user, start: start, minutes: minutes), bufferMinutes: 0, maxLiveHolds: .max)
        return try await store.apply(.paymentConfirmed(method: "stripe", at: paidAt), to: try #require(hold.id))
    }

    static func message(_ key: String) -> NewOutboxMessage {
        NewOutboxMessage(chatID: 1001, kind: "test", payload: "{}", dedupeKey: key)
    }

    @Test(arguments: Engine.available)
    func theFirstRoomWinsAndIsKept(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try #require(try await Self.confirmed(store, start: at(day: 2, hour: 10)).id)
            #expect(try await store.room(of: id) == nil)
            let first = try await store.ensureRoom(for: id, CallRoom(provider: "jitsi", name: "aaaaaaaaaaaaaaaaaaaaaaaaaa"), at: day0)
            let second = try await store.ensureRoom(for: id, CallRoom(provider: "agora", name: "bbbbbbbbbbbbbbbbbbbbbbbbbb"), at: day0)
            #expect(first == CallRoom(provider: "jitsi", name: "aaaaaaaaaaaaaaaaaaaaaaaaaa"))
            #expect(second == first)
            #expect(try await store.room(of: id) == first)
            await #expect(throws: StoreError.notFound("Booking 999")) {
                try await store.ensureRoom(for: BookingID(999), CallRoom(provider: "jitsi", name: "c"), at: day0)
            }
        }
    }

    @Test(arguments: Engine.available)
    func upcomingCallsCarryTheirConfirmationTimeAndReminderStage(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let early = try await Self.confirmed(store, start: at(day: 1, hour: 10), paidAt: day0)
            let late = try await Self.confirmed(store, start: at(day: 1, hour: 11), paidAt: day0.adding(minutes: 7), user: 1002)
            _ = try await Self.confirmed(store, start: at(day: 3, hour: 10), user: 1003)  // beyond 24 h
            let now = at(hour: 11)
            let calls = try await store.upcomingCalls(at: now, withinMinutes: 24 * 60)
            #expect(calls.map(\.booking.id) == [early.id, late.id])
            #expect(calls.map(\.confirmedAt) == [day0, day0.adding(minutes: 7)])
            #expect(calls.allSatisfy { $0.handled == nil })

            // The 24 h reminder: once, with its messages in the same transaction.
            let id = try #require(early.id)
            #expect(try await store.markReminder(.dayBefore, for: id, messages: [Self.message("r1")], at: now))
            #expect(try await !store.markReminder(.dayBefore, for: id, messages: [Self.message("r1-again")], at: now))
            #expect(try await store.outbox(status: nil).map(\.dedupeKey) == ["r1"])
            #expect(try await store.upcomingCalls(at: now, withinMinutes: 24 * 60).first?.handled == .dayBefore)
            // The 15 min one after it; then the booking has nothing left to remind.
            #expect(try await store.markReminder(.quarterHour, for: id, messages: [], at: now))
            #expect(try await !store.markReminder(.dayBefore, for: id, messages: [Self.message("late")], at: now))
            #expect(try await store.upcomingCalls(at: now, withinMinutes: 24 * 60).map(\.booking.id) == [late.id])
            // Only confirmed bookings are reminded.
            let lateID = try #require(late.id)
            _ = try await store.apply(.cancelled(by: .user, refund: true, at: now), to: lateID)
            #expect(try await !store.markReminder(.dayBefore, for: lateID, messages: [Self.message("x")], at: now))
            #expect(try await store.upcomingCalls(at: now, withinMinutes: 24 * 60).isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func callsToStartAndToEnd(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let a = try await Self.confirmed(store, start: at(day: 1, hour: 10), minutes: 30)
            let b = try await Self.confirmed(store, start: at(day: 1, hour: 11), minutes: 30, user: 1002)
            #expect(try await store.callsToStart(at: at(day: 1, hour: 9)).isEmpty)
            #expect(try await store.callsToStart(at: at(day: 1, hour: 10)).map(\.id) == [a.id])
            #expect(try await store.callsToStart(at: at(day: 1, hour: 12)).map(\.id) == [a.id, b.id])
            _ = try await store.apply(.callStarted(at: at(day: 1, hour: 10)), to: try #require(a.id))
            #expect(try await store.callsToStart(at: at(day: 1, hour: 12)).map(\.id) == [b.id])
            #expect(try await store.callsToEnd(at: at(day: 1, hour: 10, minute: 29)).isEmpty)
            #expect(try await store.callsToEnd(at: at(day: 1, hour: 10, minute: 30)).map(\.id) == [a.id])
        }
    }

    @Test(arguments: Engine.available)
    func theHostIsBusyDuringTheCallUnlessTheyChoseOtherwise(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let a = try await Self.confirmed(store, start: at(day: 1, hour: 10), minutes: 30)
            let hostID = a.hostID, id = try #require(a.id)
            _ = try await store.apply(.callStarted(at: at(day: 1, hour: 10)), to: id, messages: [Self.message("link")])
            #expect(try await store.host(hostID)?.status == .busy)
            _ = try await store.apply(.callEnded(at: at(day: 1, hour: 10, minute: 30)), to: id, messages: [Self.message("prompt")])
            #expect(try await store.host(hostID)?.status == .online)
            #expect(try await store.outbox(status: nil).map(\.dedupeKey) == ["link", "prompt"])

            // Offline during a call: stays offline at the end.
            let b = try await Self.confirmed(store, start: at(day: 2, hour: 10), minutes: 30, user: 1002)
            _ = try await store.apply(.callStarted(at: at(day: 2, hour: 10)), to: try #require(b.id))
            try await store.setHostStatus(hostID, .offline, at: at(day: 2, hour: 10, minute: 5))
            _ = try await store.apply(.callEnded(at: at(day: 2, hour: 10, minute: 30)), to: try #require(b.id))
            #expect(try await store.host(hostID)?.status == .offline)

            // Offline before the start: not made busy.
            let c = try await Self.confirmed(store, start: at(day: 3, hour: 10), minutes: 30, user: 1003)
            _ = try await store.apply(.callStarted(at: at(day: 3, hour: 10)), to: try #require(c.id))
            #expect(try await store.host(hostID)?.status == .offline)

            // A second start is refused and writes nothing.
            await #expect(throws: StoreError.self) {
                try await store.apply(.callStarted(at: at(day: 3, hour: 10)), to: try #require(c.id), messages: [Self.message("again")])
            }
            #expect(try await store.outbox(status: nil).map(\.dedupeKey) == ["link", "prompt"])
        }
    }
}
