import Crypto
import Domain
import Foundation

/// How Telegram's updates reach the bot (`TELEGRAM_MODE`).
public enum TelegramMode: String, Sendable, Equatable, CaseIterable {
    /// `getUpdates` long polling (the default): works behind NAT, needs no public URL.
    case polling
    /// Telegram POSTs updates to `<PUBLIC_URL>/telegram/webhook` with our secret token.
    case webhook
}

/// The bot's connection to Telegram. Absent when `TELEGRAM_BOT_TOKEN` is unset (the HTTP server still runs).
public struct TelegramSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var token: String
    public var apiURL: String
    /// `TELEGRAM_MODE`: long polling (default) or webhook. `PUBLIC_URL` alone does not switch to webhook mode
    /// (ePayco and Agora need a public URL too).
    public var mode: TelegramMode
    /// `PUBLIC_URL`; always set in webhook mode.
    public var publicURL: String?
    /// The webhook's `secret_token`: `TELEGRAM_WEBHOOK_SECRET`, or derived from the token (the same on every
    /// instance with that token; see `derivedWebhookSecret`). Never logged.
    public var webhookSecret: String
    /// Long-polling `timeout` in seconds.
    public var pollTimeout: Int
    /// How `getMe`, `setMyCommands` and `setWebhook` are retried at start-up (not read from the environment;
    /// tests shorten it).
    public var startupBackoff: StartupBackoff = .standard

    public init(token: String, apiURL: String, mode: TelegramMode, publicURL: String?, webhookSecret: String, pollTimeout: Int) {
        self.token = token
        self.apiURL = apiURL
        self.mode = mode
        self.publicURL = publicURL
        self.webhookSecret = webhookSecret
        self.pollTimeout = pollTimeout
    }

    /// Where Telegram delivers updates: `<publicURL>/telegram/webhook` in webhook mode, nil when polling.
    public var webhookURL: String? {
        guard mode == .webhook else { return nil }
        return publicURL.map { $0 + "/telegram/webhook" }
    }

    /// Secrets redacted.
    public var description: String {
        "TelegramSettings(api: \(apiURL), mode: \(mode.rawValue), publicURL: \(publicURL ?? "none"), token: ***, webhookSecret: ***)"
    }
    public var debugDescription: String { description }
}

/// Start-up retries of the Bot API calls the bot needs before it is ready: a 429 waits Telegram's
/// `retry_after`; anything else (5xx, network, an unreadable answer) waits `first`, doubling up to `maximum`.
public struct StartupBackoff: Sendable, Equatable {
    public var first: Duration
    public var maximum: Duration

    public init(first: Duration, maximum: Duration) {
        self.first = first
        self.maximum = maximum
    }

    /// 0.5 s → 1 → 2 … → 30 s.
    public static let standard = StartupBackoff(first: .milliseconds(500), maximum: .seconds(30))

