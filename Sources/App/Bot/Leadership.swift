import Domain
import Logging
import ServiceLifecycle
import Storage

/// One leader among the instances on one database, for the work only one of them may do: long polling
/// (Telegram answers a second `getUpdates` with 409 and cuts the first). A lease in the store (`leases`),
/// taken or renewed every `renewEvery`; a dead leader's lease lapses after `leaseSeconds` and another instance
/// takes it; a graceful shutdown gives it up at once. Everything else — handling inbox updates, sending the
/// outbox, scheduler steps — any instance does (those are claimed row by row).
actor Leadership {
    let name: String
    let holder: String
    let leaseSeconds: Int64
    let renewEvery: Duration
    private let store: any Store
    private let now: @Sendable () -> Instant
    private let logger: Logger
    private(set) var isLeader = false

    init(name: String, holder: String, store: any Store, now: @escaping @Sendable () -> Instant, logger: Logger,
         leaseSeconds: Int64 = 10, renewEvery: Duration = .seconds(2)) {
        self.name = name
        self.holder = holder
        self.store = store
        self.now = now
        self.logger = logger
        self.leaseSeconds = leaseSeconds
        self.renewEvery = renewEvery
    }

    /// One attempt to take or renew the lease.
    @discardableResult
    func attempt() async -> Bool {
        let held: Bool
        do {
            held = try await store.acquireLease(name, holder: holder, now: now(), seconds: leaseSeconds)
        } catch {
            // Unsure whether we still hold it: stop acting as leader until the store answers again.
            logger.error("leader lease could not be renewed", metadata: ["lease": "\(name)", "error": "\(error)"])
            held = false
        }
        if held != isLeader {
            logger.notice(held ? "this instance leads" : "this instance no longer leads", metadata: ["lease": "\(name)"])
        }
        isLeader = held
        return held
    }

    /// At shutdown: gives the lease up, so another instance leads at once.
    func stop() async {
        if isLeader { try? await store.releaseLease(name, holder: holder) }
        isLeader = false
    }
}

/// Keeps trying to lead, and renews the lease while it does, until graceful shutdown.
struct LeadershipService: Service, CustomStringConvertible {
    var description: String { "Leadership(\(leadership.name))" }
    let leadership: Leadership

    func run() async throws {
        let leadership = self.leadership
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await leadership.attempt()
                try? await Task.sleep(for: leadership.renewEvery)
            }
        }
        await leadership.stop()
    }
}
