import Domain
import Foundation
import Storage
import Telegram

extension NewOutboxMessage {
    /// A `sendMessage` call to put in the outbox.
    public static func send(_ message: SendMessage, kind: String, dedupeKey: String?, notBefore: Instant? = nil) -> NewOutboxMessage {
        let payload = String(decoding: (try? TelegramJSON.encoder().encode(message)) ?? Data(), as: UTF8.self)
        return NewOutboxMessage(chatID: message.chatId, kind: kind, payload: payload, dedupeKey: dedupeKey, notBefore: notBefore)
    }
}

extension OutboxMessage {
    /// The `sendMessage` call stored in the payload; nil when the payload is unreadable.
    public var sendMessage: SendMessage? {
        try? TelegramJSON.decoder().decode(SendMessage.self, from: Data(payload.utf8))
    }
}

/// The messages that matter (confirmations, notices to hosts, refunds, reminders, links, review prompts),
/// written as outbox rows in each recipient's language and zone. Callers store them in the same transaction
/// as the change that causes them (`Store.apply(_:to:messages:)`) or with `Store.enqueue`; the outbox sender
/// delivers them. Every message has a dedupe key naming the booking and the event, so repeating a step (a
/// webhook retried, two scheduler instances) never writes a message twice.
public struct Notices: Sendable {
    public let store: any Store
    public let defaultZone: Zone

    public init(store: any Store, defaultZone: Zone) {
        self.store = store
        self.defaultZone = defaultZone
    }

    /// The user's texts and time format (language and zone from their profile).
    public func format(for user: TelegramUserID) async -> (Texts, TimeFormat) {
        let profile = try? await store.user(user)
        let language = profile.flatMap { Language(rawValue: $0.language) } ?? .en
        return (Texts(language), TimeFormat(language: language, zone: profile?.zone ?? defaultZone))
    }

    /// The host's texts (their Telegram profile's language) and format (the host's own zone).
    public func format(forHost host: Domain.Host) async -> (Texts, TimeFormat)? {
        guard let account = host.telegramUserID else { return nil }
        let (t, _) = await format(for: account)
        return (t, TimeFormat(language: t.language, zone: host.zone))
    }

    static func key(_ booking: Booking, _ event: String) -> String { "booking:\(booking.id?.rawValue ?? 0):\(event)" }

    /// The user's confirmation and the host's new-booking notice. `paid` is what the user paid, as shown
    /// ("$25.00", "2500 ⭐").
    public func confirmed(_ booking: Booking, paid: String? = nil) async -> [NewOutboxMessage] {
        guard let host = try? await store.host(booking.hostID) else { return [] }
        let (t, f) = await format(for: booking.userID)
        var messages = [NewOutboxMessage.send(
            SendMessage(chatId: booking.userID.rawValue, text: t.confirmed(
                host: html(host.displayName.value), when: f.range(booking.time), total: paid ?? booking.price.total.formatted()),
                        replyMarkup: Self.calendarButtons(booking, t, forHost: false)),
            kind: "booking.confirmed", dedupeKey: Self.key(booking, "confirmed"))]
        if let (ht, hf) = await format(forHost: host), let account = host.telegramUserID {
            messages.append(.send(
                SendMessage(chatId: account.rawValue, text: ht.hostNewBooking(
                    when: hf.range(booking.time), minutes: booking.price.minutes, share: booking.price.split.host.formatted()),
                            replyMarkup: Self.calendarButtons(booking, ht, forHost: true)),
                kind: "host.new_booking", dedupeKey: Self.key(booking, "host-new")))
        }
        return messages
    }

    /// Under a confirmation: "📅 Add to calendar" (the booking's .ics file) and "My bookings" — or, for the host,
    /// the host menu.
    static func calendarButtons(_ booking: Booking, _ t: Texts, forHost: Bool) -> InlineKeyboardMarkup? {
        guard let id = booking.id else { return nil }
        return Screen(text: "", keyboard: [[.action(t.addToCalendar, .calendar(booking: id)),
                                            forHost ? .action(t.hostMenuButton, .hostMenu) : .action(t.myBookings, .myBookings)]]).markup
    }

    /// Tells the user their unpaid hold ran out.
    public func holdExpired(_ booking: Booking) async -> [NewOutboxMessage] {
        let (t, _) = await format(for: booking.userID)
        return [.send(SendMessage(chatId: booking.userID.rawValue, text: t.holdExpiredNotice),
                      kind: "hold.expired", dedupeKey: Self.key(booking, "expired"))]
    }