    /// The wait after the `failures`-th failure in a row (1 = the first).
    public func delay(failures: Int, retryAfter: Int?) -> Duration {
        if let retryAfter { return .seconds(max(retryAfter, 1)) }
        var delay = first
        for _ in 1..<max(failures, 1) {
            delay = delay * 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
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

/// ePayco (standard checkout + confirmation URL), offered only when `EPAYCO_CUST_ID`, `EPAYCO_P_KEY` and
/// `EPAYCO_PUBLIC_KEY` are all set. Needs `PUBLIC_URL`: ePayco's servers post the confirmation to
/// `<publicURL>/webhooks/epayco`, and the payer opens our checkout page at `<publicURL>/pay/epayco/…`.
public struct EpaycoSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `p_cust_id_cliente`.
    public var customerID: String
    /// `p_key`: signs confirmations; also keys our checkout-page tokens. Secret.
    public var pKey: String
    /// Public by design (served to the browser by ePayco's checkout script).
    public var publicKey: String
    /// `EPAYCO_TEST=true`: ePayco's test mode (no real charges).
    public var test: Bool
    /// `PUBLIC_URL` (no trailing slash).
    public var publicURL: String
    /// `EPAYCO_VALIDATION_URL`: where an approved or reversed confirmation is checked with ePayco before we act
    /// (`GET <url>/<x_ref_payco>`).
    public var validationURL: String

    public static let defaultValidationURL = "https://secure.epayco.co/validation/v1/reference"

    public init(customerID: String, pKey: String, publicKey: String, test: Bool, publicURL: String,
                validationURL: String = EpaycoSettings.defaultValidationURL) {
        self.customerID = customerID
        self.pKey = pKey
        self.publicKey = publicKey
        self.test = test
        self.publicURL = publicURL
        self.validationURL = validationURL
    }

    public var confirmationURL: String { publicURL + "/webhooks/epayco" }
    public var responseURL: String { publicURL + "/payments/epayco/response" }

    /// Secrets redacted.
    public var description: String { "EpaycoSettings(customer: \(customerID), publicURL: \(publicURL), validation: \(validationURL), test: \(test), pKey: ***)" }
    public var debugDescription: String { description }
}

/// Daimo Pay (crypto, settled in a USD stablecoin), offered only when `DAIMO_API_KEY`, `DAIMO_WEBHOOK_TOKEN` and
/// `DAIMO_DESTINATION_ADDRESS` are all set. Only bookings priced in USD are offered Daimo.
public struct DaimoSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var apiKey: String
    /// Daimo sends it as `Authorization: Basic <token>` on every webhook.
    public var webhookToken: String
    /// `DAIMO_API_URL`, default `https://pay.daimo.com` (payments at `/api/payment`).
    public var apiURL: String
    /// `DAIMO_DESTINATION_ADDRESS`: where the funds arrive (0x + 40 hex digits).
    public var destinationAddress: String
    /// `DAIMO_CHAIN_ID` (default 8453, Base) and `DAIMO_TOKEN_ADDRESS` (default USDC on Base).
    public var chainID: Int
    public var tokenAddress: String
    /// `DAIMO_REFUND_ADDRESS`: where Daimo returns a bounced payment; unset lets Daimo use the payer's.
    public var refundAddress: String?

    public static let defaultAPIURL = "https://pay.daimo.com"
    public static let defaultChainID = 8453
    public static let defaultTokenAddress = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"

    public init(apiKey: String, webhookToken: String, apiURL: String = defaultAPIURL, destinationAddress: String,
                chainID: Int = defaultChainID, tokenAddress: String = defaultTokenAddress, refundAddress: String? = nil) {
        self.apiKey = apiKey
        self.webhookToken = webhookToken
        self.apiURL = apiURL
        self.destinationAddress = destinationAddress
        self.chainID = chainID
        self.tokenAddress = tokenAddress
        self.refundAddress = refundAddress
    }

    /// Secrets redacted.
    public var description: String {
        "DaimoSettings(api: \(apiURL), destination: \(destinationAddress), chain: \(chainID), token: \(tokenAddress), apiKey: ***, webhookToken: ***)"
    }
    public var debugDescription: String { description }
}

extension AppConfiguration {
    typealias Env = [String: String]

    static func value(_ env: Env, _ name: String) -> String? {
        guard let raw = env[name]?.trimmingSpaces(), !raw.isEmpty else { return nil }
        return raw
    }

    /// `TELEGRAM_MODE`, checked whether or not the bot is configured; webhook mode needs `PUBLIC_URL`.
    static func telegramMode(_ env: Env) throws(ConfigurationError) -> TelegramMode {
        guard let text = value(env, "TELEGRAM_MODE") else { return .polling }
        guard let mode = TelegramMode(rawValue: text.lowercased()) else {
            throw ConfigurationError(variable: "TELEGRAM_MODE", message: "must be polling or webhook, got “\(text)”")
        }
        if mode == .webhook, value(env, "PUBLIC_URL") == nil {
            throw ConfigurationError(
                variable: "PUBLIC_URL",
                message: "is required when TELEGRAM_MODE=webhook: Telegram posts updates to PUBLIC_URL/telegram/webhook (or set TELEGRAM_MODE=polling)")
        }
        return mode
    }

