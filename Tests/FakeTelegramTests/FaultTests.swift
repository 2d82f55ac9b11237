import FakeTelegram
import Foundation
import Telegram
import Testing

/// Faults for one chat, lasting faults, dropped connections and garbled answers (FakeBotAPI+Faults.swift).
@Suite("Scripted faults")
struct FaultTests {
    @Test func failNextForOneChatLeavesOtherChatsAlone() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            await fake.sendText("hi", from: bob)
            await fake.failNext("sendMessage", chat: alice.id, code: 429, description: "Too Many Requests: retry after 5", retryAfter: 5)
            // Bob's chat is served; the fault waits for Alice's.
            try await client.sendMessage(SendMessage(chatId: bob.id, text: "to bob"))
            #expect(await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "to alice")) }
                == .tooManyRequests(retryAfter: 5, description: "Too Many Requests: retry after 5"))
            // Used up.
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "to alice"))
            #expect(await fake.messages(chat: alice.id).compactMap(\.text) == ["to alice"])
            #expect(await fake.messages(chat: bob.id).compactMap(\.text) == ["to bob"])
            #expect(await fake.calls("sendMessage").map(\.status) == [200, 429, 200])
        }
    }

    @Test func failAlwaysLastsUntilCleared() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            await fake.sendText("hi", from: bob)
            await fake.failAlways("sendMessage", chat: alice.id, code: 502, description: "Bad Gateway")
            for _ in 0..<3 {
                #expect(await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "x")) }
                    == .api(code: 502, description: "Bad Gateway"))
            }
            try await client.sendMessage(SendMessage(chatId: bob.id, text: "fine"))
            #expect(await fake.messages(chat: alice.id).isEmpty)
            await fake.clearFaults()
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "x"))
            #expect(await fake.messages(chat: alice.id).compactMap(\.text) == ["x"])
            #expect(await fake.calls("sendMessage").map(\.status) == [502, 502, 502, 200, 200])
        }
    }

    @Test func failAlwaysWithoutAChatHitsEveryCall() async throws {
        try await withFake { fake, client in
            await fake.failAlways("getMe", code: 500, description: "Internal Server Error")
            #expect(await failure { try await client.getMe() } == .api(code: 500, description: "Internal Server Error"))
            #expect(await failure { try await client.getMe() } == .api(code: 500, description: "Internal Server Error"))
            await fake.clearFaults()
            let me = try await client.getMe()
            #expect(me.isBot)
        }
    }

    @Test func clearFaultsAlsoClearsFailNext() async throws {
        try await withFake { fake, client in
            await fake.failNext("getMe", code: 502, description: "Bad Gateway")
            await fake.clearFaults()
            let me = try await client.getMe()
            #expect(me.isBot)
        }
    }

    @Test func aGarbledAnswerIsUnreadableAndDoesNothing() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            await fake.garbleNext("sendMessage", chat: alice.id)
            await fake.garbleNext("getMe", status: 502)
            let error = await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "lost")) }
            guard case .decoding? = error else { Issue.record("expected an unreadable answer, got \(String(describing: error))"); return }
            // A non-JSON 5xx reads as that server error.
            #expect(await failure { try await client.getMe() } == .api(code: 502, description: "server error"))
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "kept"))
            #expect(await fake.messages(chat: alice.id).compactMap(\.text) == ["kept"])
            let calls = await fake.calls("sendMessage")
            #expect(calls.map(\.status) == [200, 200])
            #expect(calls.map(\.error) == ["unreadable answer (scripted)", nil])
        }
    }

    @Test func aDroppedConnectionIsANetworkErrorAndDoesNothing() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            await fake.sendText("hi", from: bob)
            await fake.dropNext("sendMessage", chat: alice.id)
            try await client.sendMessage(SendMessage(chatId: bob.id, text: "to bob"))
            let error = await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "lost")) }
            guard case .network = error else {
                Issue.record("expected a network error, got \(String(describing: error))")
                return
            }
            // Not carried out: the chat has no message; the call is recorded as dropped.
            #expect(await fake.messages(chat: alice.id).isEmpty)
            let calls = await fake.calls("sendMessage")
            #expect(calls.map(\.status) == [200, 0])
            #expect(calls.last?.error == "connection dropped (scripted)")
            // The next call goes through.
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "again"))
            #expect(await fake.messages(chat: alice.id).compactMap(\.text) == ["again"])
        }
    }

    @Test func aDroppedConnectionCanBeHeldFirst() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            await fake.dropNext("sendMessage", after: .milliseconds(300))
            let started = ContinuousClock.now
            let error = await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "slow")) }
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            guard case .network = error else {
                Issue.record("expected a network error, got \(String(describing: error))")
                return
            }
            #expect(await fake.messages(chat: alice.id).isEmpty)
        }
    }
}
