/// Escapes text for HTML: Telegram's HTML parse mode (user and host text never reaches a message unescaped),
/// the playground's rendering of Telegram texts and the dashboard's pages all use this one function. The five
/// characters with a meaning in markup become entities Telegram also reads (`&#39;` is a numeric one).
public func html(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for c in text.unicodeScalars {
        switch c {
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
