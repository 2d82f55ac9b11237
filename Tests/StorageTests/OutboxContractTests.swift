import Domain
import Foundation
import PostgresNIO
import Storage
import Testing

/// The durable outbox, run against every available engine.
@Suite("Outbox contract")
struct OutboxContractTests {
    static func message(_ n: Int, chat: Int64 = 42, key: String? = nil, notBefore: Instant? = nil) -> NewOutboxMessage {
        NewOutboxMessage(chatID: chat, kind: "test.\(n)", payload: #"{"method":"sendMessage","text":"m\#(n)"}"#, dedupeKey: key, notBefore: notBefore)
    }

    @Test(arguments: Engine.available)
    func enqueueClaimAndMarkSent(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            #expect(try await store.enqueue([Self.message(1), Self.message(2, chat: 7)], at: day0) == 2)
            #expect(try await store.enqueue([], at: day0) == 0)
            #expect(try await store.pendingOutboxCount() == 2)
            let stored = try await store.outbox(status: .pending)
            #expect(stored.map(\.kind) == ["test.1", "test.2"])
            #expect(stored.map(\.chatID) == [42, 7])
            #expect(stored.allSatisfy { $0.attempts == 0 && $0.notBefore == day0 && $0.createdAt == day0 && $0.sentAt == nil })
            #expect(stored[0].payload == #"{"method":"sendMessage","text":"m1"}"#)

            let claimed = try await store.claimOutbox(limit: 10, now: day0, lease: 60, claimer: "a")
            #expect(claimed.map(\.id) == stored.map(\.id))
            #expect(claimed.allSatisfy {
                $0.status == .sending && $0.attempts == 1 && $0.claimedUntil == day0.adding(seconds: 60) && $0.claimedBy == "a"
            })
            // Claimed and leased: nobody else gets them.
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(seconds: 30), lease: 60, claimer: "b").isEmpty)
            #expect(try await store.pendingOutboxCount() == 2)

            try await store.markOutboxSent(claimed[0].id, at: day0.adding(seconds: 1))
            #expect(try await store.pendingOutboxCount() == 1)
            let sent = try await store.outbox(status: .sent)
            #expect(sent.map(\.id) == [claimed[0].id])
            #expect(sent.first?.sentAt == day0.adding(seconds: 1))
            // Sent is final: a lapsed lease does not bring it back.
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(minutes: 10), lease: 60, claimer: "b").map(\.id) == [claimed[1].id])
            #expect(try await store.outbox(status: nil).count == 2)
            await #expect(throws: StoreError.notFound("Outbox message 9999")) { try await store.markOutboxSent(9999, at: day0) }
        }
    }

    @Test(arguments: Engine.available)
    func dedupeKeySkipsADuplicate(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            #expect(try await store.enqueue([Self.message(1, key: "booking:1:confirmed")], at: day0) == 1)
            // Again, and in one batch with a new one: only the new one is written, without an error.
            #expect(try await store.enqueue([Self.message(2, key: "booking:1:confirmed"), Self.message(3, key: "booking:1:reminder")], at: day0) == 1)
            // A duplicate inside one batch too; messages without a key never collide.
            #expect(try await store.enqueue([Self.message(4, key: "k"), Self.message(5, key: "k"), Self.message(6), Self.message(7)], at: day0) == 3)
            // Even after the first was sent.
            let first = try #require(try await store.outbox(status: nil).first)
            _ = try await store.claimOutbox(limit: 1, now: day0, lease: 60, claimer: "a")
            try await store.markOutboxSent(first.id, at: day0)
            #expect(try await store.enqueue([Self.message(8, key: "booking:1:confirmed")], at: day0) == 0)
            #expect(try await store.outbox(status: nil).map(\.kind) == ["test.1", "test.3", "test.4", "test.6", "test.7"])
        }
    }

    @Test(arguments: Engine.available)
    func bookingTransitionAndMessagesCommitTogether(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let hold = try await store.createHold(try makeHold(host: host, start: at(day: 2, hour: 10)), bufferMinutes: 0)
            let id = try #require(hold.id)
            let confirmation = [Self.message(1, chat: 1001, key: "booking:\(id):confirmed"), Self.message(2, chat: 555, key: "booking:\(id):host")]

            // An invalid transition writes neither the booking nor a message.
            await #expect(throws: StoreError.invalidTransition(.notAllowed(from: .pending, event: "call ended"))) {
                _ = try await store.apply(.callEnded(at: at(day: 2, hour: 11)), to: id, messages: [Self.message(9, key: "never")])
            }
            await #expect(throws: StoreError.notFound("Booking 9999")) {
                _ = try await store.apply(.paymentConfirmed(method: "stripe", at: day0), to: BookingID(9999), messages: [Self.message(9)])
            }
            #expect(try await store.outbox(status: nil).isEmpty)
            #expect(try await store.booking(id)?.status == .pending)

            // A valid one commits both, with the ledger as `apply(_:to:)` writes it.
            let paid = try await store.apply(.paymentConfirmed(method: "stripe", at: day0.adding(minutes: 5)), to: id, messages: confirmation)
            #expect(paid.status == .confirmed)
            #expect(try await store.booking(id) == paid)
            #expect(try await store.ledger(bookingID: id).map(\.kind) == [.payment])
            let stored = try await store.outbox(status: .pending)
            #expect(stored.map(\.chatID) == [1001, 555])
            #expect(stored.allSatisfy { $0.createdAt == day0.adding(minutes: 5) && $0.notBefore == day0.adding(minutes: 5) })

            // A failing second step rolls its messages back but keeps what committed before.
            await #expect(throws: StoreError.self) {
                _ = try await store.apply(.paymentConfirmed(method: "stripe", at: day0.adding(minutes: 6)), to: id, messages: [Self.message(3)])
            }
            #expect(try await store.outbox(status: nil).count == 2)

            // Re-running a step with the same keys does not duplicate its messages.
            _ = try await store.apply(.cancelled(by: .host, refund: true, at: day0.adding(minutes: 60)), to: id,
                                      messages: [Self.message(4, key: "booking:\(id):cancelled"), confirmation[0]])
            #expect(try await store.outbox(status: nil).map(\.kind) == ["test.1", "test.2", "test.4"])
        }
    }

    @Test(arguments: Engine.available)
    func lapsedLeaseIsClaimedAgainWithAnotherAttempt(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            try await store.enqueue([Self.message(1)], at: day0)
            let first = try await store.claimOutbox(limit: 5, now: day0, lease: 30, claimer: "crashed")
            #expect(first.map(\.attempts) == [1])
            // Still leased at the lease's last second; claimable once it ran out.
            #expect(try await store.claimOutbox(limit: 5, now: day0.adding(seconds: 30), lease: 30, claimer: "b").isEmpty)
            let again = try await store.claimOutbox(limit: 5, now: day0.adding(seconds: 31), lease: 30, claimer: "b")
            #expect(again.map(\.id) == first.map(\.id))
            #expect(again.first?.attempts == 2)
            #expect(again.first?.claimedBy == "b")
            #expect(again.first?.claimedUntil == day0.adding(seconds: 61))
        }
    }

    @Test(arguments: Engine.available)
    func notBeforeIsRespectedAndClaimsGoInIDOrder(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            try await store.enqueue([
                Self.message(1, notBefore: day0.adding(minutes: 10)), Self.message(2), Self.message(3, notBefore: day0.adding(minutes: 5)),
                Self.message(4),
            ], at: day0)
            #expect(try await store.claimOutbox(limit: 1, now: day0, lease: 600, claimer: "a").map(\.kind) == ["test.2"])
            #expect(try await store.claimOutbox(limit: 10, now: day0, lease: 600, claimer: "a").map(\.kind) == ["test.4"])
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(minutes: 5), lease: 600, claimer: "a").map(\.kind) == ["test.3"])
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(minutes: 9), lease: 600, claimer: "a").isEmpty)
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(minutes: 10), lease: 600, claimer: "a").map(\.kind) == ["test.1"])
            #expect(try await store.claimOutbox(limit: 0, now: day0.adding(minutes: 99), lease: 600, claimer: "a").isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func rescheduleAndFail(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            try await store.enqueue([Self.message(1), Self.message(2)], at: day0)
            let claimed = try await store.claimOutbox(limit: 10, now: day0, lease: 60, claimer: "a")
            #expect(claimed.count == 2)

            // A 429 with retry_after 20: back to pending, not before then, with the reason.
            try await store.rescheduleOutbox(claimed[0].id, notBefore: day0.adding(seconds: 20), error: "429 Too Many Requests")
            let rescheduled = try #require(try await store.outbox(status: .pending).first)
            #expect(rescheduled.id == claimed[0].id)
            #expect(rescheduled.notBefore == day0.adding(seconds: 20))
            #expect(rescheduled.lastError == "429 Too Many Requests")
            #expect(rescheduled.claimedUntil == nil)
            #expect(rescheduled.attempts == 1)
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(seconds: 19), lease: 60, claimer: "a").isEmpty)
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(seconds: 20), lease: 60, claimer: "a").map(\.attempts) == [2])

            // Given up: final, with the reason, never claimed again.
            try await store.failOutbox(claimed[1].id, error: "403 Forbidden: bot was blocked by the user", at: day0.adding(seconds: 5))
            let failed = try await store.outbox(status: .failed)
            #expect(failed.map(\.id) == [claimed[1].id])
            #expect(failed.first?.lastError == "403 Forbidden: bot was blocked by the user")
            #expect(failed.first?.failedAt == day0.adding(seconds: 5))
            #expect(try await store.pendingOutboxCount() == 1)
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(days: 1), lease: 60, claimer: "a").map(\.id) == [claimed[0].id])
            await #expect(throws: StoreError.notFound("Outbox message 9999")) {
                try await store.rescheduleOutbox(9999, notBefore: day0, error: nil)
            }
            await #expect(throws: StoreError.notFound("Outbox message 9999")) { try await store.failOutbox(9999, error: "x", at: day0) }
        }
    }

    /// 200 messages, 4 claimers on two store instances over one database (two "servers"), each claiming 7 at
    /// a time until nothing is left: every message is claimed exactly once.
    @Test(arguments: Engine.available)
    func concurrentClaimersClaimEveryMessageExactlyOnce(engine: Engine) async throws {
        try await OutboxDatabase.withTwoStores(engine) { a, b, _ in
            try await a.enqueue((1...200).map { Self.message($0, chat: Int64($0 % 5)) }, at: day0)
            let all = try await a.outbox(status: nil).map(\.id)
            #expect(all.count == 200)

            let claims = try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
                for (n, store) in [a, b, a, b].enumerated() {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let batch = try await store.claimOutbox(limit: 7, now: day0, lease: 300, claimer: "claimer-\(n)")
                            if batch.isEmpty { break }
                            #expect(batch.count <= 7)
                            mine += batch.map(\.id)
                            await Task.yield()
                        }
                        return ("claimer-\(n)", mine)
                    }
                }
                var result: [String: [Int64]] = [:]
                for try await (name, ids) in group { result[name] = ids }
                return result
            }
            let claimed = claims.values.flatMap { $0 }
            #expect(claimed.count == 200, "duplicates or missing: \(claimed.count) claims")
            #expect(Set(claimed) == Set(all))
            let sending = try await b.outbox(status: .sending)
            #expect(sending.count == 200)
            #expect(sending.allSatisfy { $0.attempts == 1 })
            // Who claimed a row is recorded, and matches what that claimer got back.
            for message in sending { #expect(claims[message.claimedBy ?? ""]?.contains(message.id) == true) }
        }
    }

    /// PostgreSQL only: a row locked by another transaction (another instance mid-claim) is skipped at once
    /// instead of waited for — the claim really uses `FOR UPDATE SKIP LOCKED`.
    @Test(arguments: Engine.available.filter { $0 == .postgres })
    func lockedRowsAreSkippedNotWaitedFor(engine: Engine) async throws {
        try await OutboxDatabase.withTwoStores(engine) { store, _, url in
            let url = try #require(url)
            try await store.enqueue((1...6).map { Self.message($0) }, at: day0)
            let ids = try await store.outbox(status: nil).map(\.id)

            let config = PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: .disable)
            let locker = try await PostgresConnection.connect(configuration: config, id: 7, logger: TestDatabase.logger)
            try await locker.query(PostgresQuery(unsafeSQL: "BEGIN"), logger: TestDatabase.logger)
            try await locker.query(PostgresQuery(unsafeSQL: "SELECT id FROM outbox WHERE id IN (\(ids[0]), \(ids[2])) FOR UPDATE"), logger: TestDatabase.logger)

            let claimed: [Int64]? = try await withThrowingTaskGroup(of: [Int64]?.self) { group in
                group.addTask { try await store.claimOutbox(limit: 3, now: day0, lease: 60, claimer: "a").map(\.id) }
                group.addTask { try await Task.sleep(for: .seconds(10)); return nil }
                let first = try await group.next() ?? nil
                if first == nil {
                    Issue.record("the claim waited for a locked row")
                    try await locker.query(PostgresQuery(unsafeSQL: "ROLLBACK"), logger: TestDatabase.logger)
                }
                group.cancelAll()
                return first
            }
            #expect(claimed == [ids[1], ids[3], ids[4]])
            try? await locker.query(PostgresQuery(unsafeSQL: "ROLLBACK"), logger: TestDatabase.logger)
            try await locker.close()
            // Released: the skipped rows are claimable now.
            #expect(try await store.claimOutbox(limit: 10, now: day0, lease: 60, claimer: "b").map(\.id) == [ids[0], ids[2], ids[5]])
        }
    }
}

