import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// Reviews through the fake Bot API: stars, then text or skip; one per booking, only by its user, only after
/// completion; the host's average changes at once; admins hide an abusive one (audited).
@Suite("Reviews", .serialized)
struct ReviewFlowTests {
    static let admin = User(id: 9001, firstName: "Root", languageCode: "en")
    static let env = ["ADMIN_TELEGRAM_IDS": "9001"]

    /// A booking of `user` with host 1 that went through payment, start and end (yesterday).
    static func booking(_ h: BotHarness, user: Int64, status: BookingStatus = .completed, daysAgo: Int = 1) async throws -> BookingID {
        let start = BotHarness.start.adding(days: -daysAgo)
        var b = try Booking.hold(hostID: HostID(1), userID: TelegramUserID(user), start: start, minutes: 30,
                                 pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                 now: start.adding(days: -2), holdMinutes: 30)
        b = try await h.store.createHold(b, bufferMinutes: 0, maxLiveHolds: .max)
        let id = try #require(b.id)
        guard status != .pending else { return id }
        _ = try await h.store.apply(.paymentConfirmed(method: "stripe", at: start.adding(days: -2)), to: id)
        guard status != .confirmed else { return id }
        _ = try await h.store.apply(.callStarted(at: start), to: id)
        guard status != .active else { return id }
        _ = try await h.store.apply(.callEnded(at: start.adding(minutes: 30)), to: id)
        return id
    }

    /// A bot message in the user's chat to press forged or prompt buttons on.
    static func anyMessage(_ h: BotHarness, _ user: User) async throws -> Int64 {
        let before = await h.fake.lastMessage(chat: user.id)?.messageId
        await h.fake.sendText("/start", from: user)
        try await h.fake.waitUntil {
            guard let last = await h.fake.lastMessage(chat: user.id) else { return false }
            return last.messageId != before && (last.text ?? "").hasPrefix("👋")
        }
        return try #require(await h.fake.lastMessage(chat: user.id)).messageId
    }

