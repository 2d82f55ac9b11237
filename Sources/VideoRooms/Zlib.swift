// A zlib stream (RFC 1950) holding stored (uncompressed) deflate blocks (RFC 1951 §3.2.4), and base64.
// Agora's "007" tokens are base64(zlib(payload)) with the zlib header; any inflater reads stored blocks.

enum Zlib {
    /// The largest stored block (LEN is 16 bits).
    static let maxBlock = 65_535

    /// `payload` wrapped as a zlib stream: header 0x78 0x01, stored blocks, Adler-32 (big-endian).
    static func storedStream(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]  // CM 8 (deflate), 32 K window; FCHECK makes 0x7801 divisible by 31.
        out.reserveCapacity(payload.count + payload.count / maxBlock * 5 + 11)
        var offset = 0
        repeat {
            let count = min(maxBlock, payload.count - offset)
            let final = offset + count == payload.count
            out.append(final ? 0x01 : 0x00)  // BFINAL, BTYPE 00 (stored); the rest of the byte is padding.
            let length = UInt16(count)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += payload[offset..<offset + count]
            offset += count
        } while offset < payload.count
        let check = adler32(payload)
        out += [UInt8(check >> 24), UInt8(check >> 16 & 0xFF), UInt8(check >> 8 & 0xFF), UInt8(check & 0xFF)]
        return out
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        let modulus: UInt32 = 65_521
        var a: UInt32 = 1
        var b: UInt32 = 0
        var index = 0
        while index < bytes.count {
            // 5552 bytes keep the sums below 2^32 before reducing (zlib's NMAX).
            let end = min(index + 5552, bytes.count)
            while index < end {
                a += UInt32(bytes[index])
                b += a
                index += 1
            }
            a %= modulus
            b %= modulus
        }
        return b << 16 | a
    }
}

enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with `=` padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
