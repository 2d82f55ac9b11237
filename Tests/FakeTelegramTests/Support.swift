import FakeTelegram
import Foundation
import Logging
import Telegram

let alice = User(id: 1001, firstName: "Alice", username: "alice")
let bob = User(id: 1002, firstName: "Bob")

func makeClient(_ fake: FakeBotAPI, token: String? = nil) -> TelegramClient {
    TelegramClient(token: token ?? fake.token, baseURL: fake.baseURL, logger: Logger(label: "FakeTelegramTests"))
}

/// Runs `body` against a fresh fake and its client, stopping the fake afterwards.
func withFake(_ body: (FakeBotAPI, TelegramClient) async throws -> Void) async throws {
    let fake = try await FakeBotAPI.start()
    do {
        try await body(fake, makeClient(fake))
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

/// The Telegram error `operation` failed with, or nil if it succeeded.
func failure<T>(_ operation: () async throws -> T) async -> TelegramError? {
    do {
        _ = try await operation()
        return nil
    } catch let error as TelegramError {
        return error
    } catch {
        return .network("not a TelegramError: \(error)")
    }
}

func badRequest(_ detail: String) -> TelegramError { .api(code: 400, description: "Bad Request: \(detail)") }

/// A keyboard of one button with this callback data.
func keyboard(_ data: String, label: String = "Go") -> InlineKeyboardMarkup {
    InlineKeyboardMarkup(inlineKeyboard: [[InlineKeyboardButton(text: label, callbackData: data)]])
}
