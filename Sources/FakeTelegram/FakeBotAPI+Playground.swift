import Foundation
import Telegram

/// What the playground page needs from the simulated Telegram: whole chats (the user's messages too), a change
/// signal for live updates, the calls refused as Telegram would refuse them, files to show, and paying an
/// invoice the way Telegram does (pre-checkout query, then the successful payment if the bot said yes).
extension FakeBotAPI {
    public func transcript(chat: Int64) async -> [ChatEntry] { await state.transcript(chat: chat) }

    /// The number of changes so far (every answered or refused call, every user action).
    public func changeCount() async -> Int { await state.change(after: -1) }

    /// Returns the change count once it is past `seen`, or after `timeout` with the count as it is.
    public func waitForChange(after seen: Int, timeout: Duration) async -> Int {
        let state = self.state
        return await withTaskGroup(of: Int?.self) { group in
            group.addTask { await state.change(after: seen) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // The waiting task stays parked until the next change; wake it so the group can finish.
            if first == nil { await state.wakeWaiters() }
            if let first { return first }
            return await state.change(after: -1)
        }
    }

    public func refusals(from index: Int = 0) async -> [CallRefusal] { await state.refusals(from: index) }

    /// Makes `fileId` a file users have sent (so the bot may send it by id) whose bytes the page can show.
    public func storeFile(_ fileId: String, data: [UInt8], contentType: String) async {
        await state.storeFile(fileId, data: data, contentType: contentType)
    }

    public func file(_ fileId: String) async -> (data: [UInt8], contentType: String)? {
        await state.file(fileId).map { ($0.data, $0.contentType) }
    }

    /// A user sends a photo they picked: stored under a new file_id, then sent like `sendPhoto(fileId:…)`.
    @discardableResult
    public func sendPhoto(data: [UInt8], contentType: String, caption: String?, from user: User) async -> Int64 {
        let fileId = "AgACAgPlayground\(await state.nextChargeId().dropFirst("stxPlayground".count))"
        await state.storeFile(fileId, data: data, contentType: contentType)
        return await sendPhoto(fileId: fileId, caption: caption, from: user)
    }

    public enum PayResult: Sendable, Equatable {
        /// The bot accepted the pre-checkout query and the payment message was sent.
        case paid(chargeId: String)
        /// The bot refused it (its error_message, shown to the payer).
        case refused(String)
        /// The bot did not answer the pre-checkout query in time (Telegram gives up after 10 seconds).
        case unanswered
        /// No invoice of ours in that message.
        case notAnInvoice
    }

    /// "Pay" on an invoice message, as Telegram does it.
    public func pay(invoice messageId: Int64, as user: User, timeout: Duration = .seconds(10)) async -> PayResult {
        guard let (payload, invoice) = await state.invoicePayload(chat: user.id, messageId: messageId) else { return .notAnInvoice }
        let queryId = "pcq-playground-\(await state.nextChargeId())"
        await sendPreCheckoutQuery(PreCheckoutQuery(id: queryId, from: user, currency: invoice.currency,
                                                    totalAmount: invoice.totalAmount, invoicePayload: payload))
        let deadline = ContinuousClock.now + timeout
        var seen = await changeCount()
        while ContinuousClock.now < deadline {
            if let answer = await state.preCheckoutAnswer(queryId) {
                guard answer.ok else { return .refused(answer.error ?? "") }
                let charge = await state.nextChargeId()
                await sendSuccessfulPayment(SuccessfulPayment(currency: invoice.currency, totalAmount: invoice.totalAmount, invoicePayload: payload,
                                                              telegramPaymentChargeId: charge, providerPaymentChargeId: ""), from: user)
                return .paid(chargeId: charge)
            }
            seen = await waitForChange(after: seen, timeout: .milliseconds(500))
        }
        return .unanswered
    }
}

extension FakeBotAPI {
    /// Forgets every chat, queued update and refusal (the playground's reset).
    public func startOver() async { await state.startOver() }

    /// The user has opened the bot's chat (Telegram delivers nothing to a chat the user never started).
    public func open(chatWith user: User) async { await state.ensurePrivateChat(with: user) }

    /// The commands the bot published for a language ("" = the default list).
    public func commandMenu(languageCode: String) async -> [BotCommand] {
        let specific = await commands(languageCode: languageCode)
        return specific.isEmpty ? await commands(languageCode: "") : specific
    }
}
