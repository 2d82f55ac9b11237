import Bot
import Domain
import Logging
import ServiceLifecycle
import Storage
import Telegram

/// Delivers the outbox. Each round claims due messages (a lease, so a crashed sender's messages are taken
/// over after it runs out, and concurrent instances never take the same message), sends them — in order per
/// chat, at most one per `perChatInterval` per chat and `globalPerSecond` overall — and records the result:
/// sent; rescheduled after a 429's `retry_after` or, for network and 5xx errors, after an exponential
/// backoff; given up with the reason after `maxAttempts` or on an error that retrying cannot fix (403 blocked
/// by the user, 400 bad request).
///
/// "Exactly once" holds as far as the database decides it: a message is marked sent right after Telegram
/// accepts it; only a crash in between those two steps can send it again after the lease.
struct OutboxSender: Service, CustomStringConvertible {
    var description: String { "OutboxSender(\(instance))" }

    let store: any Store
    let api: any BotAPI
    let now: @Sendable () -> Instant
    /// Names this instance in the claim (logs, the `claimed_by` column).
    let instance: String
    let logger: Logger
    var batchSize = 30
    /// Seconds a claim holds; comfortably more than a batch takes (one chat's messages are paced a second apart).
    var lease: Int64 = 120
    var maxAttempts = 8
    var pollInterval: Duration = .milliseconds(200)
    var perChatInterval: Duration = .seconds(1)
    var globalPerSecond = 30

    func run() async throws {
        let pacer = GlobalPacer(perSecond: globalPerSecond)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let sent = await round(pacer: pacer)
                if sent == 0 { try? await Task.sleep(for: pollInterval) }
            }
        }
    }

    /// One claim-and-send round; returns how many messages it handled.
    @discardableResult
    func round(pacer: GlobalPacer) async -> Int {
        let batch: [OutboxMessage]
        do {
            batch = try await store.claimOutbox(limit: batchSize, now: now(), lease: lease, claimer: instance)
        } catch {
            logger.error("outbox claim failed", metadata: ["error": "\(error)"])
            return 0
        }
        guard !batch.isEmpty else { return 0 }
        var chats: [Int64: [OutboxMessage]] = [:]
        var order: [Int64] = []
        for m in batch {
            if chats[m.chatID] == nil { order.append(m.chatID) }
            chats[m.chatID, default: []].append(m)
        }
        await withTaskGroup(of: Void.self) { group in
            for chat in order {
                let messages = chats[chat]!
                group.addTask { await deliver(messages, pacer: pacer) }
            }
        }
        return batch.count
    }

    /// Sends one chat's messages in order, a `perChatInterval` apart. When one cannot be sent now, it and
    /// the rest of the chat's batch wait for the same moment, so the chat's order holds.
    func deliver(_ messages: [OutboxMessage], pacer: GlobalPacer) async {
        for (index, message) in messages.enumerated() {
            if index > 0 { try? await Task.sleep(for: perChatInterval) }
            await pacer.wait()
            var log = logger
            log[metadataKey: "outbox"] = "\(message.id)"
            log[metadataKey: "kind"] = "\(message.kind)"
            log[metadataKey: "chat"] = "\(message.chatID)"
            guard let call = message.sendMessage else {
                await giveUp(message, reason: "unreadable payload", log)
                continue
            }
            do {
                _ = try await api.sendMessage(call)
            } catch {
                let retryAt = await failed(message, error, log)
                if let retryAt {
                    for later in messages[(index + 1)...] {
                        try? await store.rescheduleOutbox(later.id, notBefore: retryAt, error: "waiting for an earlier message of the chat")
                    }
                    return
                }
                continue
            }
            do {
                try await store.markOutboxSent(message.id, at: now())
                log.debug("outbox message sent")
            } catch {
                log.error("sent, but could not mark the outbox row; it may be sent again after the lease", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Records a failed send; returns when the message will be retried (nil when given up).
    func failed(_ message: OutboxMessage, _ error: TelegramError, _ log: Logger) async -> Instant? {
        let now = self.now()
        switch error {
        case .tooManyRequests(let seconds, _):
            let at = now.adding(seconds: Int64(max(seconds, 1)))
            log.notice("telegram 429: retrying after retry_after", metadata: ["retryAfter": "\(seconds)"])
            try? await store.rescheduleOutbox(message.id, notBefore: at, error: error.description)
            return at
        case _ where error.isRetryable && message.attempts < maxAttempts:
            let delay = Self.backoff(attempt: message.attempts)
            let at = now.adding(seconds: delay)
            log.warning("outbox send failed; backing off", metadata: ["error": "\(error)", "attempt": "\(message.attempts)", "retryIn": "\(delay)"])
            try? await store.rescheduleOutbox(message.id, notBefore: at, error: error.description)
            return at
        default:
            let reason = error.isRetryable ? "gave up after \(message.attempts) attempts: \(error)" : "\(error)"
            await giveUp(message, reason: reason, log)
            return nil
        }
    }

    func giveUp(_ message: OutboxMessage, reason: String, _ log: Logger) async {
        log.error("outbox message given up", metadata: ["reason": "\(reason)"])
        do {
            try await store.failOutbox(message.id, error: reason, at: now())
        } catch {
            log.error("could not record the given-up message", metadata: ["error": "\(error)"])
        }
    }

    /// 2, 4, 8 … seconds, at most 5 minutes.
    static func backoff(attempt: Int) -> Int64 {
        min(Int64(1) << Int64(min(max(attempt, 1), 9)), 300)
    }
}

/// Spaces sends at least 1/`perSecond` apart across every chat of this instance.
actor GlobalPacer {
    let spacing: Duration
    private var next = ContinuousClock.now

    init(perSecond: Int) { spacing = .seconds(1) / max(perSecond, 1) }

    func wait() async {
        let clock = ContinuousClock()
        let slot = max(next, clock.now)
        next = slot + spacing
        if slot > clock.now { try? await clock.sleep(until: slot) }
    }
}
