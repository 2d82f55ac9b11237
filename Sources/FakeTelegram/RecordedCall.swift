import Foundation
import Telegram

/// One request the fake received, in arrival order, with the answer it gave.
public struct RecordedCall: Sendable {
    /// The method name (canonical spelling if the fake knows the method; as sent otherwise; the path for stray requests).
    public let method: String
    /// The parameters as a JSON object (form, multipart and query parameters converted to JSON; files not included).
    public let body: Data
    /// The file parts of a multipart/form-data request, in order.
    public let files: [UploadedFile]
    /// The HTTP status answered; 0 while a long poll is still open.
    public let status: Int
    /// The error description answered, if any ("Bad Request: …").
    public let error: String?
    /// When the request arrived.
    public let at: ContinuousClock.Instant

    /// The parameters decoded as a Bot API request type (`SendMessage`, `AnswerCallbackQuery`, …).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try TelegramJSON.decoder().decode(type, from: body)
    }
}

/// A file part of a multipart/form-data request, as received.
public struct UploadedFile: Sendable, Equatable {
    /// The part's field name ("document").
    public let field: String
    /// The `filename` of its Content-Disposition, unescaped ("" when given empty).
    public let fileName: String
    /// The part's Content-Type, if it had one.
    public let contentType: String?
    public let data: [UInt8]
}

public enum FakeBotAPIError: Error, Equatable, CustomStringConvertible {
    /// `tap` found no callback button with this label; `available` lists the chat's callback button labels, newest message first.
    case noSuchButton(String, available: [String])
    /// `waitUntil` ran out of time.
    case timeout

    public var description: String {
        switch self {
        case .noSuchButton(let label, let available):
            "no button \"\(label)\" in the chat; available: \(available.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .timeout: "condition not met before the timeout"
        }
    }
}
