import Foundation

/// A file to upload with a Bot API method (`sendDocument`): one multipart/form-data part with a filename.
/// Bots may upload files of up to 50 MB (core.telegram.org/bots/api#sending-files).
public struct InputFile: Sendable {
    /// The name the recipient sees, e.g. "commissions-2025-01.csv". Any characters; encoded safely on the wire.
    public var filename: String
    /// The part's Content-Type, e.g. "text/csv; charset=utf-8".
    public var contentType: String
    public var data: [UInt8]

    public init(filename: String, contentType: String = "application/octet-stream", data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// A multipart/form-data body (RFC 7578), built by hand: one part per field, CRLF line ends, and a random
/// boundary that occurs in none of the contents.
struct MultipartForm {
    private enum Value {
        case text(String)
        case file(InputFile)

        var bytes: [UInt8] {
            switch self {
            case .text(let text): Array(text.utf8)
            case .file(let file): file.data
            }
        }
    }

    private var fields: [(name: String, value: Value)] = []

    /// Adds a scalar field; nil adds nothing.
    mutating func add(_ name: String, _ text: String?) {
        if let text { fields.append((name, .text(text))) }
    }

    mutating func add(_ name: String, file: InputFile) {
        fields.append((name, .file(file)))
    }

    /// The body and the request's Content-Type header value (which carries the boundary).
    func encoded() -> (contentType: String, body: [UInt8]) {
        let boundary = Self.boundary { candidate in fields.contains { Self.occurs(candidate, in: $0.value.bytes) } }
        var body: [UInt8] = []
        body.reserveCapacity(fields.reduce(0) { $0 + $1.value.bytes.count + 200 } + boundary.utf8.count + 8)
        for (name, value) in fields {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quotedStringContent(name))\""
            if case .file(let file) = value {
                head += "; filename=\"\(Self.quotedStringContent(file.filename))\"\r\nContent-Type: \(Self.headerValue(file.contentType))"
            }
            head += "\r\n\r\n"
            body += Array(head.utf8)
            body += value.bytes
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    // MARK: Encoding helpers

    /// The inside of a quoted-string (RFC 9110 §5.6.4): `\` and `"` escaped with a backslash; CR, LF and the other
    /// control characters, which a header cannot carry, become spaces. Non-ASCII stays as raw UTF-8, as browsers send it.
    static func quotedStringContent(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\", "\"":
                result.unicodeScalars.append("\\")
                result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result.unicodeScalars.append(" ")
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A header value that cannot break out of its line: control characters dropped; empty means octet-stream.
    static func headerValue(_ value: String) -> String {
        let cleaned = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        let trimmed = cleaned.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? "application/octet-stream" : trimmed
    }

    /// A random boundary (RFC 2046: at most 70 characters) that `isTaken` rejects in none of its tries.
    static func boundary(isTaken: (String) -> Bool) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        while true {
            let candidate = "privatecalls-" + String((0..<40).map { _ in alphabet.randomElement()! })
            if !isTaken(candidate) { return candidate }
        }
    }

    /// Whether `needle` occurs in `haystack` (memchr for the first byte, then memcmp: fast on 50 MB files).
    static func occurs(_ needle: String, in haystack: [UInt8]) -> Bool {
        let needle = Array(needle.utf8)
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                let base = h.baseAddress!
                let last = h.count - n.count
                var start = 0
                while start <= last {
                    guard let hit = memchr(base + start, Int32(n[0]), last - start + 1) else { return false }
                    let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + index, n.baseAddress!, n.count) == 0 { return true }
                    start = index + 1
                }
                return false
            }
        }
    }
}
