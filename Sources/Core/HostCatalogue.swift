import Domain
import Storage

/// The catalogue's rules for a host's availability to users: the online/offline status (an admin for any
/// host, a host for their own) and an admin's deactivation. Each change is written with its audit row; asking
/// for the state a host is already in changes nothing and writes nothing.
public struct HostCatalogue: Sendable {
    let store: any Store
    let now: @Sendable () -> Instant
    /// `ADMIN_TELEGRAM_IDS` as configured now (read on every call).
    let admins: @Sendable () -> Set<TelegramUserID>

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>) {
        self.store = store
        self.now = now
        self.admins = admins
    }

    /// A status change as it happened.
    public struct StatusChange: Sendable, Equatable {
        public let host: Host
        public let before: HostStatus
        public var changed: Bool { host.status != before }
    }

    /// A deactivation or reactivation, with how many of the host's bookings still lie ahead (they are kept).
    public struct ActivationChange: Sendable, Equatable {
        public let host: Host
        public let upcomingKept: Int
    }

    /// Sets the status: an admin any of the three, a host only their own online/offline (busy comes from calls).
    public func setStatus(_ actor: Actor, host id: HostID, to status: HostStatus) async throws -> StatusChange {
        let host = try await allowedHost(actor, id)
        if case .host = actor, status == .busy { throw Refusal.notAllowed }
        return try await write(status, to: host, by: actor)
    }

    /// Online ↔ offline; a host in a call goes back to online.
    public func toggleStatus(_ actor: Actor, host id: HostID) async throws -> StatusChange {
        let host = try await allowedHost(actor, id)
        return try await write(host.status == .offline ? .online : .offline, to: host, by: actor)
    }

    /// Only an admin: a deactivated host is off the list and out of booking; their bookings stay.
    public func setActive(_ actor: Actor, host id: HostID, active: Bool) async throws -> ActivationChange {
        guard case .admin = actor else { throw Refusal.notAllowed }
        var host = try await allowedHost(actor, id)
        let before = host.isActive
        host.isActive = active
        let at = now()
        try await store.updateHost(host, at: at)
        try await store.appendAudit(AuditEntry(actor: actor.account.rawValue, role: actor.role, action: active ? "host.reactivate" : "host.deactivate",
                                               entity: "host", entityID: "\(id)", before: "active=\(before)", after: "active=\(active)", at: at))
        let upcoming = try await store.bookings(hostID: id).filter {
            $0.time.end > at && ($0.status == .confirmed || $0.status == .active || $0.blocksSlot(at: at))
        }
        return ActivationChange(host: host, upcomingKept: upcoming.count)
    }

    /// The host, if the actor may act on it.
    func allowedHost(_ actor: Actor, _ id: HostID) async throws -> Host {
        switch actor {
        case .admin(let account): guard admins().contains(account) else { throw Refusal.notAllowed }
        case .host, .user: break
        }
        guard let host = try await store.host(id) else { throw Refusal.noSuchHost }
        switch actor {
        case .admin: break
        case .host(let account): guard host.telegramUserID == account else { throw Refusal.notAllowed }
        case .user: throw Refusal.notAllowed
        }
        return host
    }

    private func write(_ status: HostStatus, to host: Host, by actor: Actor) async throws -> StatusChange {
        var after = host
        after.status = status
        guard host.status != status else { return StatusChange(host: host, before: host.status) }
        let at = now()
        try await store.setHostStatus(host.id!, status, at: at)
        try await store.appendAudit(AuditEntry(actor: actor.account.rawValue, role: actor.role, action: "host.status", entity: "host",
                                               entityID: "\(host.id!)", before: host.status.rawValue, after: status.rawValue, at: at))
        return StatusChange(host: after, before: host.status)
    }
}
