import Telegram

/// A Telegram text (plain text plus entities at UTF-16 offsets) as safe HTML for the playground page: every
/// character of the text is escaped; only the entities become tags, and a link only when it is http(s).
enum EntityHTML {
    static func render(_ text: String, _ entities: [TextEntity]) -> String {
        let units = Array(text.utf16)
        // Openings at each offset (longest first, so they nest), closings at each end.
        var opens: [Int: [TextEntity]] = [:]
        for entity in entities where entity.length > 0 && entity.offset >= 0 && entity.offset + entity.length <= units.count {
            opens[entity.offset, default: []].append(entity)
        }
        var out = ""
        var stack: [(end: Int, close: String)] = []
        var segmentStart = 0
        func flush(to end: Int) {
            guard end > segmentStart else { return }
            out += escape(String(decoding: units[segmentStart..<end], as: UTF16.self))
            segmentStart = end
        }
        for position in 0...units.count {
            // Close what ends here (innermost first).
            while let top = stack.last, top.end <= position {
                flush(to: position)
                out += top.close
                stack.removeLast()
            }
            guard position < units.count, let starting = opens[position] else { continue }
            flush(to: position)
            for entity in starting.sorted(by: { $0.length > $1.length }) {
                let (open, close) = tags(entity, units: units)
                out += open
                stack.append((entity.offset + entity.length, close))
            }
        }
        flush(to: units.count)
        while let top = stack.popLast() { out += top.close }
        return out
    }

    static func tags(_ entity: TextEntity, units: [UInt16]) -> (String, String) {
        switch entity.type {
        case "bold": return ("<b>", "</b>")
        case "italic": return ("<i>", "</i>")
        case "underline": return ("<u>", "</u>")
        case "strikethrough": return ("<s>", "</s>")
        case "spoiler": return ("<span class=\"spoiler\">", "</span>")
        case "code": return ("<code>", "</code>")
        case "pre": return ("<pre>", "</pre>")
        case "blockquote", "expandable_blockquote": return ("<blockquote>", "</blockquote>")
        case "text_link", "url":
            let target = entity.type == "url"
                ? String(decoding: units[entity.offset..<entity.offset + entity.length], as: UTF16.self) : (entity.url ?? "")
            guard target.hasPrefix("https://") || target.hasPrefix("http://") else { return ("", "") }
            return ("<a href=\"\(escape(target))\" target=\"_blank\" rel=\"noopener noreferrer\">", "</a>")
        default: return ("", "")
        }
    }

    static func escape(_ text: String) -> String { html(text) }
}
