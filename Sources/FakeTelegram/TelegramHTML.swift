// Telegram's HTML formatting (parse_mode "HTML"), parsed the way the Bot API does before it stores a text:
// only its tags, only &lt; &gt; &amp; &quot; and numeric entities, every tag closed in order. The result is the
// plain text (what a user sees, leading/trailing whitespace stripped) plus the entities, so edits can be
// compared for "message is not modified".

/// One formatting span of a text, in UTF-16 code units as Telegram counts them.
struct TextEntity: Equatable, Sendable {
    var type: String
    var offset: Int
    var length: Int
    var url: String?
    var language: String?
    var customEmojiId: String?
}

/// A text as Telegram stores it: plain text and its entities.
struct FormattedText: Equatable, Sendable {
    var text: String
    var entities: [TextEntity]

    var utf16Length: Int { text.utf16.count }

    /// `text` after the given parse mode (nil or "" = plain). Throws Telegram's "can't parse entities" error.
    static func parse(_ text: String, parseMode: String?) throws(APIFailure) -> FormattedText {
        switch parseMode?.lowercased() {
        case nil, "":
            return FormattedText(text: text, entities: []).trimmed()
        case "html":
            var parser = HTMLParser(bytes: Array(text.utf8))
            do {
                return try parser.run().trimmed()
            } catch {
                throw .badRequest("can't parse entities: \(error.message)")
            }
        case "markdown", "markdownv2":
            throw .badRequest("FakeBotAPI does not implement parse_mode \(parseMode ?? ""); use HTML")
        default:
            throw .badRequest("unsupported parse_mode")
        }
    }

    /// Strips leading and trailing whitespace, shifting and clipping entities to match.
    func trimmed() -> FormattedText {
        let scalars = Array(text.unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end, scalars[start].properties.isWhitespace { start += 1 }
        while end > start, scalars[end - 1].properties.isWhitespace { end -= 1 }
        if start == 0 && end == scalars.count { return self }
        let leading = scalars[..<start].reduce(0) { $0 + UTF16.width($1) }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        let text = String(view)
        let length = text.utf16.count
        let entities = entities.compactMap { entity -> TextEntity? in
            var e = entity
            let lower = max(entity.offset - leading, 0)
            let upper = min(entity.offset + entity.length - leading, length)
            guard upper > lower else { return nil }
            e.offset = lower
            e.length = upper - lower
            return e
        }
        return FormattedText(text: text, entities: entities)
    }
}

struct HTMLParseError: Error {
    let message: String
}

private struct OpenTag {
    let name: String
    let attributes: [String: String]
    let utf16Start: Int
}

/// A byte-level parser: tags and entities are ASCII, everything else is copied through.
private struct HTMLParser {
    static let supportedTags: Set<String> = [
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    ]
    static let namedEntities: [String: Unicode.Scalar] = ["lt": "<", "gt": ">", "amp": "&", "quot": "\""]

