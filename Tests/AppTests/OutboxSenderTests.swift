import Bot
import Domain
import FakeTelegram
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization
import Telegram
import TestDatabases
import Testing

@testable import App

/// The outbox sender against the fake Bot API over HTTP, on a real store, with an injected clock: order,
/// pacing, 429 `retry_after`, backoff, give-up with the reason, takeover of a crashed sender's claim.
@Suite("Outbox sender")
struct OutboxSenderTests {
    @Test func deliversEachChatInIDOrderOnceAndPacesEachChat() async throws {
        try await OutboxRig.with { rig in
            let chats: [Int64] = [2001, 2002, 2003]
            for chat in chats { await rig.know(chat) }
            // Interleaved: 1→2001, 2→2002, 3→2003, 4→2001, …
            try await rig.enqueue((1...12).map { (chats[($0 - 1) % 3], "m\($0)") })
            let sender = rig.sender(perChatInterval: .milliseconds(200))
            try await rig.drain(sender)

            for (n, chat) in chats.enumerated() {
                let expected = stride(from: n + 1, through: 12, by: 3).map { "m\($0)" }
                #expect(await rig.fake.messages(chat: chat).compactMap(\.text) == expected)
                // Spacing measured where Telegram would measure it: the fake's receive times.
                let times = await rig.sends(to: chat).map(\.at)
                for (a, b) in zip(times, times.dropFirst()) {
                    #expect(b - a >= .milliseconds(200), "chat \(chat): two sends \(b - a) apart")
                }
            }
            #expect(await rig.fake.calls("sendMessage").count == 12)
            let rows = try await rig.store.outbox(status: nil)
            #expect(rows.allSatisfy { $0.status == .sent && $0.attempts == 1 && $0.sentAt == rig.clock.now && $0.claimedBy == "sender-a" })
        }
    }

    /// The overall limit (Telegram's ≈ 30/s, here 20/s to keep the test short): sends to 20 different chats —
    /// which per-chat pacing never holds back — still start 1/20 s apart, so the first and the last reach the
    /// fake at least 19 × 50 ms apart (minus a little arrival jitter). A lower bound only, never an upper one.
    @Test func sendsAcrossChatsKeepTheOverallRate() async throws {
        try await OutboxRig.with { rig in
            let chats = (3001...3020).map(Int64.init)
            for chat in chats { await rig.know(chat) }
            try await rig.enqueue(chats.map { ($0, "hello") })
            try await rig.drain(rig.sender(perChatInterval: .zero, globalPerSecond: 20))
            let times = await rig.fake.calls("sendMessage").map(\.at)
            #expect(times.count == 20)
            let span = try #require(times.max()) - (try #require(times.min()))
            #expect(span >= .milliseconds(900), "20 sends at 20/s took only \(span)")
        }
    }

    @Test func a429IsHonouredUntilRetryAfterAndTheChatWaitsBehindIt() async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            await rig.know(bob)
            await rig.fake.failNext("sendMessage", chat: alice, code: 429, description: "Too Many Requests: retry after 30", retryAfter: 30)
            try await rig.enqueue([(alice, "first"), (alice, "second"), (bob, "to bob")])
            let sender = rig.sender()
            let start = rig.clock.now

            try await rig.drain(sender)
            #expect(await rig.fake.messages(chat: bob).compactMap(\.text) == ["to bob"])
            #expect(await rig.sends(to: alice).map(\.status) == [429])
            let waiting = try #require(try await rig.store.outbox(status: .pending).first)
            // The clock counts whole seconds: one more than retry_after, so all of it has passed.
            #expect(waiting.notBefore == start.adding(seconds: 31))
            #expect(waiting.lastError?.contains("429") == true)

            // A message to the chat written meanwhile waits behind it too.
            rig.clock.advance(seconds: 10)
            try await rig.enqueue([(alice, "third")])
            try await rig.drain(sender)
            rig.clock.advance(seconds: 20)
            try await rig.drain(sender)
            #expect(await rig.sends(to: alice).count == 1, "sent again before retry_after")
            #expect(await rig.fake.messages(chat: alice).isEmpty)

