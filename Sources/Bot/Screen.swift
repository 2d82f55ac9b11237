import Telegram

/// What the bot shows: HTML text (or a photo caption) and an inline keyboard of typed buttons.
public struct Screen: Sendable, Equatable {
    public enum Button: Sendable, Equatable {
        case action(String, CallbackAction)
        case url(String, String)
    }

    public var text: String
    public var keyboard: [[Button]]
    /// A Telegram `file_id`: the screen is sent as this photo with `text` as its caption.
    public var photo: String?

    public init(text: String, keyboard: [[Button]] = [], photo: String? = nil) {
        self.text = text
        self.keyboard = keyboard
        self.photo = photo
    }

    public var markup: InlineKeyboardMarkup? {
        guard !keyboard.isEmpty else { return nil }
        return InlineKeyboardMarkup(inlineKeyboard: keyboard.map { row in
            row.map { button in
                switch button {
                case .action(let label, let action): InlineKeyboardButton(text: label, callbackData: action.encoded())
                case .url(let label, let url): InlineKeyboardButton(text: label, url: url)
                }
            }
        })
    }
}

/// The Bot API calls the bot makes. `TelegramClient` is the live one; tests run it against the fake server.
public protocol BotAPI: Sendable {
    func sendMessage(_ p: SendMessage) async throws(TelegramError) -> Message
    func editMessageText(_ p: EditMessageText) async throws(TelegramError) -> Message
    func deleteMessage(_ p: DeleteMessage) async throws(TelegramError)
    func answerCallbackQuery(_ p: AnswerCallbackQuery) async throws(TelegramError)
    func sendPhoto(_ p: SendPhoto) async throws(TelegramError) -> Message
    func sendMediaGroup(_ p: SendMediaGroup) async throws(TelegramError) -> [Message]
    func sendInvoice(_ p: SendInvoice) async throws(TelegramError) -> Message
    func answerPreCheckoutQuery(_ p: AnswerPreCheckoutQuery) async throws(TelegramError)
    func refundStarPayment(_ p: RefundStarPayment) async throws(TelegramError)
    func sendDocument(chatId: Int64, document: InputFile, caption: String?, parseMode: String?, replyMarkup: InlineKeyboardMarkup?) async throws(TelegramError) -> Message
}

extension TelegramClient: BotAPI {}

extension Array {
    /// Splits into rows of `size`.
    func rows(of size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
