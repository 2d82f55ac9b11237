import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// The update inbox with a real `privatecalls serve` killed with SIGKILL: an update is never lost — not
/// between delivery and handling, not in the middle of handling — and a restarted instance takes its own
/// claims back at once instead of waiting for their lease.
@Suite("Update inbox: SIGKILL", .serialized)
struct InboxKillTests {
    static let alice: Int64 = 1001

    /// Killed while the reply to /my_bookings is held by the fake: the update was claimed and not finished.
    @Test func anUpdateKilledMidHandlingIsHandledAfterTheRestartWithoutWaitingForTheLease() async throws {
        try await ServeRig.with { rig in
            let fake = rig.fake, store = rig.store
            let first = try rig.start("alpha", extra: ["SCHEDULER_INTERVAL_SECONDS": "1"])
            await fake.holdNext("sendMessage", chat: Self.alice, for: .seconds(30))
            let update = await fake.sendText("/my_bookings", from: User(id: Self.alice, firstName: "Alice"))
            // The reply is on its way (held by the fake): the update is being handled.
            try await fake.waitUntil(timeout: .seconds(30)) { !(await fake.calls("sendMessage").isEmpty) }
            #expect(try await store.inbox(status: .handling).map(\.updateID) == [update])
            first.kill()

            let started = ContinuousClock.now
            let second = try rig.start("alpha", extra: ["SCHEDULER_INTERVAL_SECONDS": "1"])
            try await fake.waitUntil(timeout: .seconds(30)) {
                (try? await store.inbox(status: .done).map(\.updateID)) == [update]
            }
            let waited = ContinuousClock.now - started
            second.stop()
            #expect(waited < .seconds(30), "taken back at start, not after the 60 s lease (took \(waited))")
            let row = try #require(try await store.inbox(status: nil).first { $0.updateID == update })
            #expect(row.attempts == 2 && row.payload == "")
            let replies = await fake.messages(chat: Self.alice).filter { $0.text?.contains("bookings") == true }
            #expect(replies.count >= 1, "the user got an answer")
        }
    }

    /// The reply to /my_bookings gets a 429 (retry after 4 s); the process is SIGKILLed while it waits. After
    /// the restart the reply is sent once, and not before Telegram's `retry_after` has passed.
    @Test func aReplyThatGot429IsSentOnceAfterRetryAfterAcrossAKill() async throws {
        try await ServeRig.with { rig in
            let fake = rig.fake, store = rig.store
            let retryAfter = 4
            await fake.failNext("sendMessage", chat: Self.alice, code: 429, description: "Too Many Requests: retry after \(retryAfter)",
                                retryAfter: retryAfter)
            let first = try rig.start("gamma")
            let update = await fake.sendText("/my_bookings", from: User(id: Self.alice, firstName: "Alice"))
            // The 429 came back and the update waits for its retry_after in the store.
            try await fake.waitUntil(timeout: .seconds(30)) {
                let row = try? await store.inbox(status: .pending).first { $0.updateID == update }
                return row?.attempts == 1 && row?.lastError?.contains("429") == true
            }
            let limited = try #require(await fake.calls("sendMessage").last { $0.status == 429 })
            first.kill()

            let second = try rig.start("gamma")
            try await fake.waitUntil(timeout: .seconds(30)) {
                (try? await store.inbox(status: .done).map(\.updateID))?.contains(update) == true
            }
            second.stop()
            let replies = await fake.calls("sendMessage").filter { call in
                call.status == 200 && (try? call.decode(SendMessage.self))?.chatId == Self.alice
            }
            #expect(replies.count == 1, "the reply once, not \(replies.count) times")
            let reply = try #require(replies.first)
            #expect(reply.at - limited.at >= .seconds(retryAfter), "sent \(reply.at - limited.at) after the 429, before retry_after")
            let row = try #require(try await store.inbox(status: .done).first { $0.updateID == update })
            #expect(row.attempts == 2)
        }
    }

