import Core
import Domain
import Foundation
import Hummingbird
import Logging
import Storage

/// `/admin`: the operator's web dashboard, served by the same process (issue 14, begun: sign-in, the overview's
/// figures, sign-out). Every page but the sign-in needs a session cookie of an admin who is still configured;
/// every POST carries the session's CSRF token.
struct DashboardRoutes {
    let access: AdminAccess
    let store: any Store
    let now: @Sendable () -> Instant
    let defaultZone: Zone
    /// `Secure` on the cookie when the public address is https.
    let secureCookie: Bool
    let logger: Logger
    /// The bot's notices and the payment providers' refunds (nil without a bot: nothing can be cancelled here).
    var notices: (any BookingNotices)?
    var money: (any MoneyReturns)?
    var policy: CancellationPolicy = .standard
    /// A Telegram file's bytes by its id (the hosts' gallery photos); nil without a bot.
    var files: (@Sendable (String) async throws -> (bytes: [UInt8], filePath: String))?

    static let cookie = "pc_admin"

    func register(on router: Router<BasicRequestContext>) {
        router.get("admin/login") { request, _ -> Response in
            do {
                let signedIn = try await access.signIn(linkToken: request.uri.queryParameters.get("t") ?? "")
                logger.notice("dashboard sign-in", metadata: ["admin": "\(signedIn.session.admin)"])
                var response = Response(status: .seeOther, headers: [.location: "/admin"])
                response.headers[.setCookie] = setCookie(signedIn.sessionToken, maxAge: AdminAccess.sessionHours * 3600)
                return response
            } catch {
                return Self.page(.forbidden, "Sign-in refused", [
                    HTML.el("p", [("class", "notice")], [.text("This sign-in link was already used, has expired, or is not an admin's.")]),
                    HTML.el("p", [], [.text("Send /dashboard to the bot for a new one.")]),
                ])
            }
        }
        router.get("admin") { request, _ -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            return try await overview(request, session)
        }
        registerPages(on: router)
        registerReviewPages(on: router)
        registerBookingPages(on: router)
        registerHostDetail(on: router)
        registerRefundPages(on: router)
        router.post("admin/logout") { request, _ -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            let form = try await Self.form(request)
            do {
                try await access.signOut(session, csrf: form["csrf"])
            } catch {
                return Self.page(.forbidden, "Refused", [HTML.el("p", [("class", "notice")], [.text("That form is out of date. Reload the page and try again.")])])
            }
            var response = Self.page(.ok, "Signed out", [HTML.el("p", [], [.text("You are signed out. Send /dashboard to the bot to sign in again.")])])
            response.headers[.setCookie] = setCookie("", maxAge: 0)
            return response
        }
    }

    func setCookie(_ value: String, maxAge: Int) -> String {
        "\(Self.cookie)=\(value); Path=/admin; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "")
    }

