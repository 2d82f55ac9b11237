import Foundation
import Telegram

/// A pre-checkout query's answer, kept for the page that pays an invoice.
struct PreCheckoutAnswer: Sendable {
    let ok: Bool
    let error: String?
}

/// A file the page can show (a demo photo, a photo uploaded from the page).
struct StoredFile: Sendable {
    let data: [UInt8]
    let contentType: String
}

// The playground's view of the fake: change notification, whole transcripts, files, invoices.
extension FakeState {
    /// Something changed (a call answered or refused, a user action): wakes whoever waits for it.
    func noteChange() {
        changes += 1
        let waiters = changeWaiters
        changeWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the change counter is past `seen` (at once if it already is).
    func change(after seen: Int) async -> Int {
        if changes > seen { return changes }
        await withCheckedContinuation { changeWaiters.append($0) }
        return changes
    }

    /// Wakes whoever waits without counting a change (a waiter that timed out must not stay parked).
    func wakeWaiters() {
        let waiters = changeWaiters
        changeWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    func transcript(chat: Int64) -> [ChatEntry] {
        (chats[chat]?.messages ?? []).map { stored in
            let m = stored.message
            let body = m.text ?? m.caption
            let html = body.map { EntityHTML.render($0, stored.entities) }
            let invoice = m.invoice.map {
                ChatEntry.InvoiceView(title: $0.title, description: $0.description, currency: $0.currency, totalAmount: $0.totalAmount,
                                      payable: invoicePayloads["\(chat):\(m.messageId)"] != nil)
            }
            let buttons = (m.replyMarkup?.inlineKeyboard ?? []).map { row in
                row.map { ChatEntry.ButtonView(text: $0.text, data: $0.callbackData, url: $0.url) }
            }
            var document: ChatEntry.DocumentView?
            if let d = m.document {
                document = ChatEntry.DocumentView(fileId: d.fileId, fileName: uploadedDocuments[d.fileId]?.fileName ?? d.fileName ?? "file")
            }
            return ChatEntry(
                messageId: m.messageId, fromBot: stored.fromBot, html: html, photo: m.photo?.last?.fileId, document: document,
                invoice: invoice, paid: m.successfulPayment.map { "\($0.totalAmount) \($0.currency)" }, buttons: buttons)
        }
    }

    /// The calls the fake refused (what Telegram would have refused), newest last, from `index` on.
    func refusals(from requested: Int) -> [CallRefusal] {
        let index = max(requested, refusalsFrom, 0)
        guard index < callLog.count else { return [] }
        return callLog[index...].enumerated().compactMap { offset, call in
            guard call.status >= 400, call.method != "getUpdates" else { return nil }
            return CallRefusal(index: index + offset, method: call.method, status: call.status, error: call.error ?? "")
        }
    }

    /// Starts over: no chats, no queued updates, no refusals shown (files stay known).
    func startOver() {
        chats.removeAll()
        pending.removeAll()
        invoicePayloads.removeAll()
        refusalsFrom = callLog.count
        noteChange()
    }

    func storeFile(_ fileId: String, data: [UInt8], contentType: String) {
        knownFiles.insert(fileId)
        fileBytes[fileId] = StoredFile(data: data, contentType: contentType)
    }

    func file(_ fileId: String) -> StoredFile? {
        if let stored = fileBytes[fileId] { return stored }
        if let upload = uploadedDocuments[fileId] { return StoredFile(data: upload.data, contentType: upload.mimeType ?? "application/octet-stream") }
        return nil
    }

    func invoicePayload(chat: Int64, messageId: Int64) -> (payload: String, invoice: Invoice)? {
        guard let payload = invoicePayloads["\(chat):\(messageId)"],
              let invoice = chats[chat]?.messages.first(where: { $0.message.messageId == messageId })?.message.invoice else { return nil }
        return (payload, invoice)
    }

    func preCheckoutAnswer(_ id: String) -> PreCheckoutAnswer? { preCheckoutAnswers[id] }

    func nextChargeId() -> String { "stxPlayground\(generatedNumber())" }
}

/// One message of a chat as the playground page shows it. `html` is safe to insert: every character of the
/// text is escaped, and only Telegram's own formatting is turned back into tags.
public struct ChatEntry: Codable, Sendable, Equatable {
    public struct ButtonView: Codable, Sendable, Equatable {
        public var text: String
        public var data: String?
        public var url: String?
    }

    public struct InvoiceView: Codable, Sendable, Equatable {
        public var title: String
        public var description: String
        public var currency: String
        public var totalAmount: Int64
        public var payable: Bool
    }

    public struct DocumentView: Codable, Sendable, Equatable {
        public var fileId: String
        public var fileName: String
    }

    public var messageId: Int64
    public var fromBot: Bool
    public var html: String?
    public var photo: String?
    public var document: DocumentView?
    public var invoice: InvoiceView?
    /// A successful payment message ("15000 XTR").
    public var paid: String?
    public var buttons: [[ButtonView]]
}

/// A Bot API call the fake refused as Telegram would.
public struct CallRefusal: Codable, Sendable, Equatable {
    public var index: Int
    public var method: String
    public var status: Int
    public var error: String
}
