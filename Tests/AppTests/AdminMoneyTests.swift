import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

@Suite("Admin money screens, end to end", .serialized)
struct AdminMoneyTests {
    let admin = User(id: 9001, firstName: "Ada", languageCode: "en")
    static let env = ["ADMIN_TELEGRAM_IDS": "9001"]

    /// One paid booking: $300.00, commission $90.00, host share $210.00.
    func seedPaidBooking(_ h: BotHarness) async throws -> Domain.Host {
        let host = try await h.addHost()
        let hold = try await h.store.createHold(
            try Booking.hold(hostID: host.id!, userID: TelegramUserID(42), start: BotHarness.start.adding(days: 1), minutes: 60,
                             pricePerMinute: host.pricePerMinute.money, commission: .standard, now: h.clock.now, holdMinutes: 30),
            bufferMinutes: 0, maxLiveHolds: .max)
        _ = try await h.store.apply(.paymentConfirmed(method: "stripe", at: h.clock.now), to: hold.id!)
        return host
    }

    @Test func aPayoutAboveTheUnpaidBalanceIsRefusedAndOneWithinItIsRecorded() async throws {
        try await BotHarness.with { h in
            _ = try await seedPaidBooking(h)
            let admin = self.admin
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/view_models_list", from: admin)
                try await h.expectLast(admin.id, contains: "Hosts")
                try await h.tap("🟢 Anna (@anna_host)", as: admin)
                try await h.tap("💸 Payouts", as: admin)
                try await h.expectLast(admin.id, contains: "owed $210.00")
                try await h.tap("➕ Record a payout", as: admin)
                await h.fake.sendText("210.01", from: admin)
                try await h.expectLast(admin.id, contains: "the unpaid balance is $210.00")
                #expect(try await h.store.payouts(hostID: HostID(1)).isEmpty)
                await h.fake.sendText("200 wire 7", from: admin)
                try await h.expectLast(admin.id, contains: "Payout of $200.00 recorded")
                try await h.expectLast(admin.id, contains: "owed $10.00")
                let payouts = try await h.store.payouts(hostID: HostID(1))
                #expect(payouts.map(\.amount) == [Money(minorUnits: 20_000, currency: .usd)])
                #expect(payouts.first?.reference == "wire 7")
            }
        }
    }

    @Test func earningsAnalyticsAndTheLedgerCSV() async throws {
        try await BotHarness.with { h in
            _ = try await seedPaidBooking(h)
            let admin = self.admin
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/admin_models", from: admin)
                try await h.expectLast(admin.id, contains: "Admin")
                try await h.tap("💰 Earnings", as: admin)
                try await h.expectLast(admin.id, contains: "Anna: 1 booking(s) · revenue $300.00 · commission $90.00 · host share $210.00")
                try await h.tap("⬅️ Back", as: admin)
                try await h.tap("📊 Analytics", as: admin)
                let report = try await h.expectLast(admin.id, contains: "Holds 1 · paid 1 · payment success 100.00 %")
                #expect(report.text?.contains("Revenue $300.00 · commission $90.00 · paid out $0.00") == true)
                #expect(report.text?.contains("Most booked hours: 09:00 (1)") == true) // 08:00 UTC = 09:00 Madrid
                try await h.tap("⬅️ Back", as: admin)
                try await h.tap("📄 Ledger CSV", as: admin)
                try await h.fake.waitUntil { await !h.fake.documents(chat: admin.id).isEmpty }
                let document = try #require(await h.fake.documents(chat: admin.id).first)
                #expect(document.fileName == "ledger-2026-11-25.csv")
                let csv = String(decoding: document.data, as: UTF8.self)
                #expect(csv.contains("300.00"))
                #expect(csv.contains("90.00"))
                #expect(csv.contains("210.00"))
                #expect(csv.contains("\r\n"))
            }
        }
    }
}
