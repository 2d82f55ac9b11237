import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Why a Bot API call failed.
public enum TelegramError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 429: wait `retryAfter` seconds before the next call to this chat (or at all).
    case tooManyRequests(retryAfter: Int, description: String)
    /// Telegram answered `ok: false` (400 bad request, 403 blocked by the user, 404, 409 conflict, …).
    case api(code: Int, description: String)
    /// No usable answer: connection refused, timeout, TLS. Worth retrying with backoff.
    case network(String)
    /// An answer we could not read.
    case decoding(String)

    public var description: String {
        switch self {
        case .tooManyRequests(let s, let d): "Telegram 429 (retry after \(s) s): \(d)"
        case .api(let code, let d): "Telegram \(code): \(d)"
        case .network(let d): "Telegram unreachable: \(d)"
        case .decoding(let d): "Telegram answer unreadable: \(d)"
        }
    }

    /// Whether trying the same call later may succeed.
    public var isRetryable: Bool {
        switch self {
        case .tooManyRequests, .network: true
        case .api(let code, _): code >= 500
        case .decoding: false
        }
    }
}

/// JSON coders matching the Bot API's snake_case fields.
public enum TelegramJSON {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}

/// A Bot API client over HTTP. The base URL is configurable (Telegram's, a local Bot API server, or the fake
/// server in tests). The token is part of every URL, so no URL is ever logged or put in an error.
public struct TelegramClient: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let baseURL: String
    private let token: String
    private let http: HTTPClient
    private let logger: Logger

    public init(token: String, baseURL: String = "https://api.telegram.org", httpClient: HTTPClient = .shared, logger: Logger) {
        self.token = token
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = httpClient
        self.logger = logger
    }

    var httpClient: HTTPClient { http }

    /// Where a file's bytes are (carries the token: never logged).
    func fileURL(_ path: String) -> String { "\(baseURL)/file/bot\(token)/\(path)" }

    /// Never shows the token.
    public var description: String { "TelegramClient(\(baseURL))" }
    public var debugDescription: String { description }

    /// Calls `method` with `params` as JSON and decodes its `result`.
    public func call<Params: Encodable & Sendable, Result: Codable & Sendable>(
        _ method: String, _ params: Params, as: Result.Type = Result.self, timeout: TimeAmount = .seconds(30)
    ) async throws(TelegramError) -> Result {
        let body: Data
        do {
            body = try TelegramJSON.encoder().encode(params)
        } catch {
            throw .decoding("could not encode \(method): \(error)")
        }
        return try await post(method, contentType: "application/json", body: ByteBuffer(data: body), timeout: timeout)
    }

    /// POSTs a ready body to `method` and reads Telegram's answer: the one place where HTTP answers become
    /// results or `TelegramError`s, for JSON calls and uploads alike.
    private func post<Result: Codable & Sendable>(
        _ method: String, contentType: String, body requestBody: ByteBuffer, timeout: TimeAmount
    ) async throws(TelegramError) -> Result {
        var request = HTTPClientRequest(url: "\(baseURL)/bot\(token)/\(method)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(requestBody)
        let body: ByteBuffer
        let status: UInt
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = response.status.code
            body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        } catch {
            logger.debug("telegram call failed", metadata: ["method": "\(method)", "error": "\(Self.describe(error))"])
            throw .network(Self.describe(error))
        }
        let envelope: APIResponse<Result>
        do {
            envelope = try TelegramJSON.decoder().decode(APIResponse<Result>.self, from: Data(buffer: body))
        } catch {
            if status >= 500 { throw .api(code: Int(status), description: "server error") }
            throw .decoding("\(method): \(error)")
        }
        guard envelope.ok, let result = envelope.result else {
            let code = envelope.errorCode ?? Int(status)
            let description = envelope.description ?? "no description"
            if code == 429 { throw .tooManyRequests(retryAfter: envelope.parameters?.retryAfter ?? 1, description: description) }
            throw .api(code: code, description: description)
        }
        return result
    }

    /// Error text without anything that could carry the URL (and so the token).
    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError { return "\(e)" }
        return String(describing: type(of: error))
    }

    // MARK: Methods

    public func getMe() async throws(TelegramError) -> User { try await call("getMe", Empty()) }

    /// Long polling; the HTTP timeout allows for the server's `timeout` seconds plus a margin.
    public func getUpdates(offset: Int64?, timeout: Int, limit: Int = 100) async throws(TelegramError) -> [Update] {
        try await call("getUpdates", GetUpdates(offset: offset, limit: limit, timeout: timeout, allowedUpdates: Self.allowedUpdates),
                       timeout: .seconds(Int64(timeout) + 15))
    }

    public static let allowedUpdates = ["message", "callback_query", "pre_checkout_query"]

    public func setWebhook(url: String, secretToken: String) async throws(TelegramError) {
        let _: Bool = try await call("setWebhook", SetWebhook(url: url, secretToken: secretToken, allowedUpdates: Self.allowedUpdates))
    }

    public func deleteWebhook() async throws(TelegramError) {
        let _: Bool = try await call("deleteWebhook", DeleteWebhook(dropPendingUpdates: false))
    }

    @discardableResult
    public func sendMessage(_ p: SendMessage) async throws(TelegramError) -> Message { try await call("sendMessage", p) }

    @discardableResult
    public func editMessageText(_ p: EditMessageText) async throws(TelegramError) -> Message { try await call("editMessageText", p) }

    @discardableResult
    public func deleteMessage(_ p: DeleteMessage) async throws(TelegramError) {
        let _: Bool = try await call("deleteMessage", p)
    }

    public func editMessageReplyMarkup(_ p: EditMessageReplyMarkup) async throws(TelegramError) -> Message {
        try await call("editMessageReplyMarkup", p)
    }

    public func answerCallbackQuery(_ p: AnswerCallbackQuery) async throws(TelegramError) {
        let _: Bool = try await call("answerCallbackQuery", p)
    }

    @discardableResult
    public func sendPhoto(_ p: SendPhoto) async throws(TelegramError) -> Message { try await call("sendPhoto", p) }

    /// Uploads a file as a document (multipart/form-data; Telegram takes up to 50 MB). `caption`: 0–1024 characters
    /// after entity parsing. The timeout allows for a slow upload.
    @discardableResult
    public func sendDocument(
        chatId: Int64, document: InputFile, caption: String? = nil, parseMode: String? = "HTML", replyMarkup: InlineKeyboardMarkup? = nil
    ) async throws(TelegramError) -> Message {
        var form = MultipartForm()
        form.add("chat_id", String(chatId))
        form.add("caption", caption)
        form.add("parse_mode", parseMode)
        if let replyMarkup {
            do {
                form.add("reply_markup", String(decoding: try TelegramJSON.encoder().encode(replyMarkup), as: UTF8.self))
            } catch {
                throw .decoding("could not encode sendDocument: \(error)")
            }
        }
        form.add("document", file: document)
        let (contentType, body) = form.encoded()
        return try await post("sendDocument", contentType: contentType, body: ByteBuffer(bytes: body), timeout: .seconds(120))
    }

    @discardableResult
    public func sendMediaGroup(_ p: SendMediaGroup) async throws(TelegramError) -> [Message] { try await call("sendMediaGroup", p) }

    public func setMyCommands(_ p: SetMyCommands) async throws(TelegramError) {
        let _: Bool = try await call("setMyCommands", p)
    }

    @discardableResult
    public func sendInvoice(_ p: SendInvoice) async throws(TelegramError) -> Message { try await call("sendInvoice", p) }

    public func answerPreCheckoutQuery(_ p: AnswerPreCheckoutQuery) async throws(TelegramError) {
        let _: Bool = try await call("answerPreCheckoutQuery", p)
    }

    public func refundStarPayment(_ p: RefundStarPayment) async throws(TelegramError) {
        let _: Bool = try await call("refundStarPayment", p)
    }
}
