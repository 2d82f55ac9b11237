/// Decoding of `application/x-www-form-urlencoded` bodies and Stripe's bracket keys.
enum FormBody {
    /// `a=1&b=x%20y` → pairs; `+` is a space. Nil when a percent escape is broken or the text is not UTF-8.
    static func decode(_ bytes: [UInt8]) -> [FormField]? {
        var fields: [FormField] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pieces = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(Array(pieces[0])), !name.isEmpty else { return nil }
            let value = pieces.count > 1 ? unescape(Array(pieces[1])) : ""
            guard let value else { return nil }
            fields.append(FormField(name, value))
        }
        return fields
    }

    static func unescape(_ bytes: [UInt8]) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2])
                else { return nil }
                out.append(high << 4 | low)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `line_items[0][price_data][currency]` → ["line_items", "0", "price_data", "currency"];
    /// `expand[]` → ["expand", ""]. Nil for a malformed key.
    static func path(_ key: String) -> [String]? {
        guard let open = key.firstIndex(of: "[") else { return key.contains("]") ? nil : [key] }
        var parts = [String(key[..<open])]
        guard !parts[0].isEmpty else { return nil }
        var rest = key[open...]
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            if inner.contains("[") { return nil }
            parts.append(String(inner))
            rest = rest[rest.index(after: close)...]
        }
        return parts
    }
}