    /// A provider said the payment failed (ePayco declined, Daimo bounced). One message per provider payment.
    public func paymentFailed(_ booking: Booking, method: PaymentMethod, reference: String) async -> [NewOutboxMessage] {
        let (t, _) = await format(for: booking.userID)
        let text: String
        switch method {
        case .daimo: text = t.daimoBounced
        case .epayco: text = t.epaycoDeclined
        case .stripe, .stars: text = t.paymentDidNotGoThrough
        }
        return [.send(SendMessage(chatId: booking.userID.rawValue, text: text),
                      kind: "payment.failed", dedupeKey: "payment-failed:\(method.rawValue):\(reference)")]
    }
}

// MARK: Cancellation, refunds, reschedule, no-show
extension Notices {
    /// The cancellation, to the user and the linked host. `refund`: what the policy decided; `cutoffHours`
    /// words the no-refund line.
    public func cancelled(_ booking: Booking, by: CancelledBy, refund: CancellationDecision, cutoffHours: Int) async -> [NewOutboxMessage] {
        guard let host = try? await store.host(booking.hostID), let id = booking.id else { return [] }
        let n = Int(id.rawValue)
        let (t, f) = await format(for: booking.userID)
        var text = t.noticeCancelled(n, host: html(host.displayName.value), when: f.range(booking.time), by: by)
        switch refund {
        case .fullRefund(let amount): text += "\n" + t.noticeRefundComing(amount.formatted())
        case .noRefund: text += "\n" + t.noticeNoRefund(cutoffHours)
        case .nothingPaid, .notCancellable: break
        }
        var messages = [NewOutboxMessage.send(SendMessage(chatId: booking.userID.rawValue, text: text),
                                              kind: "booking.cancelled", dedupeKey: Self.key(booking, "cancelled"))]
        if let (ht, hf) = await format(forHost: host), let account = host.telegramUserID {
            messages.append(.send(
                SendMessage(chatId: account.rawValue, text: ht.hostNoticeCancelled(n, when: hf.range(booking.time), by: by, refunded: refund.refunds)),
                kind: "host.booking_cancelled", dedupeKey: Self.key(booking, "host-cancelled")))
        }
        return messages
    }

    /// The refund went out: the user and the linked host (whose share is reversed). `amount` as paid ("$25.00", "2500 ⭐").
    public func refunded(_ booking: Booking, amount: String? = nil) async -> [NewOutboxMessage] {
        guard let id = booking.id else { return [] }
        let n = Int(id.rawValue), shown = amount ?? booking.price.total.formatted()
        let (t, _) = await format(for: booking.userID)
        var messages = [NewOutboxMessage.send(SendMessage(chatId: booking.userID.rawValue, text: t.noticeRefunded(n, amount: shown)),
                                              kind: "booking.refunded", dedupeKey: Self.key(booking, "refunded"))]
        if let host = try? await store.host(booking.hostID), let (ht, _) = await format(forHost: host), let account = host.telegramUserID {
            messages.append(.send(
                SendMessage(chatId: account.rawValue, text: ht.hostNoticeRefunded(n, amount: shown, share: booking.price.split.host.formatted())),
                kind: "host.booking_refunded", dedupeKey: Self.key(booking, "host-refunded")))
        }
        return messages
    }

    /// A refund an admin has to make by hand (a provider without a refund API we call): the user is told it is on its way.
    public func manualRefundPending(_ booking: Booking) async -> [NewOutboxMessage] {
        guard let id = booking.id else { return [] }
        let (t, _) = await format(for: booking.userID)
        return [.send(SendMessage(chatId: booking.userID.rawValue, text: t.noticeManualRefund(Int(id.rawValue), amount: booking.price.total.formatted())),
                      kind: "booking.refund_manual", dedupeKey: Self.key(booking, "refund-manual"))]
    }

    /// The booking moved from `old` to its new time (at `booking.updatedAt`): the user and the linked host.
    public func rescheduled(_ booking: Booking, from old: TimeRange) async -> [NewOutboxMessage] {
        guard let host = try? await store.host(booking.hostID), let id = booking.id else { return [] }
        let n = Int(id.rawValue), event = "rescheduled-\(booking.time.start.epochSeconds)-\(booking.updatedAt.epochSeconds)"
        let (t, f) = await format(for: booking.userID)
        var messages = [NewOutboxMessage.send(
            SendMessage(chatId: booking.userID.rawValue, text: t.noticeRescheduled(n, host: html(host.displayName.value), when: f.range(booking.time)),
                        replyMarkup: Self.calendarButtons(booking, t, forHost: false)),
            kind: "booking.rescheduled", dedupeKey: Self.key(booking, event))]
        if let (ht, hf) = await format(forHost: host), let account = host.telegramUserID {
            messages.append(.send(
                SendMessage(chatId: account.rawValue, text: ht.hostNoticeRescheduled(n, from: hf.range(old), to: hf.range(booking.time)),
                            replyMarkup: Self.calendarButtons(booking, ht, forHost: true)),
                kind: "host.booking_rescheduled", dedupeKey: Self.key(booking, "host-" + event)))
        }
        return messages
    }

