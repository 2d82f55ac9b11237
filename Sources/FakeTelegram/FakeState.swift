import Foundation
import Logging
import Telegram

/// A message as the fake keeps it: the wire form plus its entities (for "message is not modified").
struct StoredMessage: Sendable {
    var message: Message
    let fromBot: Bool
    var entities: [TextEntity]
}

/// One chat: its messages (bot's and user's share one id sequence, as in a private chat).
struct ChatLog: Sendable {
    var chat: Chat
    var nextMessageId: Int64 = 1
    var messages: [StoredMessage] = []
}

/// A request as received, completed with the answer's status once known (a long poll answers later).
struct CallEntry: Sendable {
    let method: String
    let body: Data
    let files: [UploadedFile]
    var status: Int
    var error: String?
    let at: ContinuousClock.Instant
}

struct PendingUpdate: Sendable {
    let update: Update
    /// Webhook delivery failed every attempt; stays pending for getUpdates after deleteWebhook or a new setWebhook.
    var webhookGaveUp = false
}

struct WebhookConfig: Sendable {
    let url: String
    let secretToken: String?
}

struct Charge: Sendable {
    let userId: Int64
    var refunded = false
}

/// What the HTTP layer does with a request: answer now, or hold it as a long poll.
enum Step: Sendable {
    case answer(status: Int, body: Data)
    case longPoll(LongPoll)
    /// Hold the request until then, then close the connection without an answer (a scripted network failure).
    case drop(until: ContinuousClock.Instant)
    /// Answer this, but not before then (a scripted slow answer).
    case held(until: ContinuousClock.Instant, status: Int, body: Data)
}

struct LongPoll: Sendable {
    let callIndex: Int
    let limit: Int
    let deadline: ContinuousClock.Instant
    let generation: Int
}

