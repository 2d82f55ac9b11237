import Domain
import FakeTelegram
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Synchronization
import Telegram
import Testing

@testable import App

/// Signing in to the web dashboard (issue 14, begun): the admin's one-time link from the bot, the session
/// cookie, the overview's figures, CSRF on every POST, and everything that must be refused.
@Suite("The web dashboard's sign-in", .serialized)
struct DashboardTests {
    static let env = ["ADMIN_TELEGRAM_IDS": "9601"]
    static let admin = User(id: 9601, firstName: "Ada", languageCode: "en")
    static let stranger = User(id: 9602, firstName: "Eve", languageCode: "en")

    /// The token of the newest dashboard link the bot sent to `user`.
    static func linkToken(_ h: BotHarness, _ user: User, newerThan previous: String? = nil) async throws -> String {
        if let previous { try await h.fake.waitUntil(timeout: .seconds(20)) { await !(h.fake.lastMessage(chat: user.id)?.replyMarkup?.inlineKeyboard.joined().contains { $0.url?.hasSuffix(previous) == true } ?? false) } }
        let message = try await h.expectLast(user.id, contains: "Your dashboard link")
        let url = try #require(message.replyMarkup?.inlineKeyboard.joined().compactMap(\.url).first)
        #expect(url.contains("/admin/login?t="))
        return String(try #require(url.split(separator: "=", maxSplits: 1).last))
    }

    /// A 30-minute call with the host tomorrow at 09:00 Madrid, paid with Stars ($150.00; host share $105.00).
    static func paidBooking(_ h: BotHarness, _ host: Domain.Host) async throws {
        let hold = try await h.store.createHold(
            try Booking.hold(hostID: host.id!, userID: TelegramUserID(77), start: BotHarness.start.adding(days: 1), minutes: 30,
                             pricePerMinute: host.pricePerMinute.money, commission: .standard, now: h.clock.now, holdMinutes: 30),
            bufferMinutes: 0, maxLiveHolds: .max)
        _ = try await h.store.apply(.paymentConfirmed(method: "stars", at: h.clock.now), to: hold.id!)
    }

    static func cookie(_ response: TestResponse) -> String? {
        guard let header = response.headers[.setCookie], header.hasPrefix("pc_admin=") else { return nil }
        return String(header.dropFirst("pc_admin=".count).prefix { $0 != ";" })
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func anAdminSignsInOnceSeesTheOverviewAndSignsOutWithTheCSRFToken() async throws {
        try await BotHarness.with { h in
            let host = try await h.addHost()
            try await Self.paidBooking(h, host)
            try await h.run(Self.env) { client in
                await h.fake.sendText("/dashboard", from: Self.stranger)
                try await h.expectLast(Self.stranger.id, contains: "This is for admins only")

                await h.fake.sendText("/dashboard", from: Self.admin)
                let token = try await Self.linkToken(h, Self.admin)
                #expect(try await client.execute(uri: "/admin", method: .get).status == .unauthorized)

                let signIn = try await client.execute(uri: "/admin/login?t=\(token)", method: .get)
                #expect(signIn.status == .seeOther && signIn.headers[.location] == "/admin")
                let setCookie = try #require(signIn.headers[.setCookie])
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/admin"))
                #expect(!setCookie.contains("Secure"), "plain http here: no PUBLIC_URL")
                let session = try #require(Self.cookie(signIn))

                // The link works once.
                let again = try await client.execute(uri: "/admin/login?t=\(token)", method: .get)
                #expect(again.status == .forbidden && Self.cookie(again) == nil)

                let overview = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "pc_admin=\(session)"])
                #expect(overview.status == .ok)
                let page = Self.body(overview)
                #expect(page.contains("<td data-figure=\"Paid bookings\">1</td>"))
                #expect(page.contains("<td data-figure=\"Revenue\">$150.00</td>"))
                #expect(page.contains("<td data-figure=\"Commission\">$45.00</td>"))
                let csrf = try #require(page.range(of: "name=\"csrf\" value=\"").map { String(page[$0.upperBound...].prefix { $0 != "\"" }) })
                // Two charts (by start hour, by host), each matching its table; the booking starts at 09:00 Madrid.
                let charts = try ChartTests.charts(in: page)
                #expect(charts.count == 2)
                #expect(charts.allSatisfy(ChartTests.proportional))
                #expect(charts.first?.table.enumerated().filter { $0.element > 0 }.map(\.offset) == [9])
                #expect(charts.last?.table == [1])

                // A POST without the CSRF token (or with a wrong one) is refused and signs nobody out.
                for form in ["", "csrf=wrong"] {
                    let refused = try await client.execute(uri: "/admin/logout", method: .post,
                                                           headers: [.cookie: "pc_admin=\(session)", .contentType: "application/x-www-form-urlencoded"],
                                                           body: ByteBuffer(string: form))
                    #expect(refused.status == .forbidden)
                }
                #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "pc_admin=\(session)"]).status == .ok)

                let out = try await client.execute(uri: "/admin/logout", method: .post,
                                                   headers: [.cookie: "pc_admin=\(session)", .contentType: "application/x-www-form-urlencoded"],
                                                   body: ByteBuffer(string: "csrf=\(csrf)"))
                #expect(out.status == .ok && out.headers[.setCookie]?.contains("Max-Age=0") == true)
                // The logged-out session's cookie is worth nothing.
                #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "pc_admin=\(session)"]).status == .unauthorized)
                #expect(try await h.store.auditLog(limit: 5).map(\.action).contains("dashboard.sign_in"))
            }
        }
    }

