import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram

/// The playground's demo world: three hosts in different zones, prices and lengths — one in a call, one with
/// reviews and linked to the host persona — each with a generated photo, so `/start` → book works at once.
/// Seeded only into an empty database; the photos (SVG drawn here) are handed to the simulator on every start.
enum DemoData {
    struct DemoHost {
        let username: String
        let name: String
        let bio: String
        let cents: Int64
        let minutes: (Int, Int)
        let zone: String
        let hours: String
        let status: HostStatus
        let colour: String
    }

    static let hosts = [
        DemoHost(username: "anna_demo", name: "Anna", bio: "Film, books and long walks. Let's talk about your favourite story.",
                 cents: 500, minutes: (15, 60), zone: "Europe/Madrid", hours: "Mon-Sun 09:00-22:00", status: .online, colour: "#e76f51"),
        DemoHost(username: "camila_demo", name: "Camila", bio: "Salsa, café y buena conversación. Hablo español e inglés.",
                 cents: 300, minutes: (30, 90), zone: "America/Bogota", hours: "Mon-Sat 08:00-20:00", status: .offline, colour: "#2a9d8f"),
        DemoHost(username: "kenji_demo", name: "Kenji", bio: "Anime, music and Tokyo tips.",
                 cents: 800, minutes: (15, 120), zone: "Asia/Tokyo", hours: "Mon-Fri 10:00-23:00", status: .busy, colour: "#264653"),
    ]

    static func photoID(_ username: String) -> String { "AgACAgDemo-\(username)" }

    /// A square portrait: the host's initial on their colour.
    static func photo(_ host: DemoHost) -> [UInt8] {
        let svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="640" height="640" viewBox="0 0 640 640">\
            <rect width="640" height="640" fill="\(host.colour)"/>\
            <circle cx="320" cy="250" r="120" fill="#ffffff" fill-opacity="0.85"/>\
            <rect x="150" y="400" width="340" height="200" rx="100" fill="#ffffff" fill-opacity="0.85"/>\
            <text x="320" y="290" font-family="sans-serif" font-size="120" text-anchor="middle" fill="\(host.colour)">\(host.name.prefix(1))</text>\
            </svg>
            """
        return Array(svg.utf8)
    }

    static func prepare(store: any Store, fake: FakeBotAPI, host persona: Playground.Persona, now: Instant) async throws {
        for host in hosts { await fake.storeFile(photoID(host.username), data: photo(host), contentType: "image/svg+xml") }
        guard try await store.hosts(listedOnly: false).isEmpty else { return }
        for demo in hosts {
            var host = try Domain.Host(
                username: TelegramUsername(parsing: demo.username), displayName: DisplayName(parsing: demo.name), bio: Bio(parsing: demo.bio),
                pricePerMinute: PricePerMinute(Money(minorUnits: demo.cents, currency: .usd)),
                durations: DurationRange(min: demo.minutes.0, max: demo.minutes.1), zone: Zone(identifier: demo.zone)!,
                availability: WeeklyAvailability(parsing: demo.hours), status: demo.status)
            if demo.username == persona.username { host.telegramUserID = TelegramUserID(persona.id) }
            let saved = try await store.createHost(host, at: now)
            _ = try await store.addPhoto(hostID: saved.id!, fileID: photoID(demo.username), caption: nil, at: now)
            if demo.username == persona.username { try await reviews(for: saved, store: store, now: now) }
        }
    }

    /// Two past calls of the host, paid and held, each with a review.
    static func reviews(for host: Domain.Host, store: any Store, now: Instant) async throws {
        for (days, stars, text) in [(9, 5, "Lovely chat, time flew."), (4, 4, "Great tips on books.")] {
            let start = now.adding(days: -days)
            var booking = try Booking.hold(hostID: host.id!, userID: TelegramUserID(7_000_900 + Int64(days)), start: start, minutes: 30,
                                           pricePerMinute: host.pricePerMinute.money, commission: .standard, now: start.adding(days: -1),
                                           holdMinutes: 30)
            booking = try await store.createHold(booking, bufferMinutes: 0, maxLiveHolds: .max)
            let id = booking.id!
            _ = try await store.apply(.paymentConfirmed(method: "stars", at: start.adding(days: -1)), to: id)
            _ = try await store.apply(.callStarted(at: start), to: id)
            _ = try await store.apply(.callEnded(at: start.adding(minutes: 30)), to: id)
            _ = try await store.addReview(Review(bookingID: id, hostID: host.id!, userID: booking.userID, rating: stars, text: text,
                                                 createdAt: start.adding(minutes: 40)))
        }
    }
}
