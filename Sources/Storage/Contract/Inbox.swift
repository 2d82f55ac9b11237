import Domain

/// A Telegram update as received, to keep in the inbox before it is acknowledged.
public struct NewInboxUpdate: Sendable, Hashable {
    public var updateID: Int64
    /// The chat whose queue it joins (its user's private chat); 0 when the update has none.
    public var chatID: Int64
    /// The update as JSON.
    public var payload: String

    public init(updateID: Int64, chatID: Int64, payload: String) {
        self.updateID = updateID
        self.chatID = chatID
        self.payload = payload
    }
}

public enum InboxStatus: String, Sendable, Hashable {
    /// Waiting (also after a failed attempt, until `notBefore`).
    case pending
    /// Claimed by an instance under a lease.
    case handling
    case done
    /// Given up (a poison update, or one Telegram refuses for good): `lastError` says why.
    case failed
}

/// A kept update.
public struct InboxUpdate: Sendable, Hashable {
    public var updateID: Int64
    public var chatID: Int64
    /// Erased (empty) once handled: updates carry people's messages.
    public var payload: String
    public var status: InboxStatus
    public var attempts: Int
    public var notBefore: Instant
    public var claimedBy: String?
    public var claimedUntil: Instant?
    public var lastError: String?
    public var receivedAt: Instant
    public var handledAt: Instant?

    public init(updateID: Int64, chatID: Int64, payload: String, status: InboxStatus, attempts: Int, notBefore: Instant, claimedBy: String?,
                claimedUntil: Instant?, lastError: String?, receivedAt: Instant, handledAt: Instant?) {
        self.updateID = updateID
        self.chatID = chatID
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.notBefore = notBefore
        self.claimedBy = claimedBy
        self.claimedUntil = claimedUntil
        self.lastError = lastError
        self.receivedAt = receivedAt
        self.handledAt = handledAt
    }

    /// The claim this row was returned under (by `claimUpdates`).
    public var claim: InboxClaim { InboxClaim(updateID: updateID, claimer: claimedBy ?? "", attempt: attempts) }
}

/// Who holds an update, and which attempt: every step after the claim names it, so a claimer that lost its
/// lease cannot finish or reschedule someone else's attempt.
public struct InboxClaim: Sendable, Hashable {
    public var updateID: Int64
    public var claimer: String
    public var attempt: Int

    public init(updateID: Int64, claimer: String, attempt: Int) {
        self.updateID = updateID
        self.claimer = claimer
        self.attempt = attempt
    }
}