    @Test func anExpiredLinkAForgedOneAndAnAdminNoLongerConfiguredAreRefused() async throws {
        let saved = Mutex<String?>(nil)
        try await BotHarness.with { h in
            try await h.run(Self.env) { client in
                await h.fake.sendText("/dashboard", from: Self.admin)
                let token = try await Self.linkToken(h, Self.admin)
                h.clock.advance(minutes: 11)
                #expect(try await client.execute(uri: "/admin/login?t=\(token)", method: .get).status == .forbidden)
                #expect(try await client.execute(uri: "/admin/login?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", method: .get).status == .forbidden)
                #expect(try await client.execute(uri: "/admin/login?t=%3Cscript%3E", method: .get).status == .forbidden)
                #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "pc_admin=made-up-session-token-xyz"]).status == .unauthorized)
                await h.fake.sendText("/dashboard", from: Self.admin)
                let fresh = try await Self.linkToken(h, Self.admin, newerThan: token)
                let signIn = try await client.execute(uri: "/admin/login?t=\(fresh)", method: .get)
                #expect(signIn.status == .seeOther)
                let cookie = Self.cookie(signIn)
                saved.withLock { $0 = cookie }
                #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "pc_admin=\(cookie ?? "")"]).status == .ok)
            }
            // The same session after ADMIN_TELEGRAM_IDS no longer lists this admin: refused on the next request.
            try await h.run(["ADMIN_TELEGRAM_IDS": "1"]) { client in
                let sessions = try await h.store.auditLog(limit: 10).filter { $0.action == "dashboard.sign_in" }
                #expect(sessions.count == 1)
                await h.fake.sendText("/dashboard", from: Self.admin)
                try await h.expectLast(Self.admin.id, contains: "This is for admins only")
                let cookie = try #require(saved.withLock { $0 })
                #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: "pc_admin=\(cookie)"]).status == .unauthorized)
            }
        }
    }

