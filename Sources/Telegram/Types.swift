// The parts of the Telegram Bot API (core.telegram.org/bots/api) this bot uses. Property names are the
// API's snake_case fields in camelCase ("chat_id" ↔ chatId), so one JSON coder pair with snake-case
// conversion serves the client and the fake server alike.

public struct Update: Codable, Sendable, Equatable {
    public var updateId: Int64
    public var message: Message?
    public var editedMessage: Message?
    public var callbackQuery: CallbackQuery?
    public var preCheckoutQuery: PreCheckoutQuery?

    public init(updateId: Int64, message: Message? = nil, editedMessage: Message? = nil, callbackQuery: CallbackQuery? = nil, preCheckoutQuery: PreCheckoutQuery? = nil) {
        self.updateId = updateId
        self.message = message
        self.editedMessage = editedMessage
        self.callbackQuery = callbackQuery
        self.preCheckoutQuery = preCheckoutQuery
    }

    /// The chat this update belongs to, for per-chat ordering.
    public var chatId: Int64? {
        message?.chat.id ?? editedMessage?.chat.id ?? callbackQuery?.message?.chat.id ?? callbackQuery?.from.id ?? preCheckoutQuery?.from.id
    }
}

public struct User: Codable, Sendable, Equatable {
    public var id: Int64
    public var isBot: Bool
    public var firstName: String
    public var lastName: String?
    public var username: String?
    public var languageCode: String?

    public init(id: Int64, isBot: Bool = false, firstName: String, lastName: String? = nil, username: String? = nil, languageCode: String? = nil) {
        self.id = id
        self.isBot = isBot
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
        self.languageCode = languageCode
    }
}

public struct Chat: Codable, Sendable, Equatable {
    public var id: Int64
    public var type: String
    public var username: String?
    public var firstName: String?

    public init(id: Int64, type: String = "private", username: String? = nil, firstName: String? = nil) {
        self.id = id
        self.type = type
        self.username = username
        self.firstName = firstName
    }
}

public struct PhotoSize: Codable, Sendable, Equatable {
    public var fileId: String
    public var fileUniqueId: String
    public var width: Int
    public var height: Int
    public var fileSize: Int?

    public init(fileId: String, fileUniqueId: String, width: Int, height: Int, fileSize: Int? = nil) {
        self.fileId = fileId
        self.fileUniqueId = fileUniqueId
        self.width = width
        self.height = height
        self.fileSize = fileSize
    }
}

public struct Message: Codable, Sendable, Equatable {
    public var messageId: Int64
    public var from: User?
    public var chat: Chat
    public var date: Int64
    public var text: String?
    public var caption: String?
    public var photo: [PhotoSize]?
    public var mediaGroupId: String?
    public var replyMarkup: InlineKeyboardMarkup?
    public var successfulPayment: SuccessfulPayment?
    public var invoice: Invoice?
    public var document: Document?

    public init(
        messageId: Int64, from: User? = nil, chat: Chat, date: Int64, text: String? = nil, caption: String? = nil,
        photo: [PhotoSize]? = nil, mediaGroupId: String? = nil, replyMarkup: InlineKeyboardMarkup? = nil,
        successfulPayment: SuccessfulPayment? = nil, invoice: Invoice? = nil, document: Document? = nil
    ) {
        self.messageId = messageId
        self.from = from
        self.chat = chat
        self.date = date
        self.text = text
        self.caption = caption
        self.photo = photo
        self.mediaGroupId = mediaGroupId
        self.replyMarkup = replyMarkup
        self.successfulPayment = successfulPayment
        self.invoice = invoice
        self.document = document
    }
}

public struct Document: Codable, Sendable, Equatable {
    public var fileId: String
    public var fileUniqueId: String
    public var fileName: String?
    public var mimeType: String?
    public var fileSize: Int?

    public init(fileId: String, fileUniqueId: String, fileName: String? = nil, mimeType: String? = nil, fileSize: Int? = nil) {
        self.fileId = fileId
        self.fileUniqueId = fileUniqueId
        self.fileName = fileName
        self.mimeType = mimeType
        self.fileSize = fileSize
    }
}

public struct CallbackQuery: Codable, Sendable, Equatable {
    public var id: String
    public var from: User
    public var message: Message?
    public var data: String?

    public init(id: String, from: User, message: Message? = nil, data: String? = nil) {
        self.id = id
        self.from = from
        self.message = message
        self.data = data
    }
}

public struct InlineKeyboardMarkup: Codable, Sendable, Equatable {
    public var inlineKeyboard: [[InlineKeyboardButton]]

    public init(inlineKeyboard: [[InlineKeyboardButton]]) { self.inlineKeyboard = inlineKeyboard }
}

public struct InlineKeyboardButton: Codable, Sendable, Equatable {
    public var text: String
    public var callbackData: String?
    public var url: String?
    public var pay: Bool?

    public init(text: String, callbackData: String? = nil, url: String? = nil, pay: Bool? = nil) {
        self.text = text
        self.callbackData = callbackData
        self.url = url
        self.pay = pay
    }
}

public struct InputMediaPhoto: Codable, Sendable, Equatable {
    public var type: String
    public var media: String
    public var caption: String?
    public var parseMode: String?

    public init(media: String, caption: String? = nil, parseMode: String? = nil) {
        self.type = "photo"
        self.media = media
        self.caption = caption
        self.parseMode = parseMode
    }
}

public struct BotCommand: Codable, Sendable, Equatable {
    public var command: String
    public var description: String

    public init(command: String, description: String) {
        self.command = command
        self.description = description
    }
}

public struct LabeledPrice: Codable, Sendable, Equatable {
    public var label: String
    public var amount: Int64

    public init(label: String, amount: Int64) {
        self.label = label
        self.amount = amount
    }
}

public struct Invoice: Codable, Sendable, Equatable {
    public var title: String
    public var description: String
    public var startParameter: String
    public var currency: String
    public var totalAmount: Int64
}

public struct PreCheckoutQuery: Codable, Sendable, Equatable {
    public var id: String
    public var from: User
    public var currency: String
    public var totalAmount: Int64
    public var invoicePayload: String

    public init(id: String, from: User, currency: String, totalAmount: Int64, invoicePayload: String) {
        self.id = id
        self.from = from
        self.currency = currency
        self.totalAmount = totalAmount
        self.invoicePayload = invoicePayload
    }
}

public struct SuccessfulPayment: Codable, Sendable, Equatable {
    public var currency: String
    public var totalAmount: Int64
    public var invoicePayload: String
    public var telegramPaymentChargeId: String
    public var providerPaymentChargeId: String

    public init(currency: String, totalAmount: Int64, invoicePayload: String, telegramPaymentChargeId: String, providerPaymentChargeId: String) {
        self.currency = currency
        self.totalAmount = totalAmount
        self.invoicePayload = invoicePayload
        self.telegramPaymentChargeId = telegramPaymentChargeId
        self.providerPaymentChargeId = providerPaymentChargeId
    }
}

public struct WebhookInfo: Codable, Sendable, Equatable {
    public var url: String
    public var pendingUpdateCount: Int
}
