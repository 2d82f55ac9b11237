import Domain

/// The bot's connection to Telegram. Absent when `TELEGRAM_BOT_TOKEN` is unset (the HTTP server still runs).
public struct TelegramSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var token: String
    public var apiURL: String
    /// When set, updates arrive by webhook at `<publicURL>/telegram/webhook`; otherwise by long polling.
    public var publicURL: String?
    public var webhookSecret: String
    /// Long-polling `timeout` in seconds.
    public var pollTimeout: Int

    public var webhookURL: String? { publicURL.map { $0 + "/telegram/webhook" } }

    /// Secrets redacted.
    public var description: String { "TelegramSettings(api: \(apiURL), publicURL: \(publicURL ?? "none"), token: ***, webhookSecret: ***)" }
    public var debugDescription: String { description }
}

/// Stripe, offered only when both secrets are configured.
public struct StripeSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var secretKey: String
    public var webhookSecret: String
    public var apiURL: String

    /// Secrets redacted.
    public var description: String { "StripeSettings(api: \(apiURL), secretKey: ***, webhookSecret: ***)" }
    public var debugDescription: String { description }
}

extension AppConfiguration {
    typealias Env = [String: String]

    static func value(_ env: Env, _ name: String) -> String? {
        guard let raw = env[name]?.trimmingSpaces(), !raw.isEmpty else { return nil }
        return raw
    }

    static func telegram(_ env: Env, randomSecret: () -> String) throws(ConfigurationError) -> TelegramSettings? {
        guard let token = value(env, "TELEGRAM_BOT_TOKEN") else { return nil }
        let parts = token.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty,
              parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw ConfigurationError(variable: "TELEGRAM_BOT_TOKEN", message: "does not look like a bot token (<digits>:<letters, digits, _ or ->)")
        }
        let apiURL = try httpURL(env, "TELEGRAM_API_URL", default: "https://api.telegram.org")
        let publicURL = try value(env, "PUBLIC_URL") == nil ? nil : httpURL(env, "PUBLIC_URL", default: "")
        let secret = value(env, "TELEGRAM_WEBHOOK_SECRET") ?? randomSecret()
        guard (1...256).contains(secret.count), secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw ConfigurationError(variable: "TELEGRAM_WEBHOOK_SECRET", message: "must be 1–256 characters of A–Z, a–z, 0–9, _ and -")
        }
        let pollText = value(env, "TELEGRAM_POLL_TIMEOUT") ?? "25"
        guard let poll = Int(pollText), (0...50).contains(poll) else {
            throw ConfigurationError(variable: "TELEGRAM_POLL_TIMEOUT", message: "must be a whole number of seconds from 0 to 50, got “\(pollText)”")
        }
        return TelegramSettings(token: token, apiURL: apiURL, publicURL: publicURL, webhookSecret: secret, pollTimeout: poll)
    }

    static func stripe(_ env: Env) throws(ConfigurationError) -> StripeSettings? {
        let key = value(env, "STRIPE_SECRET_KEY"), hook = value(env, "STRIPE_WEBHOOK_SECRET")
        guard key != nil || hook != nil else { return nil }
        guard let key else { throw ConfigurationError(variable: "STRIPE_SECRET_KEY", message: "is missing while STRIPE_WEBHOOK_SECRET is set") }
        guard let hook else { throw ConfigurationError(variable: "STRIPE_WEBHOOK_SECRET", message: "is missing while STRIPE_SECRET_KEY is set") }
        guard key.hasPrefix("sk_") || key.hasPrefix("rk_") else {
            throw ConfigurationError(variable: "STRIPE_SECRET_KEY", message: "must start with sk_ or rk_")
        }
        guard hook.hasPrefix("whsec_"), hook.count > 6 else {
            throw ConfigurationError(variable: "STRIPE_WEBHOOK_SECRET", message: "must start with whsec_")
        }
        return StripeSettings(secretKey: key, webhookSecret: hook, apiURL: try httpURL(env, "STRIPE_API_URL", default: "https://api.stripe.com"))
    }

    /// An http(s) URL without a trailing slash.
    static func httpURL(_ env: Env, _ name: String, default fallback: String) throws(ConfigurationError) -> String {
        var url = value(env, name) ?? fallback
        while url.hasSuffix("/") { url.removeLast() }
        let rest = url.hasPrefix("https://") ? url.dropFirst(8) : url.hasPrefix("http://") ? url.dropFirst(7) : nil
        guard let rest, let host = rest.split(separator: "/").first, !host.isEmpty, !url.contains(" ") else {
            throw ConfigurationError(variable: name, message: "must be an http:// or https:// URL, got “\(url)”")
        }
        return url
    }

    /// 32 random URL-safe characters for the webhook secret when none is configured.
    static func randomToken() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        var rng = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }
}