            rig.clock.advance(seconds: 1)
            try await rig.drain(sender)
            #expect(await rig.fake.messages(chat: alice).compactMap(\.text) == ["first", "second", "third"])
            // Each arrived exactly once: one refused call, then one accepted call per message.
            #expect(await rig.sends(to: alice).map(\.status) == [429, 200, 200, 200])
            #expect(await rig.sends(to: alice).filter { $0.text == "first" }.count == 2)
            #expect(try await rig.store.pendingOutboxCount() == 0)
        }
    }

    @Test func aNetworkDropAndA5xxBackOffThenDeliver() async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            await rig.fake.dropNext("sendMessage", chat: alice)
            await rig.fake.failNext("sendMessage", chat: alice, code: 502, description: "Bad Gateway")
            try await rig.enqueue([(alice, "hello")])
            let sender = rig.sender()
            let start = rig.clock.now

            // Attempt 1: no answer at all → 2 s backoff.
            try await rig.drain(sender)
            var row = try #require(try await rig.store.outbox(status: nil).first)
            #expect(row.status == .pending)
            #expect(row.notBefore == start.adding(seconds: 2))
            #expect(row.lastError?.hasPrefix("Telegram unreachable") == true)
            rig.clock.advance(seconds: 1)
            try await rig.drain(sender)
            #expect(await rig.sends(to: alice).count == 1)

            // Attempt 2: 502 → 4 s backoff.
            rig.clock.advance(seconds: 1)
            try await rig.drain(sender)
            row = try #require(try await rig.store.outbox(status: nil).first)
            #expect(row.notBefore == start.adding(seconds: 6))
            #expect(row.lastError == "Telegram 502: Bad Gateway")
            rig.clock.advance(seconds: 3)
            try await rig.drain(sender)
            #expect(await rig.sends(to: alice).count == 2)

            // Attempt 3 goes through, once.
            rig.clock.advance(seconds: 1)
            try await rig.drain(sender)
            #expect(await rig.fake.messages(chat: alice).compactMap(\.text) == ["hello"])
            #expect(await rig.sends(to: alice).map(\.status) == [0, 502, 200])
            row = try #require(try await rig.store.outbox(status: nil).first)
            #expect(row.status == .sent)
            #expect(row.attempts == 3)
        }
    }

    @Test func blockedByTheUserIsGivenUpAtOnceWithTheReason() async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            await rig.know(bob)
            await rig.fake.blockBot(by: User(id: alice, firstName: "Alice"))
            try await rig.enqueue([(alice, "confirmation"), (bob, "host notice")])
            try await rig.drain(rig.sender())

            let failed = try await rig.store.outbox(status: .failed)
            #expect(failed.map(\.chatID) == [alice])
            #expect(failed.first?.lastError == "Telegram 403: Forbidden: bot was blocked by the user")
            #expect(failed.first?.failedAt == rig.clock.now)
            #expect(failed.first?.attempts == 1)
            #expect(await rig.fake.messages(chat: bob).compactMap(\.text) == ["host notice"])
            // Never tried again.
            rig.clock.advance(seconds: 3600)
            try await rig.drain(rig.sender())
            #expect(await rig.sends(to: alice).count == 1)
        }
    }

    @Test func a400IsGivenUpAtOnceAndTheChatMovesOn() async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            try await rig.store.enqueue([
                .send(SendMessage(chatId: alice, text: "<b>broken"), kind: "test.bad", dedupeKey: nil),
                .send(SendMessage(chatId: alice, text: "fine"), kind: "test.fine", dedupeKey: nil),
            ], at: rig.clock.now)
            try await rig.drain(rig.sender(perChatInterval: .milliseconds(10)))
            let rows = try await rig.store.outbox(status: nil)
            #expect(rows.map(\.status) == [.failed, .sent])
            #expect(rows.first?.lastError?.hasPrefix("Telegram 400: Bad Request: can't parse entities") == true)
            #expect(await rig.fake.messages(chat: alice).compactMap(\.text) == ["fine"])
        }
    }

    @Test func givesUpAfterMaxAttemptsWithTheReason() async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            await rig.fake.failAlways("sendMessage", chat: alice, code: 500, description: "Internal Server Error")
            try await rig.enqueue([(alice, "doomed")])
            let sender = rig.sender(maxAttempts: 3)
            for _ in 0..<10 {
                try await rig.drain(sender)
                rig.clock.advance(seconds: 300)
            }
            let row = try #require(try await rig.store.outbox(status: nil).first)
            #expect(row.status == .failed)
            #expect(row.attempts == 3)
            #expect(row.lastError == "gave up after 3 attempts: Telegram 500: Internal Server Error")
            #expect(await rig.sends(to: alice).map(\.status) == [500, 500, 500])
        }
    }

    @Test func anUnreadablePayloadIsGivenUpWithoutCallingTelegram() async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            try await rig.store.enqueue([
                NewOutboxMessage(chatID: alice, kind: "test.garbage", payload: "{not json"),
                NewOutboxMessage(chatID: alice, kind: "test.other-chat", payload: Self.payload(SendMessage(chatId: bob, text: "misfiled"))),
            ], at: rig.clock.now)
            try await rig.drain(rig.sender())
            let failed = try await rig.store.outbox(status: .failed)
            #expect(failed.map(\.kind) == ["test.garbage", "test.other-chat"])
            #expect(failed.first?.lastError == "unreadable payload: not a sendMessage call")
            #expect(failed.last?.lastError == "payload chat \(bob) differs from the row's chat")
            #expect(await rig.fake.calls("sendMessage").isEmpty)
        }
    }

    /// A sender that crashed after claiming: nobody sends the message while its lease holds; after that
    /// another sender takes it over and sends it once.
    @Test func aCrashedSendersClaimIsTakenOverAfterTheLease() async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            try await rig.enqueue([(alice, "orphan"), (alice, "behind it")])
            let crashed = try await rig.store.claimOutbox(limit: 10, now: rig.clock.now, lease: 60, claimer: "crashed")
            #expect(crashed.map(\.chatID) == [alice])
            let sender = rig.sender(perChatInterval: .milliseconds(10))
            rig.clock.advance(seconds: 60)
            try await rig.drain(sender)
            #expect(await rig.fake.calls("sendMessage").isEmpty)
            rig.clock.advance(seconds: 1)
            try await rig.drain(sender)
            #expect(await rig.fake.messages(chat: alice).compactMap(\.text) == ["orphan", "behind it"])
            let rows = try await rig.store.outbox(status: nil)
            #expect(rows.map(\.attempts) == [2, 1])
            #expect(rows.allSatisfy { $0.status == .sent && $0.claimedBy == "sender-a" })
        }
    }

    /// Never twice: a sender that finds, right before sending, that its claim is gone — the message was
    /// recorded sent by a sender whose lease had run out, or taken over by another sender — does not send it.
    @Test(arguments: ["marked sent meanwhile", "taken over meanwhile"])
    func aSenderWhoseClaimIsGoneDoesNotSend(what: String) async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            try await rig.enqueue([(alice, "once")])
            // A sender claimed it, sent it and stalled before recording it; its lease ran out.
            let slow = try #require(try await rig.store.claimOutbox(limit: 1, now: rig.clock.now, lease: 30, claimer: "slow").first?.claim)
            rig.clock.advance(seconds: 31)
            let store = rig.store, clock = rig.clock
            var sender = rig.sender()
            sender.beforeSend = { _ in
                if what == "marked sent meanwhile" {
                    // The slow sender records its send just now.
                    _ = try? await store.markOutboxSent(slow, at: clock.now)
                } else {
                    // This sender stalls past its own lease; a third one takes the message over.
                    clock.advance(seconds: 121)
                    _ = try? await store.claimOutbox(limit: 1, now: clock.now, lease: 120, claimer: "third")
                }
            }
            try await rig.drain(sender)
            #expect(await rig.fake.calls("sendMessage").isEmpty)
            let row = try #require(try await rig.store.outbox(status: nil).first)
            if what == "marked sent meanwhile" {
                #expect(row.status == .sent)
                #expect(row.claimedBy == "sender-a")
            } else {
                #expect(row.status == .sending)
                #expect(row.claimedBy == "third")
                #expect(row.attempts == 3)
            }
        }
    }

    /// Runs as a Service: sends what is enqueued while it runs and stops on graceful shutdown.
    @Test func runsAsAServiceUntilGracefulShutdown() async throws {
        try await OutboxRig.with { rig in
            await rig.know(alice)
            let sender = rig.sender(perChatInterval: .milliseconds(10))
            let group = ServiceGroup(configuration: .init(services: [sender], logger: rig.logger))
            let running = Task { try await group.run() }
            try await rig.enqueue([(alice, "one"), (alice, "two")])
            let fake = rig.fake
            try await fake.waitUntil(timeout: .seconds(10)) { await fake.messages(chat: alice).count == 2 }
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(await fake.messages(chat: alice).compactMap(\.text) == ["one", "two"])
            #expect(try await rig.store.pendingOutboxCount() == 0)
        }
    }

    /// Every log line of a sender (and of its Telegram client, at trace level) across errors of every kind,
    /// and every stored reason: no bot token.
    @Test func theTokenIsNeverLoggedNorStored() async throws {
        let lines = LogCapture()
        try await OutboxRig.with(logger: lines.logger) { rig in
            await rig.know(alice)
            await rig.know(bob)
            await rig.fake.failNext("sendMessage", chat: alice, code: 429, description: "Too Many Requests: retry after 1", retryAfter: 1)
            await rig.fake.dropNext("sendMessage", chat: alice)
            await rig.fake.failNext("sendMessage", chat: alice, code: 502, description: "Bad Gateway")
            await rig.fake.blockBot(by: User(id: bob, firstName: "Bob"))
            try await rig.enqueue([(alice, "a"), (bob, "b")])
            try await rig.store.enqueue([NewOutboxMessage(chatID: alice, kind: "test.garbage", payload: "{")], at: rig.clock.now)
            let sender = rig.sender(perChatInterval: .milliseconds(10))
            for _ in 0..<6 {
                try await rig.drain(sender)
                rig.clock.advance(seconds: 10)
            }
            #expect(await rig.fake.messages(chat: alice).compactMap(\.text) == ["a"])
            let stored = try await rig.store.outbox(status: nil).compactMap(\.lastError)
            #expect(stored.count == 3)
            let secret = String(rig.fake.token.split(separator: ":").last ?? "")
            #expect(!secret.isEmpty)
            for text in stored + lines.lines { #expect(!text.contains(secret), "token in: \(text)") }
            #expect(lines.lines.contains { $0.contains("429") })
            #expect(lines.lines.contains { $0.contains("given up") })
        }
    }

    /// Which failures are retried: Telegram's own trouble and a wrong token or URL (the bot's problem, not the
    /// message's) back off; what the message cannot change is given up; an unreadable answer too (Telegram
    /// may have taken the message: sending again could send it twice).
    @Test func whichFailuresAreRetried() {
        #expect(OutboxSender.verdict(for: .tooManyRequests(retryAfter: 0, description: "x")) == .retryAfter(seconds: 1))
        #expect(OutboxSender.verdict(for: .tooManyRequests(retryAfter: 42, description: "x")) == .retryAfter(seconds: 42))
        for error: TelegramError in [.network("reset"), .api(code: 500, description: "x"), .api(code: 502, description: "x"),
                                     .api(code: 401, description: "Unauthorized"), .api(code: 404, description: "Not Found")] {
            #expect(OutboxSender.verdict(for: error) == .backoff, "\(error)")
        }
        #expect(OutboxSender.verdict(for: .api(code: 403, description: "Forbidden: bot was blocked by the user"))
            == .giveUp(reason: "Telegram 403: Forbidden: bot was blocked by the user"))
        #expect(OutboxSender.verdict(for: .api(code: 400, description: "Bad Request: chat not found"))
            == .giveUp(reason: "Telegram 400: Bad Request: chat not found"))
        #expect(OutboxSender.verdict(for: .decoding("sendMessage: junk"))
            == .giveUp(reason: "Telegram answer unreadable: sendMessage: junk (it may have been delivered)"))
        #expect((1...12).map(OutboxSender.backoff) == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300])
    }

    @Test func outboxLeaseSecondsIsReadAndChecked() throws {
        #expect(try AppConfiguration.load(environment: [:]).outboxLeaseSeconds == 120)
        #expect(try AppConfiguration.load(environment: ["OUTBOX_LEASE_SECONDS": "3"]).outboxLeaseSeconds == 3)
        for bad in ["0", "-5", "abc", "3601"] {
            #expect(throws: ConfigurationError(
                variable: "OUTBOX_LEASE_SECONDS", message: "must be a whole number from 1 to 3600, got “\(bad)”")) {
                _ = try AppConfiguration.load(environment: ["OUTBOX_LEASE_SECONDS": bad])
            }
        }
    }

    static func payload(_ message: SendMessage) -> String {
        String(decoding: (try? TelegramJSON.encoder().encode(message)) ?? Data(), as: UTF8.self)
    }
}

