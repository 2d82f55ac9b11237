import Bot
import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// One account cannot hold every slot through the bot, even pressing forged Pay buttons all at once.
@Suite("Hold limit in the bot", .serialized)
struct HoldLimitFlowTests {
    static let user = User(id: 7001, firstName: "Hoarder", languageCode: "en")
    static let env = ["STARS_PER_USD": "50", "MAX_LIVE_HOLDS_PER_USER": "3"]

    /// Texts of every screen the bot sent or edited in a chat, oldest first.
    static func screens(_ h: BotHarness, chat: Int64) async throws -> [String] {
        var texts: [String] = []
        for call in await h.fake.calls() where call.method == "sendMessage" || call.method == "editMessageText" {
            guard let json = try JSONSerialization.jsonObject(with: call.body) as? [String: Any],
                  (json["chat_id"] as? NSNumber)?.int64Value == chat || (json["chat_id"] as? String) == "\(chat)" else { continue }
            texts.append(json["text"] as? String ?? "")
        }
        return texts
    }

    @Test(arguments: BotHarness.Database.available)
    func fiftyPayPressesAtOnceHoldAtMostTheLimitAndTheRestAreToldWhatToPayOrRelease(database: BotHarness.Database) async throws {
        try await BotHarness.with(database) { h in
            let host = try #require(try await h.addHost().id)
            // 50 free, disjoint 30-minute times on Thursday and Friday, 09:00–22:00 Madrid (08:00–21:00 UTC).
            let starts = (1...2).flatMap { day in (0..<25).map { BotHarness.start.adding(days: day).adding(minutes: 30 * $0) } }
            let presses = starts.map { CallbackAction.pay(host: host, startMinute: $0.epochSeconds / 60, minutes: 30).encoded() }
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/start", from: Self.user)
                let menu = try await h.expectLast(Self.user.id, contains: "Welcome")
                await withTaskGroup(of: Void.self) { group in
                    for data in presses { group.addTask { _ = await h.fake.tapData(data, messageId: menu.messageId, as: Self.user) } }
                }
                try await h.fake.waitUntil(timeout: .seconds(30)) { await h.fake.unansweredCallbackQueries().isEmpty }

                let held = try await h.store.bookings(userID: TelegramUserID(Self.user.id)).filter { $0.status == .pending }
                #expect(held.count == 3, "MAX_LIVE_HOLDS_PER_USER=3: \(held.count) holds")
                let screens = try await Self.screens(h, chat: Self.user.id)
                let refused = screens.filter { $0.contains("You already have 3 bookings waiting for payment") }
                #expect(refused.count == 47)
                // The refusal lists the open holds (host, time in the user's zone, price) with Pay and Release each.
                let last = try #require(await h.fake.lastMessage(chat: Self.user.id))
                let text = last.text ?? ""
                #expect(text.contains("You already have 3 bookings waiting for payment"))
                for b in held {
                    #expect(text.contains("#\(b.id!.rawValue) · Anna · "), "\(text)")
                }
                #expect(text.contains("(Europe/Madrid) · $150.00"))
                let labels = h.fake.buttonLabels(of: last).flatMap { $0 }
                for b in held { #expect(labels.contains("💳 Pay #\(b.id!.rawValue)") && labels.contains("✖️ Release #\(b.id!.rawValue)")) }

                // Pay shows that hold's payment choice; Release frees a place, and the next Pay holds a new time.
                let first = held.map { $0.id! }.min()!
                try await h.tap("💳 Pay #\(first.rawValue)", as: Self.user)
                try await h.expectLast(Self.user.id, contains: "Your time is held for you")
                #expect(try await h.store.bookings(userID: TelegramUserID(Self.user.id)).filter { $0.status == .pending }.count == 3)
                let again = try #require(presses.first { p in !held.contains { CallbackAction.pay(host: host, startMinute: $0.time.start.epochSeconds / 60, minutes: 30).encoded() == p } })
                await h.fake.tapData(again, messageId: menu.messageId, as: Self.user)
                try await h.expectLast(Self.user.id, contains: "waiting for payment")
                try await h.tap("✖️ Release #\(first.rawValue)", as: Self.user)
                #expect(try await h.store.booking(first)?.status == .cancelled)
                await h.fake.tapData(again, messageId: menu.messageId, as: Self.user)
                try await h.expectLast(Self.user.id, contains: "Your time is held for you")
                #expect(try await h.store.bookings(userID: TelegramUserID(Self.user.id)).filter { $0.status == .pending }.count == 3)
            }
        }
    }

    @Test func aBadLimitStopsStartUpNamingTheVariable() throws {
        for bad in ["0", "-1", "two", "1001"] {
            do {
                _ = try AppConfiguration.load(environment: ["MAX_LIVE_HOLDS_PER_USER": bad])
                Issue.record("MAX_LIVE_HOLDS_PER_USER=\(bad) was accepted")
            } catch {
                #expect("\(error)".contains("MAX_LIVE_HOLDS_PER_USER"), "\(error)")
            }
        }
        #expect(try AppConfiguration.load(environment: [:]).maxLiveHoldsPerUser == 2)
        #expect(try AppConfiguration.load(environment: ["MAX_LIVE_HOLDS_PER_USER": "5"]).maxLiveHoldsPerUser == 5)
    }
}
