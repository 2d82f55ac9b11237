import Foundation
import Hummingbird
import LocalServer
import Logging
import Telegram

/// A strict fake of the Telegram Bot API speaking real HTTP on 127.0.0.1 (port 0), for end-to-end tests.
///
/// It answers like Telegram, including its refusals: unknown chats, empty or over-long texts, malformed HTML,
/// callback_data over 64 bytes, media groups outside 2–10, stale callback queries, edits that change nothing,
/// malformed multipart bodies and uploads over 50 MB.
/// Tests script users (`sendText`, `tap`, …) and read back what the bot did (`messages`, `calls`, …).
public final class FakeBotAPI: Sendable {
    public let token: String
    /// The bot the fake plays (`getMe`): id from the token, username "privatecalls_test_bot".
    public let bot: User
    let state: FakeState
    private let server: LocalHTTPServer

    /// "http://127.0.0.1:<port>": what TELEGRAM_API_URL is set to.
    public var baseURL: String { server.baseURL }

    private init(token: String, state: FakeState, server: LocalHTTPServer) {
        self.token = token
        self.bot = state.bot
        self.state = state
        self.server = server
    }

    /// A logger that only reports the fake's warnings (unimplemented methods, unknown file ids, failed webhook deliveries).
    public static var defaultLogger: Logger {
        var logger = Logger(label: "FakeBotAPI")
        logger.logLevel = .warning
        return logger
    }

    /// Starts the server on 127.0.0.1 with a free port.
    public static func start(token: String = "123456:TEST-token", logger: Logger = FakeBotAPI.defaultLogger) async throws -> FakeBotAPI {
        let state = FakeState(token: token, logger: logger)
        let router = Router()
        FakeRoutes(state: state, token: token).register(on: router)
        let server = try await LocalHTTPServer.start(router: router, logger: logger)
        return FakeBotAPI(token: token, state: state, server: server)
    }

    /// Graceful shutdown: open long polls answer at once, webhook delivery stops, the server closes.
    public func stop() async {
        await state.shutDown()
        await server.stop()
    }

    // MARK: Reading what the bot did

    /// The bot's messages in the chat, in order, with edits applied.
    public func messages(chat: Int64) async -> [Message] { await state.botMessages(chat: chat) }

    public func lastMessage(chat: Int64) async -> Message? { await state.botMessages(chat: chat).last }

    /// The documents the bot sent to the chat, in order: the file name as uploaded (unescaped), the part's
    /// Content-Type, the bytes as received (empty for a file_id the fake never saw uploaded) and the caption as stored.
    public func documents(chat: Int64) async -> [(fileName: String, mimeType: String?, data: [UInt8], caption: String?)] {
        await state.documents(chat: chat)
    }

    /// The inline keyboard's labels, row by row.
    public func buttonLabels(of message: Message) -> [[String]] {
        message.replyMarkup?.inlineKeyboard.map { $0.map(\.text) } ?? []
    }

    /// Every request received, in order (rejected ones too); only those of `method` if given.
    public func calls(_ method: String? = nil) async -> [RecordedCall] { await state.recordedCalls(method) }

    /// Callback query ids sent to the bot and not yet answered, oldest first.
    public func unansweredCallbackQueries() async -> [String] { await state.unansweredCallbackQueries() }

    /// Pre-checkout query ids sent to the bot and not yet answered, oldest first.
    public func unansweredPreCheckoutQueries() async -> [String] { await state.unansweredPreCheckoutQueries() }

    /// The webhook the bot set, if any.
    public func webhook() async -> (url: String, secretToken: String?)? {
        guard let config = await state.webhookSetting() else { return nil }
        return (config.url, config.secretToken)
    }

    /// Every webhook delivery attempt: the update and the HTTP status (0 when the request failed).
    public func webhookDeliveries() async -> [(updateId: Int64, status: Int)] { await state.deliveries() }

    /// Ids of updates not yet confirmed (getUpdates) or delivered (webhook).
    public func pendingUpdateIds() async -> [Int64] { await state.pendingUpdateIds() }

    /// The commands set for a language ("" = the default list).
    public func commands(languageCode: String = "") async -> [BotCommand] { await state.commands(languageCode: languageCode) }

    /// Telegram payment charge ids refunded through refundStarPayment.
    public func refundedCharges() async -> [String] { await state.refundedChargeIds() }

    /// Polls `condition` every 10 ms until it holds; throws `FakeBotAPIError.timeout` after `timeout`.
    public func waitUntil(timeout: Duration = .seconds(5), _ condition: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if await condition() { return }
            guard ContinuousClock.now < deadline else { throw FakeBotAPIError.timeout }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Fault injection and world setup

    /// The next call of `method` answers this error instead (429 carries parameters.retry_after when `retryAfter` is set).
    /// Several calls queue several faults, answered in order.
    public func failNext(_ method: String, code: Int, description: String, retryAfter: Int? = nil) async {
        await state.queueFault(method, APIFailure(code: code, description: description, retryAfter: retryAfter))
    }

    /// Makes a file_id known, as if a user had sent it (the fake rejects file_ids it has never seen, as Telegram does).
    public func registerFile(_ fileId: String) async { await state.registerFile(fileId) }

    /// From now on, sending to this user's chat answers 403 "Forbidden: bot was blocked by the user".
    public func blockBot(by user: User) async { await state.setBlocked(user.id, true) }

    public func unblockBot(by user: User) async { await state.setBlocked(user.id, false) }

    /// Webhook delivery as Telegram does it for a bot that keeps failing: up to `attempts` POSTs per update
    /// (default 4), waiting 50 ms, 100 ms, … but at most `maxBackoff` between two.
    public func retryWebhookDeliveries(attempts: Int, maxBackoff: Duration = .seconds(1)) async {
        await state.setDeliveryRetry(attempts: attempts, maxBackoff: maxBackoff)
    }
}
