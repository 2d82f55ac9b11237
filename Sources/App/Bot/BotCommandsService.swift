import Bot
import Logging
import ServiceLifecycle
import Telegram

/// At start: checks the token with getMe and publishes the command list in English and Spanish, each call
/// retried until Telegram answers (`StartupCall`); only a rejected token ends the process.
struct BotCommandsService: Service, CustomStringConvertible {
    var description: String { "BotCommandsService" }

    let client: TelegramClient
    let startup: StartupCall
    let logger: Logger
    /// Where the bot's username is kept for deep links.
    var identity: BotIdentity?

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [self] in try await startUp() }
        } catch is CancellationError {
            return // shut down before Telegram answered
        }
        // A service that returns ends the whole group: stay until shutdown.
        try? await gracefulShutdown()
    }

    private func startUp() async throws {
        let client = self.client
        let me = try await startup.run(.getMe) { () async throws(TelegramError) -> User in try await client.getMe() }
        identity?.username = me.username
        startup.readiness.done(.getMe)
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
            let request = SetMyCommands(commands: commands, languageCode: language == .en ? nil : language.rawValue)
            try await startup.run(.setMyCommands) { () async throws(TelegramError) in
                try await client.setMyCommands(request)
            }
        }
        startup.readiness.done(.setMyCommands)
    }
}
