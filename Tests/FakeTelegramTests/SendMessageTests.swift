import FakeTelegram
import Telegram
import Testing

@Suite("sendMessage strictness")
struct SendMessageTests {
    @Test func unknownChatIsRejected() async throws {
        try await withFake { _, client in
            let error = await failure { try await client.sendMessage(SendMessage(chatId: 42, text: "hi")) }
            #expect(error == badRequest("chat not found"))
        }
    }

    @Test func sentMessageIsStoredWithIncreasingIds() async throws {
        try await withFake { fake, client in
            await fake.sendText("/start", from: alice)
            let first = try await client.sendMessage(SendMessage(chatId: alice.id, text: "one"))
            let second = try await client.sendMessage(SendMessage(chatId: alice.id, text: "two"))
            #expect(first.messageId == 2)  // the user's /start is message 1 of the private chat
            #expect(second.messageId == 3)
            #expect(first.from?.isBot == true)
            #expect(first.from?.username == "privatecalls_test_bot")
            #expect(await fake.messages(chat: alice.id).map(\.text) == ["one", "two"])
            #expect(await fake.lastMessage(chat: alice.id)?.messageId == 3)
        }
    }

    @Test func emptyTextIsRejected() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            #expect(await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "  \n ")) } == badRequest("message text is empty"))
            #expect(await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "<b> </b>")) } == badRequest("message text is empty"))
        }
    }

    @Test func textOf4096IsAcceptedAnd4097Rejected() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let max = String(repeating: "x", count: 4096)
            try await client.sendMessage(SendMessage(chatId: alice.id, text: max, parseMode: nil))
            #expect(await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: max + "y", parseMode: nil)) }
                == badRequest("message is too long"))
        }
    }

    @Test func lengthCountsUTF16AfterEntityParsing() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            // Markup does not count; entities count as one character each.
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "<b>" + String(repeating: "&lt;", count: 4096) + "</b>"))
            // An emoji outside the BMP is two UTF-16 code units.
            let emoji = String(repeating: "😀", count: 2048)
            try await client.sendMessage(SendMessage(chatId: alice.id, text: emoji))
            #expect(await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: emoji + "x")) } == badRequest("message is too long"))
        }
    }

    @Test func callbackDataOf64BytesIsAcceptedAnd65Rejected() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let send = { (data: String) async throws -> Message in
                try await client.sendMessage(SendMessage(chatId: alice.id, text: "pick", replyMarkup: keyboard(data)))
            }
            _ = try await send(String(repeating: "a", count: 64))
            #expect(await failure { try await send(String(repeating: "a", count: 65)) } == badRequest("BUTTON_DATA_INVALID"))
            // Bytes, not characters: "é" is 2 bytes in UTF-8, "🎉" is 4.
            _ = try await send(String(repeating: "é", count: 32))
            _ = try await send(String(repeating: "🎉", count: 16))
            #expect(await failure { try await send(String(repeating: "é", count: 32) + "a") } == badRequest("BUTTON_DATA_INVALID"))
            #expect(await failure { try await send(String(repeating: "é", count: 33)) } == badRequest("BUTTON_DATA_INVALID"))
            #expect(await failure { try await send("") } == badRequest("BUTTON_DATA_INVALID"))
        }
    }

    @Test func keyboardButtonsNeedExactlyOneValidAction() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let send = { (button: InlineKeyboardButton) async throws -> Message in
                try await client.sendMessage(SendMessage(chatId: alice.id, text: "pick", replyMarkup: InlineKeyboardMarkup(inlineKeyboard: [[button]])))
            }
            #expect(await failure { try await send(InlineKeyboardButton(text: "Plain")) }
                == badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"))
            #expect(await failure { try await send(InlineKeyboardButton(text: "Both", callbackData: "x", url: "https://example.com")) } != nil)
            #expect(await failure { try await send(InlineKeyboardButton(text: "", callbackData: "x")) } != nil)
            #expect(await failure { try await send(InlineKeyboardButton(text: "Site", url: "example.com")) }
                == badRequest("inline keyboard button URL 'example.com' is invalid"))
            #expect(await failure { try await send(InlineKeyboardButton(text: "Pay", pay: true)) } != nil)
            _ = try await send(InlineKeyboardButton(text: "Site", url: "https://example.com/a?b=c"))
            _ = try await send(InlineKeyboardButton(text: "Profile", url: "tg://user?id=1001"))
        }
    }

    @Test func markupIsEchoedAndLabelsReadable() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let markup = InlineKeyboardMarkup(inlineKeyboard: [
                [InlineKeyboardButton(text: "A", callbackData: "a"), InlineKeyboardButton(text: "B", callbackData: "b")],
                [InlineKeyboardButton(text: "Site", url: "https://example.com")],
            ])
            let sent = try await client.sendMessage(SendMessage(chatId: alice.id, text: "pick", replyMarkup: markup))
            #expect(sent.replyMarkup == markup)
            #expect(fake.buttonLabels(of: sent) == [["A", "B"], ["Site"]])
        }
    }

    @Test func blockedUserAnswers403() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            await fake.blockBot(by: alice)
            #expect(await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "hello")) }
                == .api(code: 403, description: "Forbidden: bot was blocked by the user"))
        }
    }
}
