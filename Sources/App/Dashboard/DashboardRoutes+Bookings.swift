import Core
import Domain
import Foundation
import Hummingbird
import Logging
import Storage

/// The dashboard's bookings: a list filtered by status, host and dates (`Core.BookingsDesk`), one booking's
/// timeline, and cancelling it with its refund through `Core.Cancellations` — the use case the bot's admin
/// "Cancel" button calls.
extension DashboardRoutes {
    var bookingsDesk: BookingsDesk { BookingsDesk(store: store, now: now, admins: access.admins) }

    func registerBookingPages(on router: Router<BasicRequestContext>) {
        router.get("admin/bookings") { request, _ -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            return try await bookingsPage(request, session)
        }
        router.get("admin/bookings/:id") { request, context -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { return Self.page(.notFound, "Not found", []) }
            return try await bookingPage(BookingID(id), session, zone: zone(request), result: request.uri.queryParameters.get("result"))
        }
        router.post("admin/bookings/:id/cancel") { request, context -> Response in
            try await guardedPost(request) { session, _ in
                guard let id = context.parameters.get("id").flatMap({ Int64($0) }).map(BookingID.init) else { return Self.page(.notFound, "Not found", []) }
                guard let cancellations else {
                    return Self.page(.serviceUnavailable, "Not available", [HTML.el("p", [("class", "notice")], [.text("Payments are not configured here, so nothing can be refunded.")])])
                }
                let result: String
                do {
                    let done = try await cancellations.cancel(.admin(session.admin), booking: id)
                    logger.notice("dashboard: booking cancelled", metadata: ["booking": "\(id)", "admin": "\(session.admin)", "refund": "\(done.refund)"])
                    switch done.refund {
                    case .refunded: result = "refunded"
                    case .manual: result = "manual"
                    case .failed: result = "failed"
                    case .notOwed: result = "cancelled"
                    }
                } catch Refusal.noSuchBooking {
                    return Self.page(.notFound, "Not found", [HTML.el("p", [], [.text("That booking does not exist.")]), backLink("/admin/bookings")])
                } catch Refusal.bookingUnchangeable {
                    result = "unchangeable"
                }
                return Response(status: .seeOther, headers: [.location: "/admin/bookings/\(id.rawValue)?result=\(result)"])
            }
        }
    }

    /// The cancellation use case with this server's notices and refunds; nil without a bot (no payments).
    var cancellations: Cancellations? {
        guard let notices, let money else { return nil }
        return Cancellations(store: store, now: now, admins: access.admins, policy: policy, notices: notices, money: money)
    }

    func zone(_ request: Request) -> Zone { request.uri.queryParameters.get("zone").flatMap { Zone(identifier: $0) } ?? defaultZone }

    /// "2026-03-29 09:30" in the zone.
    static func local(_ instant: Instant, _ zone: Zone) -> String {
        let (date, minute) = zone.local(instant)
        return "\(date) " + String(format: "%02d:%02d", minute / 60, minute % 60)
    }

    func hostNames() async throws -> [HostID: String] {
        Dictionary(try await store.hosts(listedOnly: false).compactMap { h in h.id.map { ($0, h.displayName.value) } }, uniquingKeysWith: { a, _ in a })
    }