    static func telegram(_ env: Env) throws(ConfigurationError) -> TelegramSettings? {
        let mode = try telegramMode(env)
        let configuredSecret = value(env, "TELEGRAM_WEBHOOK_SECRET")
        if let configuredSecret, !isWebhookSecret(configuredSecret) {
            throw ConfigurationError(variable: "TELEGRAM_WEBHOOK_SECRET", message: "must be 1–256 characters of A–Z, a–z, 0–9, _ and -")
        }
        guard let token = value(env, "TELEGRAM_BOT_TOKEN") else { return nil }
        let parts = token.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty,
              parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw ConfigurationError(variable: "TELEGRAM_BOT_TOKEN", message: "does not look like a bot token (<digits>:<letters, digits, _ or ->)")
        }
        let apiURL = try httpURL(env, "TELEGRAM_API_URL", default: "https://api.telegram.org")
        let publicURL = try value(env, "PUBLIC_URL") == nil ? nil : httpURL(env, "PUBLIC_URL", default: "")
        let pollText = value(env, "TELEGRAM_POLL_TIMEOUT") ?? "25"
        guard let poll = Int(pollText), (0...50).contains(poll) else {
            throw ConfigurationError(variable: "TELEGRAM_POLL_TIMEOUT", message: "must be a whole number of seconds from 0 to 50, got “\(pollText)”")
        }
        return TelegramSettings(
            token: token, apiURL: apiURL, mode: mode, publicURL: publicURL,
            webhookSecret: configuredSecret ?? derivedWebhookSecret(token: token), pollTimeout: poll)
    }

