import Domain
import Storage
import Testing

/// The repository contract, run against every available engine.
@Suite("Store contract")
struct StoreContractTests {
    @Test(arguments: Engine.available)
    func migrationsAreVersionedAndIdempotent(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            #expect(try await store.appliedMigrations() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
            try await store.migrate()
            try await store.migrate()
            #expect(try await store.appliedMigrations() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
            try await store.ping()
        }
    }

    @Test(arguments: Engine.available)
    func hostRoundTripsWithAvailabilityAndOverrides(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try makeHost()
            let saved = try await store.createHost(host, at: day0)
            let id = try #require(saved.id)
            var expected = host
            expected.id = id
            #expect(try await store.host(id) == expected)
            #expect(try await store.host(username: TelegramUsername(parsing: "@Anna_Host")) == expected)
            #expect(try await store.host(HostID(id.rawValue + 99)) == nil)

            await #expect(throws: StoreError.self) { _ = try await store.createHost(try makeHost("ANNA_HOST"), at: day0) }

            var changed = expected
            changed.pricePerMinute = try PricePerMinute(Money(minorUnits: 750, currency: .usd))
            changed.bio = try Bio(parsing: "New bio")
            try changed.availability.setWindows([TimeWindow(parsing: "08:00-10:00"), TimeWindow(parsing: "18:00-24:00")], on: .sunday)
            changed.telegramUserID = TelegramUserID(424242)
            try await store.updateHost(changed, at: day0.adding(minutes: 5))
            #expect(try await store.host(id) == changed)
        }
    }

    @Test(arguments: Engine.available)
    func listingHidesOnlyInactiveHosts(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let a = try await store.createHost(try makeHost("online_one"), at: day0)
            let b = try await store.createHost(try makeHost("busy_one", status: .busy), at: day0)
            let c = try await store.createHost(try makeHost("offline_one", status: .offline), at: day0)
            _ = try await store.createHost(try makeHost("inactive_one", active: false), at: day0)
            #expect(try await store.hosts(listedOnly: true).map(\.id) == [a.id, b.id, c.id], "offline hosts stay listed")
            #expect(try await store.hosts(listedOnly: false).count == 4)
            try await store.setHostStatus(try #require(a.id), .offline, at: day0)
            #expect(try await store.hosts(listedOnly: true).map(\.status) == [.offline, .busy, .offline])
            await #expect(throws: StoreError.notFound("Host 999")) { try await store.setHostStatus(HostID(999), .online, at: day0) }
        }
    }

    @Test(arguments: Engine.available)
    func galleryKeepsOrderAndReorders(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let p1 = try await store.addPhoto(hostID: host, fileID: "AgAD-one", caption: "first", at: day0)
            let p2 = try await store.addPhoto(hostID: host, fileID: "AgAD-two", caption: nil, at: day0)
            let p3 = try await store.addPhoto(hostID: host, fileID: "AgAD-three", caption: "third", at: day0)
            #expect(try await store.photos(hostID: host).map(\.fileID) == ["AgAD-one", "AgAD-two", "AgAD-three"])
            try await store.reorderPhotos(hostID: host, order: [p3.id, p1.id, p2.id])
            #expect(try await store.photos(hostID: host).map(\.fileID) == ["AgAD-three", "AgAD-one", "AgAD-two"])
            await #expect(throws: StoreError.self) { try await store.reorderPhotos(hostID: host, order: [p3.id, p1.id]) }
            #expect(try await store.photos(hostID: host).map(\.fileID) == ["AgAD-three", "AgAD-one", "AgAD-two"])
            try await store.removePhoto(hostID: host, photoID: p1.id)
            #expect(try await store.photos(hostID: host).map(\.id) == [p3.id, p2.id])
            #expect(try await store.photos(hostID: host).first?.caption == "third")
        }
    }

    @Test(arguments: Engine.available)
    func usersUpsert(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = TelegramUserID(77)
            #expect(try await store.user(id) == nil)
            try await store.saveUser(UserProfile(id: id, username: "maria", firstName: "María"), at: day0)
            try await store.saveUser(UserProfile(id: id, username: "maria", firstName: "María", language: "es", zone: Zone(identifier: "Europe/Madrid")), at: day0)
            #expect(try await store.user(id) == UserProfile(id: id, username: "maria", firstName: "María", language: "es", zone: Zone(identifier: "Europe/Madrid")))
        }
    }

    @Test(arguments: Engine.available)
    func holdsBlockOverlapsButNotNeighbours(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let first = try await store.createHold(try makeHold(host: host, start: at(day: 1, hour: 10)), bufferMinutes: 0, maxLiveHolds: .max)
            #expect(first.id != nil)
            await #expect(throws: StoreError.slotTaken) {
                _ = try await store.createHold(try makeHold(host: host, user: 2, start: at(day: 1, hour: 10, minute: 45), minutes: 30), bufferMinutes: 0, maxLiveHolds: .max)
            }
            await #expect(throws: StoreError.slotTaken) {
                _ = try await store.createHold(try makeHold(host: host, user: 2, start: at(day: 1, hour: 9), minutes: 120), bufferMinutes: 0, maxLiveHolds: .max)
            }
            // Touching is not overlapping.
            _ = try await store.createHold(try makeHold(host: host, user: 2, start: at(day: 1, hour: 11)), bufferMinutes: 0, maxLiveHolds: .max)
            _ = try await store.createHold(try makeHold(host: host, user: 3, start: at(day: 1, hour: 9)), bufferMinutes: 0, maxLiveHolds: .max)
            // Another host is independent.
            let other = try #require(try await store.createHost(try makeHost("other_host"), at: day0).id)
            _ = try await store.createHold(try makeHold(host: other, start: at(day: 1, hour: 10)), bufferMinutes: 0, maxLiveHolds: .max)

            let busy = try await store.busyRanges(hostID: host, overlapping: TimeRange(start: at(day: 1, hour: 0), end: at(day: 2, hour: 0)), at: day0)
            #expect(busy == [
                TimeRange(start: at(day: 1, hour: 9), minutes: 60), TimeRange(start: at(day: 1, hour: 10), minutes: 60),
                TimeRange(start: at(day: 1, hour: 11), minutes: 60),
            ])
        }
    }

    @Test(arguments: Engine.available)
    func bufferKeepsAGapAfterEveryBooking(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            _ = try await store.createHold(try makeHold(host: host, start: at(day: 1, hour: 10)), bufferMinutes: 15, maxLiveHolds: .max)
            await #expect(throws: StoreError.slotTaken) {
                _ = try await store.createHold(try makeHold(host: host, user: 2, start: at(day: 1, hour: 11, minute: 10)), bufferMinutes: 15, maxLiveHolds: .max)
            }
            await #expect(throws: StoreError.slotTaken) {
                _ = try await store.createHold(try makeHold(host: host, user: 2, start: at(day: 1, hour: 8, minute: 50)), bufferMinutes: 15, maxLiveHolds: .max)
            }
            _ = try await store.createHold(try makeHold(host: host, user: 2, start: at(day: 1, hour: 11, minute: 15)), bufferMinutes: 15, maxLiveHolds: .max)
            _ = try await store.createHold(try makeHold(host: host, user: 3, start: at(day: 1, hour: 8, minute: 45)), bufferMinutes: 15, maxLiveHolds: .max)
        }
    }

    @Test(arguments: Engine.available)
    func lapsedHoldsStopBlockingAndAreExpired(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let old = try await store.createHold(try makeHold(host: host, start: at(day: 1, hour: 10), now: day0, holdMinutes: 30), bufferMinutes: 0, maxLiveHolds: .max)
            let later = day0.adding(minutes: 31)
            #expect(try await store.busyRanges(hostID: host, overlapping: TimeRange(start: at(day: 1, hour: 0), minutes: 1440), at: later).isEmpty)
            let fresh = try await store.createHold(try makeHold(host: host, user: 2, start: at(day: 1, hour: 10), minutes: 30, now: later), bufferMinutes: 0, maxLiveHolds: .max)
            #expect(try await store.booking(try #require(old.id))?.status == .expired)
            #expect(try await store.booking(try #require(fresh.id))?.status == .pending)
        }
    }

    @Test(arguments: Engine.available)
    func expireLapsedHoldsReturnsOnlyLapsedOnes(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let a = try await store.createHold(try makeHold(host: host, start: at(day: 1, hour: 9), holdMinutes: 10), bufferMinutes: 0, maxLiveHolds: .max)
            let b = try await store.createHold(try makeHold(host: host, start: at(day: 1, hour: 11), holdMinutes: 30), bufferMinutes: 0, maxLiveHolds: .max)
            #expect(try await store.expireLapsedHolds(at: day0.adding(minutes: 9)).isEmpty)
            #expect(try await store.expireLapsedHolds(at: day0.adding(minutes: 10)).map(\.id) == [a.id])
            #expect(try await store.expireLapsedHolds(at: day0.adding(minutes: 10)).isEmpty)
            #expect(try await store.booking(try #require(b.id))?.status == .pending)
        }
    }

    @Test(arguments: Engine.available)
    func paymentAndRefundWriteTheLedger(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let hold = try await store.createHold(try makeHold(host: host, start: at(day: 2, hour: 10), minutes: 45, perMinute: 333), bufferMinutes: 0, maxLiveHolds: .max)
            let id = try #require(hold.id)
            let paid = try await store.apply(.paymentConfirmed(method: "stripe", at: day0.adding(minutes: 5)), to: id)
            #expect(paid.status == .confirmed)
            #expect(paid.paymentState == .paid)
            let afterPayment = try await store.ledger(bookingID: id)
            // 45 × 3.33 = 149.85; 30 % = 44.955 → 44.96 (half away from zero); host 104.89.
            #expect(afterPayment.map(\.gross.minorUnits) == [14_985])
            #expect(afterPayment.map(\.platform.minorUnits) == [4_496])
            #expect(afterPayment.map(\.host.minorUnits) == [10_489])

            _ = try await store.apply(.cancelled(by: .host, refund: true, at: day0.adding(minutes: 60)), to: id)
            #expect(try await store.ledger(bookingID: id).count == 1)
            let refunded = try await store.apply(.refundSettled(succeeded: true, at: day0.adding(minutes: 61)), to: id)
            #expect(refunded.refundState == .refunded)
            let rows = try await store.ledger(bookingID: id)
            #expect(rows.map(\.kind) == [.payment, .refund])
            #expect(rows.reduce(0) { $0 + $1.gross.minorUnits } == 0)
            #expect(rows.reduce(0) { $0 + $1.platform.minorUnits } == 0)
            #expect(rows.reduce(0) { $0 + $1.host.minorUnits } == 0)
            #expect(try await store.ledger(hostID: host).count == 2)

            await #expect(throws: StoreError.invalidTransition(.notAllowed(from: .cancelled, event: "call started"))) {
                _ = try await store.apply(.callStarted(at: at(day: 2, hour: 10)), to: id)
            }
            await #expect(throws: StoreError.notFound("Booking 9999")) {
                _ = try await store.apply(.callStarted(at: at(day: 2, hour: 10)), to: BookingID(9999))
            }
        }
    }

    @Test(arguments: Engine.available)
    func latePaymentIsHonouredOnlyWhenTheSlotIsStillFree(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let lapsedFree = try await store.createHold(try makeHold(host: host, start: at(day: 3, hour: 9), holdMinutes: 30), bufferMinutes: 0, maxLiveHolds: .max)
            let lapsedTaken = try await store.createHold(try makeHold(host: host, start: at(day: 3, hour: 12), holdMinutes: 30), bufferMinutes: 0, maxLiveHolds: .max)
            let later = day0.adding(minutes: 40)
            _ = try await store.expireLapsedHolds(at: later)
            _ = try await store.createHold(try makeHold(host: host, user: 5, start: at(day: 3, hour: 12, minute: 30), now: later), bufferMinutes: 0, maxLiveHolds: .max)

            let honoured = try await store.apply(.paymentConfirmed(method: "stripe", at: later), to: try #require(lapsedFree.id))
            #expect(honoured.status == .confirmed)
            await #expect(throws: StoreError.slotTaken) {
                _ = try await store.apply(.paymentConfirmed(method: "stripe", at: later), to: try #require(lapsedTaken.id))
            }
            let untouched = try await store.booking(try #require(lapsedTaken.id))
            #expect(untouched?.status == .expired)
            #expect(try await store.ledger(bookingID: try #require(lapsedTaken.id)).isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func bookingKeepsItsPriceWhenTheHostPriceChanges(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            var host = try await store.createHost(try makeHost(price: 500), at: day0)
            let hostID = try #require(host.id)
            let hold = try await store.createHold(try makeHold(host: hostID, start: at(day: 1, hour: 10), perMinute: 500), bufferMinutes: 0, maxLiveHolds: .max)
            host.pricePerMinute = try PricePerMinute(Money(minorUnits: 900, currency: .usd))
            try await store.updateHost(host, at: day0)
            let holdID = try #require(hold.id)
            let stored = try #require(try await store.booking(holdID))
            #expect(stored.price.total == Money(minorUnits: 30_000, currency: .usd))
            #expect(stored.price.split.platform.minorUnits == 9_000)
            #expect(stored == hold)
            #expect(try await store.bookings(userID: TelegramUserID(1001)) == [hold])
            #expect(try await store.bookings(hostID: hostID) == [hold])
        }
    }

    @Test(arguments: Engine.available)
    func paymentEventsAreRecordedOnce(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let event = PaymentEventRecord(
                provider: "stripe", eventID: "evt_123", bookingID: nil, providerReference: "cs_test_1", kind: "checkout.session.completed",
                amount: Money(minorUnits: 1_500, currency: .usd), status: "processed", receivedAt: day0)
            let first = try await store.recordPaymentEvent(event)
            let replay = try await store.recordPaymentEvent(event)
            var other = event
            other.provider = "epayco"
            let otherProvider = try await store.recordPaymentEvent(other)
            #expect(first)
            #expect(!replay)
            #expect(otherProvider)
        }
    }

    @Test(arguments: Engine.available)
    func conversationStateAndAudit(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let empty = try await store.conversationState(chatID: 5)
            #expect(empty == nil)
            try await store.setConversationState(chatID: 5, #"{"step":"date"}"#, at: day0)
            try await store.setConversationState(chatID: 5, #"{"step":"time"}"#, at: day0)
            let state = try await store.conversationState(chatID: 5)
            #expect(state == #"{"step":"time"}"#)
            try await store.setConversationState(chatID: 5, nil, at: day0)
            let cleared = try await store.conversationState(chatID: 5)
            #expect(cleared == nil)

            let entry = AuditEntry(actor: 42, role: "admin", action: "host.price", entity: "host", entityID: "1", before: "5.00", after: "7.50", at: day0)
            try await store.appendAudit(entry)
            try await store.appendAudit(AuditEntry(actor: nil, role: "system", action: "hold.expire", entity: "booking", entityID: "9", before: nil, after: nil, at: day0))
            let log = try await store.auditLog(limit: 10)
            #expect(log.count == 2)
            #expect(log.last == entry)
        }
    }
}
