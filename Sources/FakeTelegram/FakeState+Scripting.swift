import Foundation
import Telegram

// What a scripted user does: write, send a photo, press a button, pay. Each creates the user's chat if needed.
extension FakeState {
    func userSendsText(_ text: String, from user: User) -> Int64 {
        ensurePrivateChat(with: user)
        let message = appendMessage(to: user.id, from: user) { $0.text = text }
        return queue(Update(updateId: 0, message: message))
    }

    func userSendsPhoto(fileId: String, caption: String?, from user: User) -> Int64 {
        ensurePrivateChat(with: user)
        knownFiles.insert(fileId)
        let message = appendMessage(to: user.id, from: user) { m in
            m.photo = Self.photoSizes(fileId)
            m.caption = caption
        }
        return queue(Update(updateId: 0, message: message))
    }

    func userTaps(_ label: String, as user: User) throws(FakeBotAPIError) -> Int64 {
        ensurePrivateChat(with: user)
        let botMessages = chats[user.id]!.messages.filter(\.fromBot).map(\.message).reversed()
        for message in botMessages {
            let buttons = (message.replyMarkup?.inlineKeyboard ?? []).joined()
            if let button = buttons.first(where: { $0.text == label && $0.callbackData != nil }) {
                return callbackQuery(from: user, message: message, data: button.callbackData!)
            }
        }
        var available: [String] = []
        for message in botMessages {
            for button in (message.replyMarkup?.inlineKeyboard ?? []).joined() where button.callbackData != nil {
                if !available.contains(button.text) { available.append(button.text) }
            }
        }
        throw .noSuchButton(label, available: available)
    }

    /// A press with raw data on message `messageId`; if no such message exists in the chat, Telegram's
    /// "inaccessible message" form is sent (chat and id, date 0).
    func userTapsData(_ data: String, messageId: Int64, as user: User) -> Int64 {
        ensurePrivateChat(with: user)
        let log = chats[user.id]!
        let message = log.messages.first { $0.message.messageId == messageId }?.message
            ?? Message(messageId: messageId, chat: log.chat, date: 0)
        return callbackQuery(from: user, message: message, data: data)
    }

    private func callbackQuery(from user: User, message: Message, data: String) -> Int64 {
        let id = "\(4_000_000_000_000_000 + nextQueryNumber)"
        nextQueryNumber += 1
        return queue(Update(updateId: 0, callbackQuery: CallbackQuery(id: id, from: user, message: message, data: data)))
    }

    func userPreCheckout(_ query: PreCheckoutQuery) -> Int64 {
        ensurePrivateChat(with: query.from)
        return queue(Update(updateId: 0, preCheckoutQuery: query))
    }

    func userPaid(_ payment: SuccessfulPayment, from user: User) -> Int64 {
        ensurePrivateChat(with: user)
        let message = appendMessage(to: user.id, from: user) { $0.successfulPayment = payment }
        return queue(Update(updateId: 0, message: message))
    }

    /// A raw update: its chat becomes known, its message is kept, its queries become answerable.
    func inject(_ update: Update) -> Int64 {
        for message in [update.message, update.editedMessage].compactMap({ $0 }) {
            var log = chats[message.chat.id] ?? ChatLog(chat: message.chat)
            log.nextMessageId = max(log.nextMessageId, message.messageId + 1)
            if update.message != nil {
                log.messages.append(StoredMessage(message: message, fromBot: false, entities: []))
            }
            chats[message.chat.id] = log
            for photo in message.photo ?? [] { knownFiles.insert(photo.fileId) }
            if let document = message.document { knownFiles.insert(document.fileId) }
        }
        if let query = update.callbackQuery { ensurePrivateChat(with: query.from) }
        if let query = update.preCheckoutQuery { ensurePrivateChat(with: query.from) }
        return queue(update)
    }
}