/// Exactly once with two server instances: two senders with their own PostgreSQL stores (connection pools)
/// on one fresh database drain 200 messages for 20 chats; the fake sees each message exactly once, each chat
/// in order. Skipped when `PRIVATECALLS_TEST_POSTGRES_URL` is unset (CI sets it and counts the database in
/// its marker file). Not run on SQLite: two SQLite connections to one file inside one process can deadlock
/// on sqlite-nio's thread pool (a writer waiting in `busy_timeout` holds a pool thread the lock holder needs
/// to commit) — a test artefact; `serve` opens one connection per process.
@Suite("Outbox sender: two instances on PostgreSQL")
struct OutboxTwoInstanceTests {
    @Test(.enabled(if: OutboxPostgres.url != nil, "PRIVATECALLS_TEST_POSTGRES_URL is not set"))
    func twoInstancesSendEveryMessageExactlyOnce() async throws {
        let fake = try await FakeBotAPI.start()
        do {
            try await run(fake)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    func run(_ fake: FakeBotAPI) async throws {
        let chats = (1...20).map { Int64(3000 + $0) }
        for chat in chats { await fake.sendText("hi", from: User(id: chat, firstName: "U\(chat)")) }
        let logger = OutboxRig.quietLogger

        try await OutboxPostgres.withTwoStores { a, b in
            let clock = OutboxTestClock(OutboxRig.start)
            let now: @Sendable () -> Instant = { clock.now }
            let messages = (1...200).map { n in
                NewOutboxMessage.send(SendMessage(chatId: chats[(n - 1) % 20], text: "n\(n)"), kind: "test.\(n)", dedupeKey: "test:\(n)")
            }
            #expect(try await a.enqueue(messages, at: clock.now) == 200)
            let senders = [(a, "alpha"), (b, "beta")].map { store, name in
                OutboxSender(
                    store: store, api: TelegramClient(token: fake.token, baseURL: fake.baseURL, logger: logger), now: now,
                    instance: name, logger: logger, batchSize: 5, pollInterval: .milliseconds(5),
                    perChatInterval: .milliseconds(20), globalPerSecond: 1000)
            }
            let group = ServiceGroup(configuration: .init(services: senders.map { $0 as any Service }, logger: logger))
            let running = Task { try await group.run() }
            do {
                try await fake.waitUntil(timeout: .seconds(90)) { (try? await a.pendingOutboxCount()) == 0 }
            } catch {
                Issue.record("not drained: \(String(describing: try? await a.pendingOutboxCount())) left")
            }
            await group.triggerGracefulShutdown()
            try await running.value

            // Every message exactly once; nothing was refused or dropped.
            let calls = await fake.calls("sendMessage")
            #expect(calls.allSatisfy { $0.status == 200 })
            let texts = try calls.map { try $0.decode(SendMessage.self).text }
            #expect(texts.count == 200, "\(texts.count) sends for 200 messages")
            #expect(Set(texts) == Set((1...200).map { "n\($0)" }))
            for (i, chat) in chats.enumerated() {
                let expected = stride(from: i + 1, through: 200, by: 20).map { "n\($0)" }
                #expect(await fake.messages(chat: chat).compactMap(\.text) == expected)
            }
            let rows = try await b.outbox(status: nil)
            #expect(rows.allSatisfy { $0.status == .sent && $0.attempts == 1 })
            #expect(Set(rows.compactMap(\.claimedBy)) == ["alpha", "beta"], "both instances should have sent some")
        }
    }
}

/// `privatecalls serve` as a process, killed with SIGKILL around sending: after a restart on the same
/// database the message is sent exactly once.
@Suite("Outbox sender: SIGKILL", .serialized)
struct OutboxKillTests {
    /// The message is written while Telegram refuses the chat (502); the process is killed while retrying;
    /// a new process sends it once Telegram takes it again.
    @Test func aMessageWrittenWhileSendingFailsSurvivesSIGKILL() async throws {
        try await ServeRig.with { rig in
            await rig.fake.failAlways("sendMessage", chat: alice, code: 502, description: "Bad Gateway")
            let first = try rig.start("first")
            try await rig.enqueue("survives a kill")
            let fake = rig.fake
            try await fake.waitUntil(timeout: .seconds(30)) { await fake.calls("sendMessage").contains { $0.status == 502 } }
            first.kill()
            #expect(await rig.accepted("survives a kill") == 0)
            #expect(try await rig.store.outbox(status: .sent).isEmpty)

            await fake.clearFaults()
            let second = try rig.start("second")
            try await rig.waitUntilSent()
            second.stop()
            #expect(await fake.messages(chat: alice).compactMap(\.text).filter { $0 == "survives a kill" }.count == 1)
            #expect(await rig.accepted("survives a kill") == 1)
            let row = try #require(try await rig.store.outbox(status: nil).first)
            #expect(row.claimedBy == "second")
            #expect(rig.logs.allSatisfy { !$0.contains(rig.secret) }, "a log line holds the bot token")
        }
    }

    /// The process claimed the message and is killed while its send is in flight (the fake holds the
    /// request and never carries it out): after the lease runs out a new process sends it once.
    @Test func aMessageClaimedByAKilledProcessIsSentOnceAfterTheLease() async throws {
        try await ServeRig.with { rig in
            await rig.fake.dropNext("sendMessage", chat: alice, after: .seconds(60))
            let first = try rig.start("first")
            try await rig.enqueue("claimed then killed")
            let fake = rig.fake
            try await fake.waitUntil(timeout: .seconds(30)) { !(await fake.calls("sendMessage").isEmpty) }
            let claimed = try #require(try await rig.store.outbox(status: .sending).first)
            #expect(claimed.claimedBy == "first")
            first.kill()

            let second = try rig.start("second")
            try await rig.waitUntilSent()
            second.stop()
            #expect(await fake.messages(chat: alice).compactMap(\.text).filter { $0 == "claimed then killed" }.count == 1)
            #expect(await rig.accepted("claimed then killed") == 1)
            let row = try #require(try await rig.store.outbox(status: nil).first)
            #expect(row.claimedBy == "second")
            #expect(row.attempts == 2)
            #expect(rig.logs.allSatisfy { !$0.contains(rig.secret) }, "a log line holds the bot token")
        }
    }
}

extension OutboxKillTests {
    /// The same instance restarted after SIGKILL (same INSTANCE_NAME) sends what it was sending at once, not
    /// after the 120 s lease.
    @Test func aRestartedInstanceTakesBackItsOwnClaimsAtOnce() async throws {
        try await ServeRig.with { rig in
            let long = ["OUTBOX_LEASE_SECONDS": "120"]
            await rig.fake.dropNext("sendMessage", chat: alice, after: .seconds(60))
            let first = try rig.start("alpha", extra: long)
            try await rig.enqueue("taken back")
            let fake = rig.fake
            try await fake.waitUntil(timeout: .seconds(30)) { !(await fake.calls("sendMessage").isEmpty) }
            #expect(try await rig.store.outbox(status: .sending).first?.claimedBy == "alpha")
            first.kill()

            let started = ContinuousClock.now
            let second = try rig.start("alpha", extra: long)
            try await rig.waitUntilSent()
            let waited = ContinuousClock.now - started
            second.stop()
            #expect(waited < .seconds(30), "sent \(waited) after the restart, not after the lease")
            #expect(await rig.accepted("taken back") == 1)
            #expect(try await rig.store.outbox(status: nil).first?.attempts == 2)
        }
    }
}

extension OutboxKillTests {
    /// Two instances; the one sending is SIGKILLed and not restarted. The other sees its heartbeat lapse and
    /// sends the message within seconds — not after the 120 s claim lease — and handles the dead one's update too.
    @Test func anotherInstanceTakesOverADeadInstancesClaimsWithinSeconds() async throws {
        try await ServeRig.with { rig in
            let long = ["OUTBOX_LEASE_SECONDS": "120"]
            let fake = rig.fake, store = rig.store
            let alpha = try rig.start("alpha", extra: long)
            // alpha alone holds a heartbeat before beta starts, so alpha is the one that claims.
            try await fake.waitUntil(timeout: .seconds(30)) { (try? await store.leaseHolder("instance:alpha", at: WallClock.system.now())) == "alpha" }
            await fake.dropNext("sendMessage", chat: alice, after: .seconds(60))
            try await rig.enqueue("taken over")
            try await fake.waitUntil(timeout: .seconds(30)) { !(await fake.calls("sendMessage").isEmpty) }
            #expect(try await store.outbox(status: .sending).first?.claimedBy == "alpha")
            let beta = try rig.start("beta", extra: long)
            try await fake.waitUntil(timeout: .seconds(30)) { (try? await store.leaseHolder("instance:beta", at: WallClock.system.now())) == "beta" }
            alpha.kill()

            let killed = ContinuousClock.now
            try await rig.waitUntilSent()
            let waited = ContinuousClock.now - killed
            #expect(waited < .seconds(30), "sent \(waited) after the kill, not after the 120 s lease")
            #expect(try await store.outbox(status: nil).first?.claimedBy == "beta")
            #expect(await rig.accepted("taken over") == 1)
            #expect(try await store.leaseHolder("instance:alpha", at: WallClock.system.now()) == nil, "the dead one's heartbeat is gone")
            beta.stop()
            #expect(try await store.leaseHolder("instance:beta", at: WallClock.system.now()) == nil, "a graceful stop removes the heartbeat")
            #expect(rig.logs.contains { $0.contains("an instance stopped; its claims were given back") && $0.contains("instance=alpha") })
        }
    }
}

// MARK: Support

private let alice: Int64 = 1001
private let bob: Int64 = 1002

/// A clock the test moves by hand, by the second.
final class OutboxTestClock: Sendable {
    private let value: Mutex<Instant>
    init(_ start: Instant) { value = Mutex(start) }
    var now: Instant { value.withLock { $0 } }
    func advance(seconds: Int64) { value.withLock { $0 = $0.adding(seconds: seconds) } }
}

/// A fake Bot API, a fresh SQLite store and a clock, for driving `OutboxSender` round by round.
struct OutboxRig {
    static let start = Instant(epochSeconds: 1_795_564_800 + 8 * 3600)
    static let quietLogger: Logger = {
        var l = Logger(label: "outbox-tests")
        l.logLevel = ProcessInfo.processInfo.environment["E2E_LOG"] == nil ? .critical : .debug
        return l
    }()

    let fake: FakeBotAPI
    let store: any Store
    let clock: OutboxTestClock
    let logger: Logger
    let path: String

    static func with(logger: Logger = quietLogger, _ body: (OutboxRig) async throws -> Void) async throws {
        let fake = try await FakeBotAPI.start()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pc-outbox-\(UUID().uuidString).sqlite").path
        let store = try await StoreFactory.open(.sqlite(path: path), logger: quietLogger)
        let rig = OutboxRig(fake: fake, store: store, clock: OutboxTestClock(start), logger: logger, path: path)
        do {
            try await store.migrate()
            try await body(rig)
        } catch {
            await rig.cleanUp()
            throw error
        }
        await rig.cleanUp()
    }

    func cleanUp() async {
        await fake.stop()
        await store.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func sender(maxAttempts: Int = 8, perChatInterval: Duration = .milliseconds(50), globalPerSecond: Int = 200) -> OutboxSender {
        let clock = self.clock
        return OutboxSender(
            store: store, api: TelegramClient(token: fake.token, baseURL: fake.baseURL, logger: logger), now: { clock.now },
            instance: "sender-a", logger: logger, maxAttempts: maxAttempts, perChatInterval: perChatInterval, globalPerSecond: globalPerSecond)
    }

    /// Makes the chat known to the fake (someone wrote to the bot).
    func know(_ chat: Int64) async {
        await fake.sendText("/start", from: User(id: chat, firstName: "User \(chat)"))
    }

    func enqueue(_ messages: [(Int64, String)]) async throws {
        try await store.enqueue(messages.map { chat, text in
            .send(SendMessage(chatId: chat, text: text), kind: "test.\(text)", dedupeKey: "test:\(chat):\(text)")
        }, at: clock.now)
    }

    /// Rounds at the current (frozen) clock until one claims nothing: everything due now is handled.
    func drain(_ sender: OutboxSender) async throws {
        let pacing = OutboxPacing(perChat: sender.perChatInterval, perSecond: sender.globalPerSecond)
        for _ in 0..<1000 {
            if await sender.round(pacing: pacing) == 0 { return }
        }
        Issue.record("the sender never ran out of due messages")
    }

    /// The sendMessage calls addressing the chat, in arrival order.
    func sends(to chat: Int64) async -> [(text: String, status: Int, at: ContinuousClock.Instant)] {
        await fake.calls("sendMessage").compactMap { call in
            guard let p = try? call.decode(SendMessage.self), p.chatId == chat else { return nil }
            return (p.text, call.status, call.at)
        }
    }
}

/// Collects every log line with its metadata.
final class LogCapture: Sendable {
    private let box = Mutex<[String]>([])
    var lines: [String] { box.withLock { $0 } }

    var logger: Logger {
        var l = Logger(label: "outbox-capture") { _ in Handler(capture: self) }
        l.logLevel = .trace
        return l
    }

    func append(_ line: String) { box.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.append("\(event.level) \(event.message) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
        }
    }
}

/// A fresh PostgreSQL database for the two-instance test, as Tests/StorageTests/TestDatabase.swift makes them.
enum OutboxPostgres {
    static var url: String? {
        ProcessInfo.processInfo.environment["PRIVATECALLS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Two stores, each with its own connection pool, on one fresh, migrated database; dropped afterwards.
    static func withTwoStores(_ body: (any Store, any Store) async throws -> Void) async throws {
        let admin = try PostgresURL(parsing: try #require(url))
        let name = "pc_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await adminQuery(admin, "CREATE DATABASE \(name)")
        recordMarker(name)
        var shared = admin
        shared.database = name
        let location = DatabaseLocation.postgres(shared)
        let cleanup = { try await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        let a: any Store, b: any Store
        do {
            a = try await StoreFactory.open(location, logger: OutboxRig.quietLogger)
        } catch {
            try? await cleanup()
            throw error
        }
        do {
            b = try await StoreFactory.open(location, logger: OutboxRig.quietLogger)
        } catch {
            await a.close()
            try? await cleanup()
            throw error
        }
        do {
            // Both migrate, as two instances starting together would.
            async let ma: Void = a.migrate()
            async let mb: Void = b.migrate()
            _ = try await (ma, mb)
            try await body(a, b)
        } catch {
            await a.close()
            await b.close()
            try? await cleanup()
            throw error
        }
        await a.close()
        await b.close()
        try await cleanup()
    }

    static func adminQuery(_ url: PostgresURL, _ sql: String) async throws {
        try await ThrowawayPostgres.execute(sql, on: url, logger: OutboxRig.quietLogger)
    }

    /// The evidence scripts/test counts (PRIVATECALLS_POSTGRES_MARKER): one line per fresh database.
    static func recordMarker(_ database: String) {
        ThrowawayPostgres.recordMarker(database)
    }
}

/// `privatecalls serve` processes on one SQLite file, talking to the fake Bot API, with a short outbox
/// lease; the test writes into the same file.
struct ServeRig {
    let fake: FakeBotAPI
    let store: any Store
    let dir: URL
    let path: String

    var secret: String { String(fake.token.split(separator: ":").last ?? "") }

    static func with(_ body: (ServeRig) async throws -> Void) async throws {
        let fake = try await FakeBotAPI.start(token: "765432:KILL-test-secret-token")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pc-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("calls.sqlite").path
        let store = try await StoreFactory.open(.sqlite(path: path), logger: OutboxRig.quietLogger)
        let rig = ServeRig(fake: fake, store: store, dir: dir, path: path)
        do {
            try await store.migrate()
            // Alice's chat becomes known to the fake; her /start counts as handled, so the processes poll past
            // it and the only message to her chat is the test's.
            let update = await fake.sendText("/start", from: User(id: alice, firstName: "Alice"))
            _ = try await store.markUpdateHandled(update, at: WallClock.system.now())
            try await body(rig)
        } catch {
            await rig.cleanUp()
            throw error
        }
        await rig.cleanUp()
    }

    func cleanUp() async {
        await fake.stop()
        await store.close()
        try? FileManager.default.removeItem(at: dir)
    }

    /// A running `privatecalls serve`.
    struct Running {
        let process: Process

        /// SIGKILL: no shutdown of any kind.
        func kill() {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// SIGTERM: graceful shutdown.
        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    func start(_ instance: String, extra: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = try #require(ServeProcessTests.binary, "privatecalls binary not found next to the tests")
        process.arguments = ["serve"]
        process.environment = [
            "PATH": "/usr/bin:/bin", "DATABASE_URL": path, "PORT": "0", "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.baseURL,
            "TELEGRAM_POLL_TIMEOUT": "1", "INSTANCE_NAME": instance, "OUTBOX_LEASE_SECONDS": "3", "LOG_LEVEL": "debug",
        ].merging(extra) { _, new in new }
        process.currentDirectoryURL = dir
        let log = dir.appendingPathComponent("\(instance).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return Running(process: process)
    }

    /// Every line the processes logged.
    var logs: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "log" }.flatMap { url in
            ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    /// Writes a message for Alice, as a state change would, at the processes' (system) clock.
    func enqueue(_ text: String) async throws {
        try await store.enqueue([.send(SendMessage(chatId: alice, text: text), kind: "test.kill", dedupeKey: "kill:\(text)")],
                                at: WallClock.system.now())
    }

    /// Waits until the database records the message sent.
    func waitUntilSent() async throws {
        let store = self.store
        do {
            try await fake.waitUntil(timeout: .seconds(40)) { ((try? await store.outbox(status: .sent)) ?? []).count == 1 }
        } catch {
            Issue.record("not sent: \(String(describing: try? await store.outbox(status: nil))); logs:\n\(logs.suffix(30).joined(separator: "\n"))")
            throw error
        }
    }

    /// How many sendMessage calls with this text the fake accepted.
    func accepted(_ text: String) async -> Int {
        await fake.calls("sendMessage").filter { call in call.status == 200 && (try? call.decode(SendMessage.self).text) == text }.count
    }
}
