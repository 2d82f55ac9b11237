import Logging
import ServiceLifecycle
import Telegram

/// Webhook mode: tells Telegram where to POST updates, with our secret token, then waits for shutdown.
struct WebhookRegistration: Service, CustomStringConvertible {
    var description: String { "WebhookRegistration" }

    let client: TelegramClient
    let url: String
    let secret: String
    let logger: Logger

    func run() async throws {
        var attempt = 0
        while true {
            do {
                try await client.setWebhook(url: url, secretToken: secret)
                logger.info("webhook registered", metadata: ["url": "\(url)"])
                break
            } catch {
                attempt += 1
                if attempt >= 5 { throw error }
                logger.warning("setWebhook failed, retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(attempt))
            }
        }
        try? await gracefulShutdown()
    }
}