    /// A user's no-show report, to every admin.
    public func noShowReported(_ booking: Booking, admins: [TelegramUserID]) async -> [NewOutboxMessage] {
        guard let host = try? await store.host(booking.hostID), let id = booking.id else { return [] }
        var messages: [NewOutboxMessage] = []
        for admin in admins.sorted(by: { $0.rawValue < $1.rawValue }) {
            let (t, f) = await format(for: admin)
            messages.append(.send(
                SendMessage(chatId: admin.rawValue, text: t.adminNoticeNoShow(
                    Int(id.rawValue), host: html(host.displayName.value), when: f.range(booking.time), user: booking.userID.rawValue)),
                kind: "admin.no_show_report", dedupeKey: Self.key(booking, "no-show-report:\(admin.rawValue)")))
        }
        return messages
    }

    /// An admin resolved a no-show report: the user hears the outcome; a confirmed one also goes to the host.
    public func noShowResolved(_ booking: Booking, confirmed: Bool) async -> [NewOutboxMessage] {
        guard let id = booking.id else { return [] }
        let n = Int(id.rawValue)
        let (t, _) = await format(for: booking.userID)
        var messages = [NewOutboxMessage.send(
            SendMessage(chatId: booking.userID.rawValue, text: confirmed ? t.noticeNoShowConfirmed(n) : t.noticeNoShowRejected(n)),
            kind: "booking.no_show_resolved", dedupeKey: Self.key(booking, confirmed ? "no-show-confirmed" : "no-show-rejected"))]
        if confirmed, let host = try? await store.host(booking.hostID), let (ht, hf) = await format(forHost: host), let account = host.telegramUserID {
            messages.append(.send(SendMessage(chatId: account.rawValue, text: ht.hostNoticeNoShow(n, when: hf.range(booking.time))),
                                  kind: "host.no_show", dedupeKey: Self.key(booking, "host-no-show")))
        }
        return messages
    }
}

// The call itself (the scheduler's messages): reminders, join links, the review prompt.
extension Notices {
    /// A reminder before the call, to the user and (when linked) the host, each in their language and zone.
    /// Keyed by booking, reminder and start time, so a rescheduled call is reminded again for its new time.
    public func reminder(_ reminder: CallReminder, for booking: Booking) async -> [NewOutboxMessage] {
        guard let host = try? await store.host(booking.hostID) else { return [] }
        let start = booking.time.start.epochSeconds
        let (t, f) = await format(for: booking.userID)
        let name = html(host.displayName.value)
        let userText = reminder == .dayBefore
            ? t.reminderDayBefore(host: name, when: f.range(booking.time)) : t.reminderQuarterHour(host: name, when: f.range(booking.time))
        var messages = [NewOutboxMessage.send(
            SendMessage(chatId: booking.userID.rawValue, text: userText),
            kind: "reminder.\(reminder.code)", dedupeKey: Self.key(booking, "reminder-\(reminder.code):\(start)"))]
        if let (ht, hf) = await format(forHost: host), let account = host.telegramUserID {
            let minutes = booking.price.minutes
            let hostText = reminder == .dayBefore
                ? ht.hostReminderDayBefore(when: hf.range(booking.time), minutes: minutes)
                : ht.hostReminderQuarterHour(when: hf.range(booking.time), minutes: minutes)
            messages.append(.send(
                SendMessage(chatId: account.rawValue, text: hostText),
                kind: "host.reminder.\(reminder.code)", dedupeKey: Self.key(booking, "host-reminder-\(reminder.code):\(start)")))
        }
        return messages
    }

    /// The join links at the start: one message each to the user and the host with a "🎥 Join" URL button.
    /// A nil link sends nothing to that side. The links carry credentials: they live only in the outbox
    /// payload (never in logs), and `until` is when they stop working.
    public func callLinks(_ booking: Booking, userLink: String?, hostLink: String?, until: Instant) async -> [NewOutboxMessage] {
        guard let host = try? await store.host(booking.hostID) else { return [] }
        var messages: [NewOutboxMessage] = []
        if let userLink {
            let (t, f) = await format(for: booking.userID)
            messages.append(.send(
                SendMessage(chatId: booking.userID.rawValue,
                            text: t.callStarting(host: html(host.displayName.value), when: f.range(booking.time), until: f.clock(until)),
                            replyMarkup: Screen(text: "", keyboard: [[.url(t.join, userLink)]]).markup),
                kind: "call.link", dedupeKey: Self.key(booking, "link-user")))
        }
        if let hostLink, let (ht, hf) = await format(forHost: host), let account = host.telegramUserID {
            messages.append(.send(
                SendMessage(chatId: account.rawValue, text: ht.hostCallStarting(when: hf.range(booking.time), until: hf.clock(until)),
                            replyMarkup: Screen(text: "", keyboard: [[.url(ht.join, hostLink)]]).markup),
                kind: "host.call.link", dedupeKey: Self.key(booking, "link-host")))
        }
        return messages
    }

