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
}
