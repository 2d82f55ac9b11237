import Telegram

/// Telegram's checks on what a bot sends besides text: inline keyboards, file references, commands, lengths.
enum Validation {
    static let maxTextLength = 4096
    static let maxCaptionLength = 1024
    static let maxButtons = 100
    static let maxCallbackAnswerLength = 200
    /// Files a bot uploads with multipart/form-data: up to 50 MB (core.telegram.org/bots/api#sending-files).
    static let maxUploadSize = 50 << 20

    /// Validates an inline keyboard; returns it normalised (an empty keyboard is no keyboard).
    /// `invoice`: pay buttons are allowed, and if there is a keyboard its first button must be the pay button.
    static func keyboard(_ markup: InlineKeyboardMarkup?, invoice: Bool = false) throws(APIFailure) -> InlineKeyboardMarkup? {
        guard let markup else { return nil }
        let rows = markup.inlineKeyboard.filter { !$0.isEmpty }
        guard !rows.isEmpty else { return nil }
        let count = rows.reduce(0) { $0 + $1.count }
        guard count <= maxButtons else { throw .badRequest("reply markup is too long") }
        for (rowIndex, row) in rows.enumerated() {
            for (columnIndex, button) in row.enumerated() {
                try check(button, isFirst: rowIndex == 0 && columnIndex == 0, invoice: invoice)
            }
        }
        if invoice && rows[0][0].pay != true {
            throw .badRequest("the first button of an invoice keyboard must be a pay button")
        }
        return InlineKeyboardMarkup(inlineKeyboard: rows)
    }

    private static func check(_ button: InlineKeyboardButton, isFirst: Bool, invoice: Bool) throws(APIFailure) {
        guard !button.text.trimmingWhitespace().isEmpty else { throw .badRequest("BUTTON_TEXT_INVALID") }
        let actions = [button.callbackData != nil, button.url != nil, button.pay == true].filter { $0 }.count
        guard actions > 0 else {
            throw .badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        }
        guard actions == 1 else {
            throw .badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used")
        }
        if let data = button.callbackData, data.utf8.isEmpty || data.utf8.count > 64 {
            throw .badRequest("BUTTON_DATA_INVALID")
        }
        if let url = button.url, !isButtonURL(url) {
            throw .badRequest("inline keyboard button URL '\(url)' is invalid")
        }
        if button.pay == true && !(invoice && isFirst) {
            throw .badRequest("a pay button is allowed only as the first button of an invoice")
        }
    }

    private static func isButtonURL(_ url: String) -> Bool {
        let lower = url.lowercased()
        for scheme in ["http://", "https://", "tg://"] where lower.hasPrefix(scheme) {
            let rest = lower.dropFirst(scheme.count)
            return !rest.isEmpty && !rest.contains(" ")
        }
        return false
    }

    /// A bot command: 1–32 of a-z 0-9 _, description 1–256 characters.
    static func command(_ command: BotCommand) throws(APIFailure) {
        let allowed = command.command.unicodeScalars.allSatisfy { s in
            (s >= "a" && s <= "z") || (s >= "0" && s <= "9") || s == "_"
        }
        guard (1...32).contains(command.command.count), allowed else { throw .badRequest("BOT_COMMAND_INVALID") }
        let description = command.description.trimmingWhitespace()
        guard (1...256).contains(description.utf16.count) else { throw .badRequest("command description is empty or too long") }
    }

    /// A webhook secret: 1–256 of A-Z a-z 0-9 _ -.
    static func secretToken(_ token: String) throws(APIFailure) {
        let allowed = token.unicodeScalars.allSatisfy { s in
            (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_" || s == "-"
        }
        guard !token.isEmpty, token.utf8.count <= 256, allowed else {
            throw .badRequest("secret token contains unallowed characters or has a wrong length")
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    var isHTTPURL: Bool {
        let lower = lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}
