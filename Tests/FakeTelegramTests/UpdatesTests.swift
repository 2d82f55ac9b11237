import FakeTelegram
import Foundation
import Telegram
import Testing

@Suite("getUpdates and webhooks")
struct UpdatesTests {
    @Test func offsetConfirmsUpdatesForever() async throws {
        try await withFake { fake, client in
            let first = await fake.sendText("one", from: alice)
            let second = await fake.sendText("two", from: bob)
            #expect(first == 1)
            #expect(second == 2)

            let all = try await client.getUpdates(offset: nil, timeout: 0)
            #expect(all.map(\.updateId) == [1, 2])
            #expect(all.map { $0.message?.text } == ["one", "two"])
            // Not confirmed yet: returned again.
            #expect(try await client.getUpdates(offset: nil, timeout: 0).map(\.updateId) == [1, 2])
            // offset 2 confirms update 1.
            #expect(try await client.getUpdates(offset: 2, timeout: 0).map(\.updateId) == [2])
            #expect(try await client.getUpdates(offset: nil, timeout: 0).map(\.updateId) == [2])
            await fake.sendText("three", from: alice)
            #expect(try await client.getUpdates(offset: 3, timeout: 0).map(\.updateId) == [3])
            // Going back does not bring confirmed updates back.
            #expect(try await client.getUpdates(offset: 1, timeout: 0).map(\.updateId) == [3])
            #expect(try await client.getUpdates(offset: 4, timeout: 0).isEmpty)
            #expect(await fake.pendingUpdateIds().isEmpty)
        }
    }

    @Test func limitCapsTheBatch() async throws {
        try await withFake { fake, client in
            for i in 0..<5 { await fake.sendText("m\(i)", from: alice) }
            let first = try await client.getUpdates(offset: nil, timeout: 0, limit: 2)
            let second = try await client.getUpdates(offset: 3, timeout: 0, limit: 2)
            #expect(first.map(\.updateId) == [1, 2])
            #expect(second.map(\.updateId) == [3, 4])
        }
    }

    @Test func longPollReturnsAsSoonAsAnUpdateArrives() async throws {
        try await withFake { fake, client in
            let clock = ContinuousClock()
            let start = clock.now
            async let polled = client.getUpdates(offset: nil, timeout: 20)
            try await Task.sleep(for: .milliseconds(300))
            await fake.sendText("wake up", from: alice)
            let updates = try await polled
            #expect(updates.map { $0.message?.text } == ["wake up"])
            #expect(clock.now - start < .seconds(5))
        }
    }

    @Test func longPollTimesOutEmpty() async throws {
        try await withFake { _, client in
            let clock = ContinuousClock()
            let start = clock.now
            let updates = try await client.getUpdates(offset: nil, timeout: 1)
            #expect(updates.isEmpty)
            #expect(clock.now - start >= .milliseconds(900))
        }
    }

    @Test func secondPollerTerminatesTheFirst() async throws {
        try await withFake { fake, client in
            async let first = failure { try await client.getUpdates(offset: nil, timeout: 10) }
            // Wait until the first long poll is open at the fake (its call is recorded with status 0 meanwhile).
            try await fake.waitUntil { await fake.calls("getUpdates").contains { $0.status == 0 } }
            #expect(try await client.getUpdates(offset: nil, timeout: 0).isEmpty)
            guard case .api(409, let description) = await first else {
                Issue.record("expected the first poll to end with 409")
                return
            }
            #expect(description.hasPrefix("Conflict: terminated by other getUpdates request"))
        }
    }

