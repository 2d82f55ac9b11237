import FakeTelegram
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Telegram
import Testing

@Suite("HTTP protocol, recording and fault injection")
struct ProtocolTests {
    @Test func getMeIsTheTestBot() async throws {
        try await withFake { _, client in
            let me = try await client.getMe()
            #expect(me.isBot)
            #expect(me.username == "privatecalls_test_bot")
            #expect(me.id == 123_456)
        }
    }

    @Test func wrongTokenIs401AndRecorded() async throws {
        try await withFake { fake, _ in
            let intruder = makeClient(fake, token: "123456:WRONG")
            #expect(await failure { try await intruder.getMe() } == .api(code: 401, description: "Unauthorized"))
            let calls = await fake.calls()
            #expect(calls.map(\.method) == ["getMe"])
            #expect(calls.first?.status == 401)
            #expect(calls.first?.error == "Unauthorized")
        }
    }

    @Test func unknownMethodIs404() async throws {
        try await withFake { fake, client in
            #expect(await failure { let _: Bool = try await client.call("sendSticker", Empty()) }
                == .api(code: 404, description: "Not Found"))
            #expect(await fake.calls("sendSticker").first?.status == 404)
        }
    }

    @Test func methodNamesAreCaseInsensitive() async throws {
        try await withFake { fake, client in
            let me: User = try await client.call("GETME", Empty())
            #expect(me.isBot)
            #expect(await fake.calls("getMe").count == 1)
        }
    }

    @Test func errorsUseTelegramsEnvelope() async throws {
        try await withFake { fake, _ in
            var request = URLRequest(url: URL(string: "\(fake.baseURL)/bot\(fake.token)/sendMessage")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"chat_id":5,"text":"x"}"#.utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 400)
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(json["ok"] as? Bool == false)
            #expect(json["error_code"] as? Int == 400)
            #expect(json["description"] as? String == "Bad Request: chat not found")
        }
    }

    @Test func formEncodedAndQueryParametersWork() async throws {
        try await withFake { fake, _ in
            await fake.sendText("hi", from: alice)
            var request = URLRequest(url: URL(string: "\(fake.baseURL)/bot\(fake.token)/sendMessage?chat_id=\(alice.id)")!)
            request.httpMethod = "POST"
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data("text=12345+%26+more&reply_markup=%7B%22inline_keyboard%22%3A%5B%5B%7B%22text%22%3A%22A%22%2C%22callback_data%22%3A%22a%22%7D%5D%5D%7D".utf8)
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let message = try #require(await fake.lastMessage(chat: alice.id))
            #expect(message.text == "12345 & more")
            #expect(fake.buttonLabels(of: message) == [["A"]])
        }
    }

    @Test func getWithQueryParametersWorks() async throws {
        try await withFake { fake, _ in
            await fake.sendText("hi", from: alice)
            let url = URL(string: "\(fake.baseURL)/bot\(fake.token)/sendMessage?chat_id=\(alice.id)&text=007")!
            let (data, response) = try await URLSession.shared.data(from: url)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self).hasPrefix(#"{"ok":true,"result":{"#))
            #expect(await fake.lastMessage(chat: alice.id)?.text == "007")
        }
    }

    @Test func callsAreRecordedInOrderAndDecodable() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "<b>first</b>"))
            _ = await failure { try await client.sendMessage(SendMessage(chatId: 999, text: "second")) }
            let calls = await fake.calls("sendMessage")
            #expect(calls.map(\.status) == [200, 400])
            #expect(calls.map(\.error) == [nil, "Bad Request: chat not found"])
            #expect(try calls.map { try $0.decode(SendMessage.self).text } == ["<b>first</b>", "second"])
            #expect(calls[0].at <= calls[1].at)
        }
    }

    @Test func failNextInjects429WithRetryAfter() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            await fake.failNext("sendMessage", code: 429, description: "Too Many Requests: retry after 7", retryAfter: 7)
            #expect(await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "x")) }
                == .tooManyRequests(retryAfter: 7, description: "Too Many Requests: retry after 7"))
            // Only the next call.
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "x"))
            #expect(await fake.messages(chat: alice.id).count == 1)
            #expect(await fake.calls("sendMessage").map(\.status) == [429, 200])
        }
    }

    @Test func failNextInjectsOtherErrors() async throws {
        try await withFake { fake, client in
            await fake.failNext("getMe", code: 502, description: "Bad Gateway")
            #expect(await failure { try await client.getMe() } == .api(code: 502, description: "Bad Gateway"))
            let me = try await client.getMe()
            #expect(me.isBot)
        }
    }

    @Test func waitUntilTimesOut() async throws {
        try await withFake { fake, _ in
            await #expect(throws: FakeBotAPIError.timeout) {
                try await fake.waitUntil(timeout: .milliseconds(50)) { false }
            }
        }
    }

    @Test func stopEndsAnOpenLongPoll() async throws {
        let fake = try await FakeBotAPI.start()
        let client = makeClient(fake)
        let clock = ContinuousClock()
        let start = clock.now
        async let poll = failure { try await client.getUpdates(offset: nil, timeout: 30) }
        try await Task.sleep(for: .milliseconds(200))
        await fake.stop()
        _ = await poll
        #expect(clock.now - start < .seconds(10))
    }
}
