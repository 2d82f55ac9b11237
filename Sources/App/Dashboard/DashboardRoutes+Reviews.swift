import Core
import Domain
import Foundation
import Hummingbird
import Storage

/// The dashboard's reviews (hide or show one, through `Core.ReviewModeration` as the bot's buttons do) and the
/// audit log (newest first, filtered by action prefix, role or entity id).
extension DashboardRoutes {
    func registerReviewPages(on router: Router<BasicRequestContext>) {
        router.get("admin/reviews") { request, _ -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            return try await reviewsPage(session)
        }
        router.post("admin/reviews/:id/hidden") { request, context -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            let form = try await Self.form(request)
            do { try AdminAccess.checkCSRF(form["csrf"], session) } catch {
                return Self.page(.forbidden, "Refused", [HTML.el("p", [("class", "notice")], [.text("That form is out of date. Reload the page and try again.")])])
            }
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { return Self.page(.notFound, "Not found", []) }
            do {
                _ = try await ReviewModeration(store: store, now: now, admins: access.admins).setHidden(.admin(session.admin), review: id, hidden: form["hidden"] == "1")
            } catch Refusal.noSuchReview {
                return Self.page(.notFound, "Not found", [HTML.el("p", [], [.text("That review does not exist.")]), backLink("/admin/reviews")])
            } catch Refusal.notAllowed {
                return Self.signInNeeded()
            }
            return Response(status: .seeOther, headers: [.location: "/admin/reviews"])
        }
        router.get("admin/audit") { request, _ -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            let query = request.uri.queryParameters
            return try await auditPage(session, action: query.get("action") ?? "", role: query.get("role") ?? "", entity: query.get("entity") ?? "")
        }
    }

    func reviewsPage(_ session: AdminSession) async throws -> Response {
        let names = Dictionary(try await store.hosts(listedOnly: false).compactMap { h in h.id.map { ($0, h.displayName.value) } },
                               uniquingKeysWith: { a, _ in a })
        let header = HTML.el("tr", [], ["Host", "Stars", "Text", "Shown", ""].map { HTML.el("th", [], [.text($0)]) })
        let rows = try await store.allReviews(includeHidden: true).map { review -> HTML in
            let form = HTML.el("form", [("method", "post"), ("action", "/admin/reviews/\(review.id ?? 0)/hidden"), ("class", "inline")], [
                csrfField(session), .void("input", [("type", "hidden"), ("name", "hidden"), ("value", review.hidden ? "0" : "1")]),
                HTML.el("button", [("type", "submit")], [.text(review.hidden ? "Show" : "Hide")]),
            ])
            return HTML.el("tr", [("data-review", "\(review.id ?? 0)")], [
                HTML.el("td", [], [.text(names[review.hostID] ?? "#\(review.hostID.rawValue)")]),
                HTML.el("td", [], [.text(String(repeating: "★", count: review.rating))]),
                HTML.el("td", [], [.text(review.text ?? "")]), HTML.el("td", [("data-shown", "")], [.text(review.hidden ? "hidden" : "shown")]),
                HTML.el("td", [], [form]),
            ])
        }
        return Self.page(.ok, "Reviews", [HTML.el("table", [("id", "reviews")], [header] + rows)], admin: session.admin)
    }

    func auditPage(_ session: AdminSession, action: String, role: String, entity: String) async throws -> Response {
        let entries = try await store.auditLog(limit: 500).filter {
            (action.isEmpty || $0.action.hasPrefix(action)) && (role.isEmpty || $0.role == role) && (entity.isEmpty || $0.entityID == entity)
        }
        let filter = HTML.el("form", [("method", "get"), ("action", "/admin/audit"), ("class", "card")], [
            .text("Action starts with "), .void("input", [("name", "action"), ("value", action)]),
            .text(" role "), .void("input", [("name", "role"), ("value", role), ("size", "6")]),
            .text(" entity id "), .void("input", [("name", "entity"), ("value", entity), ("size", "6")]),
            .text(" "), HTML.el("button", [("type", "submit")], [.text("Filter")]),
        ])
        let header = HTML.el("tr", [], ["When (UTC)", "Who", "Role", "Action", "Entity", "Before", "After"].map { HTML.el("th", [], [.text($0)]) })
        let rows = entries.map { e in
            HTML.el("tr", [("data-action", e.action)], [
                HTML.el("td", [], [.text(e.at.description)]), HTML.el("td", [], [.text(e.actor.map { "\($0)" } ?? "system")]),
                HTML.el("td", [], [.text(e.role)]), HTML.el("td", [], [.text(e.action)]), HTML.el("td", [], [.text("\(e.entity) \(e.entityID)")]),
                HTML.el("td", [], [.text(e.before ?? "")]), HTML.el("td", [], [.text(e.after ?? "")]),
            ])
        }
        return Self.page(.ok, "Audit log", [filter, HTML.el("table", [("id", "audit")], [header] + rows)], admin: session.admin)
    }
}
