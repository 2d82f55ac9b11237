import Domain
import Logging
import ServiceLifecycle
import Storage

/// Each instance says it is alive: a lease `instance:<INSTANCE_NAME>` renewed every `renewEvery` for
/// `seconds`. On the same tick it looks for instances whose heartbeat lapsed (SIGKILL, a lost machine) and gives
/// their outbox and inbox claims back at once, so their messages and updates go on within a few seconds instead
/// of after the claims' own leases (120 s and 60 s, which must outlast a slow send). One instance acts on each
/// dead one: the lapsed lease is deleted first, and only the instance that deleted it releases the claims.
/// A graceful shutdown deletes this instance's heartbeat (its claims are finished or handed back by then); one
/// cut short by `SHUTDOWN_GRACE_SECONDS` leaves it to lapse, so what it still held is taken over.
///
/// An instance that only stalled past `seconds` loses its claims the same way; it then finds its claim lost
/// before sending (`renewOutboxClaim`) — at worst a message in flight is sent twice, the at-least-once the
/// outbox always allowed; nothing is lost.
struct InstanceHeartbeat: Service, CustomStringConvertible {
    static let prefix = "instance:"
    var description: String { "InstanceHeartbeat(\(instance))" }

    let store: any Store
    let instance: String
    let now: @Sendable () -> Instant
    let logger: Logger
    var seconds: Int64 = 2
    var renewEvery: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await beat()
                try? await Task.sleep(for: renewEvery)
            }
        }
        // Cancelled (the shutdown's grace period ran out while something was still held): the heartbeat is left
        // to lapse, so another instance gives back what this one still holds. A shutdown that finished — this
        // service stops last — holds nothing: the heartbeat goes at once.
        guard !Task.isCancelled else { return }
        try? await store.releaseLease(Self.prefix + instance, holder: instance)
    }

    /// One renewal, then the claims of every instance found dead are given back.
    func beat() async {
        do {
            _ = try await store.acquireLease(Self.prefix + instance, holder: instance, now: now(), seconds: seconds)
            for lapsed in try await store.lapsedLeases(prefix: Self.prefix, at: now()) where lapsed.holder != instance {
                guard try await store.dropLapsedLease(lapsed.name, holder: lapsed.holder, at: now()) else { continue }
                let messages = try await store.releaseOutboxClaims(claimer: lapsed.holder, at: now())
                let updates = try await store.releaseUpdateClaims(claimer: lapsed.holder, at: now())
                logger.notice("an instance stopped; its claims were given back", metadata: [
                    "instance": "\(lapsed.holder)", "messages": "\(messages)", "updates": "\(updates)",
                ])
            }
        } catch {
            logger.error("instance heartbeat failed", metadata: ["error": "\(error)"])
        }
    }
}
