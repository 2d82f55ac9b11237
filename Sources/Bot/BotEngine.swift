import Domain
import Foundation
import Logging
import Storage
import Telegram

/// Turns one Telegram update into replies. Reads what it needs from the store, asks the domain for slots
/// and prices, writes holds through the store (where double booking is refused), and answers through the
/// Bot API. Every callback query is answered, stale or not.
public final class BotEngine: Sendable {
    let store: any Store
    let api: any BotAPI
    let now: @Sendable () -> Instant
    let settings: BotSettings
    let checkout: any CheckoutService
    /// The video rooms (nil: no calls configured, Join says the room is not open).
    let rooms: (any CallRooms)?
    let logger: Logger

    public init(store: any Store, api: any BotAPI, now: @escaping @Sendable () -> Instant, settings: BotSettings,
                checkout: any CheckoutService, logger: Logger, rooms: (any CallRooms)? = nil) {
        self.store = store
        self.api = api
        self.now = now
        self.settings = settings
        self.checkout = checkout
        self.rooms = rooms
        self.logger = logger
    }

    /// The outbox messages of booking events, in each recipient's language and zone.
    var notices: Notices { Notices(store: store, defaultZone: settings.defaultZone) }

    /// Who is talking, in which language and zone.
    struct Session: Sendable {
        var user: UserProfile
        var chatID: Int64
        var texts: Texts { Texts(language) }
        var language: Language { Language(rawValue: user.language) ?? .en }
        var zone: Zone
        var format: TimeFormat { TimeFormat(language: language, zone: zone) }
        /// The text of the message whose button was pressed (nil for commands and typed text).
        var pressedText: String?
        /// Telegram's `language_code` of the sender ("es", "en-GB"), for the likely time zones.
        var languageCode: String?
    }

    /// What a button press or a command produces.
    struct Outcome: Sendable {
        var screen: Screen
        /// A short toast on the pressed button (answerCallbackQuery text).
        var toast: String?
        /// Send a new message instead of editing the pressed one.
        var newMessage = false
        /// Photos to send as an album before the screen.
        var album: [InputMediaPhoto] = []
        /// A file to send before the screen (the ledger CSV).
        var document: InputFile?
    }

    /// Handles an update, logging a failure (tests and benchmarks that drive the engine directly).
    public func handle(_ update: Update) async {
        do {
            try await process(update)
        } catch {
            var logger = self.logger
            logger[metadataKey: "update"] = "\(update.updateId)"
            logger.error("update failed", metadata: ["error": "\(error)"])
        }
    }

    /// Handles an update; a failure is thrown for the inbox to retry or give up (a step already taken is not
    /// repeated in effect: holds, payments, cancellations and reviews are idempotent in the store).
    public func process(_ update: Update) async throws {
        var logger = self.logger
        logger[metadataKey: "update"] = "\(update.updateId)"
        if let chat = update.chatId { logger[metadataKey: "chat"] = "\(chat)" }
        if let query = update.callbackQuery {
            try await handleCallback(query, logger: logger)
        } else if let query = update.preCheckoutQuery {
            try await handlePreCheckout(query, logger: logger)
        } else if let message = update.message, message.successfulPayment != nil {
            try await handleSuccessfulPayment(message, logger: logger)
        } else if let message = update.message, let from = message.from, message.chat.type == "private" {
            try await handleMessage(message, from: from, logger: logger)
        }
    }

    func session(for from: User) async throws -> Session {
        let id = TelegramUserID(from.id)
        if var user = try await store.user(id) {
            if user.username != from.username {
                user.username = from.username
                try await store.saveUser(user, at: now())
            }
            return Session(user: user, chatID: from.id, zone: user.zone ?? settings.defaultZone, languageCode: from.languageCode)
        }
        let user = UserProfile(id: id, username: from.username, firstName: from.firstName, language: Language(telegramCode: from.languageCode).rawValue)
        try await store.saveUser(user, at: now())
        return Session(user: user, chatID: from.id, zone: settings.defaultZone, languageCode: from.languageCode)
    }

    // MARK: Messages and commands

