import Domain
import Foundation
import Storage
import Testing

/// The update inbox on both engines: kept once, claimed one chat at a time in order, across claimers.
@Suite("Store contract: update inbox")
struct InboxContractTests {
    func update(_ id: Int64, chat: Int64) -> NewInboxUpdate { NewInboxUpdate(updateID: id, chatID: chat, payload: #"{"update_id":\#(id)}"#) }

    @Test(arguments: Engine.available)
    func updatesAreKeptOnceAndCountForThePollingOffset(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store async throws in
            #expect(try await store.markUpdateHandled(5, at: day0))
            #expect(try await store.receiveUpdates([update(5, chat: 1), update(6, chat: 1), update(7, chat: 2)], at: day0) == [6, 7])
            #expect(try await store.receiveUpdates([update(6, chat: 1), update(8, chat: 2)], at: day0) == [8])
            #expect(try await store.lastHandledUpdateID() == 8)
            #expect(try await store.openInboxCount() == 3)
        }
    }

    @Test(arguments: Engine.available)
    func onlyTheHeadOfEachChatIsClaimedAndFinishedInOrder(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store async throws in
            try await store.receiveUpdates([update(1, chat: 10), update(2, chat: 10), update(3, chat: 20), update(4, chat: 0), update(5, chat: 0)], at: day0)
            let first = try await store.claimUpdates(limit: 10, now: day0, lease: 60, claimer: "a")
            #expect(first.map(\.updateID) == [1, 3, 4, 5], "chat 10's second update waits; chat-less ones never wait")
            #expect(try await store.claimUpdates(limit: 10, now: day0, lease: 60, claimer: "b").isEmpty)
            let one = try #require(first.first)
            #expect(try await store.finishUpdate(one.claim, at: day0))
            #expect(try await store.claimUpdates(limit: 10, now: day0, lease: 60, claimer: "b").map(\.updateID) == [2])
            // A retry keeps its chat waiting until it is due; a lost claim can neither finish nor retry.
            let three = first[1]
            #expect(try await store.retryUpdate(three.claim, notBefore: day0.adding(seconds: 30), error: "Telegram 500"))
            try await store.receiveUpdates([update(9, chat: 20)], at: day0)
            #expect(try await store.claimUpdates(limit: 10, now: day0.adding(seconds: 10), lease: 60, claimer: "b").isEmpty)
            let again = try await store.claimUpdates(limit: 10, now: day0.adding(seconds: 30), lease: 60, claimer: "b")
            #expect(again.map(\.updateID) == [3])
            #expect(again.first?.attempts == 2 && again.first?.lastError == "Telegram 500")
            #expect(try await store.finishUpdate(three.claim, at: day0) == false, "a's claim on 3 was superseded")
            let done = try await store.inbox(status: .done)
            #expect(done.map(\.updateID) == [1] && done.first?.payload == "", "handled payloads are erased")
        }
    }

    @Test(arguments: Engine.available)
    func aCrashedClaimIsTakenOverAfterItsLeaseOrAtOnceByItsOwnInstance(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store async throws in
            try await store.receiveUpdates([update(1, chat: 10), update(2, chat: 11)], at: day0)
            #expect(try await store.claimUpdates(limit: 10, now: day0, lease: 60, claimer: "dead").count == 2)
            #expect(try await store.claimUpdates(limit: 10, now: day0.adding(seconds: 30), lease: 60, claimer: "other").isEmpty)
            #expect(try await store.claimUpdates(limit: 10, now: day0.adding(seconds: 61), lease: 60, claimer: "other").map(\.updateID) == [1, 2])
            // The same instance restarting takes its claims back without waiting.
            #expect(try await store.releaseUpdateClaims(claimer: "other", at: day0.adding(seconds: 62)) == 2)
            #expect(try await store.claimUpdates(limit: 10, now: day0.adding(seconds: 62), lease: 60, claimer: "other").count == 2)
        }
    }

    @Test(arguments: Engine.available)
    func concurrentClaimersNeverShareAnUpdateAndKeepEachChatInOrder(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store async throws in
            let updates = (1...200).map { update(Int64($0), chat: Int64($0 % 7) + 1) }
            try await store.receiveUpdates(updates, at: day0)
            let handled = try await withThrowingTaskGroup(of: [(Int64, Int64)].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [(Int64, Int64)] = []
                        var idle = 0
                        while idle < 50 {
                            let claimed = try await store.claimUpdates(limit: 3, now: day0, lease: 60, claimer: "w\(worker)")
                            if claimed.isEmpty { idle += 1; await Task.yield(); continue }
                            idle = 0
                            for row in claimed {
                                mine.append((row.updateID, row.chatID))
                                #expect(try await store.finishUpdate(row.claim, at: day0))
                            }
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(handled.count == 200)
            #expect(Set(handled.map(\.0)).count == 200, "no update handled twice")
            #expect(try await store.openInboxCount() == 0)
            #expect(try await store.inbox(status: .done).count == 200)
        }
    }

    @Test(arguments: Engine.available)
    func aLeaseHasOneHolderAtATime(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store async throws in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<20 { group.addTask { try await store.acquireLease("poller", holder: "i\(i)", now: day0, seconds: 10) } }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(winners == 1)
            let holder = try #require(try await store.leaseHolder("poller", at: day0))
            #expect(try await store.acquireLease("poller", holder: holder, now: day0.adding(seconds: 5), seconds: 10), "the holder renews")
            #expect(try await store.acquireLease("poller", holder: "other", now: day0.adding(seconds: 14), seconds: 10) == false)
            #expect(try await store.acquireLease("poller", holder: "other", now: day0.adding(seconds: 16), seconds: 10), "lapsed: taken over")
            try await store.releaseLease("poller", holder: holder)
            #expect(try await store.leaseHolder("poller", at: day0.adding(seconds: 17)) == "other", "only the holder can release")
            try await store.releaseLease("poller", holder: "other")
            #expect(try await store.leaseHolder("poller", at: day0.adding(seconds: 17)) == nil)
            #expect(try await store.acquireLease("poller", holder: holder, now: day0.adding(seconds: 17), seconds: 10))
        }
    }

    /// Heartbeats: lapsed ones are listed by prefix; deleting a lapsed one succeeds once, and never for one
    /// renewed meanwhile.
    @Test(arguments: Engine.available)
    func lapsedHeartbeatsAreFoundAndDroppedOnce(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store async throws in
            #expect(try await store.acquireLease("instance:a", holder: "a", now: day0, seconds: 2))
            #expect(try await store.acquireLease("instance:b", holder: "b", now: day0, seconds: 2))
            #expect(try await store.acquireLease("poller", holder: "a", now: day0, seconds: 2))
            #expect(try await store.lapsedLeases(prefix: "instance:", at: day0.adding(seconds: 2)).isEmpty, "still held at the end")
            #expect(try await store.acquireLease("instance:b", holder: "b", now: day0.adding(seconds: 2), seconds: 2), "b renews")
            let lapsed = try await store.lapsedLeases(prefix: "instance:", at: day0.adding(seconds: 3))
            #expect(lapsed.map(\.name) == ["instance:a"] && lapsed.map(\.holder) == ["a"], "only a, not the poller lease")
            let drops = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<5 { group.addTask { try await store.dropLapsedLease("instance:a", holder: "a", at: day0.adding(seconds: 3)) } }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(drops == 1, "one instance acts on a dead one")
            #expect(try await store.dropLapsedLease("instance:b", holder: "b", at: day0.adding(seconds: 3)) == false, "b is alive")
            #expect(try await store.leaseHolder("instance:b", at: day0.adding(seconds: 3)) == "b")
        }
    }
}