    /// The overview for a range of local dates (`from`, `to`, inclusive, YYYY-MM-DD) in a zone (`zone`): the same
    /// figures as `privatecalls report` for that range and zone.
    func overview(_ request: Request, _ session: AdminSession) async throws -> Response {
        let query = request.uri.queryParameters
        let zone = query.get("zone").flatMap { Zone(identifier: $0) } ?? defaultZone
        let from = query.get("from").flatMap { LocalDate(iso: $0) }
        let to = query.get("to").flatMap { LocalDate(iso: $0) }
        let report = try await store.analyticsReport(
            from: from.map { zone.instant(of: $0, minuteOfDay: 0) }, to: to.map { zone.instant(of: $0.adding(days: 1), minuteOfDay: 0) }, zone: zone)
        func money(_ values: [Currency: Money]) -> String {
            values.isEmpty ? "—" : values.sorted { $0.key.code < $1.key.code }.map { $0.value.formatted() }.joined(separator: " · ")
        }
        let rows: [(String, String)] = [
            ("Holds created", "\(report.holdsCreated)"), ("Paid bookings", "\(report.paidBookings)"),
            ("Refunded bookings", "\(report.refundedBookings)"), ("Revenue", money(report.revenue)),
            ("Commission", money(report.commission)), ("Hosts' share", money(report.hostShare)), ("Paid out", money(report.paidOut)),
            ("Payment success", AnalyticsText.percent(report.paymentSuccessRateBasisPoints)),
            ("Refund rate", AnalyticsText.percent(report.refundRateBasisPoints)),
        ]
        let range = "\(from.map { "\($0)" } ?? "the start") – \(to.map { "\($0)" } ?? "today") (\(zone.identifier))"
        return Self.page(.ok, "Overview", [
            HTML.el("div", [("class", "card")], [
                HTML.el("form", [("method", "get"), ("action", "/admin")], [
                    .text("From "), .void("input", [("type", "date"), ("name", "from"), ("value", from.map { "\($0)" } ?? "")]),
                    .text(" to "), .void("input", [("type", "date"), ("name", "to"), ("value", to.map { "\($0)" } ?? "")]),
                    .text(" zone "), .void("input", [("name", "zone"), ("value", zone.identifier)]),
                    .text(" "), HTML.el("button", [("type", "submit")], [.text("Show")]),
                ]),
            ]),
            HTML.el("h2", [], [.text("Overview — \(range)")]),
            HTML.el("table", [("id", "overview")], rows.map { label, value in
                HTML.el("tr", [], [HTML.el("th", [], [.text(label)]), HTML.el("td", [("data-figure", label)], [.text(value)])])
            }),
            HTML.el("h3", [], [.text("Paid bookings by start hour (\(zone.identifier))")]),
            SVGBarChart(title: "Paid bookings by start hour", bars: (0..<24).map { hour in
                (String(format: "%02d", hour), report.busiestHours.first { $0.hour == hour }?.count ?? 0)
            }).figure,
            HTML.el("h3", [], [.text("Paid bookings by host")]),
            SVGBarChart(title: "Paid bookings by host", bars: try await hostBars(report)).figure,
            HTML.el("form", [("method", "post"), ("action", "/admin/logout"), ("class", "inline")], [
                .void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrfToken)]),
                HTML.el("button", [("type", "submit")], [.text("Sign out")]),
            ]),
        ], admin: session.admin)
    }

    func hostBars(_ report: AnalyticsReport) async throws -> [(label: String, value: Int)] {
        let names = Dictionary(try await store.hosts(listedOnly: false).compactMap { h in h.id.map { ($0, h.displayName.value) } },
                               uniquingKeysWith: { a, _ in a })
        return report.hosts.map { (names[$0.hostID] ?? "#\($0.hostID.rawValue)", $0.paidBookings) }
    }

    static func signInNeeded() -> Response {
        page(.unauthorized, "Sign in", [HTML.el("p", [], [.text("Send /dashboard to the bot: it answers with a one-time sign-in link.")])])
    }

    static func page(_ status: HTTPResponse.Status, _ title: String, _ body: [HTML], admin: TelegramUserID? = nil) -> Response {
        let nav: [HTML] = admin == nil ? [] : [("Overview", "/admin"), ("Hosts", "/admin/hosts"), ("Bookings", "/admin/bookings"), ("Money", "/admin/money"), ("Reviews", "/admin/reviews"),
                                                      ("Audit log", "/admin/audit")].map { label, href in
            HTML.el("a", [("href", href), ("style", "color:#fff")], [.text(label)])
        }
        let header = HTML.el("header", [], [HTML.el("h1", [], [.text("PrivateCalls admin — \(title)")])] + nav
                             + (admin.map { [HTML.el("span", [], [.text("admin \($0)")])] } ?? []))
        let html = HTML.page(title: "PrivateCalls admin — \(title)", [header, HTML.el("main", [], body)])
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html.rendered)))
    }

    /// An `application/x-www-form-urlencoded` body (at most 64 KB).
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let key = parts.first { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }
}