    func bookingsPage(_ request: Request, _ session: AdminSession) async throws -> Response {
        let query = request.uri.queryParameters
        let zone = zone(request)
        let filter = BookingsDesk.Filter(
            status: query.get("status").flatMap(BookingStatus.init(rawValue:)), host: query.get("host").flatMap { Int64($0) }.map(HostID.init),
            from: query.get("from").flatMap { LocalDate(iso: $0) }, to: query.get("to").flatMap { LocalDate(iso: $0) }, zone: zone)
        let (bookings, truncated) = try await bookingsDesk.list(.admin(session.admin), filter)
        let names = try await hostNames()
        let form = HTML.el("form", [("method", "get"), ("action", "/admin/bookings"), ("class", "card")], [
            .text("Status "), HTML.el("select", [("name", "status")], [HTML.el("option", [("value", "")], [.text("any")])] + BookingStatus.allCases.map { s in
                HTML.el("option", [("value", s.rawValue)] + (s == filter.status ? [("selected", "selected")] : []), [.text(s.rawValue)])
            }),
            .text(" host "), HTML.el("select", [("name", "host")], [HTML.el("option", [("value", "")], [.text("any")])] + names.sorted { $0.value < $1.value }.map { id, name in
                HTML.el("option", [("value", "\(id.rawValue)")] + (id == filter.host ? [("selected", "selected")] : []), [.text(name)])
            }),
            .text(" from "), .void("input", [("type", "date"), ("name", "from"), ("value", filter.from.map { "\($0)" } ?? "")]),
            .text(" to "), .void("input", [("type", "date"), ("name", "to"), ("value", filter.to.map { "\($0)" } ?? "")]),
            .text(" zone "), .void("input", [("name", "zone"), ("value", zone.identifier), ("size", "14")]),
            .text(" "), HTML.el("button", [("type", "submit")], [.text("Filter")]),
        ])
        let header = HTML.el("tr", [], ["#", "Host", "User", "Start (\(zone.identifier))", "Minutes", "Price", "Status", "Paid with", "Refund"].map {
            HTML.el("th", [], [.text($0)])
        })
        let rows = bookings.map { b -> HTML in
            let id = b.id?.rawValue ?? 0
            return HTML.el("tr", [("data-booking", "\(id)")], [
                HTML.el("td", [], [HTML.el("a", [("href", "/admin/bookings/\(id)?zone=\(zone.identifier)")], [.text("#\(id)")])]),
                HTML.el("td", [], [.text(names[b.hostID] ?? "#\(b.hostID.rawValue)")]), HTML.el("td", [], [.text("\(b.userID.rawValue)")]),
                HTML.el("td", [], [.text(Self.local(b.time.start, zone))]), HTML.el("td", [], [.text("\(b.price.minutes)")]),
                HTML.el("td", [], [.text(b.price.total.formatted())]), HTML.el("td", [("data-status", "")], [.text(b.status.rawValue)]),
                HTML.el("td", [], [.text(b.paymentMethod ?? "—")]), HTML.el("td", [], [.text(b.refundState.rawValue)]),
            ])
        }
        var body: [HTML] = [form, HTML.el("div", [("class", "scroll")], [HTML.el("table", [("id", "bookings")], [header] + rows)])]
        if bookings.isEmpty { body.append(HTML.el("p", [], [.text("No bookings match.")])) }
        if truncated { body.append(HTML.el("p", [], [.text("Only the latest \(BookingsDesk.listLimit) are shown: narrow the filter.")])) }
        return Self.page(.ok, "Bookings", body, admin: session.admin)
    }

