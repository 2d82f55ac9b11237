/// The languages every bot text exists in.
public enum Language: String, CaseIterable, Sendable, Codable {
    case en, es

    /// From Telegram's `language_code` ("es-ES" → es); English otherwise.
    public init(telegramCode: String?) {
        self = (telegramCode?.lowercased().hasPrefix("es") ?? false) ? .es : .en
    }

    public var nativeName: String {
        switch self {
        case .en: "English"
        case .es: "Español"
        }
    }
}

/// The length Telegram checks (UTF-16 code units of the text after HTML parsing): tags dropped, the five
/// entities we write counted as one character.
public func telegramLength(ofHTML text: String) -> Int {
    var count = 0
    var inTag = false
    var entity: String?
    for c in text {
        if inTag { if c == ">" { inTag = false }; continue }
        if var e = entity {
            if c == ";" { count += 1; entity = nil; continue }
            e.append(c)
            if e.count > 8 { count += e.utf16.count + 1; entity = nil } else { entity = e }
            continue
        }
        switch c {
        case "<": inTag = true
        case "&": entity = ""
        default: count += c.utf16.count
        }
    }
    if let e = entity { count += e.utf16.count + 1 }
    return count
}
