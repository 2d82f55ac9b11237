import FakeTelegram
import Telegram
import Testing

@Suite("Edits and callback queries")
struct EditAndCallbackTests {
    static let notModified = badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
    )

    @Test func editingAMissingMessageIsRejected() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            #expect(await failure { try await client.editMessageText(EditMessageText(chatId: alice.id, messageId: 99, text: "x")) }
                == badRequest("message to edit not found"))
            // The user's own message is not the bot's to edit.
            #expect(await failure { try await client.editMessageText(EditMessageText(chatId: alice.id, messageId: 1, text: "x")) }
                == badRequest("message to edit not found"))
        }
    }

    @Test func unchangedEditIsNotModified() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let sent = try await client.sendMessage(SendMessage(chatId: alice.id, text: "<b>Menu</b>", replyMarkup: keyboard("m")))
            let same = EditMessageText(chatId: alice.id, messageId: sent.messageId, text: "<b>Menu</b>", replyMarkup: keyboard("m"))
            #expect(await failure { try await client.editMessageText(same) } == Self.notModified)
            #expect(await failure { try await client.editMessageReplyMarkup(EditMessageReplyMarkup(chatId: alice.id, messageId: sent.messageId, replyMarkup: keyboard("m"))) }
                == Self.notModified)
            // Same text, other formatting: modified.
            try await client.editMessageText(EditMessageText(chatId: alice.id, messageId: sent.messageId, text: "<i>Menu</i>", replyMarkup: keyboard("m")))
        }
    }

    @Test func editsApply() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let sent = try await client.sendMessage(SendMessage(chatId: alice.id, text: "Step 1", replyMarkup: keyboard("next", label: "Next")))
            let edited = try await client.editMessageText(
                EditMessageText(chatId: alice.id, messageId: sent.messageId, text: "Step 2", replyMarkup: keyboard("done", label: "Done"))
            )
            #expect(edited.text == "Step 2")
            #expect(await fake.messages(chat: alice.id).count == 1)
            #expect(await fake.lastMessage(chat: alice.id).map { fake.buttonLabels(of: $0) } == [["Done"]])
            // An edit without reply_markup removes the keyboard, as Telegram does.
            try await client.editMessageText(EditMessageText(chatId: alice.id, messageId: sent.messageId, text: "Step 3"))
            #expect(await fake.lastMessage(chat: alice.id)?.replyMarkup == nil)
            try await client.editMessageReplyMarkup(EditMessageReplyMarkup(chatId: alice.id, messageId: sent.messageId, replyMarkup: keyboard("x")))
            #expect(await fake.lastMessage(chat: alice.id)?.replyMarkup == keyboard("x"))
            // Edits are validated like new messages.
            #expect(await failure { try await client.editMessageText(EditMessageText(chatId: alice.id, messageId: sent.messageId, text: "<b>x")) } != nil)
            #expect(await failure { try await client.editMessageReplyMarkup(EditMessageReplyMarkup(chatId: alice.id, messageId: sent.messageId, replyMarkup: keyboard(String(repeating: "z", count: 65)))) }
                == badRequest("BUTTON_DATA_INVALID"))
        }
    }

    @Test func tapSendsTheButtonsDataAndExpectsOneAnswer() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let sent = try await client.sendMessage(SendMessage(chatId: alice.id, text: "pick", replyMarkup: keyboard("slot:7", label: "10:00")))
            let updateId = try await fake.tap("10:00", as: alice)
            let updates = try await client.getUpdates(offset: updateId, timeout: 0)
            let query = try #require(updates.first?.callbackQuery)
            #expect(query.data == "slot:7")
            #expect(query.from == alice)
            #expect(query.message?.messageId == sent.messageId)
            #expect(await fake.unansweredCallbackQueries() == [query.id])

            try await client.answerCallbackQuery(AnswerCallbackQuery(callbackQueryId: query.id, text: "Booked"))
            #expect(await fake.unansweredCallbackQueries().isEmpty)
            #expect(await failure { try await client.answerCallbackQuery(AnswerCallbackQuery(callbackQueryId: query.id)) }
                == badRequest("query is too old and response timeout expired or query ID is invalid"))
        }
    }

    @Test func answeringAnUnknownQueryIsRejected() async throws {
        try await withFake { _, client in
            #expect(await failure { try await client.answerCallbackQuery(AnswerCallbackQuery(callbackQueryId: "123")) }
                == badRequest("query is too old and response timeout expired or query ID is invalid"))
        }
    }

    @Test func callbackAnswerTextIsLimited() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "pick", replyMarkup: keyboard("a", label: "A")))
            try await fake.tap("A", as: alice)
            let id = try #require(await fake.unansweredCallbackQueries().first)
            #expect(await failure { try await client.answerCallbackQuery(AnswerCallbackQuery(callbackQueryId: id, text: String(repeating: "x", count: 201))) } != nil)
            try await client.answerCallbackQuery(AnswerCallbackQuery(callbackQueryId: id, text: String(repeating: "x", count: 200)))
        }
    }

    @Test func tapOfAMissingLabelListsTheAvailableOnes() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "old", replyMarkup: keyboard("o", label: "Old")))
            let markup = InlineKeyboardMarkup(inlineKeyboard: [
                [InlineKeyboardButton(text: "Yes", callbackData: "y"), InlineKeyboardButton(text: "No", callbackData: "n")],
                [InlineKeyboardButton(text: "Help", url: "https://example.com")],
            ])
            try await client.sendMessage(SendMessage(chatId: alice.id, text: "new", replyMarkup: markup))
            await #expect(throws: FakeBotAPIError.noSuchButton("Maybe", available: ["Yes", "No", "Old"])) {
                try await fake.tap("Maybe", as: alice)
            }
            await #expect(throws: FakeBotAPIError.noSuchButton("Help", available: ["Yes", "No", "Old"])) {
                try await fake.tap("Help", as: alice)
            }
        }
    }

    @Test func tapDataCanForgeStaleAndMissingMessages() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let sent = try await client.sendMessage(SendMessage(chatId: alice.id, text: "pick", replyMarkup: keyboard("a")))
            await fake.tapData("forged", messageId: sent.messageId, as: alice)
            await fake.tapData("gone", messageId: 77, as: alice)
            let updates = try await client.getUpdates(offset: nil, timeout: 0)
            let queries = updates.compactMap(\.callbackQuery)
            #expect(queries.map(\.data) == ["forged", "gone"])
            #expect(queries[0].message?.text == "pick")
            #expect(queries[1].message?.messageId == 77)
            #expect(queries[1].message?.date == 0)
        }
    }
}