    func handleMessage(_ message: Message, from: User, logger: Logger) async throws {
        var session = try await session(for: from)
        let text = (message.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let command = text.hasPrefix("/") ? String(text.split(separator: " ").first ?? "").split(separator: "@").first.map(String.init) : nil
        let outcome: Outcome
        switch command {
        case "/start" where argument(of: text)?.hasPrefix("host_") == true:
            // A deep link t.me/<bot>?start=host_<username> (hosts share it): that host's profile.
            outcome = try await profile(named: String(argument(of: text)!.dropFirst("host_".count)), session)
        case "/start" where argument(of: text)?.hasPrefix("invite_") == true:
            // A host's one-time invite t.me/<bot>?start=invite_<token>: this account becomes the host's, once.
            outcome = try await openInvite(String(argument(of: text)!.dropFirst("invite_".count)), session)
        case "/start" where joinDeepLink(text) != nil: outcome = try await join(joinDeepLink(text)!, session)
        case "/start", "/help": outcome = Outcome(screen: mainMenu(session))
        case "/model_profile" where argument(of: text) != nil:
            outcome = try await profile(named: argument(of: text)!, session)
        case "/book_private_call", "/model_profile": outcome = try await hostList(page: 0, session)
        case "/my_bookings": outcome = try await myBookings(session)
        case "/settings": outcome = Outcome(screen: settingsScreen(session))
        case "/host": outcome = try await hostMenu(session)
        case "/admin_models", "/add_model", "/view_models_list", "/edit_model", "/toggle_status", "/dashboard":
            guard isAdmin(session) else {
                logger.notice("admin command from a non-admin", metadata: ["user": "\(session.user.id)", "command": "\(command ?? "")"])
                outcome = Outcome(screen: withPrefix(session.texts.notAllowed, mainMenu(session)))
                break
            }
            switch command {
            case "/add_model": outcome = try await startWizard(session)
            case "/admin_models": outcome = Outcome(screen: adminMenu(session))
            case "/toggle_status": outcome = try await pickHost(.toggle, page: 0, session)
            case "/dashboard": outcome = try await dashboardLink(session)
            case "/edit_model": outcome = try await pickHost(.edit, page: 0, session)
            default: outcome = try await adminHosts(page: 0, session)
            }
        case .some:
            outcome = Outcome(screen: withPrefix(session.texts.unknownCommand, mainMenu(session)))
        case nil:
            let photo = message.photo?.max(by: { $0.width * $0.height < $1.width * $1.height })?.fileId
            if let state = try await loadState(session.chatID) {
                outcome = try await continueConversation(state, text: text, photo: photo, caption: message.caption, &session, logger: logger)
            } else {
                outcome = Outcome(screen: withPrefix(session.texts.unknownCommand, mainMenu(session)))
            }
        }
        try await render(outcome, chatID: session.chatID, editing: nil)
    }

    /// A message that answers what the chat was asked (a time zone, a wizard step, a new field value, photos).
    func continueConversation(_ state: ConversationState, text: String, photo: String?, caption: String?, _ session: inout Session,
                              logger: Logger) async throws -> Outcome {
        if state.mode != .zone && state.mode != .review && !isAdmin(session) {
            try await saveState(session.chatID, nil)
            return Outcome(screen: withPrefix(session.texts.notAllowed, mainMenu(session)))
        }
        if photo != nil, state.mode == .edit || state.mode == .caption {
            // A photo has no text: read as "" it would clear a bio, the hours or a caption. Ask again, change nothing.
            return Outcome(screen: Screen(text: "⚠️ " + session.texts.wizardNeedsText,
                                          keyboard: [[.action(session.texts.cancel, .admin(.wizard(state.mode == .edit ? .cancel : .done)))]]))
        }
        switch state.mode {
        case .zone: return try await typedZone(text, state, &session)
        case .wizard: return try await wizardAnswer(state.draft ?? HostDraft(), photo.map { .photo(fileID: $0) } ?? .text(text), session)
        case .edit: return try await editAnswer(state, text: text, session)
        case .photos: return try await photoReceived(state, photo: photo, caption: caption, session)
        case .caption: return try await captionAnswer(state, text: text, session)
        case .payout: return try await payoutAnswer(state, text: text, session)
        case .review: return try await reviewTextAnswer(state, text: text, session)
        case .refundReference: return try await refundReferenceAnswer(state, text: text, session)
        }
    }

    // MARK: Buttons

    func handleCallback(_ query: CallbackQuery, logger: Logger) async throws {
        var session = try await session(for: query.from)
        session.pressedText = query.message?.text
        guard let data = query.data, let action = CallbackAction(encoded: data) else {
            logger.notice("stale or unknown button", metadata: ["data": "\(query.data?.prefix(64) ?? "")"])
            try await render(Outcome(screen: mainMenu(session), newMessage: true), chatID: session.chatID, editing: nil)
            try await answer(query, text: session.texts.staleButton, logger: logger)
            return
        }
        var outcome: Outcome
        do {
            outcome = try await perform(action, &session)
        } catch is AdminOnly {
            // A forwarded, replayed or forged admin button: nothing changes, and we keep a note of it.
            logger.notice("admin button pressed by a non-admin", metadata: ["user": "\(session.user.id)", "data": "\(data)"])
            try await answer(query, text: session.texts.notAllowed, showAlert: true, logger: logger)
            return
        } catch {
            await answerFailure(query, error, session, logger: logger)
            throw error
        }
        // A notice's buttons (a confirmation's "📅 Add to calendar" / "My bookings") open a new screen below it:
        // the confirmation, with what was paid, stays in the chat.
        if query.message?.replyMarkup?.inlineKeyboard.joined().contains(where: { $0.callbackData?.hasPrefix("ic:") == true }) == true {
            outcome.newMessage = true
        }
        // Render first, then answer: the button's spinner lasts until the new screen is there.
        do {
            try await render(outcome, chatID: session.chatID, editing: query.message)
        } catch {
            await answerFailure(query, error, session, logger: logger)
            throw error
        }
        try await answer(query, text: outcome.toast, logger: logger)
    }

    /// Answers a button press. Telegram refusing the answer with a 400 ("query is too old", or already answered
    /// by an earlier attempt of this same update that a crash or a 429 cut short) changes nothing the user
    /// sees but the spinner: noted, not an error — the update's work is done. Other failures (429, 5xx,
    /// network) are thrown, so the update is retried.
    func answer(_ query: CallbackQuery, text: String?, showAlert: Bool? = nil, logger: Logger) async throws {
        do {
            try await api.answerCallbackQuery(AnswerCallbackQuery(callbackQueryId: query.id, text: text, showAlert: showAlert))
        } catch {
            guard case .api(400, let description) = error else { throw error }
            logger.notice("button answer refused; the screen is shown", metadata: ["reason": "\(description)"])
        }
    }

    /// A press whose handling failed: an alert, unless the update will be tried again (a 429, Telegram's 5xx,
    /// the network), whose retry answers the press itself.
    func answerFailure(_ query: CallbackQuery, _ error: any Error, _ session: Session, logger: Logger) async {
        if let telegram = error as? TelegramError, telegram.isRetryable { return }
        try? await answer(query, text: session.texts.somethingWentWrong, showAlert: true, logger: logger)
    }

    func perform(_ action: CallbackAction, _ session: inout Session) async throws -> Outcome {
        switch action {
        case .mainMenu: return Outcome(screen: mainMenu(session))
        case .hosts(let page): return try await hostList(page: page, session)
        case .profile(let host): return try await profile(host, session)
        case .gallery(let host): return try await gallery(host, session)
        case .dates(let host): return try await dates(host, session)
        case .times(let host, let day): return try await times(host, day: day, session)
        case .durations(let host, let start): return try await durations(host, start: Instant(epochSeconds: start * 60), session)
        case .summary(let host, let start, let minutes): return try await summary(host, start: Instant(epochSeconds: start * 60), minutes: minutes, session)
        case .pay(let host, let start, let minutes): return try await pay(host, start: Instant(epochSeconds: start * 60), minutes: minutes, session)
        case .payWith(let booking, let method): return try await payWith(booking, method: method, session)
        case .myBookings: return try await myBookings(session)
        case .cancelHold(let booking): return try await cancelHold(booking, session)
        case .settings: return Outcome(screen: settingsScreen(session))
        case .language(let code): return try await setLanguage(code, &session)
        case .zoneMenu: return try await changeZone(.settings, session)
        case .zone(let index): return try await pickZone(index, &session)
        case .changeZone(let back): return try await changeZone(back, session)
        case .setZone(let name, let back): return try await setZone(name, back: back, &session)
        case .noop: return Outcome(screen: mainMenu(session))
        case .hostMenu: return try await hostMenu(session)
        case .hostSetOnline(let online): return try await hostSetOnline(online, session)
        case .join(let booking): return try await join(booking, session)
        case .rate(let booking, let stars): return try await rate(booking, stars: stars, session)
        case .reviewSkip(let booking): return try await skipReview(booking, session)
        case .cancelBooking(let id, let confirmed): return try await userCancel(id, confirmed: confirmed, session)
        case .reschedule(let id): return try await rescheduleDays(id, session)
        case .rescheduleDay(let id, let day): return try await rescheduleTimes(id, day: day, session)
        case .rescheduleTo(let id, let start, let confirmed):
            return try await rescheduleTo(id, start: Instant(epochSeconds: start * 60), confirmed: confirmed, session)
        case .reportNoShow(let id, let confirmed): return try await reportNoShow(id, confirmed: confirmed, session)
        case .hostCancel(let id, let confirmed): return try await hostCancel(id, confirmed: confirmed, session)
        case .calendar(let id): return try await calendarFile(id, session)
        case .admin(let adminAction):
            // The one admin check: ADMIN_TELEGRAM_IDS, as configured now, for every press.
            guard isAdmin(session) else { throw AdminOnly() }
            return try await performAdmin(adminAction, session)
        }
    }

    /// Thrown by `perform` for an admin button pressed by someone who is not an admin (answered "admins only").
    struct AdminOnly: Error {}

    // MARK: Rendering

    /// Edits the pressed message in place when it is a text message and the screen is text; otherwise sends.
    func render(_ outcome: Outcome, chatID: Int64, editing message: Message?) async throws {
        if let document = outcome.document {
            _ = try await api.sendDocument(chatId: chatID, document: document, caption: nil, parseMode: nil, replyMarkup: nil)
        }
        if outcome.album.count >= 2 {
            _ = try await api.sendMediaGroup(SendMediaGroup(chatId: chatID, media: outcome.album))
        }
        let screen = outcome.screen
        // A screen that replaces a photo message (the profile) replaces it: Telegram cannot turn a photo into
        // text, so the photo is deleted before the new screen is sent — going back and forth never leaves copies
        // of the host's photo in the chat. Deleted first: a retry after a failed send finds it gone (a 400,
        // ignored) and sends once.
        if let message, message.photo != nil, !outcome.newMessage, outcome.album.isEmpty, outcome.document == nil {
            do {
                try await api.deleteMessage(DeleteMessage(chatId: chatID, messageId: message.messageId))
            } catch {
                guard case .api(400, _) = error else { throw error }
            }
        }
        if let photo = screen.photo {
            if telegramLength(ofHTML: screen.text) <= 1024 {
                _ = try await api.sendPhoto(SendPhoto(chatId: chatID, photo: photo, caption: screen.text, replyMarkup: screen.markup))
                return
            }
            // Too long for a caption (1024): the photo alone, then the text with the buttons.
            _ = try await api.sendPhoto(SendPhoto(chatId: chatID, photo: photo, caption: nil))
            _ = try await api.sendMessage(SendMessage(chatId: chatID, text: screen.text, replyMarkup: screen.markup))
            return
        }
        if let message, !outcome.newMessage, outcome.album.isEmpty, outcome.document == nil, message.photo == nil, message.text != nil {
            do {
                _ = try await api.editMessageText(EditMessageText(chatId: chatID, messageId: message.messageId, text: screen.text, replyMarkup: screen.markup))
                return
            } catch {
                // Pressing the same button twice: nothing to change. A message Telegram refuses to edit (too
                // old, deleted): fall through and send a new one. Anything else — a 429, a 5xx, the network —
                // says nothing about the message: rethrown, so the update is retried after `retry_after` or a
                // backoff, never turned into an immediate second message in the chat.
                guard case .api(400, let description) = error else { throw error }
                if description.contains("message is not modified") { return }
            }
        }
        _ = try await api.sendMessage(SendMessage(chatId: chatID, text: screen.text, replyMarkup: screen.markup))
    }

    /// The first word after a command ("/model_profile @anna" → "@anna"), if any.
    func argument(of text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace)
        return words.count > 1 ? String(words[1]) : nil
    }

    func isAdmin(_ session: Session) -> Bool { settings.adminIDs.contains(session.user.id) }

    func withPrefix(_ line: String, _ screen: Screen) -> Screen {
        var s = screen
        s.text = line + "\n\n" + s.text
        return s
    }

    func mainMenu(_ session: Session) -> Screen {
        let t = session.texts
        var keyboard: [[Screen.Button]] = [
            [.action(t.privateCalls, .hosts(page: 0))],
            [.action(t.myBookings, .myBookings), .action(t.settings, .settings)],
        ]
        if isAdmin(session) { keyboard.append([.action(t.adminTitle.replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: ""), .admin(.menu))]) }
        return Screen(text: t.welcome, keyboard: keyboard)
    }
}