    /// Telegram's rule for `secret_token`: 1–256 characters of A–Z, a–z, 0–9, _ and -.
    static func isWebhookSecret(_ text: String) -> Bool {
        (1...256).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// The webhook secret when `TELEGRAM_WEBHOOK_SECRET` is unset: HMAC-SHA256 keyed with the bot token over
    /// "privatecalls-webhook-secret", base64url without padding (43 characters). Every instance with the same
    /// token derives the same secret, so whichever registers the webhook last, all of them accept Telegram's
    /// requests; it reveals nothing about the token.
    static func derivedWebhookSecret(token: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("privatecalls-webhook-secret".utf8), using: SymmetricKey(data: Data(token.utf8)))
        return Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
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

    /// ePayco: all of `EPAYCO_CUST_ID`, `EPAYCO_P_KEY`, `EPAYCO_PUBLIC_KEY` or none; then `PUBLIC_URL` is required.
    static func epayco(_ env: Env) throws(ConfigurationError) -> EpaycoSettings? {
        let names = ["EPAYCO_CUST_ID", "EPAYCO_P_KEY", "EPAYCO_PUBLIC_KEY"]
        let values = names.map { value(env, $0) }
        guard values.contains(where: { $0 != nil }) else { return nil }
        for (name, v) in zip(names, values) where v == nil {
            let present = zip(names, values).filter { $0.1 != nil }.map(\.0).joined(separator: " and ")
            throw ConfigurationError(variable: name, message: "is missing while \(present) \(present.contains(" and ") ? "are" : "is") set (ePayco needs all three)")
        }
        let customer = values[0]!, pKey = values[1]!, publicKey = values[2]!
        guard customer.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ConfigurationError(variable: "EPAYCO_CUST_ID", message: "must be the numeric P_CUST_ID_CLIENTE from ePayco's dashboard")
        }
        for (name, text) in [("EPAYCO_P_KEY", pKey), ("EPAYCO_PUBLIC_KEY", publicKey)]
        where !text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            throw ConfigurationError(variable: name, message: "must be letters, digits, _ or - as shown in ePayco's dashboard")
        }
        var test = false
        if let text = value(env, "EPAYCO_TEST") {
            switch text.lowercased() {
            case "true", "1", "yes": test = true
            case "false", "0", "no": test = false
            default: throw ConfigurationError(variable: "EPAYCO_TEST", message: "must be true or false, got “\(text)”")
            }
        }
        guard value(env, "PUBLIC_URL") != nil else {
            throw ConfigurationError(variable: "PUBLIC_URL", message: "is required for ePayco: ePayco posts payment confirmations to PUBLIC_URL/webhooks/epayco, so this server must be reachable at a public URL")
        }
        return EpaycoSettings(customerID: customer, pKey: pKey, publicKey: publicKey, test: test, publicURL: try httpURL(env, "PUBLIC_URL", default: ""),
                              validationURL: try httpURL(env, "EPAYCO_VALIDATION_URL", default: EpaycoSettings.defaultValidationURL))
    }

    /// Daimo Pay: all of `DAIMO_API_KEY`, `DAIMO_WEBHOOK_TOKEN`, `DAIMO_DESTINATION_ADDRESS` or none.
    static func daimo(_ env: Env) throws(ConfigurationError) -> DaimoSettings? {
        let names = ["DAIMO_API_KEY", "DAIMO_WEBHOOK_TOKEN", "DAIMO_DESTINATION_ADDRESS"]
        let values = names.map { value(env, $0) }
        guard values.contains(where: { $0 != nil }) else { return nil }
        for (name, v) in zip(names, values) where v == nil {
            let present = zip(names, values).filter { $0.1 != nil }.map(\.0).joined(separator: " and ")
            throw ConfigurationError(variable: name, message: "is missing while \(present) \(present.contains(" and ") ? "are" : "is") set (Daimo Pay needs all three)")
        }
        let apiKey = values[0]!, token = values[1]!, destination = values[2]!
        guard token.count >= 16 else {
            throw ConfigurationError(variable: "DAIMO_WEBHOOK_TOKEN", message: "must be the webhook token Daimo gave you (at least 16 characters)")
        }
        guard isEVMAddress(destination) else {
            throw ConfigurationError(variable: "DAIMO_DESTINATION_ADDRESS", message: "must be an EVM address (0x and 40 hex digits)")
        }
        var chain = DaimoSettings.defaultChainID
        if let text = value(env, "DAIMO_CHAIN_ID") {
            guard let n = Int(text), n > 0 else {
                throw ConfigurationError(variable: "DAIMO_CHAIN_ID", message: "must be a positive chain id (8453 for Base), got “\(text)”")
            }
            chain = n
        }
        let tokenAddress = value(env, "DAIMO_TOKEN_ADDRESS") ?? DaimoSettings.defaultTokenAddress
        guard isEVMAddress(tokenAddress) else {
            throw ConfigurationError(variable: "DAIMO_TOKEN_ADDRESS", message: "must be the USD stablecoin's EVM address (0x and 40 hex digits)")
        }
        let refund = value(env, "DAIMO_REFUND_ADDRESS")
        if let refund, !isEVMAddress(refund) {
            throw ConfigurationError(variable: "DAIMO_REFUND_ADDRESS", message: "must be an EVM address (0x and 40 hex digits)")
        }
        return DaimoSettings(
            apiKey: apiKey, webhookToken: token, apiURL: try httpURL(env, "DAIMO_API_URL", default: DaimoSettings.defaultAPIURL),
            destinationAddress: destination, chainID: chain, tokenAddress: tokenAddress, refundAddress: refund)
    }

    static func isEVMAddress(_ text: String) -> Bool {
        text.count == 42 && text.hasPrefix("0x") && text.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit }
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
}
