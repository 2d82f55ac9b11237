import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// /my_bookings and /host → "🎥 Join #n" sends the presser's own link again; nobody else gets one.
@Suite("Joining a call", .serialized)
struct JoinFlowTests {
    static let user = User(id: 8301, firstName: "Ana", languageCode: "en")
    static let hostAccount = User(id: 8302, firstName: "Anna", username: "anna_host", languageCode: "en")
    static let stranger = User(id: 8303, firstName: "Eve", languageCode: "en")

    static func confirmed(_ h: BotHarness, startsIn minutes: Int) async throws -> BookingID {
        let start = h.clock.now.adding(minutes: minutes)
        var b = try Booking.hold(hostID: HostID(1), userID: TelegramUserID(user.id), start: start, minutes: 30,
                                 pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                 now: h.clock.now.adding(days: -2), holdMinutes: 30)
        b = try await h.store.createHold(b, bufferMinutes: 0, maxLiveHolds: .max)
        let id = try #require(b.id)
        _ = try await h.store.apply(.paymentConfirmed(method: "stripe", at: h.clock.now.adding(days: -2)), to: id)
        return id
    }

    /// The newest message containing `text` — not necessarily the chat's newest: the scheduler's 15-minute
    /// reminder may arrive at any moment of this test.
    static func newest(_ h: BotHarness, _ chat: Int64, containing text: String) async throws -> Message {
        try await h.fake.waitUntil { await h.fake.messages(chat: chat).contains { ($0.text ?? "").contains(text) } }
        return try #require(await h.fake.messages(chat: chat).last { ($0.text ?? "").contains(text) })
    }

    /// The URL of the first button of the newest message containing `text`.
    static func joinURL(_ h: BotHarness, _ chat: Int64, _ text: String) async throws -> String {
        let message = try await newest(h, chat, containing: text)
        let button = try #require(message.replyMarkup?.inlineKeyboard.first?.first)
        #expect(button.text == "🎥 Join")
        return try #require(button.url)
    }

    @Test func bothSidesGetTheirOwnLinkAgainAndNobodyElse() async throws {
        try await BotHarness.with { h in
            var host = try await h.addHost()
            host.telegramUserID = TelegramUserID(Self.hostAccount.id)
            try await h.store.updateHost(host, at: h.clock.now)
            let soon = try await Self.confirmed(h, startsIn: 10)
            let later = try await Self.confirmed(h, startsIn: 3 * 24 * 60)
            try await h.run { _ in
                await h.fake.sendText("/my_bookings", from: Self.user)
                let list = try await Self.newest(h, Self.user.id, containing: "#\(later.rawValue) ·")
                let labels = h.fake.buttonLabels(of: list).flatMap { $0 }
                #expect(labels.contains("🎥 Join #\(soon.rawValue)"))
                #expect(!labels.contains("🎥 Join #\(later.rawValue)"))
                try await h.tap("🎥 Join #\(soon.rawValue)", as: Self.user)
                let userURL = try await Self.joinURL(h, Self.user.id, "The link works only during your booked time")
                #expect(userURL.hasPrefix("https://meet.jit.si/"))
                let room = try #require(try await h.store.room(of: soon))
                #expect(userURL == "https://meet.jit.si/\(room.name)")

                // The host, from /host (their linked account), gets the same room.
                await h.fake.sendText("/host", from: Self.hostAccount)
                try await Self.newest(h, Self.hostAccount.id, containing: "#\(soon.rawValue) ·")
                try await h.tap("🎥 Join #\(soon.rawValue)", as: Self.hostAccount)
                let hostURL = try await Self.joinURL(h, Self.hostAccount.id, "The link works only during the booked time")
                #expect(hostURL == userURL)

                // Someone else pressing a forwarded Join button gets nothing.
                await h.fake.sendText("/start", from: Self.stranger)
                let menu = try await h.expectLast(Self.stranger.id, contains: "PrivateCalls")
                await h.fake.tapData("j:\(soon.rawValue)", messageId: menu.messageId, as: Self.stranger)
                let refused = try await Self.newest(h, Self.stranger.id, containing: "That call is not yours")
                #expect(refused.replyMarkup?.inlineKeyboard.flatMap { $0 }.allSatisfy { $0.url == nil } ?? true)

                // A call days away has no open room: a forged press says so and gives no link.
                let before = await h.fake.messages(chat: Self.user.id).count
                await h.fake.tapData("j:\(later.rawValue)", messageId: list.messageId, as: Self.user)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                let after = await h.fake.messages(chat: Self.user.id)
                #expect(!after.dropFirst(before).contains { m in m.replyMarkup?.inlineKeyboard.flatMap { $0 }.contains { $0.url != nil } ?? false })
                let edited = try #require(after.first { $0.messageId == list.messageId })
                #expect(edited.text?.contains("is not open") == true)
                #expect(!edited.replyMarkup!.inlineKeyboard.flatMap { $0 }.contains { $0.url != nil })
            }
        }
    }
}
