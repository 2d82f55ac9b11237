// Request bodies of the Bot API methods we call. Optional fields are left out of the JSON when nil.

public struct GetUpdates: Codable, Sendable, Equatable {
    public var offset: Int64?
    public var limit: Int?
    public var timeout: Int?
    public var allowedUpdates: [String]?

    public init(offset: Int64? = nil, limit: Int? = nil, timeout: Int? = nil, allowedUpdates: [String]? = nil) {
        self.offset = offset
        self.limit = limit
        self.timeout = timeout
        self.allowedUpdates = allowedUpdates
    }
}

public struct SetWebhook: Codable, Sendable, Equatable {
    public var url: String
    public var secretToken: String?
    public var allowedUpdates: [String]?
    public var dropPendingUpdates: Bool?

    public init(url: String, secretToken: String? = nil, allowedUpdates: [String]? = nil, dropPendingUpdates: Bool? = nil) {
        self.url = url
        self.secretToken = secretToken
        self.allowedUpdates = allowedUpdates
        self.dropPendingUpdates = dropPendingUpdates
    }
}

public struct DeleteWebhook: Codable, Sendable, Equatable {
    public var dropPendingUpdates: Bool?
    public init(dropPendingUpdates: Bool? = nil) { self.dropPendingUpdates = dropPendingUpdates }
}

public struct SendMessage: Codable, Sendable, Equatable {
    public var chatId: Int64
    public var text: String
    public var parseMode: String?
    public var replyMarkup: InlineKeyboardMarkup?
    public var linkPreviewOptions: LinkPreviewOptions?

    public init(chatId: Int64, text: String, parseMode: String? = "HTML", replyMarkup: InlineKeyboardMarkup? = nil, disablePreview: Bool = true) {
        self.chatId = chatId
        self.text = text
        self.parseMode = parseMode
        self.replyMarkup = replyMarkup
        self.linkPreviewOptions = disablePreview ? LinkPreviewOptions(isDisabled: true) : nil
    }
}

public struct LinkPreviewOptions: Codable, Sendable, Equatable {
    public var isDisabled: Bool?
}

public struct EditMessageText: Codable, Sendable, Equatable {
    public var chatId: Int64
    public var messageId: Int64
    public var text: String
    public var parseMode: String?
    public var replyMarkup: InlineKeyboardMarkup?
    public var linkPreviewOptions: LinkPreviewOptions?

    public init(chatId: Int64, messageId: Int64, text: String, parseMode: String? = "HTML", replyMarkup: InlineKeyboardMarkup? = nil) {
        self.chatId = chatId
        self.messageId = messageId
        self.text = text
        self.parseMode = parseMode
        self.replyMarkup = replyMarkup
        self.linkPreviewOptions = LinkPreviewOptions(isDisabled: true)
    }
}

public struct EditMessageReplyMarkup: Codable, Sendable, Equatable {
    public var chatId: Int64
    public var messageId: Int64
    public var replyMarkup: InlineKeyboardMarkup?

    public init(chatId: Int64, messageId: Int64, replyMarkup: InlineKeyboardMarkup?) {
        self.chatId = chatId
        self.messageId = messageId
        self.replyMarkup = replyMarkup
    }
}

/// Removes a message: the bot's own (and, in a private chat, the user's) within 48 hours.
public struct DeleteMessage: Codable, Sendable, Equatable {
    public var chatId: Int64
    public var messageId: Int64

    public init(chatId: Int64, messageId: Int64) {
        self.chatId = chatId
        self.messageId = messageId
    }
}

public struct AnswerCallbackQuery: Codable, Sendable, Equatable {
    public var callbackQueryId: String
    public var text: String?
    public var showAlert: Bool?

    public init(callbackQueryId: String, text: String? = nil, showAlert: Bool? = nil) {
        self.callbackQueryId = callbackQueryId
        self.text = text
        self.showAlert = showAlert
    }
}

public struct SendPhoto: Codable, Sendable, Equatable {
    public var chatId: Int64
    /// A Telegram `file_id` (never a URL with the bot token in it).
    public var photo: String
    public var caption: String?
    public var parseMode: String?
    public var replyMarkup: InlineKeyboardMarkup?

    public init(chatId: Int64, photo: String, caption: String? = nil, parseMode: String? = "HTML", replyMarkup: InlineKeyboardMarkup? = nil) {
        self.chatId = chatId
        self.photo = photo
        self.caption = caption
        self.parseMode = parseMode
        self.replyMarkup = replyMarkup
    }
}

public struct SendMediaGroup: Codable, Sendable, Equatable {
    public var chatId: Int64
    public var media: [InputMediaPhoto]

    public init(chatId: Int64, media: [InputMediaPhoto]) {
        self.chatId = chatId
        self.media = media
    }
}

public struct SetMyCommands: Codable, Sendable, Equatable {
    public var commands: [BotCommand]
    public var languageCode: String?

    public init(commands: [BotCommand], languageCode: String? = nil) {
        self.commands = commands
        self.languageCode = languageCode
    }
}

public struct SendInvoice: Codable, Sendable, Equatable {
    public var chatId: Int64
    public var title: String
    public var description: String
    public var payload: String
    public var providerToken: String?
    public var currency: String
    public var prices: [LabeledPrice]

    public init(chatId: Int64, title: String, description: String, payload: String, providerToken: String? = "", currency: String, prices: [LabeledPrice]) {
        self.chatId = chatId
        self.title = title
        self.description = description
        self.payload = payload
        self.providerToken = providerToken
        self.currency = currency
        self.prices = prices
    }
}

public struct AnswerPreCheckoutQuery: Codable, Sendable, Equatable {
    public var preCheckoutQueryId: String
    public var ok: Bool
    public var errorMessage: String?

    public init(preCheckoutQueryId: String, ok: Bool, errorMessage: String? = nil) {
        self.preCheckoutQueryId = preCheckoutQueryId
        self.ok = ok
        self.errorMessage = errorMessage
    }
}

public struct RefundStarPayment: Codable, Sendable, Equatable {
    public var userId: Int64
    public var telegramPaymentChargeId: String

    public init(userId: Int64, telegramPaymentChargeId: String) {
        self.userId = userId
        self.telegramPaymentChargeId = telegramPaymentChargeId
    }
}

public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}

/// The envelope of every Bot API answer.
public struct APIResponse<Result: Codable & Sendable>: Codable, Sendable {
    public var ok: Bool
    public var result: Result?
    public var errorCode: Int?
    public var description: String?
    public var parameters: ResponseParameters?

    public init(ok: Bool, result: Result? = nil, errorCode: Int? = nil, description: String? = nil, parameters: ResponseParameters? = nil) {
        self.ok = ok
        self.result = result
        self.errorCode = errorCode
        self.description = description
        self.parameters = parameters
    }
}

public struct ResponseParameters: Codable, Sendable, Equatable {
    public var retryAfter: Int?
    public var migrateToChatId: Int64?

    public init(retryAfter: Int? = nil, migrateToChatId: Int64? = nil) {
        self.retryAfter = retryAfter
        self.migrateToChatId = migrateToChatId
    }
}