    /// After the call: the user rates it with 1–5 star buttons, or skips.
    public func reviewPrompt(_ booking: Booking) async -> [NewOutboxMessage] {
        guard let id = booking.id, let host = try? await store.host(booking.hostID) else { return [] }
        let (t, _) = await format(for: booking.userID)
        let stars: [Screen.Button] = (1...5).map { .action(t.stars($0), .rate(booking: id, stars: $0)) }
        let keyboard: [[Screen.Button]] = [Array(stars.prefix(3)), Array(stars.suffix(2)), [.action(t.skip, .reviewSkip(booking: id))]]
        return [.send(
            SendMessage(chatId: booking.userID.rawValue, text: t.reviewPrompt(host: html(host.displayName.value)),
                        replyMarkup: Screen(text: "", keyboard: keyboard).markup),
            kind: "review.prompt", dedupeKey: Self.key(booking, "review-prompt"))]
    }
}

// MARK: Fulfilment and money to return
extension Notices {
    /// Every message a provider payment may cause, for `Store.fulfil` to write the ones that apply.
    public func fulfilment(
        _ booking: Booking?, method: PaymentMethod, reference: String, amount: PaidAmount?, reversal: Bool, automaticRefund: Bool,
        admins: [TelegramUserID]
    ) async -> FulfilmentNotices {
        var notices = FulfilmentNotices()
        let shown = amount?.description ?? booking?.price.total.formatted() ?? "?"
        if let booking {
            notices.confirmed = await confirmed(booking, paid: shown)
            notices.failed = await paymentFailed(booking, method: method, reference: reference)
            let (t, _) = await format(for: booking.userID)
            for reason in ReturnReason.allCases {
                notices.owed[reason] = [.send(
                    SendMessage(chatId: booking.userID.rawValue, text: t.paymentNotKept(reason, total: shown, automaticRefund: automaticRefund)),
                    kind: "payment.refund_owed", dedupeKey: "payment-owed:\(method.rawValue):\(reference)")]
            }
        }
        for admin in admins {
            let (t, _) = await format(for: admin)
            let text = reversal
                ? t.adminReversal(method: method.rawValue, reference: html(reference), amount: shown, booking: t.bookingLabel(booking?.id?.rawValue))
                : t.adminMoneyOwed(method: method.rawValue, reference: html(reference), amount: shown, booking: t.bookingLabel(booking?.id?.rawValue))
            notices.admins.append(.send(
                SendMessage(chatId: admin.rawValue, text: text), kind: "admin.money_to_return",
                dedupeKey: "money-admin:\(method.rawValue):\(reference):\(reversal ? "reversal" : "payment"):\(admin.rawValue)"))
        }
        return notices
    }

    /// Admins are told a cancelled booking's refund waits for them: made by hand (`manual`), or failed at the
    /// provider.
    public func adminRefundOwed(_ booking: Booking, manual: Bool, admins: [TelegramUserID]) async -> [NewOutboxMessage] {
        guard let id = booking.id else { return [] }
        var messages: [NewOutboxMessage] = []
        for admin in admins {
            let (t, _) = await format(for: admin)
            messages.append(.send(
                SendMessage(chatId: admin.rawValue, text: t.adminRefundOwed(Int(id.rawValue), method: booking.paymentMethod ?? "?",
                                                                            amount: booking.price.total.formatted(), manual: manual)),
                kind: "admin.refund_owed", dedupeKey: "refund-admin:\(id.rawValue):\(manual ? "manual" : "failed"):\(admin.rawValue)"))
        }
        return messages
    }

    /// The payer is told their money went back (a row of the list settled through the provider).
    public func moneyReturned(_ row: MoneyToReturn) async -> [NewOutboxMessage] {
        guard let user = row.userID else { return [] }
        let (t, _) = await format(for: user)
        return [.send(SendMessage(chatId: user.rawValue, text: t.paymentReturned(total: row.amount?.description ?? "?")),
                      kind: "payment.refunded", dedupeKey: "payment-returned:\(row.provider):\(row.reference)")]
    }
}
