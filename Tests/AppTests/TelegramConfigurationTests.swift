import Testing

@testable import App

/// TELEGRAM_MODE (how updates arrive) is separate from PUBLIC_URL (where this server is reachable), and the
/// webhook secret is the configured one or derived from the token — never random per process.
@Suite("Telegram configuration")
struct TelegramConfigurationTests {
    static let token = "123456:ABC-def_GHIjkl"

    static func telegram(_ env: [String: String]) throws -> TelegramSettings {
        try #require(try AppConfiguration.load(environment: ["TELEGRAM_BOT_TOKEN": token].merging(env) { _, new in new }).telegram)
    }

    @Test func pollingIsTheDefaultEvenWithAPublicURL() throws {
        let plain = try Self.telegram([:])
        #expect(plain.mode == .polling && plain.webhookURL == nil)
        let configuration = try AppConfiguration.load(environment: ["TELEGRAM_BOT_TOKEN": Self.token, "PUBLIC_URL": "https://calls.example.com/"])
        #expect(configuration.publicURL == "https://calls.example.com")
        #expect(configuration.telegram?.mode == .polling)
        #expect(configuration.telegram?.webhookURL == nil, "PUBLIC_URL alone must not switch the bot to webhook mode")
        #expect(try Self.telegram(["TELEGRAM_MODE": "polling", "PUBLIC_URL": "https://x.example"]).webhookURL == nil)
    }

    @Test func webhookModeUsesPublicURL() throws {
        let t = try Self.telegram(["TELEGRAM_MODE": "webhook", "PUBLIC_URL": "https://calls.example.com/"])
        #expect(t.mode == .webhook)
        #expect(t.webhookURL == "https://calls.example.com/telegram/webhook")
        #expect(try Self.telegram(["TELEGRAM_MODE": "Webhook", "PUBLIC_URL": "https://x.example"]).mode == .webhook)
    }

    @Test(arguments: [
        (["TELEGRAM_MODE": "webhook"], "PUBLIC_URL", "TELEGRAM_MODE=webhook"),
        (["TELEGRAM_MODE": "hook", "PUBLIC_URL": "https://x.example"], "TELEGRAM_MODE", "polling or webhook"),
        (["TELEGRAM_MODE": "webhook", "PUBLIC_URL": "calls.example.com"], "PUBLIC_URL", "http"),
        (["TELEGRAM_WEBHOOK_SECRET": "has space"], "TELEGRAM_WEBHOOK_SECRET", "1–256"),
        (["TELEGRAM_WEBHOOK_SECRET": "ä"], "TELEGRAM_WEBHOOK_SECRET", "1–256"),
        (["TELEGRAM_WEBHOOK_SECRET": String(repeating: "a", count: 257)], "TELEGRAM_WEBHOOK_SECRET", "1–256"),
    ])
    func aBadModeOrSecretIsRefusedNamingItsVariable(env: [String: String], variable: String, words: String) {
        // With the bot configured and without: a bad value is refused either way.
        for withToken in [true, false] {
            let environment = withToken ? env.merging(["TELEGRAM_BOT_TOKEN": Self.token]) { a, _ in a } : env
            do {
                _ = try AppConfiguration.load(environment: environment)
                Issue.record("\(env) was accepted")
            } catch {
                #expect(error.variable == variable, "\(error)")
                #expect(error.description.contains(words), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func theWebhookSecretIsDerivedFromTheTokenTheSameOnEveryInstance() throws {
        let first = try Self.telegram(["INSTANCE_NAME": "a"]).webhookSecret
        let second = try Self.telegram(["INSTANCE_NAME": "b", "TELEGRAM_MODE": "webhook", "PUBLIC_URL": "https://x.example"]).webhookSecret
        #expect(first == second)
        #expect(first.count == 43)
        #expect(AppConfiguration.isWebhookSecret(first))
        #expect(!first.contains(Self.token) && !first.contains("ABC-def_GHIjkl"))
        let other = try Self.telegram(["TELEGRAM_BOT_TOKEN": "123456:ABC-def_GHIjkm"]).webhookSecret
        #expect(other != first)
        // HMAC-SHA256(key: token, "privatecalls-webhook-secret"), base64url without padding: pinned (computed with Python's hmac), so a change
        // of derivation (which would make old and new instances disagree during a deploy) is seen.
        #expect(AppConfiguration.derivedWebhookSecret(token: "123456:TEST-token") == "sio6R_RIQvQY4Uh-atjpSHjgSQBkNj8EOlSHvUoUNFE")
    }

    @Test func aConfiguredSecretWinsAndIsNeverShown() throws {
        let t = try Self.telegram(["TELEGRAM_WEBHOOK_SECRET": "my-Secret_42"])
        #expect(t.webhookSecret == "my-Secret_42")
        let long = String(repeating: "Z", count: 256)
        #expect(try Self.telegram(["TELEGRAM_WEBHOOK_SECRET": long]).webhookSecret == long)
        for text in ["\(t)", String(reflecting: t)] {
            #expect(!text.contains("my-Secret_42") && !text.contains(Self.token))
        }
        #expect(!"\(try Self.telegram([:]))".contains(AppConfiguration.derivedWebhookSecret(token: Self.token)))
    }

    @Test func startupBackoffHonoursRetryAfterAndDoublesUpToItsCap() {
        let b = StartupBackoff.standard
        #expect((1...9).map { b.delay(failures: $0, retryAfter: nil) } == [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30), .seconds(30),
        ])
        #expect(b.delay(failures: 1_000, retryAfter: nil) == .seconds(30))
        #expect(b.delay(failures: 5, retryAfter: 3) == .seconds(3))
        #expect(b.delay(failures: 1, retryAfter: 0) == .seconds(1))
    }
}
