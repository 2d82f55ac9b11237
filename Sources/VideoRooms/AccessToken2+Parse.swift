// Reading back an AccessToken2 ("007") that this server issued, so the Agora join page can check a link's token
// before it hands it to Agora's Web SDK: the token must be ours (same signature under our certificate), for
// the booking's channel and the participant's account, and not expired.
import Domain

extension AccessToken2 {
    /// The fields of an RTC token, as packed in its body.
    public struct Parsed: Sendable, Equatable {
        public var signature: [UInt8]
        public var appID: String
        public var issueTs: UInt32
        public var expire: UInt32
        public var salt: UInt32
        public var privileges: [RtcPrivilege: UInt32]
        public var channel: String
        public var account: String

        /// When the token stops working: `issueTs + expire`.
        public var expiresAt: Instant { Instant(epochSeconds: Int64(issueTs) + Int64(expire)) }
    }

    /// Parses a token with one RTC service. Only the stored-block zlib streams this server writes are read
    /// (a token compressed by someone else is not one of ours anyway); nil for anything malformed.
    public static func parse(_ token: String) -> Parsed? {
        guard token.hasPrefix(version), token.utf8.count < 4096,
              let compressed = Base64.decode(String(token.dropFirst(version.count))),
              let body = Zlib.inflateStored(compressed) else { return nil }
        var reader = Unpacker(bytes: body)
        guard let signature = reader.packed(), let appID = reader.string(), let issueTs = reader.u32(), let expire = reader.u32(),
              let salt = reader.u32(), let services = reader.u16(), services == 1, reader.u16() == rtcServiceType,
              let count = reader.u16() else { return nil }
        var privileges: [RtcPrivilege: UInt32] = [:]
        for _ in 0..<count {
            guard let raw = reader.u16(), let privilege = RtcPrivilege(rawValue: raw), let seconds = reader.u32() else { return nil }
            privileges[privilege] = seconds
        }
        guard let channel = reader.string(), let account = reader.string(), reader.isAtEnd else { return nil }
        return Parsed(
            signature: signature, appID: appID, issueTs: issueTs, expire: expire, salt: salt, privileges: privileges,
            channel: channel, account: account)
    }
}

/// Little-endian reading, the inverse of `Packer`.
struct Unpacker {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func u16() -> UInt16? {
        guard offset + 2 <= bytes.count else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    mutating func u32() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        defer { offset += 4 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    mutating func packed() -> [UInt8]? {
        guard let length = u16(), offset + Int(length) <= bytes.count else { return nil }
        defer { offset += Int(length) }
        return Array(bytes[offset..<offset + Int(length)])
    }

    mutating func string() -> String? {
        guard let raw = packed() else { return nil }
        return String(validating: raw, as: UTF8.self)
    }
}

extension Zlib {
    /// The payload of a zlib stream made of stored blocks (what `storedStream` writes), with its header and
    /// Adler-32 checked; nil for compressed blocks or a damaged stream.
    static func inflateStored(_ stream: [UInt8]) -> [UInt8]? {
        guard stream.count >= 2 + 5 + 4, stream[0] & 0x0F == 8, (UInt16(stream[0]) << 8 | UInt16(stream[1])) % 31 == 0,
              stream[1] & 0x20 == 0 else { return nil }
        var out: [UInt8] = []
        var offset = 2
        while true {
            guard offset + 5 <= stream.count else { return nil }
            let header = stream[offset]
            guard header & 0x06 == 0 else { return nil }  // BTYPE must be 00 (stored)
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
            guard length ^ complement == 0xFFFF, offset + 5 + length <= stream.count else { return nil }
            out += stream[(offset + 5)..<(offset + 5 + length)]
            offset += 5 + length
            if header & 0x01 == 1 { break }
        }
        guard offset + 4 == stream.count else { return nil }
        let check = UInt32(stream[offset]) << 24 | UInt32(stream[offset + 1]) << 16 | UInt32(stream[offset + 2]) << 8 | UInt32(stream[offset + 3])
        return check == adler32(out) ? out : nil
    }
}

extension Base64 {
    /// Standard base64 (padding optional); nil on any other character.
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var padding = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0, let v = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt8(v))
        }
        guard values.count % 4 != 1, padding <= 2 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var group: UInt32 = 0
            for (i, v) in chunk.enumerated() { group |= UInt32(v) << UInt32(18 - 6 * i) }
            out.append(UInt8(group >> 16 & 0xFF))
            if chunk.count > 2 { out.append(UInt8(group >> 8 & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(group & 0xFF)) }
            index += 4
        }
        return out
    }
}