    func bookingPage(_ id: BookingID, _ session: AdminSession, zone: Zone, result: String?) async throws -> Response {
        let timeline: BookingsDesk.Timeline
        do { timeline = try await bookingsDesk.timeline(.admin(session.admin), booking: id) } catch Refusal.noSuchBooking {
            return Self.page(.notFound, "Not found", [HTML.el("p", [], [.text("That booking does not exist.")]), backLink("/admin/bookings")])
        }
        let b = timeline.booking
        let names = try await hostNames()
        var body: [HTML] = []
        if let result, let line = Self.cancelResult[result] { body.append(HTML.el("p", [("class", "card"), ("id", "result")], [.text(line)])) }
        let facts: [(String, String)] = [
            ("Host", names[b.hostID] ?? "#\(b.hostID.rawValue)"), ("User", "\(b.userID.rawValue)"),
            ("When (\(zone.identifier))", "\(Self.local(b.time.start, zone)) – \(Self.local(b.time.end, zone))"), ("Price", b.price.total.formatted()),
            ("Commission / host", "\(b.price.split.platform.formatted()) / \(b.price.split.host.formatted())"), ("Status", b.status.rawValue),
            ("Payment", "\(b.paymentState.rawValue) \(b.paymentMethod ?? "")"), ("Refund", b.refundState.rawValue),
        ]
        body.append(HTML.el("table", [("id", "booking")], facts.map { k, v in HTML.el("tr", [], [HTML.el("th", [], [.text(k)]), HTML.el("td", [("data-fact", k)], [.text(v)])]) }))
        body.append(HTML.el("h3", [], [.text("Timeline")]))
        body.append(HTML.el("div", [("class", "scroll")], [HTML.el("table", [("id", "timeline")], [HTML.el("tr", [], [HTML.el("th", [], [.text("When (\(zone.identifier))")]), HTML.el("th", [], [.text("What")])])]
            + timeline.entries.map { e in
                HTML.el("tr", [("data-step", Self.stepName(e.step))], [HTML.el("td", [], [.text(Self.local(e.at, zone))]), HTML.el("td", [], [.text(Self.describe(e.step))])])
            })]))
        if let cancellations, let preview = try? await cancellations.preview(.admin(session.admin), booking: id) {
            let consequence = preview.decision.refunds ? "The user gets \(b.price.total.formatted()) back through \(b.paymentMethod ?? "the provider")." : "Nothing was paid: the hold is released."
            body.append(HTML.el("form", [("method", "post"), ("action", "/admin/bookings/\(id.rawValue)/cancel"), ("class", "card")], [
                csrfField(session), HTML.el("p", [], [.text("Cancel this booking? Both sides are told. " + consequence)]),
                HTML.el("button", [("type", "submit"), ("id", "cancel")], [.text(preview.decision.refunds ? "Cancel and refund" : "Cancel the hold")]),
            ]))
        }
        body.append(backLink("/admin/bookings"))
        return Self.page(.ok, "Booking #\(id.rawValue)", body, admin: session.admin)
    }

    static let cancelResult = [
        "refunded": "Cancelled, and the money went back through the provider.",
        "manual": "Cancelled. This provider's refunds are made by hand: record it under Money → Money to return once done.",
        "failed": "Cancelled, but the provider refused the refund: retry it under Money → Money to return.",
        "cancelled": "Cancelled; nothing had been paid.",
        "unchangeable": "Nothing changed: the booking can no longer be cancelled (it started, ended or was cancelled meanwhile).",
    ]

    static func stepName(_ step: BookingsDesk.Step) -> String {
        switch step {
        case .held: "held"
        case .checkoutOpened: "checkout"
        case .checkoutState: "checkout-state"
        case .payment: "payment"
        case .ledger(let kind, _, _, _): "ledger-\(kind.rawValue)"
        case .holdLapsed: "lapsed"
        case .reminder: "reminder"
        case .callStarted: "started"
        case .callEnded: "ended"
        case .audit(let entry): entry.action
        }
    }

    static func describe(_ step: BookingsDesk.Step) -> String {
        switch step {
        case .held(let until): "Held (until \(until) UTC unless paid)"
        case .checkoutOpened(let provider): "Checkout opened with \(provider)"
        case .checkoutState(let provider, let state): "\(provider) checkout \(state)"
        case .payment(let provider, let kind, let status, let amount): "\(provider) \(kind): \(status)" + (amount.map { " (\($0.formatted()))" } ?? "")
        case .ledger(let kind, let gross, let platform, let host):
            "Ledger \(kind.rawValue): \(gross.formatted()) = commission \(platform.formatted()) + host \(host.formatted())"
        case .holdLapsed: "The hold lapsed unpaid"
        case .reminder(let reminder): reminder == .dayBefore ? "Reminder sent (a day before)" : "Reminder sent (15 minutes before)"
        case .callStarted: "Call started"
        case .callEnded: "Call ended"
        case .audit(let e): "\(e.action) by \(e.role) \(e.actor.map { "\($0)" } ?? "system")" + (e.after.map { ": \($0)" } ?? "")
        }
    }
}
