import Telegram

// Scripting users. Each call creates the user's private chat if needed (its id is the user's id) and queues an
// update, or POSTs it when the bot has set a webhook. Each returns the update_id.
extension FakeBotAPI {
    @discardableResult
    public func sendText(_ text: String, from user: User) async -> Int64 {
        await state.userSendsText(text, from: user)
    }

    /// The user sends a photo; `fileId` becomes a file the bot may send on.
    @discardableResult
    public func sendPhoto(fileId: String, caption: String?, from user: User) async -> Int64 {
        await state.userSendsPhoto(fileId: fileId, caption: caption, from: user)
    }

    /// Presses the callback button labelled exactly `label` on the newest bot message in the user's chat that has one.
    /// Throws `FakeBotAPIError.noSuchButton` listing the labels there are.
    @discardableResult
    public func tap(_ label: String, as user: User) async throws -> Int64 {
        try await state.userTaps(label, as: user)
    }

    /// Presses a button with raw `data` on message `messageId` (forged or stale buttons). If the chat has no such
    /// message, the query carries Telegram's inaccessible-message form (chat and id, date 0).
    @discardableResult
    public func tapData(_ data: String, messageId: Int64, as user: User) async -> Int64 {
        await state.userTapsData(data, messageId: messageId, as: user)
    }

    @discardableResult
    public func sendPreCheckoutQuery(_ q: PreCheckoutQuery) async -> Int64 {
        await state.userPreCheckout(q)
    }

    /// The user's payment succeeded: a message with `successful_payment`; its charge id becomes refundable for this user.
    @discardableResult
    public func sendSuccessfulPayment(_ p: SuccessfulPayment, from user: User) async -> Int64 {
        await state.userPaid(p, from: user)
    }

    /// Queues a raw update (update_id assigned if 0). Its chat becomes known and its queries answerable.
    public func enqueue(_ update: Update) async {
        _ = await state.inject(update)
    }
}
