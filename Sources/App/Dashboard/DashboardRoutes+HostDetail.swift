import Core
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Storage

/// One host on the dashboard: every field editable with the wizard's own rules (`HostCatalogue.edit`, one field
/// per form: a refused value changes nothing and says why), the gallery, and links to the host's bookings.
extension DashboardRoutes {
    func registerHostDetail(on router: Router<BasicRequestContext>) {
        router.get("admin/hosts/:id") { request, context -> Response in
            guard let session = try await access.session(request.cookies[Self.cookie]?.value) else { return Self.signInNeeded() }
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { return Self.page(.notFound, "Not found", []) }
            return try await hostPage(HostID(id), session, saved: request.uri.queryParameters.get("saved"))
        }
        router.get("admin/hosts/:id/photos/:photo") { request, context -> Response in try await photo(request, context) }
        router.post("admin/hosts/:id/edit") { request, context -> Response in
            try await change(request, context, back: "/admin/hosts/\(context.parameters.get("id") ?? "")") { session, id, form in
                let value = form["value"] ?? ""
                let change: HostChange
                switch form["field"] ?? "" {
                case "username": change = .username(value)
                case "displayName": change = .displayName(value)
                case "bio": change = .bio(value)
                case "price": change = .price(value)
                case "durations": change = .durations(value)
                case "availability": change = .availability(value)
                case "zone": change = .zone(value)
                default: return "Pick a field to change."
                }
                do {
                    _ = try await catalogue.edit(.admin(session.admin), host: id, change)
                } catch let error as HostInputError {
                    return Self.describe(error) + " Nothing was changed."
                }
                return nil
            }
        }
    }

    /// A gallery photo's bytes, fetched from Telegram for a signed-in admin. Served as an image only (never as a
    /// page: a picture cannot run script here), not cached by shared caches.
    func photo(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard try await access.session(request.cookies[Self.cookie]?.value) != nil else { return Self.signInNeeded() }
        guard let host = context.parameters.get("id").flatMap({ Int64($0) }), let photoID = context.parameters.get("photo").flatMap({ Int64($0) }),
              let photo = try await store.photos(hostID: HostID(host)).first(where: { $0.id == photoID }) else { return Response(status: .notFound) }
        guard let files else { return Response(status: .serviceUnavailable) }
        let file: (bytes: [UInt8], filePath: String)
        do { file = try await files(photo.fileID) } catch {
            logger.warning("dashboard: a gallery photo could not be fetched from Telegram", metadata: ["host": "\(host)", "photo": "\(photoID)", "error": "\(error)"])
            return Response(status: .badGateway)
        }
        let type = file.filePath.hasSuffix(".png") ? "image/png" : file.filePath.hasSuffix(".svg") ? "image/svg+xml"
            : file.filePath.hasSuffix(".webp") ? "image/webp" : "image/jpeg"
        return Response(status: .ok, headers: [
            .contentType: type, .cacheControl: "private, max-age=3600", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ], body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    static func describe(_ error: HostInputError) -> String {
        switch error {
        case .field(let e): e.description
        case .amount(let e): e.description
        case .durationFormat: "Write the lengths as “30-90” (minutes, shortest-longest) or one length like “60”."
        case .needsText: "This cannot be empty."
        case .availability(let e): e.description
        case .unknownZone(let text): "“\(text)” is not a time zone name. Use one like Europe/Madrid, America/Bogota or UTC."
        case .usernameTaken(let name): "Another host already has the username @\(name)."
        }
    }

    /// The fields as the edit forms show them (each value reads back through the same parser).
    static func editable(_ h: Domain.Host) -> [(field: String, label: String, value: String, multiline: Bool)] {
        [("displayName", "Name", h.displayName.value, false), ("username", "Telegram username", h.username.value, false),
         ("bio", "Bio", h.bio.value, true),
         ("price", "Price per minute", "\(h.pricePerMinute.money.decimalString) \(h.currency.code)", false),
         ("durations", "Call lengths (minutes)", "\(h.durations.minMinutes)-\(h.durations.maxMinutes)", false),
         ("availability", "Weekly hours", h.availability.summary, false), ("zone", "Time zone of the hours", h.zone.identifier, false)]
    }

    func hostPage(_ id: HostID, _ session: AdminSession, saved: String?) async throws -> Response {
        guard let host = try await store.host(id) else {
            return Self.page(.notFound, "Not found", [HTML.el("p", [], [.text("That host does not exist.")]), backLink("/admin/hosts")])
        }
        var body: [HTML] = []
        body.append(HTML.el("p", [], [
            .text("Status \(host.status.rawValue) · \(host.isActive ? "listed" : "deactivated") · "
                  + (host.telegramUserID.map { "linked to Telegram account \($0.rawValue)" } ?? "no Telegram account linked") + " · "),
            HTML.el("a", [("href", "/admin/bookings?host=\(id.rawValue)")], [.text("bookings")]),
        ]))
        let rows = Self.editable(host).map { item -> HTML in
            let input: HTML = item.multiline
                ? HTML.el("textarea", [("name", "value"), ("rows", "3"), ("cols", "40")], [.text(item.value)])
                : .void("input", [("name", "value"), ("value", item.value), ("size", "32")])
            return HTML.el("tr", [("data-field", item.field)], [
                HTML.el("th", [], [.text(item.label)]),
                HTML.el("td", [], [HTML.el("form", [("method", "post"), ("action", "/admin/hosts/\(id.rawValue)/edit"), ("class", "inline")], [
                    csrfField(session), .void("input", [("type", "hidden"), ("name", "field"), ("value", item.field)]), input, .text(" "),
                    HTML.el("button", [("type", "submit")], [.text("Save")]),
                ])]),
            ])
        }
        body.append(HTML.el("div", [("class", "scroll")], [HTML.el("table", [("id", "host-fields")], rows)]))
        let photos = try await store.photos(hostID: id)
        body.append(HTML.el("h3", [], [.text("Gallery (\(photos.count) photo\(photos.count == 1 ? "" : "s"))")]))
        if photos.isEmpty {
            body.append(HTML.el("p", [], [.text("No photos yet. Photos are added in the bot (/admin_models → the host → Gallery).")]))
        } else {
            body.append(HTML.el("div", [("class", "gallery")], photos.map { photo in
                HTML.el("figure", [("data-photo", "\(photo.id)")], [
                    .void("img", [("src", "/admin/hosts/\(id.rawValue)/photos/\(photo.id)"), ("alt", photo.caption ?? "photo \(photo.id)"), ("loading", "lazy")]),
                    HTML.el("figcaption", [], [.text(photo.caption ?? "")]),
                ])
            }))
        }
        body.append(backLink("/admin/hosts"))
        return Self.page(.ok, host.displayName.value, body, admin: session.admin)
    }
}
