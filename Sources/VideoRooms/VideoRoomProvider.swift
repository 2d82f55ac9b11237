// Video rooms: one protocol, two providers (Jitsi with an HS256 JWT per participant, Agora with AccessToken2).
import Domain

/// Someone joining a call: the booking's user or its host (the host moderates).
public struct RoomParticipant: Sendable {
    public var userID: Int64
    public var displayName: String
    public var isHost: Bool

    public init(userID: Int64, displayName: String, isHost: Bool) {
        self.userID = userID
        self.displayName = displayName
        self.isHost = isHost
    }
}

/// The booked window a room is for.
public struct RoomBooking: Sendable {
    public var bookingID: Int64
    public var start: Instant
    public var end: Instant

    public init(bookingID: Int64, start: Instant, end: Instant) {
        self.bookingID = bookingID
        self.start = start
        self.end = end
    }
}

/// A join link for one participant. `url` may carry a credential (JWT or Agora token): never log it.
public struct RoomLink: Sendable, Equatable {
    public var url: String
    public var roomName: String
    public var expiresAt: Instant

    public init(url: String, roomName: String, expiresAt: Instant) {
        self.url = url
        self.roomName = roomName
        self.expiresAt = expiresAt
    }
}

/// A video-call provider chosen by configuration (`VIDEO_PROVIDER`).
public protocol VideoRoomProvider: Sendable {
    /// "jitsi" or "agora".
    var name: String { get }
    /// An unguessable room name for a booking (≥ 128 random bits, from the injected generator).
    func roomName<R: RandomNumberGenerator>(for booking: RoomBooking, using rng: inout R) -> String
    /// The link `participant` opens to join `room`. Async because jwt-kit signs asynchronously.
    func link(room: String, booking: RoomBooking, participant: RoomParticipant, now: Instant) async throws -> RoomLink
}

/// Why a provider refused its configuration or a link.
public enum VideoRoomError: Error, Equatable, CustomStringConvertible {
    case jitsiSecretTooShort(bytes: Int)
    case jitsiIncompleteCredentials
    case invalidDomain(String)
    case invalidAgoraCredential(field: String)
    case invalidJoinPage(String)
    case invalidRoomName(String)
    case invalidParticipant(Int64)
    case callAlreadyOver(expiredAt: Instant)
    case invalidWindow

    public var description: String {
        switch self {
        case .jitsiSecretTooShort(let bytes):
            "JITSI_APP_SECRET is \(bytes) bytes; HS256 needs at least 32 bytes (use e.g. `openssl rand -hex 32`)"
        case .jitsiIncompleteCredentials:
            "JITSI_APP_ID and JITSI_APP_SECRET must be set together (or both left unset for a public Jitsi server)"
        case .invalidDomain(let domain):
            "JITSI_DOMAIN \"\(domain)\" is not a bare host name (e.g. meet.jit.si)"
        case .invalidAgoraCredential(let field):
            "\(field) must be 32 hexadecimal characters, as shown in the Agora console"
        case .invalidJoinPage(let base):
            "the Agora join page base \"\(base)\" must be an absolute http(s) URL"
        case .invalidRoomName(let room):
            "room name \"\(room)\" must be 1–64 characters of [A-Za-z0-9_-]"
        case .invalidParticipant(let id):
            "participant id \(id) must be positive"
        case .callAlreadyOver(let expiredAt):
            "the call's link would have expired at \(expiredAt)"
        case .invalidWindow:
            "the booking ends before it starts"
        }
    }
}

/// Room names: 128 random bits written in lower-case base32 (26 characters of a–z, 2–7).
///
/// Lower case because Jitsi folds room names to lower case (a mixed-case base64 name would lose entropy there),
/// and the alphabet is also a subset of base64url and of Agora's allowed channel characters.
public enum RoomNames {
    public static let length = 26
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    public static func random<R: RandomNumberGenerator>(using rng: inout R) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            let word = rng.next() as UInt64
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return base32(bytes)
    }

    static func base32(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Names we accept back in `link(room:…)`: what we generate, plus the base64url characters.
    static func isValid(_ room: String) -> Bool {
        let utf8 = Array(room.utf8)
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
        }
    }
}

/// Percent-encoding for query values (RFC 3986 unreserved characters pass through).
enum QueryEncoding {
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}
