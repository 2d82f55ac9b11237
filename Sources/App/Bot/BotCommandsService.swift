import Bot
import Logging
import ServiceLifecycle
import Telegram

/// At start: checks the token with getMe and publishes the command list in English and Spanish.
struct BotCommandsService: Service, CustomStringConvertible {
    var description: String { "BotCommandsService" }

    let client: TelegramClient
    let logger: Logger

    func run() async throws {
        let me: User
        do {
            me = try await client.getMe()
        } catch {
            if case .api(let code, let description) = error, code == 401 || code == 404 {
                logger.critical("Telegram rejected TELEGRAM_BOT_TOKEN", metadata: ["reason": "\(code) \(description)"])
                throw BotStartError.tokenRejected
            }
            throw error
        }
        logger.info("bot connected", metadata: ["username": "\(me.username ?? "?")"])
        for language in Language.allCases {
            let t = Texts(language)
            let commands = [
                BotCommand(command: "start", description: t.commandStart),
                BotCommand(command: "book_private_call", description: t.commandBook),
                BotCommand(command: "my_bookings", description: t.commandBookings),
                BotCommand(command: "model_profile", description: t.commandProfile),
                BotCommand(command: "settings", description: t.commandSettings),
            ]
            try await client.setMyCommands(SetMyCommands(commands: commands, languageCode: language == .en ? nil : language.rawValue))
        }
        // A service that returns ends the whole group: stay until shutdown.
        try? await gracefulShutdown()
    }
}

enum BotStartError: Error, CustomStringConvertible {
    case tokenRejected
    var description: String { "TELEGRAM_BOT_TOKEN was rejected by Telegram" }
}
