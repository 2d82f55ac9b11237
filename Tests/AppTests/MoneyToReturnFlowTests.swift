import Bot
import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// Money we could not keep, end to end: the admin is told at once through the outbox, the bot's Refunds
/// screen lists the row with its reason, "done" asks first, then settles it (audited, the payer told), and the
/// row leaves the list. A non-admin pressing the same buttons changes nothing.
@Suite("Money to return: notice, list and done", .serialized)
struct MoneyToReturnFlowTests {
    let admin = User(id: 9001, firstName: "Ada", languageCode: "en")
    let maria = User(id: 7001, firstName: "María", username: "maria", languageCode: "en")
    static let env = ["ADMIN_TELEGRAM_IDS": "9001"]

    @Test func anAdminIsToldSeesTheRowAndClosesItOnce() async throws {
        try await BotHarness.with { h in
            let host = try #require(try await h.addHost().id)
            let hold = try await h.store.createHold(
                try Booking.hold(hostID: host, userID: TelegramUserID(maria.id), start: BotHarness.start.adding(minutes: 10 * 60), minutes: 60,
                                 pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: h.clock.now, holdMinutes: 30),
                bufferMinutes: 0, maxLiveHolds: .max)
            let id = try #require(hold.id)
            try await h.store.saveUser(UserProfile(id: TelegramUserID(maria.id), language: "en"), at: h.clock.now)
            // An ePayco payment of the wrong amount for María's hold (ePayco has no refund API we call).
            let payment = ProviderPayment(
                provider: "epayco", eventID: "501:601:1", kind: "state 1", bookingID: id, reference: "501:601", binding: .firstUse,
                refundHandle: "501", amount: .money(Money(minorUnits: 1_000, currency: .usd)), outcome: .paid)
            let notices = await Notices(store: h.store, defaultZone: .utc).fulfilment(
                hold, method: .epayco, reference: payment.reference, amount: payment.amount, reversal: false, automaticRefund: false,
                admins: [TelegramUserID(admin.id)])
            let admin = self.admin, maria = self.maria, store = h.store, now = h.clock.now
            try await h.run(Self.env) { _ in
                // Both chats exist at the (strict) fake before anything is sent to them.
                await h.fake.sendText("/start", from: maria)
                try await h.expectLast(maria.id, contains: "Welcome")
                await h.fake.sendText("/start", from: admin)
                try await h.expectLast(admin.id, contains: "Welcome")
                let result = try await store.fulfil(payment, notices: notices, starsPerUSD: nil, at: now)
                guard case .owed(let row) = result else { Issue.record("expected money to return, got \(result)"); return }
                try await h.outboxIdle()
                #expect(await h.messages(admin.id, containing: "Money to return").count == 1)
                #expect(await h.messages(maria.id, containing: "will be returned").count == 1)

                // A forged press of the same buttons by María: nothing changes.
                let last = try #require(await h.fake.lastMessage(chat: maria.id))
                await h.fake.tapData(CallbackAction.admin(.moneyDone(row: row.id, confirmed: true)).encoded(), messageId: last.messageId, as: maria)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                #expect(try await h.store.moneyToReturn(id: row.id)?.state == .owed)

                await h.fake.sendText("/admin_models", from: admin)
                try await h.expectLast(admin.id, contains: "🛠 Admin")
                try await h.tap("💸 Refunds and reports", as: admin)
                let list = try await h.expectLast(admin.id, contains: "Money to return")
                #expect(list.text?.contains("r\(row.id) · epayco · $10.00 · booking #\(id) · paid $10.00, the price is $300.00 · owed") == true)
                try await h.tap("✅ r\(row.id) done", as: admin)
                try await h.expectLast(admin.id, contains: "Was this money returned")
                try await h.tap("✅ Yes, the refund is done", as: admin)
                try await h.expectLast(admin.id, contains: "r\(row.id) is closed")
                try await h.outboxIdle()
                #expect(await h.messages(maria.id, containing: "$10.00 was refunded in full").count == 1)
                let after = try await h.expectLast(admin.id, contains: "is closed")
                #expect(after.text?.contains("Money to return") == false)
            }
            let row = try #require(try await h.store.moneyToReturn(openOnly: false).first)
            let settled = try #require(try await h.store.moneyToReturn(id: row.id))
            #expect(settled.state == .settled && settled.settledBy == TelegramUserID(admin.id))
            #expect(try await h.store.auditLog(limit: 20).contains { $0.action == "refund.settled" && $0.actor == admin.id && $0.entityID == "\(row.id)" })
            #expect(try await h.store.booking(id)?.status == .pending, "the booking itself is untouched")
            #expect(try await h.store.ledger(bookingID: id).isEmpty)
        }
    }
}
