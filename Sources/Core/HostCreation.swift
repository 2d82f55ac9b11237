import Domain
import Foundation
import Storage

extension HostCatalogue {
    /// What adding a host did.
    public enum Creation: Sendable, Equatable {
        case created(Domain.Host)
        /// The very host (every field equal) exists already: this request was handled before (a double tap, or
        /// an update retried after a crash). Nothing written.
        case alreadyExists(Domain.Host)
    }

    /// An admin adds a host whose fields were checked by `HostInput` (the wizard's rules), with an optional first
    /// photo, and the audit row. Another host with the username is refused (`HostInputError.usernameTaken`).
    public func create(_ actor: Actor, _ host: Domain.Host, photo: String?) async throws -> Creation {
        guard case .admin(let account) = actor, admins().contains(account) else { throw Refusal.notAllowed }
        let at = now()
        let saved: Domain.Host
        do {
            saved = try await store.createHost(host, at: at)
        } catch StoreError.duplicate {
            if let existing = try await store.host(username: host.username), Self.describe(existing) == Self.describe(host) { return .alreadyExists(existing) }
            throw HostInputError.usernameTaken(host.username.value)
        }
        if let photo { _ = try await store.addPhoto(hostID: saved.id!, fileID: photo, caption: nil, at: at) }
        try await store.appendAudit(AuditEntry(actor: account.rawValue, role: actor.role, action: "host.create", entity: "host", entityID: "\(saved.id!)",
                                               before: nil, after: Self.describe(saved), at: at))
        return .created(saved)
    }
}

/// Why a caption was refused.
public enum CaptionError: Error, Sendable, Equatable {
    case empty
    /// Telegram takes at most 1024 characters; the length typed.
    case tooLong(Int)
}

/// A host's photo gallery: an admin adds, orders, captions and removes photos; each change is audited.
public struct Gallery: Sendable {
    let catalogue: HostCatalogue

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>) {
        catalogue = HostCatalogue(store: store, now: now, admins: admins)
    }

    var store: any Store { catalogue.store }

    public static let maxCaption = 1024

    /// A caption as typed: "-" removes it; empty or longer than 1024 characters is refused (never cut silently).
    public static func caption(_ text: String) throws(CaptionError) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.count <= maxCaption else { throw .tooLong(trimmed.count) }
        return trimmed == "-" ? nil : trimmed
    }

    public enum Move: Sendable { case up, down }

    public func photos(_ actor: Actor, host id: HostID) async throws -> [HostPhoto] {
        _ = try await adminHost(actor, id)
        return try await store.photos(hostID: id)
    }

    /// Adds a photo (a Telegram file id) with an optional caption (an empty one is no caption; a long one is cut
    /// to Telegram's 1024, as a photo's caption sent with it is).
    public func add(_ actor: Actor, host id: HostID, fileID: String, caption: String?) async throws -> HostPhoto {
        _ = try await adminHost(actor, id)
        let trimmed = caption?.trimmingCharacters(in: .whitespacesAndNewlines)
        let added = try await store.addPhoto(hostID: id, fileID: fileID, caption: trimmed?.isEmpty == false ? String(trimmed!.prefix(Self.maxCaption)) : nil,
                                             at: catalogue.now())
        try await audit(actor, "host.photo.add", id, before: nil, after: added.fileID)
        return added
    }

    /// Moves a photo one place; at either end nothing changes (and nothing is written).
    public func move(_ actor: Actor, host id: HostID, photo: Int64, _ direction: Move) async throws -> [HostPhoto] {
        let photos = try await self.photos(actor, host: id)
        guard let index = photos.firstIndex(where: { $0.id == photo }) else { throw Refusal.noSuchPhoto }
        let other = direction == .up ? index - 1 : index + 1
        guard photos.indices.contains(other) else { return photos }
        var order = photos.map(\.id)
        order.swapAt(index, other)
        try await store.reorderPhotos(hostID: id, order: order)
        try await audit(actor, "host.photo.reorder", id, before: photos.map { "\($0.id)" }.joined(separator: ","), after: order.map(String.init).joined(separator: ","))
        return try await store.photos(hostID: id)
    }

    public func remove(_ actor: Actor, host id: HostID, photo: Int64) async throws {
        let photos = try await self.photos(actor, host: id)
        guard let removed = photos.first(where: { $0.id == photo }) else { throw Refusal.noSuchPhoto }
        try await store.removePhoto(hostID: id, photoID: photo)
        try await audit(actor, "host.photo.remove", id, before: removed.fileID, after: nil)
    }

    /// Sets a photo's caption from what was typed (see `caption(_:)`); a refused caption changes nothing.
    public func setCaption(_ actor: Actor, host id: HostID, photo: Int64, text: String) async throws {
        let photos = try await self.photos(actor, host: id)
        guard photos.contains(where: { $0.id == photo }) else { throw Refusal.noSuchPhoto }
        let caption = try Self.caption(text)
        try await store.setPhotoCaption(hostID: id, photoID: photo, caption: caption)
        try await audit(actor, "host.photo.caption", id, before: nil, after: caption)
    }

    func adminHost(_ actor: Actor, _ id: HostID) async throws -> Domain.Host {
        guard case .admin = actor else { throw Refusal.notAllowed }
        return try await catalogue.allowedHost(actor, id)
    }

    func audit(_ actor: Actor, _ action: String, _ id: HostID, before: String?, after: String?) async throws {
        try await store.appendAudit(AuditEntry(actor: actor.account.rawValue, role: actor.role, action: action, entity: "host", entityID: "\(id)",
                                               before: before, after: after, at: catalogue.now()))
    }
}