    /// SIGTERM while a reply hangs at Telegram: the process exits once SHUTDOWN_GRACE_SECONDS is over (not when
    /// the reply ends, and without crashing), and another instance — not restarted under the same name — handles
    /// the update it still held once its heartbeat lapses, instead of after the 60 s claim lease.
    @Test func aShutdownCutShortByItsGracePeriodLeavesItsUpdateToAnotherInstance() async throws {
        try await ServeRig.with { rig in
            let fake = rig.fake, store = rig.store
            let first = try rig.start("delta", extra: ["SHUTDOWN_GRACE_SECONDS": "1"])
            await fake.dropNext("sendMessage", chat: Self.alice, after: .seconds(120))
            let update = await fake.sendText("/my_bookings", from: User(id: Self.alice, firstName: "Alice"))
            try await fake.waitUntil(timeout: .seconds(30)) { !(await fake.calls("sendMessage").isEmpty) }
            let process = first.process
            process.terminate()
            try await fake.waitUntil(timeout: .seconds(60)) { !process.isRunning }
            #expect(process.terminationReason == .exit, "exited, not crashed (status \(process.terminationStatus))")
            #expect(try await store.inbox(status: .handling).map(\.updateID) == [update], "still claimed by the stopped instance")

            let second = try rig.start("epsilon")
            try await fake.waitUntil(timeout: .seconds(40)) {
                (try? await store.inbox(status: .done).map(\.updateID))?.contains(update) == true
            }
            second.stop()
            let replies = await fake.calls("sendMessage").filter { $0.status == 200 && (try? $0.decode(SendMessage.self))?.chatId == Self.alice }
            #expect(replies.count == 1)
            #expect(try await store.inbox(status: .done).first { $0.updateID == update }?.claimedBy == "epsilon")
        }
    }

    /// Killed right after the fake delivered updates of several chats: after the restart each is handled once.
    @Test func updatesDeliveredJustBeforeAKillAreAllHandledOnce() async throws {
        try await ServeRig.with { rig in
            let fake = rig.fake, store = rig.store
            let users = (0..<5).map { User(id: 2000 + Int64($0), firstName: "U\($0)") }
            let first = try rig.start("beta")
            var sent: [Int64] = []
            for user in users { sent.append(await fake.sendText("/start", from: user)) }
            let ids = sent
            try await fake.waitUntil(timeout: .seconds(30)) { await fake.pendingUpdateIds().isEmpty }
            first.kill()
            let second = try rig.start("beta")
            try await fake.waitUntil(timeout: .seconds(30)) {
                let done = Set((try? await store.inbox(status: .done).map(\.updateID)) ?? [])
                return Set(ids).isSubset(of: done)
            }
            second.stop()
            #expect(try await store.openInboxCount() == 0)
            for user in users {
                #expect(await fake.messages(chat: user.id).contains { $0.text?.contains("Welcome") == true }, "\(user.firstName) got the menu")
            }
        }
    }

    /// Two instances on one database in polling mode: only the leader polls (Telegram would answer the second
    /// poller 409 and cut the first), every update is handled once; when the leader is SIGKILLed the other takes
    /// over within the lease and handles what comes next.
    @Test func twoInstancesPollOneAtATimeAndTheOtherTakesOverWhenTheLeaderDies() async throws {
        try await ServeRig.with { rig in
            let fake = rig.fake, store = rig.store
            let alpha = try rig.start("alpha"), beta = try rig.start("beta")
            try await fake.waitUntil(timeout: .seconds(30)) { (try? await store.leaseHolder("telegram-poller", at: WallClock.system.now())) != nil }
            let leader = try #require(try await store.leaseHolder("telegram-poller", at: WallClock.system.now()))
            var sent: [Int64] = []
            for i in 0..<10 { sent.append(await fake.sendText("/start", from: User(id: 3000 + Int64(i), firstName: "P\(i)"))) }
            let first = sent
            try await fake.waitUntil(timeout: .seconds(30)) {
                let done = Set((try? await store.inbox(status: .done).map(\.updateID)) ?? [])
                return Set(first).isSubset(of: done)
            }
            #expect(try await store.inbox(status: .done).filter { first.contains($0.updateID) }.allSatisfy { $0.attempts == 1 })
            #expect(await fake.calls("getUpdates").filter { $0.status == 409 }.isEmpty, "only the leader polls")

            (leader == "alpha" ? alpha : beta).kill()
            let survivor = leader == "alpha" ? beta : alpha
            let later = [await fake.sendText("/start", from: User(id: 3100, firstName: "Q")),
                         await fake.sendText("/start", from: User(id: 3101, firstName: "R"))]
            try await fake.waitUntil(timeout: .seconds(40)) {
                let done = Set((try? await store.inbox(status: .done).map(\.updateID)) ?? [])
                return Set(later).isSubset(of: done)
            }
            #expect(try await store.leaseHolder("telegram-poller", at: WallClock.system.now()) == (leader == "alpha" ? "beta" : "alpha"))
            survivor.stop()
            for user in [3000, 3005, 3009, 3100, 3101] as [Int64] {
                #expect(await fake.messages(chat: user).filter { $0.text?.contains("Welcome") == true }.count == 1, "user \(user)")
            }
        }
    }
}
