import Domain
import FakeTelegram
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Telegram
import Testing

@testable import App

/// The dashboard's bookings and money to return: the list and its filters, a booking's timeline, cancelling
/// with the refund through the same use case as the bot's admin button, and recording a manual refund.
@Suite("The web dashboard's bookings", .serialized)
struct DashboardBookingsTests {
    static func get(_ client: any TestClientProtocol, _ uri: String, cookie: String) async throws -> String {
        DashboardTests.body(try await client.execute(uri: uri, method: .get, headers: [.cookie: "pc_admin=\(cookie)"]))
    }

    /// A booking of `host` tomorrow at 09:00 + `hours`, paid through `method` (nil: a hold).
    static func booking(_ h: BotHarness, _ host: Domain.Host, user: Int64 = 9611, hours: Int64 = 0, method: String?) async throws -> BookingID {
        let hold = try await h.store.createHold(
            try Booking.hold(hostID: host.id!, userID: TelegramUserID(user), start: BotHarness.start.adding(days: 1).adding(seconds: hours * 3600), minutes: 30,
                             pricePerMinute: host.pricePerMinute.money, commission: .standard, now: h.clock.now, holdMinutes: 30),
            bufferMinutes: 0, maxLiveHolds: .max)
        if let method { _ = try await h.store.apply(.paymentConfirmed(method: method, at: h.clock.now), to: hold.id!) }
        return hold.id!
    }

    @Test func theListFiltersAndABookingIsCancelledWithItsManualRefundRecordedOnTheWeb() async throws {
        let user = User(id: 9611, firstName: "Ana", languageCode: "en")
        try await BotHarness.with { h in
            await h.fake.open(chatWith: user)
            let host = try await h.addHost()
            let paid = try await Self.booking(h, host, method: "epayco")
            let hold = try await Self.booking(h, host, hours: 2, method: nil)
            try await h.run(DashboardTests.env) { client in
                let (cookie, csrf) = try await DashboardTests.signIn(h, client)
                let all = try await Self.get(client, "/admin/bookings", cookie: cookie)
                #expect(all.contains("data-booking=\"\(paid.rawValue)\"") && all.contains("data-booking=\"\(hold.rawValue)\""))
                let pending = try await Self.get(client, "/admin/bookings?status=pending", cookie: cookie)
                #expect(!pending.contains("data-booking=\"\(paid.rawValue)\"") && pending.contains("data-booking=\"\(hold.rawValue)\""))
                let tomorrow = Zone(identifier: "Europe/Madrid")!.local(BotHarness.start.adding(days: 1)).date
                let otherDay = try await Self.get(client, "/admin/bookings?from=\(tomorrow.adding(days: 1))&zone=Europe/Madrid", cookie: cookie)
                #expect(otherDay.contains("No bookings match."))

                // The timeline so far; the cancel form says what goes back.
                let page = try await Self.get(client, "/admin/bookings/\(paid.rawValue)", cookie: cookie)
                #expect(page.contains("data-step=\"held\"") && page.contains("data-step=\"ledger-payment\""), "\(page)")
                #expect(page.contains("The user gets $150.00 back through epayco."))

                // Without the CSRF token: refused, nothing changed.
                let forged = try await DashboardTests.post(client, "/admin/bookings/\(paid.rawValue)/cancel", cookie: cookie, "")
                #expect(forged.status == .forbidden)
                #expect(try await h.store.booking(paid)?.status == .confirmed)

                let cancelled = try await DashboardTests.post(client, "/admin/bookings/\(paid.rawValue)/cancel", cookie: cookie, "csrf=\(csrf)")
                #expect(cancelled.status == .seeOther && cancelled.headers[.location] == "/admin/bookings/\(paid.rawValue)?result=manual")
                let after = try #require(try await h.store.booking(paid))
                #expect(after.status == .cancelled && after.cancelledBy == .admin && after.refundState == .pending)
                try await h.expectLast(user.id, contains: "cancelled")
                let again = try await DashboardTests.post(client, "/admin/bookings/\(paid.rawValue)/cancel", cookie: cookie, "csrf=\(csrf)")
                #expect(again.headers[.location]?.hasSuffix("result=unchangeable") == true)

                // Money to return: a bad reference is refused; then the refund is recorded once.
                let money = try await Self.get(client, "/admin/money", cookie: cookie)
                #expect(money.contains("data-refund=\"manual\" data-booking=\"\(paid.rawValue)\""), "\(money)")
                let bad = try await DashboardTests.post(client, "/admin/refunds/booking/\(paid.rawValue)/done", cookie: cookie, "csrf=\(csrf)&reference=\(String(repeating: "x", count: 101))")
                #expect(bad.status == .badRequest)
                #expect(try await h.store.booking(paid)?.refundState == .pending)
                let done = try await DashboardTests.post(client, "/admin/refunds/booking/\(paid.rawValue)/done", cookie: cookie, "csrf=\(csrf)&reference=TX+77")
                #expect(done.headers[.location] == "/admin/money?note=refund-recorded")
                #expect(try await h.store.booking(paid)?.refundState == .refunded)
                let twice = try await DashboardTests.post(client, "/admin/refunds/booking/\(paid.rawValue)/done", cookie: cookie, "csrf=\(csrf)&reference=TX+78")
                #expect(twice.headers[.location] == "/admin/money?note=gone")
                #expect(try await Self.get(client, "/admin/money?note=refund-recorded", cookie: cookie).contains("Nothing waits."))

                // The whole story on the booking's page, in order.
                let story = try await Self.get(client, "/admin/bookings/\(paid.rawValue)", cookie: cookie)
                let steps = ["data-step=\"held\"", "data-step=\"ledger-payment\"", "data-step=\"booking.cancel\"", "data-step=\"ledger-refund\"", "data-step=\"refund.manual_done\""]
                let positions = steps.compactMap { story.range(of: $0)?.lowerBound }
                #expect(positions.count == steps.count && positions == positions.sorted(), "\(story)")
                #expect(story.contains("reference TX 77") && !story.contains("id=\"cancel\""))

                // The hold: cancelled with nothing to refund.
                let released = try await DashboardTests.post(client, "/admin/bookings/\(hold.rawValue)/cancel", cookie: cookie, "csrf=\(csrf)")
                #expect(released.headers[.location]?.hasSuffix("result=cancelled") == true)
                #expect(try await h.store.booking(hold)?.status == .cancelled)
                #expect(try await h.store.auditLog(limit: 10).filter { $0.action == "booking.cancel" }.count == 2)
            }
        }
    }
}
