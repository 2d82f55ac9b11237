import Bot
import Domain
import Logging
import ServiceLifecycle
import Storage
import Synchronization
import Telegram

/// Delivers the outbox. Each round claims due messages under a lease (`Store.claimOutbox`: only the head of
/// each chat's queue, so a chat's messages go out one at a time and in order, also across instances; a
/// crashed sender's claims are taken over once their lease runs out), sends them — at most one per
/// `perChatInterval` per chat and `globalPerSecond` overall for this instance — and records the result:
/// sent; rescheduled after a 429's `retry_after`, or after an exponential backoff for network errors, 5xx
/// (and 401/404, which say the bot's token or API URL is wrong, not the message); given up with the reason
/// after `maxAttempts` claims, or at once on an error that retrying cannot fix (403 blocked by the user, 400
/// bad request, an unreadable payload).
///
/// Never twice, as far as the database decides it: right before sending, the claim is renewed only if it
/// still holds (`renewOutboxClaim`), so a sender whose lease ran out, or whose message was meanwhile marked
/// sent, does not send it; "sent" is recorded right after Telegram accepts the message, whatever became of
/// the claim. What remains is the window between Telegram accepting a message and the database recording it
/// (a crash, or a network error after Telegram got the request): then it is sent again after the lease or
/// the backoff — at least once, never lost.
struct OutboxSender: Service, CustomStringConvertible {
    var description: String { "OutboxSender(\(instance))" }

    let store: any Store
    let api: any BotAPI
    /// The injected clock: what `notBefore`, leases and give-up times are measured in.
    let now: @Sendable () -> Instant
    /// Names this instance in claims (the `claimed_by` column) and logs.
    let instance: String
    let logger: Logger
    /// Messages (so chats, as each chat's head is claimed) per round.
    var batchSize = 30
    /// Seconds a claim holds; renewed right before each send, so it only has to outlast one send (the HTTP
    /// timeout is 30 s) and the pacing wait before it.
    var lease: Int64 = 120
    /// Claims (each one attempt) before a message failing with a retryable error is given up.
    var maxAttempts = 8
    var pollInterval: Duration = .milliseconds(200)
    /// Telegram's ≈1 message per second per chat; measured from the end of one send to the start of the next.
    var perChatInterval: Duration = .seconds(1)
    /// Telegram's ≈30 messages per second overall (per instance).
    var globalPerSecond = 30
    /// How often recording "sent" is tried when the store fails (the message went out: not recording it
    /// means sending it again after the lease).
    var markAttempts = 5
    /// Test seam: runs after the pacing wait, right before the claim is renewed and the message sent.
    var beforeSend: (@Sendable (OutboxClaim) async -> Void)?

    func run() async throws {
        // A restart under the same INSTANCE_NAME takes back what this instance was sending when it died.
        do {
            let taken = try await store.releaseOutboxClaims(claimer: instance, at: now())
            if taken > 0 { logger.notice("took back messages this instance was sending before a restart", metadata: ["count": "\(taken)"]) }
        } catch {
            logger.error("could not take back earlier outbox claims", metadata: ["error": "\(error)"])
        }
        let pacing = OutboxPacing(perChat: perChatInterval, perSecond: globalPerSecond)
        let stopping = Mutex(false)
        // A graceful shutdown lets the round in progress finish (cancelling a send in flight could make it
        // look failed after Telegram got it); a cancellation stops at once.
        await withGracefulShutdownHandler {
            while !Task.isCancelled, !stopping.withLock({ $0 }) {
                let handled = await round(pacing: pacing)
                if handled == 0 { try? await Task.sleep(for: pollInterval) }
            }
        } onGracefulShutdown: {
            stopping.withLock { $0 = true }
        }
    }

