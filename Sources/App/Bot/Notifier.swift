import Bot
import Domain
import Logging
import Storage
import Telegram

/// Tells users and hosts what happened to their bookings, in their own language and zone.
struct Notifier: Sendable {
    let client: TelegramClient
    let store: any Store
    let defaultZone: Zone
    let logger: Logger

    func format(for user: TelegramUserID) async -> (Texts, TimeFormat) {
        let profile = try? await store.user(user)
        let language = profile.flatMap { Language(rawValue: $0.language) } ?? .en
        return (Texts(language), TimeFormat(language: language, zone: profile?.zone ?? defaultZone))
    }

    func send(_ chat: Int64, _ text: String) async {
        do {
            _ = try await client.sendMessage(SendMessage(chatId: chat, text: text))
        } catch {
            logger.error("notification failed", metadata: ["chat": "\(chat)", "error": "\(error)"])
        }
    }

    func holdsExpired(_ bookings: [Booking]) async {
        for b in bookings {
            let (t, _) = await format(for: b.userID)
            await send(b.userID.rawValue, t.holdExpiredNotice)
        }
    }

    func bookingConfirmed(_ booking: Booking) async {
        guard let host = try? await store.host(booking.hostID) else { return }
        let (t, f) = await format(for: booking.userID)
        await send(booking.userID.rawValue, t.confirmed(host: html(host.displayName.value), when: f.range(booking.time), total: booking.price.total.formatted()))
        if let hostUser = host.telegramUserID {
            let (ht, _) = await format(for: hostUser)
            let hf = TimeFormat(language: ht.language, zone: host.zone)
            await send(hostUser.rawValue, ht.hostNewBooking(when: hf.range(booking.time), minutes: booking.price.minutes, share: booking.price.split.host.formatted()))
        }
    }

    func latePaymentRefunded(_ booking: Booking) async {
        let (t, _) = await format(for: booking.userID)
        await send(booking.userID.rawValue, t.latePaymentRefunded(total: booking.price.total.formatted()))
    }
}
