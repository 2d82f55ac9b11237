import Domain
import Storage

/// The business figures for admins: the analytics report for a range of local dates in a zone (the same figures
/// `privatecalls report` prints), and the commission ledger as CSV (each export audited).
public struct Reports: Sendable {
    let catalogue: HostCatalogue

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>) {
        catalogue = HostCatalogue(store: store, now: now, admins: admins)
    }

    /// [from 00:00, the day after `to` 00:00) in `zone`; nil ends are open.
    public static func window(from: LocalDate?, to: LocalDate?, zone: Zone) -> (start: Instant?, end: Instant?) {
        (from.map { zone.instant(of: $0, minuteOfDay: 0) }, to.map { zone.instant(of: $0.adding(days: 1), minuteOfDay: 0) })
    }

    public func analytics(_ actor: Actor, from: LocalDate?, to: LocalDate?, zone: Zone) async throws -> AnalyticsReport {
        try checkAdmin(actor)
        let window = Self.window(from: from, to: to, zone: zone)
        return try await catalogue.store.analyticsReport(from: window.start, to: window.end, zone: zone)
    }

    /// The ledger rows recorded in the window, as RFC 4180 CSV; the export is audited (who, how many bytes).
    public func ledgerCSV(_ actor: Actor, from: LocalDate? = nil, to: LocalDate? = nil, zone: Zone = .utc) async throws -> String {
        try checkAdmin(actor)
        let window = Self.window(from: from, to: to, zone: zone)
        let csv = try await catalogue.store.ledgerCSV(from: window.start, to: window.end)
        let scope = from == nil && to == nil ? "all" : "\(from.map { "\($0)" } ?? "…")..\(to.map { "\($0)" } ?? "…") \(zone.identifier)"
        try await catalogue.store.appendAudit(AuditEntry(actor: actor.account.rawValue, role: actor.role, action: "ledger.export", entity: "ledger",
                                                         entityID: scope, before: nil, after: "\(csv.utf8.count) bytes", at: catalogue.now()))
        return csv
    }

    func checkAdmin(_ actor: Actor) throws {
        guard case .admin(let account) = actor, catalogue.admins().contains(account) else { throw Refusal.notAllowed }
    }
}
