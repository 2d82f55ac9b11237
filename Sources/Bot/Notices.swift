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
                host: html(host.displayName.value), when: f.range(booking.time), total: paid ?? booking.price.total.formatted())),
            kind: "booking.confirmed", dedupeKey: Self.key(booking, "confirmed"))]
        if let (ht, hf) = await format(forHost: host), let account = host.telegramUserID {
            messages.append(.send(
                SendMessage(chatId: account.rawValue, text: ht.hostNewBooking(
                    when: hf.range(booking.time), minutes: booking.price.minutes, share: booking.price.split.host.formatted())),
                kind: "host.new_booking", dedupeKey: Self.key(booking, "host-new")))
        }
        return messages
    }

    /// Tells the user their unpaid hold ran out.
    public func holdExpired(_ booking: Booking) async -> [NewOutboxMessage] {
        let (t, _) = await format(for: booking.userID)
        return [.send(SendMessage(chatId: booking.userID.rawValue, text: t.holdExpiredNotice),
                      kind: "hold.expired", dedupeKey: Self.key(booking, "expired"))]
    }

    /// A payment that could not be honoured (slot taken meanwhile, booking not payable) went back.
    public func latePaymentRefunded(_ booking: Booking, amount: String? = nil, reference: String) async -> [NewOutboxMessage] {
        let (t, _) = await format(for: booking.userID)
        return [.send(SendMessage(chatId: booking.userID.rawValue, text: t.latePaymentRefunded(total: amount ?? booking.price.total.formatted())),
                      kind: "payment.refunded", dedupeKey: "payment-refund:\(reference)")]
    }
}
