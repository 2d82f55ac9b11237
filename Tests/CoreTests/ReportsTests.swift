import Core
import Domain
import Foundation
import Storage
import Testing

/// The admin's figures through `Core.Reports`: only a configured admin; the window is local dates in a zone;
/// every ledger export leaves an audit row.
@Suite("Reports use cases")
struct ReportsTests {
    @Test func theWindowIsLocalDatesAndAnExportIsAudited() async throws {
        try await CancellationTests.with { w in
            let reports = Reports(store: w.store, now: { CancellationTests.now }, admins: { [HostCatalogueTests.admin] })
            let admin = Actor.admin(HostCatalogueTests.admin)
            _ = try await w.booking(hoursAhead: 48)
            let zone = try #require(Zone(identifier: "America/Bogota"))
            let today = zone.local(CancellationTests.now).date
            #expect(try await reports.analytics(admin, from: today, to: today, zone: zone).paidBookings == 0, "the call is in two days")
            #expect(try await reports.analytics(admin, from: today, to: today.adding(days: 2), zone: zone).paidBookings == 1)
            let window = Reports.window(from: today, to: today, zone: zone)
            #expect(window.end.map { $0.epochSeconds - window.start!.epochSeconds } == 86_400)
            let csv = try await reports.ledgerCSV(admin)
            #expect(csv.split(separator: "\r\n").count == 2)
            let audit = try #require(try await w.store.auditLog(limit: 1).first)
            #expect(audit.action == "ledger.export" && audit.entityID == "all" && audit.after == "\(csv.utf8.count) bytes")
            await #expect(throws: Refusal.notAllowed) { try await reports.ledgerCSV(.admin(TelegramUserID(5))) }
            await #expect(throws: Refusal.notAllowed) { try await reports.analytics(.host(HostCatalogueTests.hostAccount), from: nil, to: nil, zone: zone) }
            #expect(try await w.store.auditLog(limit: 10).count == 1)
        }
    }
}
