import Crypto
import Domain
import Foundation

/// Why a Stripe webhook was not accepted. No case carries the secret or a computed signature.
public enum StripeWebhookError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `Stripe-Signature` header (or an empty one).
    case missingHeader
    /// The header has no single integer `t=` timestamp, or a part without `=`.
    case malformedHeader
    /// No `v1=` signature in the header equals HMAC-SHA256(secret, "<t>.<body>") (also: no `v1` at all).
    case noMatchingSignature
    /// The signature matches but `t` is more than the tolerance away from now (a replay, or a skewed clock).
    case timestampOutOfTolerance
    /// The endpoint secret is empty: nothing can be verified, so nothing is accepted.
    case missingSecret
    /// Signed correctly, but not a Stripe event we can read.
    case invalidPayload(String)

    public var description: String {
        switch self {
        case .missingHeader: "Stripe webhook without a Stripe-Signature header"
        case .malformedHeader: "Stripe webhook with an unreadable Stripe-Signature header"
        case .noMatchingSignature: "Stripe webhook whose signature does not match"
        case .timestampOutOfTolerance: "Stripe webhook signed too long ago or in the future"
        case .missingSecret: "Stripe webhook secret is not configured"
        case .invalidPayload(let detail): "Stripe webhook payload unreadable: \(detail)"
        }
    }
}

public enum StripeWebhook {
    /// Stripe's default tolerance, in seconds.
    public static let defaultTolerance: Int64 = 300

    /// Verifies `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]` over the raw body and returns the event.
    ///
    /// The expected signature is HMAC-SHA256 keyed with the whole endpoint secret (`whsec_…`, as text) over
    /// `"<t>.<raw body bytes>"`; any `v1` may match (Stripe sends several while a secret is being rolled);
    /// other schemes are ignored; the comparison takes the same time wherever the bytes differ. The signature
    /// is checked first, then `|now − t| ≤ tolerance` (Stripe's libraries reject only old timestamps; we also
    /// reject ones too far in the future).
    public static func verify(
        payload: [UInt8], header: String?, secret: String, now: Instant, tolerance: Int64 = defaultTolerance
    ) throws(StripeWebhookError) -> StripeEvent {
        guard !secret.isEmpty else { throw .missingSecret }
        guard let header, !header.allSatisfy(\.isWhitespace) else { throw .missingHeader }
        let (timestamp, signatures) = try parse(header: header)
        guard !signatures.isEmpty else { throw .noMatchingSignature }

        var signed = Array(String(timestamp).utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: payload)
        let key = SymmetricKey(data: Array(secret.utf8))
        let expected = Array(HMAC<SHA256>.authenticationCode(for: signed, using: key))

        var matched = false
        for candidate in signatures {
            // Every candidate is compared, so the time taken does not tell which one matched.
            if let bytes = decodeHex(candidate), constantTimeEqual(bytes, expected) { matched = true }
        }
        guard matched else { throw .noMatchingSignature }

        let (difference, overflow) = now.epochSeconds.subtractingReportingOverflow(timestamp)
        guard !overflow, difference.magnitude <= tolerance.magnitude else { throw .timestampOutOfTolerance }

        return try StripeEvent.decode(payload)
    }

    /// The same, for a body held as `Data`.
    public static func verify(
        payload: Data, header: String?, secret: String, now: Instant, tolerance: Int64 = defaultTolerance
    ) throws(StripeWebhookError) -> StripeEvent {
        try verify(payload: Array(payload), header: header, secret: secret, now: now, tolerance: tolerance)
    }

    /// The `Stripe-Signature` value Stripe would send for `payload` at `timestamp`: for tests and local tools.
    public static func signatureHeader(payload: [UInt8], secret: String, timestamp: Int64) -> String {
        var signed = Array(String(timestamp).utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: payload)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=\(hex(Array(mac)))"
    }

    // MARK: Parts

    /// `t` (exactly one, an integer) and every `v1` value; other schemes are skipped.
    static func parse(header: String) throws(StripeWebhookError) -> (timestamp: Int64, v1: [String]) {
        var timestamp: Int64?
        var timestampCount = 0
        var v1: [String] = []
        for rawPart in header.split(separator: ",", omittingEmptySubsequences: true) {
            let part = rawPart.trimmingCharacters(in: .whitespaces)
            if part.isEmpty { continue }
            guard let equals = part.firstIndex(of: "=") else { throw .malformedHeader }
            let name = part[..<equals]
            let value = String(part[part.index(after: equals)...])
            switch name {
            case "t":
                timestampCount += 1
                guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }), let t = Int64(value) else {
                    throw .malformedHeader
                }
                timestamp = t
            case "v1":
                v1.append(value)
            default:
                continue
            }
        }
        guard let timestamp, timestampCount == 1 else { throw .malformedHeader }
        return (timestamp, v1)
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Equal length and equal bytes, in time that depends only on the length.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