    @Test func starsThenTextUpdatesTheAverageAtOnce() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let user = User(id: 8201, firstName: "Ana", languageCode: "en")
            let id = try await Self.booking(h, user: user.id)
            try await h.run { _ in
                // Before the review, the finished call can still be reported as a host no-show.
                await h.fake.sendText("/my_bookings", from: user)
                let before = try await h.expectLast(user.id, contains: "#\(id.rawValue) ·")
                #expect(h.fake.buttonLabels(of: before).joined().contains("🚫 Host didn't show #\(id.rawValue)"))
                let message = try await Self.anyMessage(h, user)
                await h.fake.tapData("rv:\(id.rawValue):4", messageId: message, as: user)
                try await h.expectLast(user.id, contains: "Thank you for the ⭐⭐⭐⭐")
                // The rating counts before any text arrives.
                #expect(try await h.store.ratingSummaries()[HostID(1)] == RatingSummary(averageHundredths: 400, count: 1))
                await h.fake.sendText(String(repeating: "a", count: 501), from: user)
                try await h.expectLast(user.id, contains: "That is 501 characters")
                #expect(try await h.store.review(bookingID: id)?.text == nil)
                await h.fake.sendText("  Lovely <b>call</b>  ", from: user)
                try await h.expectLast(user.id, contains: "Your review is published")
                // A reviewed call took place: no "host didn't show" for it any more.
                await h.fake.sendText("/my_bookings", from: user)
                let after = try await h.expectLast(user.id, contains: "#\(id.rawValue) ·")
                #expect(!h.fake.buttonLabels(of: after).joined().contains("🚫 Host didn't show #\(id.rawValue)"))
                let review = try #require(try await h.store.review(bookingID: id))
                #expect(review.rating == 4 && review.text == "Lovely <b>call</b>" && review.userID == TelegramUserID(user.id))
                // The list and the profile show it at once; the text is escaped.
                await h.fake.sendText("/book_private_call", from: user)
                let list = try await h.expectLast(user.id, contains: "choose a host")
                #expect(list.text?.contains("★ 4.0 (1)") == true)
                try await h.tap("🟢 Anna · $5.00/min", as: user)
                let profile = try await h.expectLast(user.id, contains: "Latest reviews")
                #expect(profile.text?.contains("Lovely <b>call</b>") == true)
                // Text afterwards is no longer taken as a review.
                await h.fake.sendText("more words", from: user)
                try await h.expectLast(user.id, contains: "I don't know that command")
                #expect(try await h.store.review(bookingID: id)?.text == "Lovely <b>call</b>")
            }
        }
    }

    @Test func secondReviewOtherUserAndUnfinishedCallsAreRefused() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let user = User(id: 8202, firstName: "Bo", languageCode: "en")
            let stranger = User(id: 8203, firstName: "Cy", languageCode: "es")
            let done = try await Self.booking(h, user: user.id)
            let upcoming = try await Self.booking(h, user: user.id, status: .confirmed, daysAgo: -3)
            let running = try await Self.booking(h, user: user.id, status: .active, daysAgo: 0)
            try await h.run { _ in
                let message = try await Self.anyMessage(h, user)
                let strangerMessage = try await Self.anyMessage(h, stranger)
                // Someone else's booking (a forwarded button): refused, in the presser's language, nothing stored.
                await h.fake.tapData("rv:\(done.rawValue):1", messageId: strangerMessage, as: stranger)
                try await h.expectLast(stranger.id, contains: "Solo quien reservó esta llamada")
                #expect(try await h.store.review(bookingID: done) == nil)
                // Not completed yet.
                for id in [upcoming, running] {
                    await h.fake.tapData("rv:\(id.rawValue):5", messageId: message, as: user)
                    try await h.expectLast(user.id, contains: "once it has ended")
                    #expect(try await h.store.review(bookingID: id) == nil)
                }
                // First one counts, the second is refused and changes nothing. (Pressed on the newest message: the answer edits it.)
                await h.fake.tapData("rv:\(done.rawValue):5", messageId: try await Self.anyMessage(h, user), as: user)
                try await h.expectLast(user.id, contains: "Thank you for the ⭐⭐⭐⭐⭐")
                try await h.tap("Skip", as: user)
                try await h.expectLast(user.id, contains: "Your rating is published")
                await h.fake.tapData("rv:\(done.rawValue):1", messageId: message, as: user)
                try await h.expectLast(user.id, contains: "already reviewed")
                #expect(try await h.store.review(bookingID: done)?.rating == 5)
                #expect(try await h.store.ratingSummaries()[HostID(1)]?.count == 1)
                // Forged star values never parse.
                await h.fake.tapData("rv:\(done.rawValue):9", messageId: message, as: user)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                #expect(try await h.store.review(bookingID: done)?.rating == 5)
            }
        }
    }

    @Test func skippingThePromptStoresNothing() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let user = User(id: 8204, firstName: "Di", languageCode: "en")
            let id = try await Self.booking(h, user: user.id)
            try await h.run { _ in
                let message = try await Self.anyMessage(h, user)
                await h.fake.tapData("rk:\(id.rawValue)", messageId: message, as: user)
                try await h.expectLast(user.id, contains: "no review for this call")
                #expect(try await h.store.review(bookingID: id) == nil)
            }
        }
    }

    @Test func adminHidesAnAbusiveReviewAudited() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let user = User(id: 8205, firstName: "Ed", languageCode: "en")
            let good = try await Self.booking(h, user: user.id, daysAgo: 2)
            let bad = try await Self.booking(h, user: user.id, daysAgo: 1)
            _ = try await h.store.addReview(Review(bookingID: good, hostID: HostID(1), userID: TelegramUserID(user.id), rating: 5, text: "great", createdAt: BotHarness.start))
            let abusive = try await h.store.addReview(Review(bookingID: bad, hostID: HostID(1), userID: TelegramUserID(user.id), rating: 1,
                                                             text: "insults", createdAt: BotHarness.start.adding(minutes: 1)))
            let abusiveID = try #require(abusive.id)
            #expect(try await h.store.ratingSummaries()[HostID(1)] == RatingSummary(averageHundredths: 300, count: 2))
            try await h.run(Self.env) { _ in
                // A non-admin pressing the admin button changes nothing.
                let message = try await Self.anyMessage(h, user)
                await h.fake.tapData("av:\(abusiveID):1", messageId: message, as: user)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                #expect(try await h.store.review(bookingID: bad)?.hidden == false)

                await h.fake.sendText("/admin_models", from: Self.admin)
                try await h.expectLast(Self.admin.id, contains: "Admin")
                try await h.tap("⭐ Reviews", as: Self.admin)
                try await h.expectLast(Self.admin.id, contains: "insults")
                try await h.tap("🙈 Hide #\(abusiveID)", as: Self.admin)
                try await h.expectLast(Self.admin.id, contains: "hidden")
                #expect(try await h.store.ratingSummaries()[HostID(1)] == RatingSummary(averageHundredths: 500, count: 1))
                #expect(try await h.store.reviews(hostID: HostID(1), limit: 10).map(\.text) == ["great"])
                let audit = try #require(try await h.store.auditLog(limit: 1).first)
                #expect(audit.action == "review.hide" && audit.entityID == "\(abusiveID)" && audit.actor == Self.admin.id)
                try await h.tap("👁 Show #\(abusiveID)", as: Self.admin)
                try await h.fake.waitUntil { (try? await h.store.ratingSummaries()[HostID(1)]?.count) == 2 }
                #expect(try await h.store.auditLog(limit: 1).first?.action == "review.show")
            }
        }
    }
}