    /// One claim-and-send round; returns how many messages it claimed.
    @discardableResult
    func round(pacing: OutboxPacing) async -> Int {
        let batch: [OutboxMessage]
        do {
            batch = try await store.claimOutbox(limit: batchSize, now: now(), lease: lease, claimer: instance)
        } catch {
            logger.error("outbox claim failed", metadata: ["error": "\(error)"])
            return 0
        }
        guard !batch.isEmpty else { return 0 }
        var chats: [Int64: [OutboxMessage]] = [:]
        for message in batch { chats[message.chatID, default: []].append(message) }
        await withTaskGroup(of: Void.self) { group in
            for (_, messages) in chats {
                group.addTask { await deliver(messages.sorted { $0.id < $1.id }, pacing: pacing) }
            }
        }
        return batch.count
    }

    /// Sends one chat's claimed messages in id order. When one is rescheduled, the rest of the chat's batch
    /// waits for the same moment, so the chat's order holds.
    func deliver(_ messages: [OutboxMessage], pacing: OutboxPacing) async {
        for (index, message) in messages.enumerated() {
            guard let claim = message.claim, claim.claimer == instance else { continue }
            var log = logger
            log[metadataKey: "outbox"] = "\(message.id)"
            log[metadataKey: "kind"] = "\(message.kind)"
            log[metadataKey: "chat"] = "\(message.chatID)"
            guard let call = message.sendMessage else {
                await giveUp(claim, reason: "unreadable payload: not a sendMessage call", log)
                continue
            }
            guard call.chatId == message.chatID else {
                await giveUp(claim, reason: "payload chat \(call.chatId) differs from the row's chat", log)
                continue
            }
            await pacing.waitTurn(chat: message.chatID)
            if Task.isCancelled {
                // Stopping: hand the rest back rather than send without pacing.
                for rest in messages[index...] {
                    if let claim = rest.claim { _ = try? await store.rescheduleOutbox(claim, notBefore: now(), error: "sender stopped") }
                }
                return
            }
            await beforeSend?(claim)
            do {
                guard try await store.renewOutboxClaim(claim, now: now(), lease: lease) else {
                    log.warning("outbox claim lost before sending (taken over or already sent); not sending")
                    continue
                }
            } catch {
                log.error("could not renew the outbox claim; not sending (the lease will run out)", metadata: ["error": "\(error)"])
                continue
            }
            let result: Result<Message, TelegramError>
            do {
                result = .success(try await api.sendMessage(call))
            } catch {
                result = .failure(error)
            }
            await pacing.sent(chat: message.chatID)
            switch result {
            case .success:
                await markSent(claim, log)
            case .failure(let error):
                if let retryAt = await failed(message, claim, error, log) {
                    for later in messages[(index + 1)...] {
                        guard let claim = later.claim else { continue }
                        _ = try? await store.rescheduleOutbox(claim, notBefore: retryAt, error: "waiting for an earlier message of the chat")
                    }
                    return
                }
            }
        }
    }

    /// Records "sent", retrying when the store fails.
    func markSent(_ claim: OutboxClaim, _ log: Logger) async {
        for attempt in 1...max(markAttempts, 1) {
            do {
                switch try await store.markOutboxSent(claim, at: now()) {
                case .marked:
                    log.debug("outbox message sent")
                case .markedAfterLosingClaim(let previous):
                    log.warning("outbox message sent after its claim was lost (lease ran out); recorded as sent", metadata: ["found": "\(previous.rawValue)"])
                case .alreadySent:
                    log.error("outbox message was sent twice: another sender had sent it after this one's lease ran out")
                }
                return
            } catch {
                log.error("sent, but could not mark the outbox row", metadata: ["error": "\(error)", "try": "\(attempt)"])
                if attempt < markAttempts { try? await Task.sleep(for: .milliseconds(100 << min(attempt, 6))) }
            }
        }
        log.error("gave up marking the outbox row; it will be sent again after the lease")
    }

    /// What to do after a failed send.
    enum Verdict: Equatable {
        /// Telegram said when: after `retry_after` seconds.
        case retryAfter(seconds: Int64)
        /// A transient failure: back off and try again, within `maxAttempts`.
        case backoff
        /// Retrying cannot help.
        case giveUp(reason: String)
    }