/// Two store instances on one fresh database: two "servers" sharing one PostgreSQL (or one SQLite file).
enum OutboxDatabase {
    static func withTwoStores(_ engine: Engine, _ body: (any Store, any Store, PostgresURL?) async throws -> Void) async throws {
        let location: DatabaseLocation
        var cleanup: () async throws -> Void = {}
        var url: PostgresURL?
        switch engine {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("privatecalls-tests", isDirectory: true)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("\(UUID().uuidString).sqlite").path
            location = .sqlite(path: path)
            cleanup = { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        case .postgres:
            guard let text = Engine.postgresURL else { Issue.record("PRIVATECALLS_TEST_POSTGRES_URL is not set"); return }
            let admin = try PostgresURL(parsing: text)
            let name = "pc_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
            try await TestDatabase.adminQuery(admin, "CREATE DATABASE \(name)")
            PostgresMarker.record(name)
            var shared = admin
            shared.database = name
            url = shared
            location = .postgres(shared)
            cleanup = { try await TestDatabase.adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        }
        var opened: [any Store] = []
        do {
            let a = try await StoreFactory.open(location, logger: TestDatabase.logger)
            opened.append(a)
            let b = try await StoreFactory.open(location, logger: TestDatabase.logger)
            opened.append(b)
            // Both migrate, as two instances starting together would.
            async let ma: Void = a.migrate()
            async let mb: Void = b.migrate()
            _ = try await (ma, mb)
            try await body(a, b, url)
        } catch {
            for store in opened { await store.close() }
            try? await cleanup()
            throw error
        }
        for store in opened { await store.close() }
        try await cleanup()
    }
}
