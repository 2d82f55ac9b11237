import Core
import Domain
import Foundation
import Hummingbird
import Logging
import Storage

/// The money page's "to return" part: refunds made by hand to record as done (with the provider's reference),
/// failed refunds to retry, the money-to-return list (payments no booking could take, reversals) and host
/// no-show reports — each button a `Core.RefundDesk` use case, the same the bot's Refunds screen calls.
extension DashboardRoutes {
    var refundDesk: RefundDesk? {
        guard let notices, let money else { return nil }
        return RefundDesk(store: store, now: now, admins: access.admins, notices: notices, money: money)
    }

    func registerRefundPages(on router: Router<BasicRequestContext>) {
        router.post("admin/refunds/:kind/:id/:action") { request, context -> Response in
            try await guardedPost(request) { session, form in
                guard let desk = refundDesk, let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                    return Self.page(.notFound, "Not found", [backLink("/admin/money")])
                }
                let actor = Actor.admin(session.admin)
                let note: String
                do {
                    switch (context.parameters.get("kind") ?? "", context.parameters.get("action") ?? "") {
                    case ("booking", "done"):
                        let reference = (form["reference"] ?? "").trimmingCharacters(in: .whitespaces)
                        _ = try await desk.manualRefundDone(actor, booking: BookingID(id), reference: reference.isEmpty ? nil : reference)
                        note = "refund-recorded"
                    case ("booking", "retry"):
                        note = Self.noteKey(try await desk.retryRefund(actor, booking: BookingID(id)))
                    case ("row", "done"):
                        _ = try await desk.settle(actor, row: id)
                        note = "row-settled"
                    case ("row", "retry"):
                        note = try await desk.retry(actor, row: id) ? "row-settled" : "row-retry-failed"
                    case ("noshow", "confirm"):
                        note = Self.noteKey(try await desk.resolveNoShow(actor, booking: BookingID(id), confirm: true).refund)
                    case ("noshow", "reject"):
                        _ = try await desk.resolveNoShow(actor, booking: BookingID(id), confirm: false)
                        note = "noshow-rejected"
                    default:
                        return Self.page(.notFound, "Not found", [backLink("/admin/money")])
                    }
                } catch Refusal.invalidReference {
                    return Self.page(.badRequest, "Not saved", [
                        HTML.el("p", [("class", "notice")], [.text("A reference is 1 to 100 characters, without control characters. Nothing was recorded.")]),
                        backLink("/admin/money"),
                    ], admin: session.admin)
                } catch let refusal as Refusal where refusal != .notAllowed {
                    note = "gone"
                }
                logger.notice("dashboard: money to return", metadata: ["id": "\(id)", "admin": "\(session.admin)", "result": "\(note)"])
                return Response(status: .seeOther, headers: [.location: "/admin/money?note=\(note)"])
            }
        }
    }

    static func noteKey(_ outcome: RefundOutcome) -> String {
        switch outcome {
        case .refunded: "refunded"
        case .manual: "manual"
        case .failed: "refund-failed"
        case .notOwed: "gone"
        }
    }

    static let moneyNotes = [
        "refund-recorded": "The refund is recorded as done; the user was told.",
        "refunded": "The money went back through the provider; the user was told.",
        "manual": "This provider's refunds are made by hand: return the money, then press “Refund done”.",
        "refund-failed": "The provider refused the refund again: see the error and retry later.",
        "row-settled": "Settled.",
        "row-retry-failed": "The provider did not return it: see the error and retry later, or return it by hand.",
        "noshow-rejected": "The report is rejected; the user was told.",
        "gone": "Nothing changed: that item was settled or changed meanwhile.",
    ]

    /// The "Money to return" section: empty text when nothing waits, or without payments configured.
    func moneyToReturnSection(_ session: AdminSession) async throws -> [HTML] {
        guard let desk = refundDesk else { return [] }
        let waiting = try await desk.waiting(.admin(session.admin))
        let names = try await hostNames()
        var body: [HTML] = [HTML.el("h3", [("id", "to-return")], [.text("Money to return")])]
        guard !waiting.isEmpty else { return body + [HTML.el("p", [], [.text("Nothing waits.")])] }
        func button(_ action: String, _ label: String, extra: [HTML] = []) -> HTML {
            HTML.el("form", [("method", "post"), ("action", action), ("class", "inline")],
                    [csrfField(session)] + extra + [HTML.el("button", [("type", "submit")], [.text(label)])])
        }
        func bookingCells(_ b: Booking) -> [HTML] {
            let id = b.id?.rawValue ?? 0
            return [HTML.el("td", [], [HTML.el("a", [("href", "/admin/bookings/\(id)")], [.text("#\(id)")])]), HTML.el("td", [], [.text(names[b.hostID] ?? "?")]),
                    HTML.el("td", [], [.text(b.paymentMethod ?? "—")]), HTML.el("td", [], [.text(b.price.total.formatted())])]
        }
        var rows: [HTML] = [HTML.el("tr", [], ["What", "Booking", "Host", "Provider", "Amount", ""].map { HTML.el("th", [], [.text($0)]) })]
        for b in waiting.manual {
            let id = b.id?.rawValue ?? 0
            rows.append(HTML.el("tr", [("data-refund", "manual"), ("data-booking", "\(id)")], [HTML.el("td", [], [.text("Refund by hand")])] + bookingCells(b) + [
                HTML.el("td", [], [button("/admin/refunds/booking/\(id)/done", "Refund done",
                                          extra: [.void("input", [("name", "reference"), ("placeholder", "provider reference (optional)"), ("size", "14")])])]),
            ]))
        }
        for b in waiting.failed {
            let id = b.id?.rawValue ?? 0
            rows.append(HTML.el("tr", [("data-refund", "failed"), ("data-booking", "\(id)")], [HTML.el("td", [], [.text("Refund \(b.refundState.rawValue)")])]
                + bookingCells(b) + [HTML.el("td", [], [button("/admin/refunds/booking/\(id)/retry", "Retry")])]))
        }
        for c in waiting.noShows {
            let id = c.booking.id?.rawValue ?? 0
            rows.append(HTML.el("tr", [("data-refund", "noshow"), ("data-booking", "\(id)")], [HTML.el("td", [], [.text("Host no-show reported by \(c.report.reportedBy.rawValue)")])]
                + bookingCells(c.booking) + [HTML.el("td", [], [
                    button("/admin/refunds/noshow/\(id)/confirm", "Confirm (refund)"), .text(" "), button("/admin/refunds/noshow/\(id)/reject", "Reject"),
                ])]))
        }
        for row in waiting.owed {
            let booking = row.bookingID.map { HTML.el("a", [("href", "/admin/bookings/\($0.rawValue)")], [.text("#\($0.rawValue)")]) } ?? .text("—")
            var actions = [button("/admin/refunds/row/\(row.id)/done", row.kind == .reversal ? "Seen" : "Returned")]
            if desk.retriable(row) { actions += [.text(" "), button("/admin/refunds/row/\(row.id)/retry", "Retry")] }
            let what = row.kind == .reversal ? "Reversal: \(row.reason)" : "\(row.reason)" + (row.lastError.map { " (last error: \(String($0.prefix(80))))" } ?? "")
            rows.append(HTML.el("tr", [("data-refund", "row"), ("data-row", "\(row.id)")], [
                HTML.el("td", [], [.text(what)]), HTML.el("td", [], [booking]), HTML.el("td", [], [.text("—")]),
                HTML.el("td", [], [.text(row.provider)]), HTML.el("td", [], [.text(row.amount?.description ?? "?")]), HTML.el("td", [], actions),
            ]))
        }
        body.append(HTML.el("div", [("class", "scroll")], [HTML.el("table", [("id", "money-to-return")], rows)]))
        return body
    }
}
