import Domain
import Foundation
import Storage
import Testing

/// A confirmed (paid) booking of `minutes` at `start`.
private func confirmed(_ store: any Store, host: HostID, user: Int64 = 1001, start: Instant, minutes: Int = 60) async throws -> Booking {
    let id = try #require(try await store.createHold(try makeHold(host: host, user: user, start: start, minutes: minutes), bufferMinutes: 0, maxLiveHolds: .max).id)
    return try await store.apply(.paymentConfirmed(method: "stripe", at: day0.adding(minutes: 1)), to: id)
}

private func note(_ chat: Int64, _ key: String) -> NewOutboxMessage {
    NewOutboxMessage(chatID: chat, kind: "test", payload: "{}", dedupeKey: key)
}

@Suite("Store contract: reschedule, no-show reports, audited transitions")
struct RescheduleContractTests {
    @Test(arguments: Engine.available)
    func aRescheduleMovesTheBookingAndFreesTheOldTime(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let b = try await confirmed(store, host: host, start: at(day: 1, hour: 9))
            let id = try #require(b.id)
            let target = TimeRange(start: at(day: 2, hour: 11), minutes: 60)
            let moved = try await store.reschedule(id, to: target, bufferMinutes: 0, at: at(hour: 3), messages: [note(1001, "moved")])
            #expect(moved.time == target)
            let stored = try #require(try await store.booking(id))
            #expect(stored.time == target)
            #expect(stored.status == .confirmed && stored.paymentState == .paid)
            #expect(stored.price == b.price)
            #expect(try await store.ledger(bookingID: id).count == 1, "no new payment")
            #expect(try await store.busyRanges(hostID: host, overlapping: b.time, at: at(hour: 3)).isEmpty, "the old time is free again")
            #expect(try await store.busyRanges(hostID: host, overlapping: target, at: at(hour: 3)) == [target])
            #expect(try await store.outbox(status: nil).map(\.dedupeKey) == ["moved"])
            let audit = try #require(try await store.auditLog(limit: 5).first)
            #expect(audit.action == "booking.reschedule" && audit.entityID == "\(id)" && audit.actor == 1001)
            // Someone else can now hold the old time.
            _ = try await store.createHold(try makeHold(host: host, user: 2002, start: at(day: 1, hour: 9)), bufferMinutes: 0, maxLiveHolds: .max)
        }
    }

    @Test(arguments: Engine.available)
    func aRescheduleMayOverlapItsOwnOldTime(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let id = try #require(try await confirmed(store, host: host, start: at(day: 1, hour: 9)).id)
            let target = TimeRange(start: at(day: 1, hour: 9, minute: 30), minutes: 60)
            _ = try await store.reschedule(id, to: target, bufferMinutes: 15, at: at(hour: 3), messages: [])
            #expect(try await store.booking(id)?.time == target)
        }
    }

    @Test(arguments: Engine.available)
    func intoATakenTimeIsRefusedAndNothingChanges(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let mine = try await confirmed(store, host: host, start: at(day: 1, hour: 9))
            let id = try #require(mine.id)
            // Someone else's confirmed call 11:00–12:00 and a valid hold 14:00–15:00.
            _ = try await confirmed(store, host: host, user: 2002, start: at(day: 1, hour: 11))
            _ = try await store.createHold(try makeHold(host: host, user: 3003, start: at(day: 1, hour: 14), now: at(hour: 2, minute: 45)), bufferMinutes: 0, maxLiveHolds: .max)
            let auditBefore = try await store.auditLog(limit: 100).count
            for (start, buffer) in [(at(day: 1, hour: 11, minute: 30), 0), (at(day: 1, hour: 10, minute: 15), 0), (at(day: 1, hour: 14), 0),
                                    (at(day: 1, hour: 10), 15)] {
                await #expect(throws: StoreError.slotTaken) {
                    _ = try await store.reschedule(id, to: TimeRange(start: start, minutes: 60), bufferMinutes: buffer, at: at(hour: 3),
                                                   messages: [note(1001, "moved-\(start.epochSeconds)")])
                }
            }
            #expect(try await store.booking(id) == mine)
            #expect(try await store.outbox(status: nil).isEmpty)
            #expect(try await store.auditLog(limit: 100).count == auditBefore)
            // A lapsed hold in the way does not block (it is expired in the same transaction).
            _ = try await store.reschedule(id, to: TimeRange(start: at(day: 1, hour: 14), minutes: 60), bufferMinutes: 0, at: at(hour: 5), messages: [])
            #expect(try await store.booking(id)?.time.start == at(day: 1, hour: 14))
        }
    }

    @Test(arguments: Engine.available)
    func onlyAConfirmedBookingOfTheSameLengthMoves(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let pending = try #require(try await store.createHold(try makeHold(host: host, start: at(day: 1, hour: 9)), bufferMinutes: 0, maxLiveHolds: .max).id)
            await #expect(throws: StoreError.invalidTransition(.notAllowed(from: .pending, event: "reschedule"))) {
                _ = try await store.reschedule(pending, to: TimeRange(start: at(day: 2, hour: 9), minutes: 60), bufferMinutes: 0, at: at(hour: 1), messages: [])
            }
            let id = try #require(try await confirmed(store, host: host, start: at(day: 3, hour: 9)).id)
            do {
                _ = try await store.reschedule(id, to: TimeRange(start: at(day: 4, hour: 9), minutes: 90), bufferMinutes: 0, at: at(hour: 1), messages: [])
                Issue.record("a longer call was accepted")
            } catch StoreError.invalidData {}
            await #expect(throws: StoreError.notFound("Booking 999")) {
                _ = try await store.reschedule(BookingID(999), to: TimeRange(start: at(day: 4, hour: 9), minutes: 60), bufferMinutes: 0, at: at(hour: 1), messages: [])
            }
            #expect(try await store.booking(id)?.time.start == at(day: 3, hour: 9))
        }
    }

    /// Many bookings race into one free hour: exactly one gets it, the others keep their old times.
    @Test(arguments: Engine.available)
    func concurrentReschedulesIntoOneTimeLetExactlyOneWin(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            var ids: [BookingID] = []
            for i in 0..<8 { ids.append(try #require(try await confirmed(store, host: host, user: 1000 + Int64(i), start: at(day: 2, hour: 9 + i)).id)) }
            let target = TimeRange(start: at(day: 1, hour: 12), minutes: 60)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for id in ids {
                    group.addTask {
                        do {
                            _ = try await store.reschedule(id, to: target, bufferMinutes: 0, at: at(hour: 3), messages: [])
                            return true
                        } catch StoreError.slotTaken {
                            return false
                        }
                    }
                }
                // A new hold races too.
                group.addTask {
                    do {
                        _ = try await store.createHold(try makeHold(host: host, user: 9999, start: at(day: 1, hour: 12), now: at(hour: 3)), bufferMinutes: 0, maxLiveHolds: .max)
                        return true
                    } catch StoreError.slotTaken {
                        return false
                    }
                }
                var n = 0
                for try await won in group where won { n += 1 }
                return n
            }
            #expect(wins == 1)
            #expect(try await store.busyRanges(hostID: host, overlapping: target, at: at(hour: 3)).count == 1)
        }
    }

    @Test(arguments: Engine.available)
    func noShowReportsAreRecordedOnceAndResolvedOnce(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let a = try #require(try await confirmed(store, host: host, start: at(day: 1, hour: 9)).id)
            let b = try #require(try await confirmed(store, host: host, start: at(day: 1, hour: 11)).id)
            #expect(try await store.reportNoShow(a, by: TelegramUserID(1001), at: at(day: 1, hour: 10, minute: 5), messages: [note(42, "report-a")]))
            #expect(!(try await store.reportNoShow(a, by: TelegramUserID(1001), at: at(day: 1, hour: 10, minute: 6), messages: [note(42, "report-a2")])))
            #expect(try await store.reportNoShow(b, by: TelegramUserID(1001), at: at(day: 1, hour: 12, minute: 5), messages: []))
            #expect(try await store.openNoShowReports() == [
                NoShowReport(bookingID: a, reportedBy: TelegramUserID(1001), reportedAt: at(day: 1, hour: 10, minute: 5)),
                NoShowReport(bookingID: b, reportedBy: TelegramUserID(1001), reportedAt: at(day: 1, hour: 12, minute: 5)),
            ])
            #expect(try await store.outbox(status: nil).map(\.dedupeKey) == ["report-a"])

            let cancelled = try await store.resolveNoShow(a, confirmed: true, by: TelegramUserID(42), at: at(day: 1, hour: 13), messages: [note(1001, "ns-a")])
            #expect(cancelled.status == .cancelled && cancelled.refundState == .pending && cancelled.cancelledBy == .host)
            await #expect(throws: StoreError.notFound("An open no-show report for booking \(a)")) {
                _ = try await store.resolveNoShow(a, confirmed: false, by: TelegramUserID(42), at: at(day: 1, hour: 14), messages: [])
            }
            let kept = try await store.resolveNoShow(b, confirmed: false, by: TelegramUserID(42), at: at(day: 1, hour: 13), messages: [note(1001, "ns-b")])
            #expect(kept.status == .confirmed)
            #expect(try await store.openNoShowReports().isEmpty)
            #expect(try await store.outbox(status: nil).map(\.dedupeKey) == ["report-a", "ns-a", "ns-b"])
            let actions = try await store.auditLog(limit: 10).map(\.action)
            #expect(actions.prefix(4) == ["booking.no_show_reject", "booking.no_show_confirm", "booking.no_show_report", "booking.no_show_report"])
            await #expect(throws: StoreError.notFound("Booking 999")) {
                _ = try await store.reportNoShow(BookingID(999), by: TelegramUserID(1), at: at(hour: 1), messages: [])
            }
        }
    }

    /// A confirmation that cannot apply (a report on a booking that is not paid) rolls the report back too.
    @Test(arguments: Engine.available)
    func aNoShowThatCannotApplyLeavesTheReportOpen(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let id = try #require(try await store.createHold(try makeHold(host: host, start: at(day: 1, hour: 9)), bufferMinutes: 0, maxLiveHolds: .max).id)
            #expect(try await store.reportNoShow(id, by: TelegramUserID(1001), at: at(day: 1, hour: 10), messages: []))
            await #expect(throws: StoreError.invalidTransition(.notAllowed(from: .pending, event: "host no-show"))) {
                _ = try await store.resolveNoShow(id, confirmed: true, by: TelegramUserID(42), at: at(day: 1, hour: 11), messages: [note(1, "x")])
            }
            #expect(try await store.openNoShowReports().map(\.bookingID) == [id])
            #expect(try await store.outbox(status: nil).isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func anAuditedTransitionCommitsOrWritesNothing(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let id = try #require(try await confirmed(store, host: host, start: at(day: 1, hour: 9)).id)
            let audit = AuditEntry(actor: 1001, role: "user", action: "booking.cancel", entity: "booking", entityID: "\(id)", before: nil, after: "x", at: at(hour: 2))
            let done = try await store.apply(.cancelled(by: .user, refund: true, at: at(hour: 2)), to: id, messages: [note(1001, "c")], audit: audit)
            #expect(done.status == .cancelled && done.refundState == .pending)
            await #expect(throws: StoreError.invalidTransition(.notAllowed(from: .cancelled, event: "cancel"))) {
                _ = try await store.apply(.cancelled(by: .user, refund: true, at: at(hour: 3)), to: id, messages: [note(1001, "c2")], audit: audit)
            }
            #expect(try await store.outbox(status: nil).map(\.dedupeKey) == ["c"])
            #expect(try await store.auditLog(limit: 10).filter { $0.action == "booking.cancel" }.count == 1)
            // Settling writes the reversing ledger row: the booking nets to zero, platform and host each reversed.
            _ = try await store.apply(.refundSettled(succeeded: true, at: at(hour: 4)), to: id, messages: [], audit: audit)
            let ledger = try await store.ledger(bookingID: id)
            #expect(ledger.map(\.kind) == [.payment, .refund])
            #expect(ledger.map(\.gross.minorUnits).reduce(0, +) == 0)
            #expect(ledger[1].platform.minorUnits == -ledger[0].platform.minorUnits && ledger[1].host.minorUnits == -ledger[0].host.minorUnits)
        }
    }
}
