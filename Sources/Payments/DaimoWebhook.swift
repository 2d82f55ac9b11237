import Crypto
import Domain
import Foundation

/// Why a Daimo Pay webhook was not accepted. The first three are "401 and change nothing"; no case carries the
/// configured token or the received header.
public enum DaimoWebhookError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `DAIMO_WEBHOOK_TOKEN` is unset or empty: the endpoint refuses every event (it never skips the check).
    case notConfigured
    /// No `Authorization` header.
    case missingAuthorization
    /// `Authorization` is not exactly `Basic <token>`.
    case wrongToken
    /// Authenticated, but not an event we can read.
    case invalidPayload(String)

    public var description: String {
        switch self {
        case .notConfigured: "Daimo webhook token is not configured: every event is refused"
        case .missingAuthorization: "Daimo webhook without an Authorization header"
        case .wrongToken: "Daimo webhook with a wrong Authorization token"
        case .invalidPayload(let detail): "Daimo webhook payload unreadable: \(detail)"
        }
    }

    /// Whether the endpoint answers 401 (authentication) rather than 400 (payload).
    public var isUnauthorized: Bool {
        if case .invalidPayload = self { return false }
        return true
    }
}

/// A Daimo Pay webhook event, the parts we act on.
public struct DaimoEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `payment_completed`: the funds reached our destination address.
        case completed
        /// `payment_bounced`: the destination transfer failed; Daimo refunded the payer's refund address.
        case bounced
        /// Anything else (`payment_started`, `payment_refunded`, …): acknowledge, change nothing.
        case other(String)

        init(_ type: String) {
            switch type {
            case "payment_completed": self = .completed
            case "payment_bounced": self = .bounced
            default: self = .other(type)
            }
        }
    }

    /// For deduplication: the body's `id` when Daimo sends one, else "<paymentId>:<type>" (Daimo's payment
    /// webhooks carry no event id, and a payment enters each status once).
    public var id: String
    public var type: String
    public var kind: Kind
    /// Daimo's payment id.
    public var paymentID: String
    /// `payment.externalId` as sent; `bookingID` when it is one of ours (we create payments with externalId =
    /// the booking id).
    public var externalID: String?
    public var bookingID: BookingID?
    /// `payment.destination.amountUnits`: what reaches us, as Daimo's decimal string in token units ("12.50").
    public var amountUnits: String?
    public var tokenSymbol: String?
    /// `amountUnits` in the token's base units (USDC: 6 decimals), when readable exactly.
    public var tokenBaseUnits: Int64?
    /// `amountUnits` as USD cents, when the token is a USD stablecoin and the amount is whole cents.
    public var usdCents: Int64?

    /// Whether the event's destination amount is exactly `money` (USD only): base units == cents × 10^4.
    public func matches(_ money: Money) -> Bool {
        guard money.currency == .usd, let tokenBaseUnits else { return false }
        return DaimoAmount.matches(tokenBaseUnits: tokenBaseUnits, usd: money)
    }
}

/// USDC-style amounts: 6 decimals; 1 US cent = 10^4 base units.
public enum DaimoAmount {
    public static let usdcDecimals = 6
    public static let baseUnitsPerCent: Int64 = 10_000

    /// "12.5", "12.50", "12.500000", "12" → base units (12.5 USDC = 12_500_000). Nil for anything else, or more
    /// than 6 decimals.
    public static func baseUnits(_ text: String, decimals: Int = usdcDecimals) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 12,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }), let major = Int64(whole)
        else { return nil }
        let fraction = parts.count == 2 ? Array(parts[1]) : []
        guard parts.count == 1 || !fraction.isEmpty, fraction.count <= decimals,
            fraction.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        let padded = fraction + Array(repeating: Character("0"), count: decimals - fraction.count)
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        return major * scale + (padded.isEmpty ? 0 : Int64(String(padded))!)
    }

    /// Cents when `baseUnits` is a whole number of cents.
    public static func cents(fromBaseUnits baseUnits: Int64) -> Int64? {
        baseUnits % baseUnitsPerCent == 0 ? baseUnits / baseUnitsPerCent : nil
    }

    public static func matches(tokenBaseUnits: Int64, usd money: Money) -> Bool {
        guard money.currency == .usd else { return false }
        let (expected, overflow) = money.minorUnits.multipliedReportingOverflow(by: baseUnitsPerCent)
        return !overflow && expected == tokenBaseUnits
    }

    /// The `amountUnits` to ask for: "12.50" for $12.50.
    public static func amountUnits(_ money: Money) -> String { money.decimalString }
}

