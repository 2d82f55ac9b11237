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

/// One host on the web: fields edited with the wizard's rules (a refused value changes nothing and says why),
/// and the gallery's photos fetched from Telegram (getFile, then the file's URL) for a signed-in admin only.
@Suite("The web dashboard's host page", .serialized)
struct DashboardHostPageTests {
    @Test func fieldsAreEditedWithTheWizardsRulesAndTheGalleryShowsTheTelegramPhotos() async throws {
        try await BotHarness.with { h in
            let host = try await h.addHost()
            let id = host.id!.rawValue
            let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("a photo".utf8)
            await h.fake.storeFile("AgACphoto1", data: jpeg, contentType: "image/jpeg")
            let photo = try await h.store.addPhoto(hostID: host.id!, fileID: "AgACphoto1", caption: "At the <studio>", at: h.clock.now)
            try await h.run(DashboardTests.env) { client in
                let (cookie, csrf) = try await DashboardTests.signIn(h, client)
                let page = try await DashboardBookingsTests.get(client, "/admin/hosts/\(id)", cookie: cookie)
                #expect(page.contains("At the &lt;studio&gt;") && !page.contains("<studio>"))
                // Every field's value as shown reads back through its own parser: saving it unchanged is accepted.
                for field in ["displayName", "username", "price", "durations", "availability", "zone"] {
                    let value = try #require(page.range(of: "name=\"field\" value=\"\(field)\"><input name=\"value\" value=\"").map {
                        String(page[$0.upperBound...].prefix { $0 != "\"" })
                    }, "\(field)")
                    let encoded = value.replacingOccurrences(of: "&amp;", with: "&").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    let saved = try await DashboardTests.post(client, "/admin/hosts/\(id)/edit", cookie: cookie, "csrf=\(csrf)&field=\(field)&value=\(encoded)")
                    #expect(saved.status == .seeOther, "\(field) = \(value): \(DashboardTests.body(saved))")
                }
                let bad = try await DashboardTests.post(client, "/admin/hosts/\(id)/edit", cookie: cookie, "csrf=\(csrf)&field=durations&value=20-90")
                #expect(bad.status == .badRequest && DashboardTests.body(bad).contains("Nothing was changed."), "\(DashboardTests.body(bad))")
                let zone = try await DashboardTests.post(client, "/admin/hosts/\(id)/edit", cookie: cookie, "csrf=\(csrf)&field=zone&value=Mars%2FOlympus")
                #expect(zone.status == .badRequest && DashboardTests.body(zone).contains("is not a time zone name"))
                #expect(try await h.store.host(host.id!) == host, "refused values changed nothing")
                let forged = try await DashboardTests.post(client, "/admin/hosts/\(id)/edit", cookie: cookie, "field=bio&value=x")
                #expect(forged.status == .forbidden)
                let priced = try await DashboardTests.post(client, "/admin/hosts/\(id)/edit", cookie: cookie, "csrf=\(csrf)&field=price&value=3%2C50")
                #expect(priced.status == .seeOther)
                #expect(try await h.store.host(host.id!)?.pricePerMinute.money == Money(minorUnits: 350, currency: .usd))
                #expect(try await h.store.auditLog(limit: 1).first?.action == "host.edit.price")

                let image = try await client.execute(uri: "/admin/hosts/\(id)/photos/\(photo.id)", method: .get, headers: [.cookie: "pc_admin=\(cookie)"])
                #expect(image.status == .ok && Array(buffer: image.body) == jpeg && image.headers[.contentType] == "image/jpeg")
                #expect(image.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
                #expect(try await client.execute(uri: "/admin/hosts/\(id)/photos/\(photo.id)", method: .get).status == .unauthorized)
                #expect(try await client.execute(uri: "/admin/hosts/\(id)/photos/999", method: .get, headers: [.cookie: "pc_admin=\(cookie)"]).status == .notFound)
            }
        }
    }
}
