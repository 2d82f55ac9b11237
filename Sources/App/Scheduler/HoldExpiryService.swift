import Domain
import Logging
import ServiceLifecycle
import Storage

/// Releases lapsed holds (pending → expired) on a fixed tick, so their slots are offered again. Safe with
/// several instances: the UPDATE only matches rows still pending, so each hold expires once.
struct HoldExpiryService: Service, CustomStringConvertible {
    var description: String { "HoldExpiryService" }

    let store: any Store
    let now: @Sendable () -> Instant
    let interval: Duration
    let onExpired: @Sendable ([Booking]) async -> Void
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await tick()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func tick() async {
        do {
            let expired = try await store.expireLapsedHolds(at: now())
            if !expired.isEmpty {
                logger.info("holds expired", metadata: ["count": "\(expired.count)", "bookings": "\(expired.compactMap(\.id).map(\.rawValue))"])
                await onExpired(expired)
            }
        } catch {
            logger.error("hold expiry failed", metadata: ["error": "\(error)"])
        }
    }
}
