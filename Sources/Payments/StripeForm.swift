/// An `application/x-www-form-urlencoded` body in Stripe's bracket notation (`line_items[0][quantity]=1`),
/// keeping the order fields were added in.
struct StripeForm: Sendable, Equatable {
    private(set) var fields: [(name: String, value: String)] = []

    mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }
    mutating func add(_ name: String, _ value: Int64) { fields.append((name, String(value))) }

    /// Adds `prefix[key]=value` for each metadata entry, keys sorted so the body is the same on every retry.
    mutating func addMetadata(_ metadata: [String: String], prefix: String) {
        for key in metadata.keys.sorted() { add("\(prefix)[\(key)]", metadata[key]!) }
    }

    /// The encoded body: every byte outside the unreserved set (A–Z a–z 0–9 - . _ ~) percent-encoded, UTF-8.
    var encoded: String {
        fields.map { Self.escape($0.name) + "=" + Self.escape($0.value) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    static func == (a: StripeForm, b: StripeForm) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