    static func verdict(for error: TelegramError) -> Verdict {
        switch error {
        case .tooManyRequests(let seconds, _): .retryAfter(seconds: Int64(max(seconds, 1)))
        case .network: .backoff
        // 5xx: Telegram's trouble. 401/404: the token or API URL is wrong — the bot's problem, not the message's.
        case .api(let code, _) where code >= 500 || code == 401 || code == 404: .backoff
        case .api: .giveUp(reason: error.description)
        // Telegram may have accepted it: sending again could send it twice.
        case .decoding: .giveUp(reason: "\(error.description) (it may have been delivered)")
        }
    }

    /// Records a failed send; returns when the message will be retried (nil when given up or the claim was lost).
    func failed(_ message: OutboxMessage, _ claim: OutboxClaim, _ error: TelegramError, _ log: Logger) async -> Instant? {
        let now = self.now()
        let at: Instant
        switch Self.verdict(for: error) {
        case .retryAfter(let seconds):
            // The clock counts whole seconds (`now` is rounded down): one more makes sure all of it has passed.
            at = now.adding(seconds: seconds + 1)
            log.notice("telegram 429: retrying after retry_after", metadata: ["retryAfter": "\(seconds)"])
        case .backoff where message.attempts < maxAttempts:
            let delay = Self.backoff(attempt: message.attempts)
            at = now.adding(seconds: delay)
            log.warning("outbox send failed; backing off", metadata: ["error": "\(error)", "attempt": "\(message.attempts)", "retryIn": "\(delay)"])
        case .backoff:
            await giveUp(claim, reason: "gave up after \(message.attempts) attempts: \(error)", log)
            return nil
        case .giveUp(let reason):
            await giveUp(claim, reason: reason, log)
            return nil
        }
        do {
            guard try await store.rescheduleOutbox(claim, notBefore: at, error: error.description) else {
                log.warning("outbox claim lost; another sender handles the message")
                return nil
            }
        } catch {
            log.error("could not reschedule the outbox message (it is retried after the lease)", metadata: ["error": "\(error)"])
        }
        return at
    }

    func giveUp(_ claim: OutboxClaim, reason: String, _ log: Logger) async {
        do {
            if try await store.failOutbox(claim, error: reason, at: now()) {
                log.error("outbox message given up", metadata: ["reason": "\(reason)"])
            } else {
                log.warning("outbox claim lost; another sender handles the message")
            }
        } catch {
            log.error("could not record the given-up message", metadata: ["error": "\(error)", "reason": "\(reason)"])
        }
    }

    /// 2, 4, 8 … seconds, at most 5 minutes.
    static func backoff(attempt: Int) -> Int64 {
        min(Int64(1) << Int64(min(max(attempt, 1), 9)), 300)
    }
}

/// This instance's pacing, in real time: sends at least 1/`perSecond` apart across all chats, and at least
/// `perChat` from the end of one send to a chat to the start of the next to the same chat.
actor OutboxPacing {
    let perChat: Duration
    let spacing: Duration
    private var nextGlobal = ContinuousClock.now
    private var lastSent: [Int64: ContinuousClock.Instant] = [:]

    init(perChat: Duration, perSecond: Int) {
        self.perChat = perChat
        spacing = .seconds(1) / max(perSecond, 1)
    }

    /// Waits until the chat may be written to again, then for a global slot.
    func waitTurn(chat: Int64) async {
        let clock = ContinuousClock()
        if let last = lastSent[chat], last + perChat > clock.now {
            try? await clock.sleep(until: last + perChat)
        }
        let slot = max(nextGlobal, clock.now)
        nextGlobal = slot + spacing
        if slot > clock.now { try? await clock.sleep(until: slot) }
    }

    /// A send to the chat ended (successfully or not): the next one waits `perChat` from now.
    func sent(chat: Int64) {
        lastSent[chat] = ContinuousClock.now
        if lastSent.count > 10_000 {
            let horizon = ContinuousClock.now - perChat
            lastSent = lastSent.filter { $0.value > horizon }
        }
    }
}
