import Logging
import ServiceLifecycle
import Telegram

/// Webhook mode: tells Telegram where to POST updates, with our secret token (retried until Telegram
/// answers, see `StartupCall`), then waits for shutdown.
struct WebhookRegistration: Service, CustomStringConvertible {
    var description: String { "WebhookRegistration" }

    let client: TelegramClient
    let url: String
    let secret: String
    let startup: StartupCall
    let logger: Logger

    func run() async throws {
        let client = self.client, url = self.url, secret = self.secret, startup = self.startup
        do {
            try await cancelWhenGracefulShutdown {
                try await startup.run(.setWebhook) { () async throws(TelegramError) in
                    try await client.setWebhook(url: url, secretToken: secret)
                }
                startup.readiness.done(.setWebhook)
            }
        } catch is CancellationError {
            return // shut down before Telegram answered
        }
        logger.info("webhook registered", metadata: ["url": "\(url)"])
        try? await gracefulShutdown()
    }
}
