// Jitsi Meet rooms: a plain link on a public server, or an HS256 JWT per participant on a token-secured one
// (prosody's token authentication, "jitsi-meet-tokens").
import Crypto
import Domain
import JWTKit

/// Jitsi rooms on `domain`. With `appID` and `appSecret` every participant gets a JWT:
/// `iss` = app id, `aud` = audience ?? "jitsi", `sub` = domain, `room` = room name,
/// `nbf` = start − 5 min, `exp` = end + grace, `iat` = now, `context.user` = {id, name, moderator: isHost}.
public struct JitsiRooms: VideoRoomProvider, CustomStringConvertible {
    public let name = "jitsi"
    public let domain: String
    public let graceMinutes: Int
    let credentials: Credentials?

    struct Credentials: Sendable {
        var appID: String
        var secret: [UInt8]
        var audience: String
    }

    /// How early before the start a token becomes valid.
    public static let earlyJoinMinutes = 5
    /// HS256 keys shorter than the SHA-256 output are refused (jwt-kit traps on them in debug builds).
    public static let minimumSecretBytes = 32

    /// Throws `VideoRoomError` for a malformed domain, only one of app id / secret, or a secret under 32 bytes.
    public init(
        domain: String = "meet.jit.si", appID: String?, appSecret: String?, audience: String?, graceMinutes: Int = 10
    ) throws {
        let domain = domain.trimmingSlashes()
        guard Self.isHostName(domain) else { throw VideoRoomError.invalidDomain(domain) }
        self.domain = domain
        self.graceMinutes = max(0, graceMinutes)
        let appID = appID.flatMap { $0.isEmpty ? nil : $0 }
        let appSecret = appSecret.flatMap { $0.isEmpty ? nil : $0 }
        switch (appID, appSecret) {
        case (nil, nil):
            credentials = nil
        case (let id?, let secret?):
            let bytes = Array(secret.utf8)
            guard bytes.count >= Self.minimumSecretBytes else { throw VideoRoomError.jitsiSecretTooShort(bytes: bytes.count) }
            let audience = audience.flatMap { $0.isEmpty ? nil : $0 } ?? "jitsi"
            credentials = Credentials(appID: id, secret: bytes, audience: audience)
        default:
            throw VideoRoomError.jitsiIncompleteCredentials
        }
    }

    /// True when links carry a JWT.
    public var usesTokens: Bool { credentials != nil }

    /// Never shows the secret.
    public var description: String {
        "JitsiRooms(domain: \(domain), tokens: \(credentials.map { "app \($0.appID), aud \($0.audience)" } ?? "off"))"
    }

    public func roomName<R: RandomNumberGenerator>(for booking: RoomBooking, using rng: inout R) -> String {
        RoomNames.random(using: &rng)
    }

    public func link(room: String, booking: RoomBooking, participant: RoomParticipant, now: Instant) async throws -> RoomLink {
        guard RoomNames.isValid(room) else { throw VideoRoomError.invalidRoomName(room) }
        guard booking.start <= booking.end else { throw VideoRoomError.invalidWindow }
        let expiresAt = booking.end.adding(minutes: graceMinutes)
        let base = "https://\(domain)/\(room)"
        guard let credentials else { return RoomLink(url: base, roomName: room, expiresAt: expiresAt) }
        let claims = JitsiClaims(
            iss: credentials.appID, aud: credentials.audience, sub: domain, room: room,
            nbf: booking.start.adding(minutes: -Self.earlyJoinMinutes).epochSeconds,
            exp: expiresAt.epochSeconds, iat: now.epochSeconds,
            context: .init(user: .init(id: String(participant.userID), name: participant.displayName, moderator: participant.isHost))
        )
        let token = try await Self.sign(claims, secret: credentials.secret)
        return RoomLink(url: base + "?jwt=" + token, roomName: room, expiresAt: expiresAt)
    }

    /// Signs with jwt-kit (HS256). Only reached with a secret of ≥ 32 bytes (checked in `init`).
    static func sign(_ claims: JitsiClaims, secret: [UInt8]) async throws -> String {
        precondition(secret.count >= minimumSecretBytes)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    static func isHostName(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count <= 253 else { return false }
        return utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E || c == 0x3A
        }
    }
}

/// The JWT claims Jitsi's token authentication reads. Dates are whole seconds since 1970.
struct JitsiClaims: JWTPayload, Equatable {
    struct Context: Codable, Equatable, Sendable {
        var user: User
    }

    struct User: Codable, Equatable, Sendable {
        var id: String
        var name: String
        var moderator: Bool
    }

    var iss: String
    var aud: String
    var sub: String
    var room: String
    var nbf: Int64
    var exp: Int64
    var iat: Int64
    var context: Context

    /// Verification belongs to the Jitsi server (and, in tests, to pyjwt).
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

extension String {
    func trimmingSlashes() -> String {
        var text = Substring(self)
        while text.hasPrefix("https://") { text = text.dropFirst(8) }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
