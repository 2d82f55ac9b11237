import Foundation
import Telegram

/// One request the fake received, in arrival order, with the answer it gave.
public struct RecordedCall: Sendable {
    /// The method name (canonical spelling if the fake knows the method; as sent otherwise; the path for stray requests).
    public let method: String
    /// The parameters as a JSON object (form and query parameters converted to JSON).
    public let body: Data
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
