import Domain
import Foundation
import PostgresNIO
import Storage
import TestDatabases
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

            #expect(try await store.markOutboxSent(try #require(claimed[0].claim), at: day0.adding(seconds: 1)) == .marked)
            #expect(try await store.pendingOutboxCount() == 1)
            let sent = try await store.outbox(status: .sent)
            #expect(sent.map(\.id) == [claimed[0].id])
            #expect(sent.first?.sentAt == day0.adding(seconds: 1))
            // Delivered content is erased (join links carry room tokens); kind and chat stay for the record.
            #expect(sent.first?.payload == "" && sent.first?.kind == claimed[0].kind)
            #expect(try await store.outbox(status: .sending).allSatisfy { !$0.payload.isEmpty })
            // Sent is final: a lapsed lease does not bring it back.
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(minutes: 10), lease: 60, claimer: "b").map(\.id) == [claimed[1].id])
            #expect(try await store.outbox(status: nil).count == 2)
            await #expect(throws: StoreError.notFound("Outbox message 9999")) {
                try await store.markOutboxSent(OutboxClaim(id: 9999, claimer: "a", attempt: 1), at: day0)
            }
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
            let first = try #require(try await store.claimOutbox(limit: 1, now: day0, lease: 60, claimer: "a").first?.claim)
            #expect(first.id == (try await store.outbox(status: nil).first?.id))
            try await store.markOutboxSent(first, at: day0)
            #expect(try await store.enqueue([Self.message(8, key: "booking:1:confirmed")], at: day0) == 0)
            #expect(try await store.outbox(status: nil).map(\.kind) == ["test.1", "test.3", "test.4", "test.6", "test.7"])
        }
    }

    @Test(arguments: Engine.available)
    func bookingTransitionAndMessagesCommitTogether(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let hold = try await store.createHold(try makeHold(host: host, start: at(day: 2, hour: 10)), bufferMinutes: 0, maxLiveHolds: .max)
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
            // One chat each (a chat's own order is `chatQueueHeadOnly`'s subject).
            try await store.enqueue([
                Self.message(1, chat: 1, notBefore: day0.adding(minutes: 10)), Self.message(2, chat: 2),
                Self.message(3, chat: 3, notBefore: day0.adding(minutes: 5)), Self.message(4, chat: 4),
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
            try await store.enqueue([Self.message(1), Self.message(2, chat: 7)], at: day0)
            let claimed = try await store.claimOutbox(limit: 10, now: day0, lease: 60, claimer: "a")
            #expect(claimed.count == 2)
            let claims = try claimed.map { try #require($0.claim) }

            // A 429 with retry_after 20: back to pending, not before then, with the reason.
            #expect(try await store.rescheduleOutbox(claims[0], notBefore: day0.adding(seconds: 20), error: "429 Too Many Requests"))
            let rescheduled = try #require(try await store.outbox(status: .pending).first)
            #expect(rescheduled.id == claimed[0].id)
            #expect(rescheduled.notBefore == day0.adding(seconds: 20))
            #expect(rescheduled.lastError == "429 Too Many Requests")
            #expect(rescheduled.claimedUntil == nil)
            #expect(rescheduled.attempts == 1)
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(seconds: 19), lease: 60, claimer: "a").isEmpty)
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(seconds: 20), lease: 60, claimer: "a").map(\.attempts) == [2])

            // Given up: final, with the reason, never claimed again.
            #expect(try await store.failOutbox(claims[1], error: "403 Forbidden: bot was blocked by the user", at: day0.adding(seconds: 5)))
            let failed = try await store.outbox(status: .failed)
            #expect(failed.map(\.id) == [claimed[1].id])
            #expect(failed.first?.lastError == "403 Forbidden: bot was blocked by the user")
            #expect(failed.first?.failedAt == day0.adding(seconds: 5))
            #expect(try await store.pendingOutboxCount() == 1)
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(days: 1), lease: 60, claimer: "a").map(\.id) == [claimed[0].id])
            let unknown = OutboxClaim(id: 9999, claimer: "a", attempt: 1)
            await #expect(throws: StoreError.notFound("Outbox message 9999")) { try await store.rescheduleOutbox(unknown, notBefore: day0, error: nil) }
            await #expect(throws: StoreError.notFound("Outbox message 9999")) { try await store.failOutbox(unknown, error: "x", at: day0) }
            await #expect(throws: StoreError.notFound("Outbox message 9999")) { try await store.renewOutboxClaim(unknown, now: day0, lease: 60) }
        }
    }

    /// 200 messages for 5 chats, 4 claimers on two store instances over one database (two "servers"), each
    /// claiming up to 7 at a time and marking what it got sent, as a sender does, until nothing is left:
    /// every message is claimed exactly once, and each chat's messages are claimed in id order.
    @Test(arguments: Engine.available)
    func concurrentClaimersClaimEveryMessageExactlyOnce(engine: Engine) async throws {
        try await OutboxDatabase.withTwoStores(engine) { a, b, _ in
            try await a.enqueue((1...200).map { Self.message($0, chat: Int64($0 % 5)) }, at: day0)
            let all = try await a.outbox(status: nil)
            #expect(all.count == 200)
            let log = ClaimLog()

            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, store) in [a, b, a, b].enumerated() {
                    group.addTask {
                        while true {
                            let batch = try await store.claimOutbox(limit: 7, now: day0, lease: 300, claimer: "claimer-\(n)")
                            if batch.isEmpty {
                                // Nothing claimable: done when nothing is left in flight either.
                                if try await store.pendingOutboxCount() == 0 { break }
                                try await Task.sleep(for: .milliseconds(2))
                                continue
                            }
                            #expect(batch.count <= 5, "at most one head per chat")
                            #expect(Set(batch.map(\.chatID)).count == batch.count)
                            await log.append(batch.map { ($0.chatID, $0.id, "claimer-\(n)") })
                            for message in batch {
                                #expect(try await store.markOutboxSent(try #require(message.claim), at: day0) == .marked)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let claims = await log.entries
            #expect(claims.count == 200, "duplicates or missing: \(claims.count) claims")
            #expect(Set(claims.map(\.id)) == Set(all.map(\.id)))
            for chat in Int64(0)..<5 {
                let ids = claims.filter { $0.chat == chat }.map(\.id)
                #expect(ids == ids.sorted(), "chat \(chat) claimed out of order")
            }
            let sent = try await b.outbox(status: .sent)
            #expect(sent.count == 200)
            #expect(sent.allSatisfy { $0.attempts == 1 })
            // Who claimed a row is recorded, and matches who got it.
            let claimer = Dictionary(uniqueKeysWithValues: claims.map { ($0.id, $0.claimer) })
            for message in sent { #expect(message.claimedBy == claimer[message.id]) }
            #expect(Set(claims.map(\.claimer)).count > 1, "one claimer did everything; the test proved nothing about concurrency")
        }
    }

    /// A chat's messages go out one at a time, in id order: only the head of a chat's queue is claimable.
    @Test(arguments: Engine.available)
    func chatQueueHeadOnly(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            try await store.enqueue([Self.message(1), Self.message(2), Self.message(3), Self.message(4, chat: 7)], at: day0)
            let ids = try await store.outbox(status: nil).map(\.id)
            func claim(_ seconds: Int64, lease: Int64 = 60) async throws -> [OutboxMessage] {
                try await store.claimOutbox(limit: 10, now: day0.adding(seconds: seconds), lease: lease, claimer: "a")
            }
            // One head per chat.
            let first = try await claim(0)
            #expect(first.map(\.id) == [ids[0], ids[3]])
            // While the head is being sent, nothing else of its chat is claimable.
            #expect(try await claim(1).isEmpty)
            try await store.markOutboxSent(try #require(first[0].claim), at: day0.adding(seconds: 1))
            try await store.markOutboxSent(try #require(first[1].claim), at: day0.adding(seconds: 1))
            let second = try await claim(2)
            #expect(second.map(\.id) == [ids[1]])

            // A 429 on the head: the rest of the chat waits for retry_after too, also a message enqueued meanwhile.
            #expect(try await store.rescheduleOutbox(try #require(second.first?.claim), notBefore: day0.adding(seconds: 30), error: "429"))
            try await store.enqueue([Self.message(5)], at: day0.adding(seconds: 5))
            #expect(try await claim(5).isEmpty)
            #expect(try await claim(29).isEmpty)
            let retried = try await claim(30)
            #expect(retried.map(\.id) == [ids[1]])
            #expect(retried.first?.attempts == 2)

            // A head given up holds nobody up.
            #expect(try await store.failOutbox(try #require(retried.first?.claim), error: "Telegram 403: Forbidden: bot was blocked by the user", at: day0.adding(seconds: 30)))
            let third = try await claim(31)
            #expect(third.map(\.id) == [ids[2]])

            // A crashed sender's head: claimed again (after its lease), before the messages behind it.
            let fourth = try await claim(200)
            #expect(fourth.map(\.id) == [ids[2]])
            #expect(fourth.first?.attempts == 2)
            try await store.markOutboxSent(try #require(fourth.first?.claim), at: day0.adding(seconds: 200))
            #expect(try await claim(201).map(\.kind) == ["test.5"])
        }
    }

    /// A message scheduled for later holds up none of its chat's messages that are due before it.
    @Test(arguments: Engine.available)
    func aScheduledMessageDoesNotHoldUpItsChat(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            try await store.enqueue([Self.message(1, notBefore: day0.adding(days: 1)), Self.message(2)], at: day0)
            let now = try await store.claimOutbox(limit: 10, now: day0, lease: 60, claimer: "a")
            #expect(now.map(\.kind) == ["test.2"])
            try await store.markOutboxSent(try #require(now.first?.claim), at: day0)
            // When it is due, it goes; the chat's later messages wait behind it.
            try await store.enqueue([Self.message(3)], at: day0.adding(days: 1))
            let later = try await store.claimOutbox(limit: 10, now: day0.adding(days: 1), lease: 60, claimer: "a")
            #expect(later.map(\.kind) == ["test.1"])
        }
    }

    /// Every change after a claim names the claim. A sender whose lease ran out and whose message was taken
    /// over can neither send it (renew fails), nor reschedule or give it up; but its "sent" is recorded —
    /// Telegram did accept it — which stops the sender that took over from sending it again.
    @Test(arguments: Engine.available)
    func aLostClaimCannotSendRescheduleOrFailButItsSentIsRecorded(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            try await store.enqueue([Self.message(1), Self.message(2, chat: 7), Self.message(3, chat: 8)], at: day0)
            let a = try await store.claimOutbox(limit: 10, now: day0, lease: 30, claimer: "a").map { try #require($0.claim) }
            #expect(a.map(\.attempt) == [1, 1, 1])

            // While it holds, renewing extends the lease.
            #expect(try await store.renewOutboxClaim(a[0], now: day0.adding(seconds: 20), lease: 30))
            #expect(try await store.outbox(status: .sending).first?.claimedUntil == day0.adding(seconds: 50))
            // b takes over messages 2 and 3 (a's lease on them ran out at 30 s), not 1.
            let b = try await store.claimOutbox(limit: 10, now: day0.adding(seconds: 40), lease: 30, claimer: "b")
            #expect(b.map(\.id) == [a[1].id, a[2].id])
            #expect(b.map(\.attempts) == [2, 2])
            let taken = try await store.outbox(status: .sending).filter { $0.claimedBy == "b" }
            #expect(taken == b)
            let b1 = try #require(b.first?.claim), b2 = try #require(b.last?.claim)

            // a may not send, reschedule or give up what b holds; nothing changes.
            #expect(try await store.renewOutboxClaim(a[1], now: day0.adding(seconds: 61), lease: 30) == false)
            #expect(try await store.rescheduleOutbox(a[1], notBefore: day0.adding(seconds: 99), error: "late") == false)
            #expect(try await store.failOutbox(a[2], error: "late", at: day0.adding(seconds: 61)) == false)
            let untouched = try await store.outbox(status: .sending).filter { $0.claimedBy == "b" }
            #expect(untouched == taken)

            // a sent message 2 before its lease ran out and only now records it: recorded as sent.
            #expect(try await store.markOutboxSent(a[1], at: day0.adding(seconds: 62)) == .markedAfterLosingClaim(previous: .sending))
            // So b, about to send it, finds its claim gone and does not send it; had b sent it too, b learns so.
            #expect(try await store.renewOutboxClaim(b1, now: day0.adding(seconds: 63), lease: 30) == false)
            #expect(try await store.markOutboxSent(b1, at: day0.adding(seconds: 63)) == .alreadySent)
            #expect(try await store.rescheduleOutbox(b1, notBefore: day0.adding(seconds: 99), error: "x") == false)
            #expect(try await store.outbox(status: .sent).map(\.id) == [a[1].id])

            // b's own claim works as usual.
            #expect(try await store.renewOutboxClaim(b2, now: day0.adding(seconds: 63), lease: 30))
            #expect(try await store.markOutboxSent(b2, at: day0.adding(seconds: 64)) == .marked)

            // The same claimer's older claim (an earlier attempt) is lost too.
            #expect(try await store.renewOutboxClaim(a[0], now: day0.adding(seconds: 45), lease: 30))
            let again = try await store.claimOutbox(limit: 10, now: day0.adding(seconds: 80), lease: 30, claimer: "a")
            #expect(again.map(\.attempts) == [2])
            #expect(try await store.renewOutboxClaim(a[0], now: day0.adding(seconds: 81), lease: 30) == false)
            // A late "sent" after a reschedule is still recorded, and the message is not claimed again.
            #expect(try await store.rescheduleOutbox(try #require(again.first?.claim), notBefore: day0.adding(seconds: 90), error: "429"))
            #expect(try await store.markOutboxSent(a[0], at: day0.adding(seconds: 82)) == .markedAfterLosingClaim(previous: .pending))
            #expect(try await store.claimOutbox(limit: 10, now: day0.adding(minutes: 60), lease: 30, claimer: "c").isEmpty)
            #expect(try await store.pendingOutboxCount() == 0)
        }
    }

    /// PostgreSQL only: a row locked by another transaction (another instance mid-claim) is skipped at once
    /// instead of waited for — the claim really uses `FOR UPDATE SKIP LOCKED`.
    @Test(arguments: Engine.available.filter { $0 == .postgres })
    func lockedRowsAreSkippedNotWaitedFor(engine: Engine) async throws {
        try await OutboxDatabase.withTwoStores(engine) { store, _, url in
            let url = try #require(url)
            try await store.enqueue((1...6).map { Self.message($0, chat: Int64($0)) }, at: day0)
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

/// Claims in the order claimers got them, across tasks.
actor ClaimLog {
    private(set) var entries: [(chat: Int64, id: Int64, claimer: String)] = []
    func append(_ batch: [(Int64, Int64, String)]) { entries += batch.map { (chat: $0.0, id: $0.1, claimer: $0.2) } }
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
            ThrowawayPostgres.recordMarker(name)
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
