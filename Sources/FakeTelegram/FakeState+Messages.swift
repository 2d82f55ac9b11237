import Foundation
import Telegram

// sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage, answerCallbackQuery, sendPhoto, sendMediaGroup.
extension FakeState {
    func sendMessage(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(SendMessage.self, body)
        try requireWritableChat(p.chatId)
        let text = try messageText(p.text, parseMode: p.parseMode)
        let markup = try Validation.keyboard(p.replyMarkup)
        let message = appendMessage(to: p.chatId, from: bot, entities: text.entities) { m in
            m.text = text.text
            m.replyMarkup = markup
        }
        return WireJSON.encode(message)
    }

    func editMessageText(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(EditMessageText.self, body)
        let position = try editableMessage(chat: p.chatId, id: p.messageId)
        let stored = chats[p.chatId]!.messages[position]
        guard stored.message.text != nil else { throw .badRequest("there is no text in the message to edit") }
        let text = try messageText(p.text, parseMode: p.parseMode)
        // Like Telegram, an edit without reply_markup removes the inline keyboard.
        let markup = try Validation.keyboard(p.replyMarkup)
        guard text.text != stored.message.text || text.entities != stored.entities || markup != stored.message.replyMarkup else {
            throw .notModified
        }
        chats[p.chatId]!.messages[position].message.text = text.text
        chats[p.chatId]!.messages[position].entities = text.entities
        chats[p.chatId]!.messages[position].message.replyMarkup = markup
        return WireJSON.encode(chats[p.chatId]!.messages[position].message)
    }

    func editMessageReplyMarkup(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(EditMessageReplyMarkup.self, body)
        let position = try editableMessage(chat: p.chatId, id: p.messageId)
        let stored = chats[p.chatId]!.messages[position]
        let markup = try Validation.keyboard(p.replyMarkup, invoice: stored.message.invoice != nil)
        guard markup != stored.message.replyMarkup else { throw .notModified }
        chats[p.chatId]!.messages[position].message.replyMarkup = markup
        return WireJSON.encode(chats[p.chatId]!.messages[position].message)
    }

    /// Like Telegram in a private chat: the bot's messages and the user's, gone from the chat (and its buttons
    /// with them); an unknown or already deleted message is "message to delete not found".
    func deleteMessage(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(DeleteMessage.self, body)
        guard let log = chats[p.chatId] else { throw .chatNotFound }
        guard let position = log.messages.firstIndex(where: { $0.message.messageId == p.messageId }) else {
            throw .badRequest("message to delete not found")
        }
        chats[p.chatId]!.messages.remove(at: position)
        return WireJSON.trueResult
    }

    func answerCallbackQuery(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(AnswerCallbackQuery.self, body)
        guard callbackQueryIds.contains(p.callbackQueryId), !answeredCallbackQueries.contains(p.callbackQueryId) else {
            throw .queryInvalid
        }
        if let text = p.text, text.utf16.count > Validation.maxCallbackAnswerLength { throw .badRequest("MESSAGE_TOO_LONG") }
        answeredCallbackQueries.insert(p.callbackQueryId)
        return WireJSON.trueResult
    }

    func sendPhoto(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(SendPhoto.self, body)
        try requireWritableChat(p.chatId)
        let fileId = try checkFileReference(p.photo)
        let caption = try self.caption(p.caption, parseMode: p.parseMode)
        let markup = try Validation.keyboard(p.replyMarkup)
        let message = appendMessage(to: p.chatId, from: bot, entities: caption?.entities ?? []) { m in
            m.photo = Self.photoSizes(fileId)
            m.caption = caption?.text
            m.replyMarkup = markup
        }
        return WireJSON.encode(message)
    }

    func sendMediaGroup(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(SendMediaGroup.self, body)
        try requireWritableChat(p.chatId)
        guard (2...10).contains(p.media.count) else { throw .badRequest("media must include 2-10 items") }
        var items: [(fileId: String, caption: FormattedText?)] = []
        for media in p.media {
            guard media.type == "photo" else { throw .badRequest("FakeBotAPI supports only media of type \"photo\", got \"\(media.type)\"") }
            items.append((try checkFileReference(media.media), try caption(media.caption, parseMode: media.parseMode)))
        }
        let group = "1\(String(generatedNumber()).leftPadded(to: 17))"
        let messages = items.map { item in
            appendMessage(to: p.chatId, from: bot, entities: item.caption?.entities ?? []) { m in
                m.photo = Self.photoSizes(item.fileId)
                m.caption = item.caption?.text
                m.mediaGroupId = group
            }
        }
        return WireJSON.encode(messages)
    }

    // MARK: Helpers

    /// Parsed message text: non-empty, at most 4096 UTF-16 code units after entity parsing.
    func messageText(_ raw: String, parseMode: String?) throws(APIFailure) -> FormattedText {
        guard !raw.trimmingWhitespace().isEmpty else { throw .badRequest("message text is empty") }
        let text = try FormattedText.parse(raw, parseMode: parseMode)
        guard !text.text.isEmpty else { throw .badRequest("message text is empty") }
        guard text.utf16Length <= Validation.maxTextLength else { throw .badRequest("message is too long") }
        return text
    }

    /// Parsed caption (nil when absent or blank): at most 1024 UTF-16 code units after entity parsing.
    func caption(_ raw: String?, parseMode: String?) throws(APIFailure) -> FormattedText? {
        guard let raw else { return nil }
        let caption = try FormattedText.parse(raw, parseMode: parseMode)
        guard caption.utf16Length <= Validation.maxCaptionLength else { throw .badRequest("message caption is too long") }
        return caption.text.isEmpty ? nil : caption
    }

    /// Index of a bot message that may be edited.
    func editableMessage(chat: Int64, id: Int64) throws(APIFailure) -> Int {
        guard let log = chats[chat] else { throw .chatNotFound }
        guard let position = log.messages.firstIndex(where: { $0.message.messageId == id && $0.fromBot }) else {
            throw .badRequest("message to edit not found")
        }
        return position
    }

    static func photoSizes(_ fileId: String) -> [PhotoSize] {
        [PhotoSize(fileId: fileId, fileUniqueId: "AQAD\(fileId.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } % 1_000_000_000)", width: 1280, height: 960)]
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
