import Crypto
import Foundation

/// Unguessable tokens (links, sessions, feeds) and the hashes that are stored instead of them.
public enum Secrets {
    /// `bytes` from the system's cryptographic generator, base64url without padding (32 bytes: 43 characters).
    public static func token(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// SHA-256, lowercase hex.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `token` looks like one of ours (base64url, a sane length) before it is hashed or looked up.
    public static func wellFormed(_ token: String) -> Bool {
        (16...128).contains(token.count) && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
