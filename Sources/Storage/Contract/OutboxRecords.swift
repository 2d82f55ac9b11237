import Domain

/// Where an outbox message is in its life: waiting (`pending`, possibly not before some instant), claimed by a
/// sender (`sending`, until its lease runs out), delivered (`sent`) or given up (`failed`).
public enum OutboxStatus: String, Hashable, Sendable, CaseIterable {
    case pending, sending, sent, failed
}

/// A message to write into the outbox, in the same transaction as the state change that causes it.
public struct NewOutboxMessage: Hashable, Sendable {
    /// The Telegram chat it goes to.
    public var chatID: Int64
    /// What it is, for logs and tests ("booking.confirmed", "reminder.24h", …).
    public var kind: String
    /// The Bot API call as JSON; opaque to storage.
    public var payload: String
    /// When set, a second message with the same key is skipped silently, so re-running a step never
    /// duplicates a message.
    public var dedupeKey: String?
    /// Not sent before this instant; nil means as soon as possible (the enqueue time).
    public var notBefore: Instant?

    public init(chatID: Int64, kind: String, payload: String, dedupeKey: String? = nil, notBefore: Instant? = nil) {
        self.chatID = chatID
        self.kind = kind
        self.payload = payload
        self.dedupeKey = dedupeKey
        self.notBefore = notBefore
    }
}

/// A stored outbox message.
public struct OutboxMessage: Hashable, Sendable {
    public let id: Int64
    public let chatID: Int64
    public let kind: String
    /// The Bot API call as JSON; opaque to storage.
    public let payload: String
    public let dedupeKey: String?
    public let status: OutboxStatus
    /// How many times a sender claimed it (each claim is one sending attempt).
    public let attempts: Int
    public let notBefore: Instant
    /// While `sending`: the lease's end; after it another sender may claim the message again.
    public let claimedUntil: Instant?
    /// The sender (instance) that claimed it last.
    public let claimedBy: String?
    /// Why the last attempt failed (also why it was given up).
    public let lastError: String?
    public let createdAt: Instant
    public let sentAt: Instant?
    /// When a sender gave up on it.
    public let failedAt: Instant?

    public init(id: Int64, chatID: Int64, kind: String, payload: String, dedupeKey: String?, status: OutboxStatus, attempts: Int,
                notBefore: Instant, claimedUntil: Instant?, claimedBy: String?, lastError: String?, createdAt: Instant,
                sentAt: Instant?, failedAt: Instant?) {
        self.id = id
        self.chatID = chatID
        self.kind = kind
        self.payload = payload
        self.dedupeKey = dedupeKey
        self.status = status
        self.attempts = attempts
        self.notBefore = notBefore
        self.claimedUntil = claimedUntil
        self.claimedBy = claimedBy
        self.lastError = lastError
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.failedAt = failedAt
    }
}

/// One claim of one message: who claimed it and which attempt the claim was (`attempts` after the claim).
/// Every change a sender makes after claiming names its claim, so a sender whose lease ran out and whose
/// message another sender took over can no longer reschedule or give it up, nor send it (`renewOutboxClaim`).
public struct OutboxClaim: Hashable, Sendable {
    public let id: Int64
    public let claimer: String
    public let attempt: Int

    public init(id: Int64, claimer: String, attempt: Int) {
        self.id = id
        self.claimer = claimer
        self.attempt = attempt
    }
}

extension OutboxMessage {
    /// The claim this row records while it is `sending`.
    public var claim: OutboxClaim? {
        guard status == .sending, let claimedBy else { return nil }
        return OutboxClaim(id: id, claimer: claimedBy, attempt: attempts)
    }
}

/// What `markOutboxSent` found. The message is recorded as sent in the first two cases: Telegram accepted
/// it, and recording that fact is what stops anyone from sending it again.
public enum OutboxSentMark: Hashable, Sendable {
    /// The claim still held: the normal case.
    case marked
    /// Recorded, but the claim had been lost (the lease ran out and the message was claimed again, rescheduled
    /// or given up meanwhile); a sender that took it over finds it sent before sending. `previous` is the
    /// status found.
    case markedAfterLosingClaim(previous: OutboxStatus)
    /// Someone had marked it sent already: Telegram got it twice.
    case alreadySent
}
