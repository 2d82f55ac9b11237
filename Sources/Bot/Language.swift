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

/// Escapes text for Telegram's HTML parse mode (user and host text never reaches a message unescaped).
public func html(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for c in text {
        switch c {
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        case "\"": out += "&quot;"
        default: out.append(c)
        }
    }
    return out
}