    /// Signs the admin in through the bot's link; returns the session cookie and the page's CSRF token.
    static func signIn(_ h: BotHarness, _ client: any TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        await h.fake.sendText("/dashboard", from: admin)
        let signIn = try await client.execute(uri: "/admin/login?t=\(try await linkToken(h, admin))", method: .get)
        let cookie = try #require(Self.cookie(signIn))
        let page = body(try await client.execute(uri: "/admin/hosts", method: .get, headers: [.cookie: "pc_admin=\(cookie)"]))
        let csrf = try #require(page.range(of: "name=\"csrf\" value=\"").map { String(page[$0.upperBound...].prefix { $0 != "\"" }) })
        return (cookie, csrf)
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, cookie: String, _ form: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: [.cookie: "pc_admin=\(cookie)", .contentType: "application/x-www-form-urlencoded"],
                                 body: ByteBuffer(string: form))
    }

    /// The web and the bot call the same use cases: a status changed on the web shows in the bot's host list; a
    /// payout is recorded within the balance; the ledger downloads as CSV.
    @Test func hostsAndMoneyChangeThroughTheSameUseCasesAsTheBot() async throws {
        let user = User(id: 9603, firstName: "Ana", languageCode: "en")
        try await BotHarness.with { h in
            let host = try await h.addHost()
            try await Self.paidBooking(h, host)
            try await h.run(Self.env) { client in
                let (cookie, csrf) = try await Self.signIn(h, client)
                #expect(try await Self.post(client, "/admin/hosts/\(host.id!.rawValue)/status", cookie: cookie, "status=offline").status == .forbidden)
                let saved = try await Self.post(client, "/admin/hosts/\(host.id!.rawValue)/status", cookie: cookie, "csrf=\(csrf)&status=offline")
                #expect(saved.status == .seeOther)
                #expect(try await h.store.host(host.id!)?.status == .offline)
                #expect(try await h.store.auditLog(limit: 1).first.map { ($0.action, $0.role, $0.actor) } ?? ("", "", nil) == ("host.status", "admin", 9601))
                await h.fake.sendText("/book_private_call", from: user)
                let list = try await h.expectLast(user.id, contains: "choose a host")
                #expect(list.text?.contains("Anna · $5.00/min · no reviews yet · offline") == true)
                #expect(try await Self.post(client, "/admin/hosts/999/status", cookie: cookie, "csrf=\(csrf)&status=online").status == .notFound)

                // Payouts: above the balance refused with the reason, within it recorded.
                let tooMuch = try await Self.post(client, "/admin/money/\(host.id!.rawValue)/payout", cookie: cookie, "csrf=\(csrf)&amount=106&reference=")
                #expect(tooMuch.status == .badRequest && Self.body(tooMuch).contains("the unpaid balance is $105.00"))
                let paid = try await Self.post(client, "/admin/money/\(host.id!.rawValue)/payout", cookie: cookie, "csrf=\(csrf)&amount=100&reference=tr+42")
                #expect(paid.status == .seeOther)
                let money = Self.body(try await client.execute(uri: "/admin/money", method: .get, headers: [.cookie: "pc_admin=\(cookie)"]))
                #expect(money.contains("<td data-unpaid=\"\">$5.00</td>"), "\(money)")
                #expect(try await h.store.payouts(hostID: host.id!).first?.reference == "tr 42")

                let csv = try await client.execute(uri: "/admin/ledger.csv", method: .get, headers: [.cookie: "pc_admin=\(cookie)"])
                #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
                let lines = Self.body(csv).split(separator: "\r\n", omittingEmptySubsequences: true)
                #expect(lines.count == 2, "a header and the booking's payment: \(lines)")
                #expect(lines.last?.contains("150.00") == true && lines.last?.contains("45.00") == true, "\(lines)")
                #expect(try await client.execute(uri: "/admin/ledger.csv", method: .get).status == .unauthorized)
            }
        }
    }

    /// Reviews are hidden and shown through the same use case as the bot's buttons; the audit log shows it,
    /// filtered; a review's text reaches the page escaped.
    @Test func reviewsAreModeratedAndTheAuditLogFilters() async throws {
        try await BotHarness.with { h in
            let host = try await h.addHost()
            var booking = try Booking.hold(hostID: host.id!, userID: TelegramUserID(77), start: BotHarness.start.adding(days: -2), minutes: 30,
                                           pricePerMinute: host.pricePerMinute.money, commission: .standard,
                                           now: BotHarness.start.adding(days: -3), holdMinutes: 30)
            booking = try await h.store.createHold(booking, bufferMinutes: 0, maxLiveHolds: .max)
            for event in [BookingEvent.paymentConfirmed(method: "stars", at: BotHarness.start.adding(days: -3)),
                          .callStarted(at: BotHarness.start.adding(days: -2)), .callEnded(at: BotHarness.start.adding(days: -2).adding(minutes: 30))] {
                _ = try await h.store.apply(event, to: booking.id!)
            }
            let review = try await h.store.addReview(Review(bookingID: booking.id!, hostID: host.id!, userID: TelegramUserID(77), rating: 1,
                                                            text: "<script>alert(1)</script>", createdAt: BotHarness.start.adding(days: -1)))
            try await h.run(Self.env) { client in
                let (cookie, csrf) = try await Self.signIn(h, client)
                let page = Self.body(try await client.execute(uri: "/admin/reviews", method: .get, headers: [.cookie: "pc_admin=\(cookie)"]))
                #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert(1)"))
                #expect(try await Self.post(client, "/admin/reviews/\(review.id!)/hidden", cookie: cookie, "hidden=1").status == .forbidden)
                #expect(try await Self.post(client, "/admin/reviews/\(review.id!)/hidden", cookie: cookie, "csrf=\(csrf)&hidden=1").status == .seeOther)
                #expect(try await h.store.allReviews(includeHidden: false).isEmpty)
                #expect(try await Self.post(client, "/admin/reviews/999/hidden", cookie: cookie, "csrf=\(csrf)&hidden=1").status == .notFound)
                let audit = Self.body(try await client.execute(uri: "/admin/audit?action=review", method: .get, headers: [.cookie: "pc_admin=\(cookie)"]))
                #expect(audit.contains("data-action=\"review.hide\""), "\(audit.prefix(3000))")
                #expect(!audit.contains("data-action=\"dashboard.sign_in\""), "filtered by action")
                #expect(try await client.execute(uri: "/admin/audit", method: .get).status == .unauthorized)
            }
        }
    }

    /// Behind an https PUBLIC_URL the session cookie is `Secure`, and the bot's link points there.
    @Test func anHTTPSPublicAddressMakesTheCookieSecure() async throws {
        try await BotHarness.with { h in
            try await h.run(Self.env.merging(["PUBLIC_URL": "https://calls.example.test"]) { _, b in b }) { client in
                await h.fake.sendText("/dashboard", from: Self.admin)
                let message = try await h.expectLast(Self.admin.id, contains: "Your dashboard link")
                #expect(message.replyMarkup?.inlineKeyboard.joined().compactMap(\.url).first?.hasPrefix("https://calls.example.test/admin/login?t=") == true)
                let signIn = try await client.execute(uri: "/admin/login?t=\(try await Self.linkToken(h, Self.admin))", method: .get)
                #expect(signIn.headers[.setCookie]?.hasSuffix("; Secure") == true)
            }
        }
    }
}