    let bytes: [UInt8]
    var index = 0
    var output: [UInt8] = []
    var utf16Count = 0
    var open: [OpenTag] = []
    var entities: [TextEntity] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func run() throws(HTMLParseError) -> FormattedText {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "<"):
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/") { try endTag() } else { try startTag() }
            case UInt8(ascii: "&"):
                append(try entity())
            default:
                appendByte(bytes[index])
                index += 1
            }
        }
        if let unclosed = open.last {
            throw HTMLParseError(message: "Can't find end tag corresponding to start tag \"\(unclosed.name)\"")
        }
        return FormattedText(text: String(decoding: output, as: UTF8.self), entities: entities.sorted { $0.offset < $1.offset })
    }

    // MARK: Tags

    private mutating func startTag() throws(HTMLParseError) {
        let begin = index
        index += 1
        let name = readName()
        guard Self.supportedTags.contains(name) else {
            throw HTMLParseError(message: "Unsupported start tag \"\(name)\" at byte offset \(begin)")
        }
        var attributes: [String: String] = [:]
        while true {
            skipSpaces()
            guard index < bytes.count else { throw HTMLParseError(message: "Unclosed start tag at byte offset \(begin)") }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            let attribute = readName()
            guard !attribute.isEmpty else {
                throw HTMLParseError(message: "Empty attribute name in the tag \"\(name)\" at byte offset \(index)")
            }
            skipSpaces()
            var value = ""
            if index < bytes.count && bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipSpaces()
                value = try attributeValue(tagStart: begin)
            }
            attributes[attribute] = value
        }
        if name == "span" && attributes["class"] != "tg-spoiler" {
            throw HTMLParseError(message: "Tag \"span\" must have class \"tg-spoiler\" at byte offset \(begin)")
        }
        if name == "tg-emoji" && (attributes["emoji-id"] ?? "").isEmpty {
            throw HTMLParseError(message: "Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset \(begin)")
        }
        open.append(OpenTag(name: name, attributes: attributes, utf16Start: utf16Count))
    }

    private mutating func endTag() throws(HTMLParseError) {
        let begin = index
        index += 2
        let name = readName()
        skipSpaces()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else {
            throw HTMLParseError(message: "Unclosed end tag at byte offset \(begin)")
        }
        index += 1
        guard let tag = open.popLast() else { throw HTMLParseError(message: "Unexpected end tag at byte offset \(begin)") }
        guard tag.name == name else {
            throw HTMLParseError(message: "Unmatched end tag at byte offset \(begin), expected \"</\(tag.name)>\", found \"</\(name)>\"")
        }
        let length = utf16Count - tag.utf16Start
        guard length > 0 else { return }
        var entity = TextEntity(type: Self.entityType(tag), offset: tag.utf16Start, length: length)
        switch tag.name {
        case "a": entity.url = tag.attributes["href"] ?? ""
        case "code", "pre":
            if let language = tag.attributes["class"], language.hasPrefix("language-") { entity.language = String(language.dropFirst(9)) }
        case "tg-emoji": entity.customEmojiId = tag.attributes["emoji-id"]
        default: break
        }
        entities.append(entity)
    }

    private static func entityType(_ tag: OpenTag) -> String {
        switch tag.name {
        case "b", "strong": "bold"
        case "i", "em": "italic"
        case "u", "ins": "underline"
        case "s", "strike", "del": "strikethrough"
        case "span", "tg-spoiler": "spoiler"
        case "a": "text_link"
        case "code": "code"
        case "pre": "pre"
        case "blockquote": tag.attributes["expandable"] != nil ? "expandable_blockquote" : "blockquote"
        default: "custom_emoji"
        }
    }

    private mutating func attributeValue(tagStart: Int) throws(HTMLParseError) -> String {
        guard index < bytes.count else { throw HTMLParseError(message: "Unclosed start tag at byte offset \(tagStart)") }
        let quote = bytes[index]
        var raw: [UInt8] = []
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            index += 1
            while index < bytes.count && bytes[index] != quote {
                raw.append(bytes[index])
                index += 1
            }
            guard index < bytes.count else { throw HTMLParseError(message: "Unclosed start tag at byte offset \(tagStart)") }
            index += 1
        } else {
            while index < bytes.count && !Self.isSpace(bytes[index]) && bytes[index] != UInt8(ascii: ">") {
                raw.append(bytes[index])
                index += 1
            }
        }
        var valueParser = HTMLParser(bytes: raw)
        while valueParser.index < raw.count {
            if raw[valueParser.index] == UInt8(ascii: "&"), let scalar = try? valueParser.entity() {
                valueParser.append(scalar)
            } else {
                valueParser.appendByte(raw[valueParser.index])
                valueParser.index += 1
            }
        }
        return String(decoding: valueParser.output, as: UTF8.self)
    }

    // MARK: Entities

    /// Reads `&…;` at `index`: one of the four named entities or a numeric one.
    private mutating func entity() throws(HTMLParseError) -> Unicode.Scalar {
        let begin = index
        let failure = HTMLParseError(message: "Character '&' at byte offset \(begin) is not a part of a supported HTML entity; escape it as &amp;")
        index += 1
        var scalar: Unicode.Scalar?
        if index < bytes.count && bytes[index] == UInt8(ascii: "#") {
            index += 1
            var radix: UInt32 = 10
            if index < bytes.count && (bytes[index] == UInt8(ascii: "x") || bytes[index] == UInt8(ascii: "X")) {
                radix = 16
                index += 1
            }
            var value: UInt32 = 0
            var digits = 0
            while index < bytes.count, let digit = Self.digit(bytes[index], radix: radix) {
                value = min(value * radix + digit, 0x11_0000)
                digits += 1
                index += 1
            }
            if digits > 0 && value != 0 { scalar = Unicode.Scalar(value) }
        } else {
            let name = readName()
            scalar = Self.namedEntities[name]
        }
        guard let scalar, index < bytes.count, bytes[index] == UInt8(ascii: ";") else {
            index = begin
            throw failure
        }
        index += 1
        return scalar
    }

    // MARK: Low level

    private mutating func readName() -> String {
        var name: [UInt8] = []
        while index < bytes.count {
            let b = bytes[index]
            let isLetter = (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            let isOther = (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
            guard isLetter || isOther else { break }
            name.append(b)
            index += 1
        }
        return String(decoding: name, as: UTF8.self).lowercased()
    }

    private mutating func skipSpaces() {
        while index < bytes.count && Self.isSpace(bytes[index]) { index += 1 }
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r")
    }

    private static func digit(_ b: UInt8, radix: UInt32) -> UInt32? {
        let value: UInt32
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
        return value < radix ? value : nil
    }

    private mutating func appendByte(_ b: UInt8) {
        output.append(b)
        if b & 0xC0 != 0x80 { utf16Count += b >= 0xF0 ? 2 : 1 }
    }

    private mutating func append(_ scalar: Unicode.Scalar) {
        for b in String(scalar).utf8 { appendByte(b) }
    }
}
