import Foundation
import Telegram

/// An error answer of the fake, in Telegram's envelope `{"ok":false,"error_code":N,"description":"…"}`.
struct APIFailure: Error, Sendable, Equatable {
    var code: Int
    var description: String
    var retryAfter: Int?

    static func badRequest(_ detail: String) -> APIFailure { APIFailure(code: 400, description: "Bad Request: \(detail)") }

    static let unauthorized = APIFailure(code: 401, description: "Unauthorized")
    static let notFound = APIFailure(code: 404, description: "Not Found")
    static let chatNotFound = badRequest("chat not found")
    /// A request body or an uploaded file over the 50 MB limit.
    static let tooLarge = APIFailure(code: 413, description: "Request Entity Too Large")
    static let blocked = APIFailure(code: 403, description: "Forbidden: bot was blocked by the user")
    static let queryInvalid = badRequest("query is too old and response timeout expired or query ID is invalid")
    static let wrongFile = badRequest("wrong file identifier/HTTP URL specified")
    static let notModified = badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
    )
    static let webhookActive = APIFailure(
        code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )
    static let otherPoller = APIFailure(
        code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )

    /// The JSON body of this error answer.
    var envelope: Data {
        let response = APIResponse<Bool>(
            ok: false, errorCode: code, description: description, parameters: retryAfter.map { ResponseParameters(retryAfter: $0) }
        )
        return (try? TelegramJSON.encoder().encode(response)) ?? Data(#"{"ok":false}"#.utf8)
    }
}

/// JSON helpers shared by the fake's handlers.
enum WireJSON {
    static let trueResult = Data("true".utf8)

    static func encode<T: Encodable>(_ value: T) -> Data {
        (try? TelegramJSON.encoder().encode(value)) ?? Data("null".utf8)
    }

    /// `{"ok":true,"result":<result>}`
    static func success(_ result: Data) -> Data {
        Data(#"{"ok":true,"result":"#.utf8) + result + Data("}".utf8)
    }

    /// Decodes a request body into a method's parameter type, answering decoding problems the way Telegram words them.
    static func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws(APIFailure) -> T {
        do {
            return try TelegramJSON.decoder().decode(type, from: body)
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw .badRequest("can't parse request parameters")
        }
    }

    static func describe(_ error: DecodingError) -> APIFailure {
        switch error {
        case .keyNotFound(let key, let context):
            let field = snakeCase(key.stringValue)
            if isInKeyboard(context.codingPath) { return .badRequest("can't parse inline keyboard button: Can't find field \"\(field)\"") }
            if field == "text" && context.codingPath.isEmpty { return .badRequest("message text is empty") }
            return .badRequest("\(field) is empty")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = context.codingPath.last.map { snakeCase($0.stringValue) } ?? "parameters"
            if isInKeyboard(context.codingPath) {
                return .badRequest("can't parse inline keyboard button: Field \"\(field)\" must be of type \(type)")
            }
            if context.codingPath.first?.stringValue == "replyMarkup" { return .badRequest("can't parse reply keyboard markup JSON object") }
            return .badRequest("field \"\(field)\" must be of type \(type)")
        case .dataCorrupted:
            return .badRequest("can't parse JSON object")
        @unknown default:
            return .badRequest("can't parse request parameters")
        }
    }

    private static func isInKeyboard(_ path: [any CodingKey]) -> Bool {
        path.contains { $0.stringValue == "inlineKeyboard" } && path.count > 2
    }

    /// "chatId" → "chat_id".
    static func snakeCase(_ camel: String) -> String {
        var result = ""
        for character in camel {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
