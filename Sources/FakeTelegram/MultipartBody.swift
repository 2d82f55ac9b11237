import Foundation

/// One part of a multipart/form-data body: a plain field (no filename) or a file.
struct FormPart: Sendable {
    let name: String
    /// The Content-Disposition `filename`, unescaped; nil for a plain field ("" is a file part with an empty name).
    let fileName: String?
    let contentType: String?
    let data: [UInt8]
}

/// A strict multipart/form-data reader (RFC 7578 / RFC 2046). Telegram answers a malformed body with
/// 400 "Bad Request: …"; so does this, wording the problem.
enum MultipartBody {
    /// The parts of `body`, sent with this Content-Type (which must carry the boundary).
    static func parts(of body: Data, contentType: String) throws(APIFailure) -> [FormPart] {
        try parse(body, boundary: try boundary(contentType))
    }

    /// The `boundary` parameter of a `multipart/form-data` Content-Type: 1–70 characters, possibly quoted.
    static func boundary(_ contentType: String) throws(APIFailure) -> String {
        let pieces = contentType.split(separator: ";", omittingEmptySubsequences: false)
        guard String(pieces[0]).trimmingWhitespace().lowercased() == "multipart/form-data" else {
            throw .badRequest("FakeBotAPI accepts multipart/form-data, not \(String(pieces[0]).trimmingWhitespace())")
        }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, String(pair[0]).trimmingWhitespace().lowercased() == "boundary" else { continue }
            var value = String(pair[1]).trimmingWhitespace()
            if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard !value.isEmpty, value.utf8.count <= 70 else { throw .badRequest("boundary too big or empty") }
            return value
        }
        throw .badRequest("boundary not found")
    }

    static func parse(_ body: Data, boundary: String) throws(APIFailure) -> [FormPart] {
        let data = body.startIndex == 0 ? body : Data(body)
        let dashBoundary = Data("--\(boundary)".utf8)
        let delimiter = Data("\r\n--\(boundary)".utf8)
        // The first boundary line opens the body, or follows a preamble that ends with CRLF (the preamble is ignored).
        var position: Int
        if data.starts(with: dashBoundary) {
            position = dashBoundary.count
        } else if let first = data.range(of: delimiter) {
            position = first.upperBound
        } else {
            throw malformed("no boundary line")
        }
        var parts: [FormPart] = []
        while true {
            if data[position...].starts(with: [UInt8]("--".utf8)) { return parts }  // the close delimiter; the epilogue is ignored
            while position < data.count && (data[position] == 0x20 || data[position] == 0x09) { position += 1 }  // transport padding
            guard position < data.count else { throw malformed("the closing boundary is missing") }
            guard data[position...].starts(with: [13, 10]) else { throw malformed("a boundary line must end with CRLF") }
            position += 2
            if data[position...].starts(with: [13, 10]) { throw .badRequest("headers in multipart/form-data are empty") }
            guard let headerEnd = data.range(of: Data("\r\n\r\n".utf8), in: position..<data.count) else {
                throw malformed("the headers of a part do not end with an empty line")
            }
            let headers = try partHeaders(data[position..<headerEnd.lowerBound])
            guard let contentEnd = data.range(of: delimiter, in: headerEnd.upperBound..<data.count) else {
                throw malformed("the closing boundary is missing")
            }
            parts.append(FormPart(name: headers.name, fileName: headers.fileName, contentType: headers.contentType,
                                  data: Array(data[headerEnd.upperBound..<contentEnd.lowerBound])))
            position = contentEnd.upperBound
        }
    }

    private static func malformed(_ detail: String) -> APIFailure { .badRequest("can't parse multipart/form-data: \(detail)") }

    private static let headersUnreadable = APIFailure.badRequest("can't parse form data headers")

    /// A part's Content-Disposition (type form-data, a non-empty name, maybe a filename) and Content-Type.
    private static func partHeaders(_ raw: Data) throws(APIFailure) -> (name: String, fileName: String?, contentType: String?) {
        guard let text = String(bytes: raw, encoding: .utf8) else { throw headersUnreadable }
        var lines: [String] = []
        for line in text.components(separatedBy: "\r\n") {
            if let first = line.unicodeScalars.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += " " + line.trimmingWhitespace()  // a folded continuation line
            } else {
                lines.append(line)
            }
        }
        var disposition: String?
        var contentType: String?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw headersUnreadable }
            let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
            switch String(line[..<colon]).trimmingWhitespace().lowercased() {
            case "content-disposition": disposition = value
            case "content-type": contentType = value
            default: break
            }
        }
        guard let disposition else { throw .badRequest("field name in multipart/form-data not found") }
        let (type, parameters) = try dispositionParameters(disposition)
        guard type.lowercased() == "form-data" else { throw .badRequest("expected form-data content disposition") }
        guard let name = parameters["name"], !name.isEmpty else { throw .badRequest("field name in multipart/form-data not found") }
        return (name, parameters["filename"], contentType)
    }

    /// `form-data; name="a"; filename="b \"c\".csv"` → ("form-data", [name: a, filename: b "c".csv]). Values are
    /// tokens or quoted-strings with backslash escapes; a `;` inside quotes belongs to the value.
    static func dispositionParameters(_ value: String) throws(APIFailure) -> (type: String, parameters: [String: String]) {
        let s = Array(value.unicodeScalars)
        var i = 0
        func skipSpace() { while i < s.count && (s[i] == " " || s[i] == "\t") { i += 1 } }
        func read(until stops: Set<Unicode.Scalar>) -> String {
            var out = String.UnicodeScalarView()
            while i < s.count && !stops.contains(s[i]) { out.append(s[i]); i += 1 }
            return String(out).trimmingWhitespace()
        }
        let type = read(until: [";"])
        var parameters: [String: String] = [:]
        while i < s.count {
            i += 1  // the ";"
            skipSpace()
            if i == s.count { break }
            let key = read(until: ["=", ";"]).lowercased()
            guard i < s.count, s[i] == "=", !key.isEmpty, parameters[key] == nil else { throw headersUnreadable }
            i += 1
            skipSpace()
            guard i < s.count, s[i] == "\"" else {
                parameters[key] = read(until: [";"])
                continue
            }
            i += 1
            var quoted = String.UnicodeScalarView()
            var closed = false
            while i < s.count {
                let c = s[i]
                i += 1
                if c == "\\" && i < s.count {
                    quoted.append(s[i])
                    i += 1
                } else if c == "\"" {
                    closed = true
                    break
                } else {
                    quoted.append(c)
                }
            }
            skipSpace()
            guard closed, i == s.count || s[i] == ";" else { throw headersUnreadable }
            parameters[key] = String(quoted)
        }
        return (type, parameters)
    }
}