public enum DaimoWebhook {
    /// Tokens of USD stablecoins whose amount counts as dollars.
    public static let usdStablecoins: Set<String> = ["USDC", "USDC.E", "USDBC", "USDT", "DAI"]

    /// Checks `Authorization: Basic <token>` (Daimo sends the webhook's token that way). The configured token
    /// must be set: an unset or empty one refuses everything. The comparison hashes both sides first and
    /// compares the digests in constant time, so neither the position of a difference nor the length leaks.
    public static func authenticate(authorizationHeader: String?, token: String?) throws(DaimoWebhookError) {
        guard let token, !token.isEmpty else { throw .notConfigured }
        guard let authorizationHeader, !authorizationHeader.isEmpty else { throw .missingAuthorization }
        guard timingSafeEqual(authorizationHeader, "Basic " + token) else { throw .wrongToken }
    }

    /// Equal strings (byte for byte), in time independent of where they differ and of their lengths.
    public static func timingSafeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(SHA256.hash(data: Array(a.utf8)))
        let y = Array(SHA256.hash(data: Array(b.utf8)))
        return StripeWebhook.constantTimeEqual(x, y)
    }

    /// Reads a payment event: `{"type", "paymentId", "payment": {"id", "externalId", "destination":
    /// {"amountUnits", "tokenSymbol"}, …}}` (an `id` at the top is used when present).
    public static func decode(_ body: [UInt8]) throws(DaimoWebhookError) -> DaimoEvent {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(body))
        } catch {
            throw .invalidPayload("\(error)")
        }
        guard let type = wire.type, !type.isEmpty else { throw .invalidPayload("no type") }
        guard let paymentID = wire.paymentId ?? wire.payment?.id, !paymentID.isEmpty else {
            throw .invalidPayload("no paymentId")
        }
        if let inner = wire.payment?.id, let outer = wire.paymentId, inner != outer {
            throw .invalidPayload("paymentId \(outer) and payment.id \(inner) differ")
        }
        let externalID = wire.payment?.externalId
        let units = wire.payment?.destination?.amountUnits
        let symbol = wire.payment?.destination?.tokenSymbol
        let base = units.flatMap { DaimoAmount.baseUnits($0) }
        let isUSD = symbol.map { usdStablecoins.contains($0.uppercased()) } ?? false
        return DaimoEvent(
            id: wire.id.flatMap { $0.isEmpty ? nil : $0 } ?? "\(paymentID):\(type)",
            type: type, kind: DaimoEvent.Kind(type), paymentID: paymentID, externalID: externalID,
            bookingID: externalID.flatMap(EpaycoConfirmation.bookingID), amountUnits: units, tokenSymbol: symbol,
            tokenBaseUnits: isUSD ? base : nil,
            usdCents: isUSD ? base.flatMap(DaimoAmount.cents(fromBaseUnits:)) : nil)
    }

    struct Wire: Decodable {
        struct Destination: Decodable {
            let amountUnits: String?
            let tokenSymbol: String?
        }
        struct Payment: Decodable {
            let id: String?
            let externalId: String?
            let destination: Destination?
        }
        let id: String?
        let type: String?
        let paymentId: String?
        let payment: Payment?
    }
}