    @Test func getUpdatesWhileAWebhookIsSetConflicts() async throws {
        try await withFake { fake, client in
            try await client.setWebhook(url: "http://127.0.0.1:1/hook", secretToken: "abc")
            #expect(await fake.webhook()?.url == "http://127.0.0.1:1/hook")
            #expect(await failure { try await client.getUpdates(offset: nil, timeout: 0) }
                == .api(code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"))
            try await client.deleteWebhook()
            #expect(await fake.webhook() == nil)
            #expect(try await client.getUpdates(offset: nil, timeout: 0).isEmpty)
        }
    }

    @Test(arguments: ["has space", "semi;colon", String(repeating: "a", count: 257), "ünicode"])
    func badSecretTokensAreRejected(_ secret: String) async throws {
        try await withFake { _, client in
            guard case .api(400, _) = await failure({ try await client.setWebhook(url: "https://example.com/hook", secretToken: secret) }) else {
                Issue.record("secret \(secret) was accepted")
                return
            }
        }
    }

    @Test func webhookDeliversWithTheSecretHeader() async throws {
        let receiver = try await WebhookRecorder.start()
        try await withFake { fake, client in
            try await client.setWebhook(url: receiver.url, secretToken: "S3cret_token-1")
            let updateId = await fake.sendText("/start", from: alice)
            try await fake.waitUntil { await receiver.deliveries().count == 1 }
            let delivery = try #require(await receiver.deliveries().first)
            #expect(delivery.secretToken == "S3cret_token-1")
            let update = try delivery.update()
            #expect(update.updateId == updateId)
            #expect(update.message?.text == "/start")
            #expect(update.message?.chat.id == alice.id)
            try await fake.waitUntil { await fake.pendingUpdateIds().isEmpty }
            #expect(await fake.webhookDeliveries().map(\.status) == [200])
        }
        await receiver.stop()
    }

    @Test func failedWebhookDeliveriesAreRetried() async throws {
        let receiver = try await WebhookRecorder.start()
        try await withFake { fake, client in
            try await client.setWebhook(url: receiver.url, secretToken: "abc")
            await receiver.respondNext(with: 500)
            await receiver.respondNext(with: 503)
            let updateId = await fake.sendText("hello", from: alice)
            try await fake.waitUntil { await receiver.deliveries().count == 3 }
            try await fake.waitUntil { await fake.pendingUpdateIds().isEmpty }
            let attempts = await fake.webhookDeliveries()
            #expect(attempts.map(\.updateId) == [updateId, updateId, updateId])
            #expect(attempts.map(\.status) == [500, 503, 200])
        }
        await receiver.stop()
    }

    @Test func undeliverableUpdatesStayPendingForGetUpdates() async throws {
        let receiver = try await WebhookRecorder.start()
        try await withFake { fake, client in
            for _ in 0..<4 { await receiver.respondNext(with: 500) }
            try await client.setWebhook(url: receiver.url, secretToken: "abc")
            await fake.sendText("lost?", from: alice)
            try await fake.waitUntil { await fake.webhookDeliveries().count == 4 }
            try await Task.sleep(for: .milliseconds(100))
            #expect(await fake.webhookDeliveries().map(\.status) == [500, 500, 500, 500])
            try await client.deleteWebhook()
            let updates = try await client.getUpdates(offset: nil, timeout: 0)
            #expect(updates.map { $0.message?.text } == ["lost?"])
        }
        await receiver.stop()
    }

    @Test func allowedUpdatesFilter() async throws {
        try await withFake { fake, client in
            let _: [Update] = try await client.call("getUpdates", GetUpdates(offset: nil, limit: 100, timeout: 0, allowedUpdates: ["callback_query"]))
            await fake.sendText("ignored", from: alice)
            await fake.tapData("x", messageId: 1, as: alice)
            let updates: [Update] = try await client.call("getUpdates", GetUpdates(timeout: 0))
            #expect(updates.count == 1)
            #expect(updates.first?.callbackQuery?.data == "x")
        }
    }

    @Test func enqueueAssignsIdsAndMakesTheChatKnown() async throws {
        try await withFake { fake, client in
            let carol = User(id: 1003, firstName: "Carol")
            let message = Message(messageId: 10, from: carol, chat: Chat(id: carol.id), date: 1_700_000_000, text: "raw")
            await fake.enqueue(Update(updateId: 0, message: message))
            let updates = try await client.getUpdates(offset: nil, timeout: 0)
            #expect(updates.map(\.updateId) == [1])
            let reply = try await client.sendMessage(SendMessage(chatId: carol.id, text: "hi Carol"))
            #expect(reply.messageId == 11)
        }
    }
}