/// All of the fake's state. Every request and every scripted user action goes through here, one at a time.
actor FakeState {
    static let methods = [
        "getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo", "sendMessage", "editMessageText",
        "editMessageReplyMarkup", "answerCallbackQuery", "sendPhoto", "sendMediaGroup", "setMyCommands", "getMyCommands",
        "sendInvoice", "answerPreCheckoutQuery", "refundStarPayment", "sendDocument", "deleteMessage", "getFile",
    ]
    /// Telegram's method names are case-insensitive.
    static let canonicalMethods = Dictionary(uniqueKeysWithValues: methods.map { ($0.lowercased(), $0) })

    let logger: Logger
    let bot: User

    var nextUpdateId: Int64 = 1
    var pending: [PendingUpdate] = []
    var chats: [Int64: ChatLog] = [:]
    var callLog: [CallEntry] = []
    var faults: [String: [APIFailure]] = [:]
    /// Faults for one chat, lasting faults and dropped connections (FakeState+Faults.swift).
    var scriptedFaults: [ScriptedFault] = []
    var callbackQueryIds: [String] = []
    var answeredCallbackQueries: Set<String> = []
    var preCheckoutQueryIds: [String] = []
    var answeredPreCheckoutQueries: Set<String> = []
    var charges: [String: Charge] = [:]
    var webhookConfig: WebhookConfig?
    var allowedUpdates: [String]?
    var deliveryLog: [(updateId: Int64, status: Int)] = []
    var deliveryTask: Task<Void, Never>?
    var deliveryAttempts = FakeState.defaultDeliveryAttempts
    var deliveryMaxBackoff: Duration = .seconds(1)
    var pollGeneration = 0
    var stopping = false
    var commandsByLanguage: [String: [BotCommand]] = [:]
    var nextQueryNumber: Int64 = 1
    var nextGeneratedNumber: Int64 = 1
    var blockedChats: Set<Int64> = []
    var knownFiles: Set<String> = []
    /// The playground's view (FakeState+Playground.swift): a counter of changes and who waits for the next one,
    /// invoices' payloads (by "chat:message"), pre-checkout answers, and the bytes of files the page shows.
    var changes = 0
    var changeWaiters: [CheckedContinuation<Void, Never>] = []
    var invoicePayloads: [String: String] = [:]
    var preCheckoutAnswers: [String: PreCheckoutAnswer] = [:]
    var fileBytes: [String: StoredFile] = [:]
    /// getFile's file_path → file_id.
    var filePaths: [String: String] = [:]
    /// Calls before this index are not shown as refusals any more (the playground started over).
    var refusalsFrom = 0
    /// Documents the bot uploaded, by file_id ("doc-<n>").
    var uploadedDocuments: [String: UploadedDocument] = [:]

    init(token: String, logger: Logger) {
        self.logger = logger
        let botId = Int64(token.prefix { $0 != ":" }) ?? 123_456
        self.bot = User(id: botId, isBot: true, firstName: "PrivateCalls Test", username: "privatecalls_test_bot")
    }

    // MARK: Requests

    /// Records a request and answers it, or turns it into a long poll. `body` is a JSON object ("{}" if unreadable);
    /// `files` are the multipart file parts.
    func begin(method rawMethod: String, tokenValid: Bool, body: Data, files: [UploadedFile] = [], bodyProblem: APIFailure?) -> Step {
        let method = Self.canonicalMethods[rawMethod.lowercased()] ?? rawMethod
        let index = callLog.count
        callLog.append(CallEntry(method: method, body: body, files: files, status: 0, error: nil, at: .now))
        do throws(APIFailure) {
            guard tokenValid else { throw .unauthorized }
            guard Self.canonicalMethods[rawMethod.lowercased()] != nil else {
                logger.warning("FakeBotAPI: method not implemented", metadata: ["method": "\(rawMethod)"])
                throw .notFound
            }
            if var queued = faults[method], !queued.isEmpty {
                let fault = queued.removeFirst()
                faults[method] = queued
                throw fault
            }
            var holdFor: Duration?
            switch takeScriptedFault(method, body: body) {
            case .fail(let failure): throw failure
            case .drop(let delay): return drop(index, after: delay)
            case .hold(let delay): holdFor = delay
            case .garble(let status, let body): return garble(index, status: status, body: body)
            case nil: break
            }
            if let holdFor, case .answer(let status, let answer) = answer(index, result: try handle(method, body, files)) {
                return .held(until: .now + holdFor, status: status, body: answer)
            }
            if let bodyProblem { throw bodyProblem }
            guard files.isEmpty || method == "sendDocument" else {
                throw .badRequest("FakeBotAPI implements file uploads only for sendDocument; send \(method) files by file_id")
            }
            if method == "getUpdates" { return try getUpdates(body, callIndex: index) }
            return answer(index, result: try handle(method, body, files))
        } catch {
            return fail(index, error)
        }
    }

    /// Completes call `index` successfully.
    func answer(_ index: Int, result: Data) -> Step {
        defer { noteChange() }
        callLog[index].status = 200
        return .answer(status: 200, body: WireJSON.success(result))
    }

    /// Completes call `index` with an error.
    func fail(_ index: Int, _ failure: APIFailure) -> Step {
        defer { noteChange() }
        callLog[index].status = failure.code
        callLog[index].error = failure.description
        logger.debug("FakeBotAPI rejected a call", metadata: ["method": "\(callLog[index].method)", "error": "\(failure.description)"])
        return .answer(status: failure.code, body: failure.envelope)
    }

    /// Records a request that did not even address a bot (wrong path).
    func recordStray(path: String) -> Step {
        let index = callLog.count
        callLog.append(CallEntry(method: path, body: Data(), files: [], status: 0, error: nil, at: .now))
        return fail(index, .notFound)
    }

    private func handle(_ method: String, _ body: Data, _ files: [UploadedFile]) throws(APIFailure) -> Data {
        switch method {
        case "getMe": return WireJSON.encode(bot)
        case "setWebhook": return try setWebhook(body)
        case "deleteWebhook": return try deleteWebhook(body)
        case "getWebhookInfo": return webhookInfo()
        case "sendMessage": return try sendMessage(body)
        case "editMessageText": return try editMessageText(body)
        case "editMessageReplyMarkup": return try editMessageReplyMarkup(body)
        case "deleteMessage": return try deleteMessage(body)
        case "answerCallbackQuery": return try answerCallbackQuery(body)
        case "sendPhoto": return try sendPhoto(body)
        case "sendMediaGroup": return try sendMediaGroup(body)
        case "sendDocument": return try sendDocument(body, files: files)
        case "setMyCommands": return try setMyCommands(body)
        case "getMyCommands": return try getMyCommands(body)
        case "sendInvoice": return try sendInvoice(body)
        case "answerPreCheckoutQuery": return try answerPreCheckoutQuery(body)
        case "refundStarPayment": return try refundStarPayment(body)
        case "getFile": return try getFile(body)
        default: throw .notFound
        }
    }

    // MARK: Chats and messages

    var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// The chat a bot method addresses: known (someone wrote in it) and not blocked.
    func requireWritableChat(_ id: Int64) throws(APIFailure) {
        guard chats[id] != nil else { throw .chatNotFound }
        guard !blockedChats.contains(id) else { throw .blocked }
    }

    /// Creates the user's private chat if needed (its id is the user's id).
    func ensurePrivateChat(with user: User) {
        guard chats[user.id] == nil else { return }
        chats[user.id] = ChatLog(chat: Chat(id: user.id, type: "private", username: user.username, firstName: user.firstName))
    }

    /// Appends a message to a known chat with the next message id.
    func appendMessage(to chatId: Int64, from sender: User, entities: [TextEntity] = [], _ fill: (inout Message) -> Void) -> Message {
        var log = chats[chatId] ?? ChatLog(chat: Chat(id: chatId))
        var message = Message(messageId: log.nextMessageId, from: sender, chat: log.chat, date: now)
        fill(&message)
        log.nextMessageId += 1
        log.messages.append(StoredMessage(message: message, fromBot: sender.isBot && sender.id == bot.id, entities: entities))
        chats[chatId] = log
        return message
    }

    func generatedNumber() -> Int64 {
        defer { nextGeneratedNumber += 1 }
        return nextGeneratedNumber
    }

    /// A file reference a bot may send: a file_id the fake has seen, or an HTTP URL that is not a Bot API file URL.
    /// `kind` names the field in the "there is no … in the request" error.
    func checkFileReference(_ reference: String, kind: String = "photo") throws(APIFailure) -> String {
        guard !reference.trimmingWhitespace().isEmpty else { throw .badRequest("there is no \(kind) in the request") }
        guard !reference.contains("/bot") else { throw .wrongFile }
        if reference.isHTTPURL {
            let fileId = "AgACAgFakeUpload\(generatedNumber())"
            knownFiles.insert(fileId)
            return fileId
        }
        guard knownFiles.contains(reference) else {
            logger.warning("FakeBotAPI: file_id never seen (a user never sent it); call registerFile(_:) if the test means it to exist",
                           metadata: ["file_id": "\(reference)"])
            throw .wrongFile
        }
        return reference
    }

    // MARK: Reading (for tests)

    func botMessages(chat: Int64) -> [Message] {
        (chats[chat]?.messages ?? []).filter(\.fromBot).map(\.message)
    }

    func recordedCalls(_ method: String?) -> [RecordedCall] {
        let wanted = method.map { Self.canonicalMethods[$0.lowercased()] ?? $0 }
        return callLog.filter { wanted == nil || $0.method == wanted }.map {
            RecordedCall(method: $0.method, body: $0.body, files: $0.files, status: $0.status, error: $0.error, at: $0.at)
        }
    }

    func unansweredCallbackQueries() -> [String] {
        callbackQueryIds.filter { !answeredCallbackQueries.contains($0) }
    }

    func unansweredPreCheckoutQueries() -> [String] {
        preCheckoutQueryIds.filter { !answeredPreCheckoutQueries.contains($0) }
    }

    func queueFault(_ method: String, _ failure: APIFailure) {
        let method = Self.canonicalMethods[method.lowercased()] ?? method
        faults[method, default: []].append(failure)
    }

    func registerFile(_ fileId: String) { knownFiles.insert(fileId) }

    func setDeliveryRetry(attempts: Int, maxBackoff: Duration) {
        deliveryAttempts = max(1, attempts)
        deliveryMaxBackoff = maxBackoff
    }

    func setBlocked(_ chatId: Int64, _ blocked: Bool) {
        if blocked { blockedChats.insert(chatId) } else { blockedChats.remove(chatId) }
    }

    func commands(languageCode: String) -> [BotCommand] { commandsByLanguage[languageCode] ?? [] }

    func webhookSetting() -> WebhookConfig? { webhookConfig }

    func deliveries() -> [(updateId: Int64, status: Int)] { deliveryLog }

    func pendingUpdateIds() -> [Int64] { pending.map(\.update.updateId) }

    func shutDown() {
        stopping = true
        deliveryTask?.cancel()
    }
}
