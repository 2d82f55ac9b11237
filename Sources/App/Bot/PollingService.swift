import Domain
import Logging
import ServiceLifecycle
import Storage
import Telegram

/// Long polling when no public URL is configured: `getUpdates` with offset = last handled id + 1 (read
/// from the store, so a restart continues where it stopped), backing off on errors, until graceful shutdown.
struct PollingService: Service, CustomStringConvertible {
    var description: String { "PollingService" }

    let client: TelegramClient
    let dispatcher: UpdateDispatcher
    let store: any Store
    let timeout: Int
    let logger: Logger
    /// Only the leader among instances polls (nil: always this one).
    var leadership: Leadership? = nil

    func run() async throws {
        try? await client.deleteWebhook()
        logger.info("long polling started")
        await cancelWhenGracefulShutdown { [self] in
            var offset: Int64?
            var leading = false
            var failures = 0
            while !Task.isCancelled {
                if let leadership {
                    guard await leadership.isLeader else {
                        leading = false
                        try? await Task.sleep(for: .milliseconds(250))
                        continue
                    }
                }
                do {
                    if !leading {
                        // (Re)gained the right to poll: continue after what any instance kept.
                        offset = try await store.lastHandledUpdateID().map { $0 + 1 }
                        leading = true
                        logger.info("polling from", metadata: ["offset": "\(offset.map(String.init) ?? "none")"])
                    }
                    let updates = try await client.getUpdates(offset: offset, timeout: timeout)
                    failures = 0
                    // Kept in the inbox first; only then does the offset move past them (the next getUpdates
                    // acknowledges them to Telegram).
                    let sorted = updates.sorted(by: { $0.updateId < $1.updateId })
                    try await dispatcher.receive(sorted)
                    if let last = sorted.last { offset = max(offset ?? 0, last.updateId + 1) }
                } catch {
                    if Task.isCancelled { break }
                    failures += 1
                    let delay = Self.backoff(failures: failures, error: error)
                    logger.warning("getUpdates failed", metadata: ["error": "\(error)", "retryInMs": "\(delay)"])
                    try? await Task.sleep(for: .milliseconds(delay))
                }
            }
        }
        await dispatcher.drain()
        logger.info("long polling stopped")
    }

    /// 429 → Telegram's retry_after; otherwise 250 ms doubling to 30 s.
    static func backoff(failures: Int, error: any Error) -> Int {
        if case .tooManyRequests(let seconds, _)? = error as? TelegramError { return seconds * 1000 }
        return min(30_000, 250 << min(failures - 1, 7))
    }
}

/// Runs `body` and cancels it when graceful shutdown begins.
func cancelWhenGracefulShutdown(_ body: @escaping @Sendable () async -> Void) async {
    try? await cancelOnGracefulShutdown { await body() }
}
