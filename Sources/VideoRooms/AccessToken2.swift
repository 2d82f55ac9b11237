// Agora AccessToken2 ("007"), RTC service only, written from Agora's published format:
//
//   token     = "007" + base64( zlib( packString(signature) + signingInfo ) )
//   signingInfo = packString(appID) + u32(issueTs) + u32(expire) + u32(salt) + u16(serviceCount)
//               + for each service by type: u16(type) + u16(count) + [u16(privilege) + u32(expire)] sorted by privilege
//                 + (RTC) packString(channel) + packString(account)
//   signing   = HMAC-SHA256(key: u32(salt), HMAC-SHA256(key: u32(issueTs), appCertificate))
//   signature = HMAC-SHA256(key: signing, signingInfo)
//
// Integers are little-endian; packString is a u16 length then the UTF-8 bytes. `expire` and every privilege's
// expiry are seconds counted from `issueTs` (Agora's builders take "seconds from now").
import Crypto

public enum AccessToken2 {
    public static let version = "007"
    public static let rtcServiceType: UInt16 = 1

    /// RTC privileges and their numbers in the token.
    public enum RtcPrivilege: UInt16, Sendable, CaseIterable, Comparable {
        case joinChannel = 1
        case publishAudioStream = 2
        case publishVideoStream = 3
        case publishDataStream = 4

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public enum BuildError: Error, Equatable, CustomStringConvertible {
        case notHex32(field: String)
        case tooLong(field: String)
        case noPrivileges

        public var description: String {
            switch self {
            case .notHex32(let field): "\(field) must be 32 hexadecimal characters"
            case .tooLong(let field): "\(field) is longer than 65535 bytes"
            case .noPrivileges: "an RTC token needs at least one privilege"
            }
        }
    }

    /// A token for a numeric uid (0 = any uid, written as an empty account, as Agora does).
    public static func build(
        appID: String, appCertificate: String, channel: String, uid: UInt32, issueTs: UInt32, salt: UInt32,
        expire: UInt32, privileges: [RtcPrivilege: UInt32]
    ) throws -> String {
        try build(
            appID: appID, appCertificate: appCertificate, channel: channel, account: uid == 0 ? "" : String(uid),
            issueTs: issueTs, salt: salt, expire: expire, privileges: privileges)
    }

    /// A token for a string user account (a numeric uid `n` is the account "n").
    public static func build(
        appID: String, appCertificate: String, channel: String, account: String, issueTs: UInt32, salt: UInt32,
        expire: UInt32, privileges: [RtcPrivilege: UInt32]
    ) throws -> String {
        let bytes = try payload(
            appID: appID, appCertificate: appCertificate, channel: channel, account: account, issueTs: issueTs,
            salt: salt, expire: expire, privileges: privileges)
        return version + Base64.encode(Zlib.storedStream(bytes))
    }

    /// The uncompressed token body: packString(signature) + signingInfo.
    public static func payload(
        appID: String, appCertificate: String, channel: String, account: String, issueTs: UInt32, salt: UInt32,
        expire: UInt32, privileges: [RtcPrivilege: UInt32]
    ) throws -> [UInt8] {
        guard isHex32(appID) else { throw BuildError.notHex32(field: "app id") }
        guard isHex32(appCertificate) else { throw BuildError.notHex32(field: "app certificate") }
        guard !privileges.isEmpty else { throw BuildError.noPrivileges }
        guard channel.utf8.count <= 65_535 else { throw BuildError.tooLong(field: "channel") }
        guard account.utf8.count <= 65_535 else { throw BuildError.tooLong(field: "account") }
        let info = signingInfo(
            appID: appID, issueTs: issueTs, expire: expire, salt: salt, channel: channel, account: account,
            privileges: privileges)
        let signature = sign(info, appCertificate: appCertificate, issueTs: issueTs, salt: salt)
        var out = Packer()
        out.string(signature)
        return out.bytes + info
    }

    /// The signed part: app id, times, salt and the RTC service.
    public static func signingInfo(
        appID: String, issueTs: UInt32, expire: UInt32, salt: UInt32, channel: String, account: String,
        privileges: [RtcPrivilege: UInt32]
    ) -> [UInt8] {
        var out = Packer()
        out.string(Array(appID.utf8))
        out.u32(issueTs)
        out.u32(expire)
        out.u32(salt)
        out.u16(1)  // one service: RTC
        out.u16(rtcServiceType)
        out.u16(UInt16(privileges.count))
        for (privilege, seconds) in privileges.sorted(by: { $0.key < $1.key }) {
            out.u16(privilege.rawValue)
            out.u32(seconds)
        }
        out.string(Array(channel.utf8))
        out.string(Array(account.utf8))
        return out.bytes
    }

    /// The key chain: HMAC(u32(issueTs), certificate), then HMAC(u32(salt), that).
    public static func signingKey(appCertificate: String, issueTs: UInt32, salt: UInt32) -> [UInt8] {
        let first = hmac(key: Packer.u32(issueTs), message: Array(appCertificate.utf8))
        return hmac(key: Packer.u32(salt), message: first)
    }

    /// HMAC-SHA256 of `signingInfo` under the derived signing key.
    public static func sign(_ signingInfo: [UInt8], appCertificate: String, issueTs: UInt32, salt: UInt32) -> [UInt8] {
        hmac(key: signingKey(appCertificate: appCertificate, issueTs: issueTs, salt: salt), message: signingInfo)
    }

    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func isHex32(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        return utf8.count == 32
            && utf8.allSatisfy { c in (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) }
    }
}

/// Little-endian packing as Agora's Packer does it.
struct Packer {
    var bytes: [UInt8] = []

    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
    mutating func u32(_ value: UInt32) { bytes += Self.u32(value) }

    mutating func string(_ value: [UInt8]) {
        u16(UInt16(value.count))
        bytes += value
    }
}
