import Core
import Domain
import Foundation
import Logging
import Storage
import Testing

/// The catalogue's use cases on a real SQLite file with a fixed clock: who may change a host's status and
/// activation, what is written (the change and its audit row, or nothing), and the typed refusals.
@Suite("Host catalogue use cases")
struct HostCatalogueTests {
    static let now = Instant(epochSeconds: 1_795_564_800)
    static let admin = TelegramUserID(1)
    static let hostAccount = TelegramUserID(2)

    /// A fresh store with two hosts (the first linked to `hostAccount`), and the catalogue over it.
    static func with(admins: Set<TelegramUserID> = [admin], _ body: (HostCatalogue, any Store, [HostID]) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pc-core-\(UUID().uuidString).sqlite").path
        var logger = Logger(label: "core-tests")
        logger.logLevel = .critical
        let store = try await StoreFactory.open(.sqlite(path: path), logger: logger)
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            try await store.migrate()
            var ids: [HostID] = []
            for (name, account) in [("anna_host", Optional(hostAccount)), ("bea_host", nil)] {
                let host = try Host(
                    username: TelegramUsername(parsing: name), displayName: DisplayName(parsing: name), bio: Bio(parsing: ""),
                    pricePerMinute: PricePerMinute(Money(minorUnits: 500, currency: .usd)), durations: DurationRange(min: 15, max: 60),
                    zone: .utc, availability: WeeklyAvailability(parsing: "09:00-17:00"), telegramUserID: account)
                ids.append(try #require(try await store.createHost(host, at: now).id))
            }
            try await body(HostCatalogue(store: store, now: { now }, admins: { admins }), store, ids)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    @Test func anAdminSetsAnyStatusWithOneAuditRowAndTheSameStatusWritesNothing() async throws {
        try await Self.with { catalogue, store, ids in
            let change = try await catalogue.setStatus(.admin(Self.admin), host: ids[1], to: .busy)
            #expect(change.before == .online && change.host.status == .busy && change.changed)
            #expect(try await store.host(ids[1])?.status == .busy)
            let audit = try await store.auditLog(limit: 10)
            #expect(audit.map(\.action) == ["host.status"])
            #expect(audit.first?.role == "admin" && audit.first?.actor == 1 && audit.first?.before == "online" && audit.first?.after == "busy")
            let again = try await catalogue.setStatus(.admin(Self.admin), host: ids[1], to: .busy)
            #expect(!again.changed)
            #expect(try await store.auditLog(limit: 10).count == 1)
        }
    }

    @Test func aHostSwitchesOnlyTheirOwnOnlineOrOffline() async throws {
        try await Self.with { catalogue, store, ids in
            let change = try await catalogue.setStatus(.host(Self.hostAccount), host: ids[0], to: .offline)
            #expect(change.host.status == .offline)
            #expect(try await store.auditLog(limit: 1).first?.role == "host")
            await #expect(throws: Refusal.notAllowed) { try await catalogue.setStatus(.host(Self.hostAccount), host: ids[1], to: .offline) }
            await #expect(throws: Refusal.notAllowed) { try await catalogue.setStatus(.host(Self.hostAccount), host: ids[0], to: .busy) }
            await #expect(throws: Refusal.notAllowed) { try await catalogue.setStatus(.user(Self.hostAccount), host: ids[0], to: .online) }
            #expect(try await store.host(ids[1])?.status == .online)
            #expect(try await store.auditLog(limit: 10).count == 1)
        }
    }

    @Test func anAdminNoLongerConfiguredAndUnknownHostsAreRefusedAndChangeNothing() async throws {
        try await Self.with(admins: []) { catalogue, store, ids in
            await #expect(throws: Refusal.notAllowed) { try await catalogue.toggleStatus(.admin(Self.admin), host: ids[0]) }
            await #expect(throws: Refusal.notAllowed) { try await catalogue.setActive(.admin(Self.admin), host: ids[0], active: false) }
            let unchanged = try #require(try await store.host(ids[0]))
            #expect(unchanged.status == .online && unchanged.isActive)
            #expect(try await store.auditLog(limit: 10).isEmpty)
        }
        try await Self.with { catalogue, _, _ in
            await #expect(throws: Refusal.noSuchHost) { try await catalogue.toggleStatus(.admin(Self.admin), host: HostID(99)) }
        }
    }

    @Test func toggleTakesOfflineToOnlineAndEverythingElseToOffline() async throws {
        try await Self.with { catalogue, _, ids in
            #expect(try await catalogue.toggleStatus(.admin(Self.admin), host: ids[0]).host.status == .offline)
            #expect(try await catalogue.toggleStatus(.admin(Self.admin), host: ids[0]).host.status == .online)
            _ = try await catalogue.setStatus(.admin(Self.admin), host: ids[0], to: .busy)
            #expect(try await catalogue.toggleStatus(.host(Self.hostAccount), host: ids[0]).host.status == .offline)
        }
    }

    @Test func deactivationIsAnAdminsAndKeepsUpcomingBookings() async throws {
        try await Self.with { catalogue, store, ids in
            let hold = try Booking.hold(hostID: ids[0], userID: TelegramUserID(7), start: Self.now.adding(days: 1), minutes: 30,
                                        pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: Self.now,
                                        holdMinutes: 30)
            let booking = try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max)
            _ = try await store.apply(.paymentConfirmed(method: "stars", at: Self.now), to: booking.id!)
            await #expect(throws: Refusal.notAllowed) { try await catalogue.setActive(.host(Self.hostAccount), host: ids[0], active: false) }
            let change = try await catalogue.setActive(.admin(Self.admin), host: ids[0], active: false)
            #expect(change.upcomingKept == 1 && !change.host.isActive)
            #expect(try await store.hosts(listedOnly: true).map(\.id) == [ids[1]])
            #expect(try await store.booking(booking.id!)?.status == .confirmed)
            #expect(try await store.auditLog(limit: 1).first?.action == "host.deactivate")
            #expect(try await catalogue.setActive(.admin(Self.admin), host: ids[0], active: true).host.isActive)
        }
    }
}

/// Payouts and review moderation: admins only, typed refusals, nothing written on a refusal.
@Suite("Money and review use cases")
struct PayoutAndReviewTests {
    @Test func aPayoutIsRecordedWithinTheBalanceAndEveryWrongAmountIsRefused() async throws {
        try await HostCatalogueTests.with { _, store, ids in
            let now = HostCatalogueTests.now
            let hold = try Booking.hold(hostID: ids[0], userID: TelegramUserID(7), start: now.adding(days: 1), minutes: 30,
                                        pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: now, holdMinutes: 30)
            let booking = try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max)
            _ = try await store.apply(.paymentConfirmed(method: "stars", at: now), to: booking.id!)   // host share $105.00
            let payouts = Payouts(store: store, now: { now }, admins: { [HostCatalogueTests.admin] })
            let admin = Actor.admin(HostCatalogueTests.admin)
            await #expect(throws: Refusal.invalidAmount(.empty)) { try await payouts.record(admin, host: ids[0], amount: "", reference: nil) }
            await #expect(throws: Refusal.notPositive) { try await payouts.record(admin, host: ids[0], amount: "0", reference: nil) }
            await #expect(throws: Refusal.exceedsBalance(balance: Money(minorUnits: 10_500, currency: .usd))) {
                try await payouts.record(admin, host: ids[0], amount: "105.01", reference: nil)
            }
            await #expect(throws: Refusal.notAllowed) {
                try await payouts.record(.host(HostCatalogueTests.hostAccount), host: ids[0], amount: "5", reference: nil)
            }
            #expect(try await store.payouts(hostID: ids[0]).isEmpty)
            let payout = try await payouts.record(admin, host: ids[0], amount: "100", reference: "tr-1")
            #expect(payout.amount == Money(minorUnits: 10_000, currency: .usd))
            #expect(try await store.balance(hostID: ids[0])[.usd]?.unpaid == Money(minorUnits: 500, currency: .usd))
        }
    }

    @Test func onlyAConfiguredAdminHidesAReview() async throws {
        try await HostCatalogueTests.with { _, store, ids in
            let now = HostCatalogueTests.now
            let hold = try Booking.hold(hostID: ids[0], userID: TelegramUserID(7), start: now.adding(days: -2), minutes: 30,
                                        pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                        now: now.adding(days: -3), holdMinutes: 30)
            let booking = try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max)
            for event in [BookingEvent.paymentConfirmed(method: "stars", at: now.adding(days: -3)), .callStarted(at: now.adding(days: -2)),
                          .callEnded(at: now.adding(days: -2).adding(minutes: 30))] {
                _ = try await store.apply(event, to: booking.id!)
            }
            let review = try await store.addReview(Review(bookingID: booking.id!, hostID: ids[0], userID: TelegramUserID(7), rating: 2,
                                                          text: "meh", createdAt: now.adding(days: -1)))
            let moderation = ReviewModeration(store: store, now: { now }, admins: { [HostCatalogueTests.admin] })
            await #expect(throws: Refusal.notAllowed) {
                try await moderation.setHidden(.admin(TelegramUserID(99)), review: review.id!, hidden: true)
            }
            await #expect(throws: Refusal.noSuchReview) {
                try await moderation.setHidden(.admin(HostCatalogueTests.admin), review: 999, hidden: true)
            }
            #expect(try await moderation.setHidden(.admin(HostCatalogueTests.admin), review: review.id!, hidden: true).hidden)
            #expect(try await store.allReviews(includeHidden: false).isEmpty)
        }
    }
}

