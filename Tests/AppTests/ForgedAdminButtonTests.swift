import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App
@testable import Bot

/// Every admin action (generated from `AdminAction.allCases`, one sample per case, aimed at real rows), pressed
/// by someone who is not an admin with forged button data, changes nothing and is answered "admins only".
@Suite("Forged admin buttons", .serialized)
struct ForgedAdminButtonTests {
    static let admin = User(id: 9001, firstName: "Ada", username: "ada_admin", languageCode: "en")
    static let user = User(id: 9002, firstName: "Uma", languageCode: "en")
    static let env = ["ADMIN_TELEGRAM_IDS": "9001"]

    /// Rows every admin action would change if it ran: host 1 (online, active) with photo 1; booking 1 paid and
    /// upcoming (cancel), booking 2 cancelled with a manual refund owed (refund done), booking 3 with a failed
    /// refund (retry), booking 4 a completed call with an open no-show report and review 1 (confirm no-show,
    /// hide review); and a finished add-host wizard in the presser's chat (its buttons would create a host).
    static func seed(_ h: BotHarness, chats: [Int64]) async throws {
        let host = try await h.addHost()
        _ = try await h.store.addPhoto(hostID: host.id!, fileID: "AgAD-anna-1", caption: "one", at: h.clock.now)
        func paid(_ start: Instant, method: String, heldAt: Instant) async throws -> BookingID {
            let hold = try Booking.hold(hostID: host.id!, userID: TelegramUserID(Self.user.id), start: start, minutes: 60,
                                        pricePerMinute: host.pricePerMinute.money, commission: .standard, now: heldAt, holdMinutes: 30)
            let id = try #require(try await h.store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id)
            _ = try await h.store.apply(.paymentConfirmed(method: method, at: heldAt), to: id)
            return id
        }
        let now = h.clock.now
        let upcoming = try await paid(now.adding(days: 2), method: "stars", heldAt: now)
        let manual = try await paid(now.adding(days: 3), method: "epayco", heldAt: now)
        _ = try await h.store.apply(.cancelled(by: .admin, refund: true, at: now), to: manual)
        let failed = try await paid(now.adding(days: 4), method: "stars", heldAt: now)
        _ = try await h.store.apply(.cancelled(by: .admin, refund: true, at: now), to: failed)
        _ = try await h.store.apply(.refundSettled(succeeded: false, at: now), to: failed)
        let callStart = now.adding(minutes: -180)
        let done = try await paid(callStart, method: "stars", heldAt: now.adding(days: -1))
        _ = try await h.store.apply(.callStarted(at: callStart), to: done)
        _ = try await h.store.apply(.callEnded(at: callStart.adding(minutes: 60)), to: done)
        #expect(try await h.store.reportNoShow(done, by: TelegramUserID(Self.user.id), at: now, messages: []))
        let review = try await h.store.addReview(Review(bookingID: done, hostID: host.id!, userID: TelegramUserID(Self.user.id), rating: 2,
                                                        text: "late", createdAt: now))
        #expect([upcoming, manual, failed, done].map(\.rawValue) == [1, 2, 3, 4] && review.id == 1)

        var draft = HostDraft()
        draft.step = .summary
        draft.username = "lena_calls"
        draft.displayName = "Lena"
        draft.bio = "Hi"
        draft.priceMinorUnits = 250
        draft.currency = "USD"
        draft.minMinutes = 30
        draft.maxMinutes = 60
        draft.availability = "Mon-Fri 09:00-17:00"
        draft.zone = "Europe/Madrid"
        #expect(draft.host() != nil)
        for chat in chats {
            try await h.store.setConversationState(chatID: chat, ConversationState(mode: .wizard, draft: draft).encoded, at: now)
        }
    }

    /// Everything an admin action could change.
    struct Snapshot: Equatable {
        var hosts: [Domain.Host]
        var photos: [HostPhoto]
        var bookings: [Booking]
        var payouts: [Payout]
        var reviews: [Review]
        var noShowReports: [NoShowReport]
        var audit: [AuditEntry]
        var conversation: String?
        var outbox: [OutboxMessage]
        var balance: [Currency: HostBalance]

        init(_ store: any Store, chat: Int64) async throws {
            hosts = try await store.hosts(listedOnly: false)
            photos = try await store.photos(hostID: HostID(1))
            bookings = try await store.allBookings(from: nil, to: nil, hostID: nil)
            payouts = try await store.payouts(hostID: nil)
            reviews = try await store.allReviews(includeHidden: true)
            noShowReports = try await store.openNoShowReports()
            audit = try await store.auditLog(limit: 10_000)
            conversation = try await store.conversationState(chatID: chat)
            outbox = try await store.outbox(status: nil)
            balance = try await store.balance(hostID: HostID(1))
        }
    }

    /// Every admin sample, aimed at ids 1…4 (hosts, photos and reviews exist as 1, bookings as 1…4).
    static var presses: [String] { (1...4).flatMap { id in AdminAction.samples(id: id).map { CallbackAction.admin($0).encoded() } } }

    static func press(_ h: BotHarness, _ data: [String], as presser: User) async throws {
        for d in data {
            await h.fake.tapData(d, messageId: 1, as: presser)
            // Idle when the bot has answered the press (it answers last, after any change and screen).
            try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
        }
    }

    /// Screens the bot sent or edited (anything but answers to presses and polling).
    static func screens(_ h: BotHarness) async -> Int {
        let screens: Set<String> = ["sendMessage", "editMessageText", "sendPhoto", "sendDocument", "sendMediaGroup", "editMessageReplyMarkup"]
        return await h.fake.calls().filter { screens.contains($0.method) }.count
    }

    @Test func everyAdminActionPressedByANonAdminChangesNothingAndIsAnsweredAdminsOnly() async throws {
        try await BotHarness.with { h in
            try await Self.seed(h, chats: [Self.user.id, Self.admin.id])
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/start", from: Self.user)
                try await h.expectLast(Self.user.id, contains: "Welcome")
                let before = try await Snapshot(h.store, chat: Self.user.id)
                let sentBefore = await Self.screens(h)

                let presses = Self.presses
                #expect(presses.count == 4 * AdminAction.Kind.allCases.count)
                try await Self.press(h, presses, as: Self.user)

                let after = try await Snapshot(h.store, chat: Self.user.id)
                #expect(after == before)
                let answers = try await h.fake.calls("answerCallbackQuery").map { try $0.decode(AnswerCallbackQuery.self) }
                #expect(answers.count == presses.count)
                #expect(answers.allSatisfy { $0.text == "This is for admins only." && $0.showAlert == true })
                // No screen either: nothing was sent or edited for these presses.
                #expect(await Self.screens(h) == sentBefore)

                // The same presses by the admin do change things: the rows above are what these actions act on.
                try await Self.press(h, presses, as: Self.admin)
                // (Both chats started with the same wizard state, so `before` is the admin's starting point too.)
                let adminAfter = try await Snapshot(h.store, chat: Self.admin.id)
                #expect(adminAfter.hosts.first != before.hosts.first, "status, active")
                #expect(adminAfter.photos.isEmpty, "photo removed")
                #expect(adminAfter.bookings != before.bookings, "cancel, refund done, no-show")
                #expect(adminAfter.reviews.allSatisfy { $0.hidden }, "review hidden")
                #expect(adminAfter.noShowReports.isEmpty, "no-show report resolved")
                #expect(adminAfter.audit.count > before.audit.count)
                #expect(adminAfter.conversation != before.conversation)
            }
        }
    }
}
