import Core
import Domain
import Foundation
import Hummingbird
import Storage

/// The dashboard's hosts and money pages: every change goes through the same use cases the bot calls
/// (`HostCatalogue`, `Payouts`), as the signed-in admin, with the session's CSRF token.
extension DashboardRoutes {
    var catalogue: HostCatalogue { HostCatalogue(store: store, now: now, admins: access.admins) }

    func registerPages(on router: Router<BasicRequestContext>) {
        router.get("admin/hosts") { request, _ -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            return try await hostsPage(session)
        }
        router.post("admin/hosts/:id/status") { request, context -> Response in
            try await change(request, context) { session, id, form in
                guard let status = form["status"].flatMap(HostStatus.init(rawValue:)) else { return "Pick online, busy or offline." }
                _ = try await catalogue.setStatus(.admin(session.admin), host: id, to: status)
                return nil
            }
        }
        router.post("admin/hosts/:id/active") { request, context -> Response in
            try await change(request, context) { session, id, form in
                _ = try await catalogue.setActive(.admin(session.admin), host: id, active: form["active"] == "1")
                return nil
            }
        }
        router.get("admin/money") { request, _ -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            let query = request.uri.queryParameters
            return try await moneyPage(session, message: query.get("recorded").map { "Payout of \($0) recorded." } ?? query.get("note").flatMap { Self.moneyNotes[$0] })
        }
        router.post("admin/money/:id/payout") { request, context -> Response in
            try await change(request, context, back: "/admin/money") { session, id, form in
                do {
                    let reference = form["reference"].flatMap { $0.isEmpty ? nil : $0 }
                    let payout = try await Payouts(store: store, now: now, admins: access.admins)
                        .record(.admin(session.admin), host: id, amount: form["amount"] ?? "", reference: reference)
                    return "recorded:\(payout.amount.formatted())"
                } catch let refusal as Refusal {
                    switch refusal {
                    case .invalidAmount(let error): return error.description
                    case .notPositive: return "A payout must be more than 0."
                    case .exceedsBalance(let balance): return "That is more than the host is owed: the unpaid balance is \(balance.formatted())."
                    default: throw refusal
                    }
                }
            }
        }
        router.get("admin/ledger.csv") { request, _ -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            let csv: String
            do { csv = try await Reports(store: store, now: now, admins: access.admins).ledgerCSV(.admin(session.admin)) } catch Refusal.notAllowed {
                return Self.signInNeeded()
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"ledger.csv\"",
                                                   .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
    }

    /// A POST that changes something: a signed-in admin, the session's CSRF token, a host that exists. `body`
    /// returns nil (done), "recorded:<amount>" (done, say so), or a sentence saying why nothing changed.
    func change(_ request: Request, _ context: BasicRequestContext, back: String = "/admin/hosts",
                _ body: @escaping (AdminSession, HostID, [String: String]) async throws -> String?) async throws -> Response {
        try await guardedPost(request) { session, form in
            guard let text = context.parameters.get("id"), let raw = Int64(text) else { return Self.page(.notFound, "Not found", []) }
            do {
                let outcome = try await body(session, HostID(raw), form)
                if let outcome, outcome.hasPrefix("recorded:") {
                    let amount = String(outcome.dropFirst("recorded:".count)).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    return Response(status: .seeOther, headers: [.location: "\(back)?recorded=\(amount)"])
                }
                if let outcome { return Self.page(.badRequest, "Not saved", [HTML.el("p", [("class", "notice")], [.text(outcome)]), backLink(back)], admin: session.admin) }
                return Response(status: .seeOther, headers: [.location: back])
            } catch Refusal.noSuchHost {
                return Self.page(.notFound, "Not found", [HTML.el("p", [], [.text("That host does not exist.")]), backLink(back)])
            }
        }
    }

    /// A POST that changes something: a signed-in admin who is still one, and the session's CSRF token; a
    /// use case's `notAllowed` (the admin was removed meanwhile) ends at the sign-in page.
    func guardedPost(_ request: Request, _ body: (AdminSession, [String: String]) async throws -> Response) async throws -> Response {
        guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
        let form = try await Self.form(request)
        do { try AdminAccess.checkCSRF(form["csrf"], session) } catch {
            return Self.page(.forbidden, "Refused", [HTML.el("p", [("class", "notice")], [.text("That form is out of date. Reload the page and try again.")])])
        }
        do {
            return try await body(session, form)
        } catch Refusal.notAllowed {
            return Self.signInNeeded()
        }
    }

    func backLink(_ href: String) -> HTML { HTML.el("p", [], [HTML.el("a", [("href", href)], [.text("Back")])]) }

    func csrfField(_ session: AdminSession) -> HTML { .void("input", [("type", "hidden"), ("name", "csrf"), ("value", session.csrfToken)]) }

    func hostsPage(_ session: AdminSession) async throws -> Response {
        let hosts = try await store.hosts(listedOnly: false)
        let ratings = try await store.ratingSummaries()
        let header = HTML.el("tr", [], ["Host", "Username", "Status", "Listed", "Rating", "Paid bookings", "Earned (host share)", "Change status", ""]
            .map { HTML.el("th", [], [.text($0)]) })
        var figures: [HostID: (paid: Int, earned: String)] = [:]
        for host in hosts {
            let paid = try await store.bookings(hostID: host.id!).filter(Analytics.isPaid).count
            let earned = try await store.balance(hostID: host.id!).sorted { $0.key.code < $1.key.code }.map { $0.value.earned.formatted() }
            figures[host.id!] = (paid, earned.isEmpty ? "—" : earned.joined(separator: " · "))
        }
        let rows = hosts.map { host -> HTML in
            let id = host.id!.rawValue
            let rating = ratings[host.id!].map { "★ \($0.averageText) (\($0.count))" } ?? "—"
            let statusForm = HTML.el("form", [("method", "post"), ("action", "/admin/hosts/\(id)/status"), ("class", "inline")], [
                csrfField(session),
                HTML.el("select", [("name", "status")], HostStatus.allCases.map { status in
                    HTML.el("option", [("value", status.rawValue)] + (status == host.status ? [("selected", "selected")] : []), [.text(status.rawValue)])
                }),
                HTML.el("button", [("type", "submit")], [.text("Save")]),
            ])
            let activeForm = HTML.el("form", [("method", "post"), ("action", "/admin/hosts/\(id)/active"), ("class", "inline")], [
                csrfField(session), .void("input", [("type", "hidden"), ("name", "active"), ("value", host.isActive ? "0" : "1")]),
                HTML.el("button", [("type", "submit")], [.text(host.isActive ? "Deactivate" : "Reactivate")]),
            ])
            return HTML.el("tr", [("data-host", host.username.value)], [
                HTML.el("td", [], [HTML.el("a", [("href", "/admin/hosts/\(id)")], [.text(host.displayName.value)])]),
                HTML.el("td", [], [.text("@" + host.username.value)]),
                HTML.el("td", [("data-status", "")], [.text(host.status.rawValue)]), HTML.el("td", [], [.text(host.isActive ? "yes" : "no")]),
                HTML.el("td", [], [.text(rating)]), HTML.el("td", [("data-paid", "")], [.text("\(figures[host.id!]?.paid ?? 0)")]),
                HTML.el("td", [("data-earned", "")], [.text(figures[host.id!]?.earned ?? "—")]),
                HTML.el("td", [], [statusForm]), HTML.el("td", [], [activeForm]),
            ])
        }
        return Self.page(.ok, "Hosts", [HTML.el("div", [("class", "scroll")], [HTML.el("table", [("id", "hosts")], [header] + rows)])], admin: session.admin)
    }

    func moneyPage(_ session: AdminSession, message: String?) async throws -> Response {
        var rows: [HTML] = [HTML.el("tr", [], ["Host", "Currency", "Earned", "Paid out", "Unpaid", "Record a payout"].map { HTML.el("th", [], [.text($0)]) })]
        for host in try await store.hosts(listedOnly: false) {
            let balances = try await store.balance(hostID: host.id!).sorted { $0.key.code < $1.key.code }
            for (currency, balance) in balances {
                let form = HTML.el("form", [("method", "post"), ("action", "/admin/money/\(host.id!.rawValue)/payout"), ("class", "inline")], [
                    csrfField(session), .void("input", [("name", "amount"), ("placeholder", "amount"), ("size", "8")]),
                    .void("input", [("name", "reference"), ("placeholder", "reference"), ("size", "10")]),
                    HTML.el("button", [("type", "submit")], [.text("Record")]),
                ])
                rows.append(HTML.el("tr", [("data-host", host.username.value)], [
                    HTML.el("td", [], [.text(host.displayName.value)]), HTML.el("td", [], [.text(currency.code)]),
                    HTML.el("td", [], [.text(balance.earned.formatted())]), HTML.el("td", [], [.text(balance.paidOut.formatted())]),
                    HTML.el("td", [("data-unpaid", "")], [.text(balance.unpaid.formatted())]), HTML.el("td", [], [form]),
                ]))
            }
        }
        var body: [HTML] = []
        if let message { body.append(HTML.el("p", [("class", "card")], [.text(message)])) }
        body += [HTML.el("div", [("class", "scroll")], [HTML.el("table", [("id", "balances")], rows)]),
                 HTML.el("p", [], [HTML.el("a", [("href", "/admin/ledger.csv")], [.text("Download the ledger (CSV)")])])]
        body += try await moneyToReturnSection(session)
        body += try await payoutsHistory()
        return Self.page(.ok, "Money", body, admin: session.admin)
    }

    /// Every payout, newest first.
    func payoutsHistory() async throws -> [HTML] {
        let names = try await hostNames()
        let payouts = try await store.payouts(hostID: nil)
        let header = HTML.el("tr", [], ["When (UTC)", "Host", "Amount", "Reference", "Recorded by"].map { HTML.el("th", [], [.text($0)]) })
        let rows = payouts.map { p in
            HTML.el("tr", [("data-payout", "\(p.id)")], [
                HTML.el("td", [], [.text(Self.local(p.createdAt, .utc))]), HTML.el("td", [], [.text(names[p.hostID] ?? "#\(p.hostID.rawValue)")]),
                HTML.el("td", [], [.text(p.amount.formatted())]), HTML.el("td", [], [.text(p.reference ?? "")]),
                HTML.el("td", [], [.text(p.recordedBy.map { "\($0.rawValue)" } ?? "system")]),
            ])
        }
        return [HTML.el("h3", [], [.text("Payouts")]),
                payouts.isEmpty ? HTML.el("p", [], [.text("No payouts yet.")]) : HTML.el("div", [("class", "scroll")], [HTML.el("table", [("id", "payouts")], [header] + rows)])]
    }
}
