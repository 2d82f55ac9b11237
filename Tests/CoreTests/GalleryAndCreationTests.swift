import Core
import Domain
import Foundation
import Storage
import Testing

/// Adding a host and keeping its gallery, as `Core` does it for the bot's wizard and gallery screens.
@Suite("Host creation and gallery use cases")
struct GalleryAndCreationTests {
    static func newHost(_ username: String, name: String = "Cleo") throws -> Domain.Host {
        try Host(username: TelegramUsername(parsing: username), displayName: DisplayName(parsing: name), bio: Bio(parsing: ""),
                 pricePerMinute: PricePerMinute(HostInput.price("2.50")), durations: HostInput.durations("30-60"), zone: HostInput.zone("Europe/Madrid"),
                 availability: HostInput.availability("09:00-17:00"))
    }

    @Test func anAdminAddsAHostOnceAndAnotherWithTheSameUsernameIsRefused() async throws {
        try await HostCatalogueTests.with { catalogue, store, _ in
            let admin = Actor.admin(HostCatalogueTests.admin)
            guard case .created(let cleo) = try await catalogue.create(admin, try Self.newHost("cleo_host"), photo: "AgACfirst") else {
                Issue.record("not created")
                return
            }
            #expect(try await store.photos(hostID: cleo.id!).map(\.fileID) == ["AgACfirst"])
            #expect(try await store.auditLog(limit: 5).map(\.action) == ["host.create"])
            // The same Confirm again (a retried update): the host as it is, nothing written.
            #expect(try await catalogue.create(admin, try Self.newHost("cleo_host"), photo: "AgACfirst") == .alreadyExists(cleo))
            await #expect(throws: HostInputError.usernameTaken("cleo_host")) { try await catalogue.create(admin, try Self.newHost("cleo_host", name: "Other"), photo: nil) }
            await #expect(throws: Refusal.notAllowed) { try await catalogue.create(.host(HostCatalogueTests.hostAccount), try Self.newHost("dora_host"), photo: nil) }
            await #expect(throws: Refusal.notAllowed) { try await catalogue.create(.admin(TelegramUserID(99)), try Self.newHost("dora_host"), photo: nil) }
            #expect(try await store.hosts(listedOnly: false).count == 3)
            #expect(try await store.photos(hostID: cleo.id!).count == 1)
            #expect(try await store.auditLog(limit: 5).count == 1)
        }
    }

    @Test func photosAreOrderedCaptionedAndRemovedWithTheirAuditRows() async throws {
        try await HostCatalogueTests.with { _, store, ids in
            let gallery = Gallery(store: store, now: { HostCatalogueTests.now }, admins: { [HostCatalogueTests.admin] })
            let admin = Actor.admin(HostCatalogueTests.admin)
            let a = try await gallery.add(admin, host: ids[0], fileID: "A", caption: "  ")
            let b = try await gallery.add(admin, host: ids[0], fileID: "B", caption: String(repeating: "x", count: 2000))
            #expect(a.caption == nil && b.caption?.count == 1024)
            #expect(try await gallery.move(admin, host: ids[0], photo: b.id, .up).map(\.fileID) == ["B", "A"])
            #expect(try await gallery.move(admin, host: ids[0], photo: b.id, .up).map(\.fileID) == ["B", "A"], "already first")
            await #expect(throws: CaptionError.tooLong(1025)) { try await gallery.setCaption(admin, host: ids[0], photo: a.id, text: String(repeating: "y", count: 1025)) }
            await #expect(throws: CaptionError.empty) { try await gallery.setCaption(admin, host: ids[0], photo: a.id, text: " ") }
            try await gallery.setCaption(admin, host: ids[0], photo: a.id, text: "On stage")
            await #expect(throws: Refusal.noSuchPhoto) { try await gallery.remove(admin, host: ids[1], photo: a.id) }
            await #expect(throws: Refusal.notAllowed) { try await gallery.remove(.host(HostCatalogueTests.hostAccount), host: ids[0], photo: a.id) }
            try await gallery.remove(admin, host: ids[0], photo: b.id)
            #expect(try await store.photos(hostID: ids[0]).map { "\($0.fileID) \($0.caption ?? "")" } == ["A On stage"])
            #expect(try await store.auditLog(limit: 10).map(\.action).reversed() == [
                "host.photo.add", "host.photo.add", "host.photo.reorder", "host.photo.caption", "host.photo.remove"])
        }
    }
}
