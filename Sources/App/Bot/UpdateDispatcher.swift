import Bot
import Domain
import Foundation
import Logging
import ServiceLifecycle
import Storage
import Telegram

/// The durable update inbox, receiving side and worker. `receive` keeps updates in the store (a Stars
/// payment in the Stars inbox first) before the caller acknowledges them to Telegram — before the polling
/// offset moves past them, before the webhook answers 200. The worker (`run`, one per instance) claims the head
/// of each chat's queue under a lease — so one chat's updates are handled one at a time, in update_id order,
/// across instances — at most `maxInFlight` at once, and marks each done, retries it (a 429 after its
/// `retry_after`, other failures with backoff) or gives up after `maxAttempts` with the reason stored. A
/// `pre_checkout_query` skips the queue: Telegram wants its answer within 10 seconds.
actor UpdateDispatcher {
    private let engine: BotEngine
    private let store: any Store
    private let now: @Sendable () -> Instant
    private let logger: Logger
    let instance: String
    let lease: Int64
    let maxInFlight: Int
    let maxAttempts: Int
    let idlePoll: Duration

    private var inFlight = 0
    private var waiter: CheckedContinuation<Void, Never>?
    private var woken = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    init(engine: BotEngine, store: any Store, now: @escaping @Sendable () -> Instant, logger: Logger, instance: String = "privatecalls",
         lease: Int64 = 60, maxInFlight: Int = 32, maxAttempts: Int = 5, idlePoll: Duration = .milliseconds(250)) {
        self.engine = engine
        self.store = store
        self.now = now
        self.logger = logger
        self.instance = instance
        self.lease = lease
        self.maxInFlight = maxInFlight
        self.maxAttempts = maxAttempts
        self.idlePoll = idlePoll
    }

    /// Keeps one update; false for an id kept before (a webhook retry, a redelivery after a restart).
    @discardableResult
    func dispatch(_ update: Update) async throws -> Bool {
        try await receive([update]).contains(update.updateId)
    }

    /// Keeps updates durably, then wakes the worker. Returns the ids kept now (duplicates are not).
    @discardableResult
    func receive(_ updates: [Update]) async throws -> [Int64] {
        guard !updates.isEmpty else { return [] }
        // Money first: a Stars payment is also kept in the Stars inbox, which the payments sweep processes
        // should its update never be handled.
        for update in updates {
            if let message = update.message, let payment = BotEngine.incomingStarsPayment(message, at: now()) {
                _ = try await store.recordStarsPayment(payment)
            }
        }
        let encoder = TelegramJSON.encoder()
        let rows = try updates.map { u in
            NewInboxUpdate(updateID: u.updateId, chatID: u.preCheckoutQuery == nil ? (u.chatId ?? 0) : 0,
                           payload: String(decoding: try encoder.encode(u), as: UTF8.self))
        }
        let kept = Set(try await store.receiveUpdates(rows, at: now()))
        if kept.count < updates.count {
            logger.debug("duplicate updates ignored", metadata: ["count": "\(updates.count - kept.count)"])
        }
        wake()
        return updates.map(\.updateId).filter(kept.contains)
    }

    // MARK: Worker

    /// Claims and handles updates until cancelled (graceful shutdown), then waits for those in flight. First
    /// takes back this instance's own claims left by a crash, instead of waiting for their lease.
    func run() async {
        do {
            let taken = try await store.releaseUpdateClaims(claimer: instance, at: now())
            if taken > 0 { logger.notice("took back updates this instance was handling before a restart", metadata: ["count": "\(taken)"]) }
        } catch {
            logger.error("could not take back earlier claims", metadata: ["error": "\(error)"])
        }
        while !Task.isCancelled {
            await claimAndStart()
            await sleep(upTo: idlePoll)
        }
    }

    private func claimAndStart() async {
        let free = maxInFlight - inFlight
        guard free > 0 else { return }
        let claimed: [InboxUpdate]
        do {
            claimed = try await store.claimUpdates(limit: free, now: now(), lease: lease, claimer: instance)
        } catch {
            logger.error("could not claim updates", metadata: ["error": "\(error)"])
            return
        }
        for row in claimed {
            inFlight += 1
            Task { await self.handle(row) }
        }
    }

    private func handle(_ row: InboxUpdate) async {
        await handleClaimed(row)
        inFlight -= 1
        if inFlight == 0 {
            let waiters = drainWaiters
            drainWaiters = []
            for w in waiters { w.resume() }
        }
        wake()
    }

    private func handleClaimed(_ row: InboxUpdate) async {
        var logger = self.logger
        logger[metadataKey: "update"] = "\(row.updateID)"
        let claim = row.claim
        guard let update = try? TelegramJSON.decoder().decode(Update.self, from: Data(row.payload.utf8)) else {
            logger.error("inbox update unreadable: given up")
            _ = try? await store.failUpdate(claim, error: "unreadable payload", at: now())
            return
        }
        do {
            // A pre-checkout query is kept without a chat (0), so it never waits behind a slow reply.
            try await engine.process(update)
            try await store.finishUpdate(claim, at: now())
        } catch {
            await failed(claim, error: error, logger: logger)
        }
    }

    private func failed(_ claim: InboxClaim, error: any Error, logger: Logger) async {
        let at = now()
        do {
            if case .tooManyRequests(let seconds, _)? = error as? TelegramError {
                logger.notice("update hit Telegram's rate limit; retried after retry_after", metadata: ["retryAfter": "\(seconds)"])
                // Whole seconds, `at` rounded down: one more makes sure all of retry_after has passed.
                try await store.retryUpdate(claim, notBefore: at.adding(seconds: Int64(max(1, seconds)) + 1), error: "\(error)")
            } else if case .api(let code, _)? = error as? TelegramError, code == 400 || code == 403 {
                // Telegram refuses this for good (bad request, user blocked the bot): repeating cannot help.
                logger.error("update failed for good", metadata: ["error": "\(error)"])
                try await store.failUpdate(claim, error: "\(error)", at: at)
            } else if claim.attempt >= maxAttempts {
                logger.error("update given up", metadata: ["attempts": "\(claim.attempt)", "error": "\(error)"])
                try await store.failUpdate(claim, error: "gave up after \(claim.attempt) attempts: \(error)", at: at)
            } else {
                let backoff = Int64(min(300, 1 << min(claim.attempt, 8)))
                logger.warning("update failed; retried", metadata: ["attempt": "\(claim.attempt)", "retryIn": "\(backoff)s", "error": "\(error)"])
                try await store.retryUpdate(claim, notBefore: at.adding(seconds: backoff), error: "\(error)")
            }
        } catch {
            logger.error("could not record an update's failure; its lease will lapse", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Waking and draining

    private func wake() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            woken = true
        }
    }

    private func sleep(upTo duration: Duration) async {
        if woken {
            woken = false
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: duration)
            await self?.wake()
        }
        await withCheckedContinuation { waiter = $0 }
        timer.cancel()
        woken = false
    }

    /// Waits until no update is being handled by this instance (graceful shutdown, tests) — or until the
    /// waiting task is cancelled (the shutdown's grace period ran out: what is still being handled is left to
    /// the heartbeat's takeover or to this instance's next start).
    func drain() async {
        guard inFlight > 0 else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { drainWaiters.append($0) }
        } onCancel: {
            Task { await self.abandonDrain() }
        }
    }

    private func abandonDrain() {
        let waiters = drainWaiters
        drainWaiters = []
        for w in waiters { w.resume() }
    }
}

/// The inbox worker as a service: stops claiming on graceful shutdown and finishes what it holds.
struct InboxWorker: Service, CustomStringConvertible {
    var description: String { "InboxWorker" }
    let dispatcher: UpdateDispatcher

    func run() async throws {
        // Graceful shutdown stops claiming; then what is being handled finishes, unless the service itself is
        // cancelled (SHUTDOWN_GRACE_SECONDS ran out).
        await cancelWhenGracefulShutdown { [dispatcher] in await dispatcher.run() }
        await dispatcher.drain()
    }
}