/// Editing a host's fields with the wizard's rules: saved with an audit row, or refused with nothing changed.
@Suite("Host editing use case")
struct HostEditingTests {
    @Test func everyFieldIsCheckedAndAWrongValueChangesNothing() async throws {
        try await HostCatalogueTests.with { catalogue, store, ids in
            let admin = Actor.admin(HostCatalogueTests.admin)
            let refusals: [(HostChange, HostInputError)] = [
                (.price("abc"), .amount(.invalidCharacter("a"))), (.price("0"), .field(.priceNotPositive)),
                (.durations("20-60"), .field(.durationStep(20))), (.durations("soon"), .durationFormat),
                (.availability(""), .needsText), (.zone("Mars/Olympus"), .unknownZone("Mars/Olympus")), (.zone("Madrid"), .unknownZone("Madrid")),
                (.username("@bea_host"), .usernameTaken("bea_host")), (.displayName("  "), .field(.displayNameEmpty)),
            ]
            let before = try #require(try await store.host(ids[0]))
            for (change, expected) in refusals {
                await #expect(throws: expected, "\(change)") { try await catalogue.edit(admin, host: ids[0], change) }
            }
            #expect(try await store.host(ids[0]) == before)
            #expect(try await store.auditLog(limit: 10).isEmpty)
            await #expect(throws: Refusal.notAllowed) { try await catalogue.edit(.host(HostCatalogueTests.hostAccount), host: ids[0], .bio("hi")) }
        }
    }

    @Test func aSavedEditIsAuditedAndANewUsernameUnlinksTheAccount() async throws {
        try await HostCatalogueTests.with { catalogue, store, ids in
            let admin = Actor.admin(HostCatalogueTests.admin)
            let priced = try await catalogue.edit(admin, host: ids[0], .price("2000 COP"))
            #expect(priced.pricePerMinute.money == Money(minorUnits: 200_000, currency: .cop))
            let audit = try #require(try await store.auditLog(limit: 1).first)
            #expect(audit.action == "host.edit.price" && audit.before?.contains("$5.00/min") == true && audit.after?.contains("COP") == true)
            #expect(try await catalogue.edit(admin, host: ids[0], .durations("30 – 90")).durations == (try DurationRange(min: 30, max: 90)))
            #expect(try await catalogue.edit(admin, host: ids[0], .zone("America/Bogota")).zone.identifier == "America/Bogota")
            let renamed = try await catalogue.edit(admin, host: ids[0], .username("@anna_new"))
            #expect(renamed.username.value == "anna_new" && renamed.telegramUserID == nil)
            #expect(try await store.host(ids[0])?.telegramUserID == nil)
        }
    }
}
