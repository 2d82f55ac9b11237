import Domain

/// Everything the app keeps. One contract, two engines (SQLite and PostgreSQL); the same contract test
/// suite runs against both. Methods that change several rows do so in one transaction.
public protocol Store: Sendable {
    /// Which engine this is, for logs and `/readyz`.
    var engineName: String { get }

    /// Applies pending schema migrations; safe to call on every start and from several instances.
    func migrate() async throws
    /// The schema versions applied so far, oldest first.
    func appliedMigrations() async throws -> [Int]
    /// A round trip to the database (readiness).
    func ping() async throws
    func close() async

    // MARK: Hosts
    func createHost(_ host: Host, at now: Instant) async throws -> Host
    func host(_ id: HostID) async throws -> Host?
    func host(username: TelegramUsername) async throws -> Host?
    /// Hosts in id order; `listedOnly` keeps only active hosts that are not offline.
    func hosts(listedOnly: Bool) async throws -> [Host]
    /// Replaces every field of the host, availability included.
    func updateHost(_ host: Host, at now: Instant) async throws
    func setHostStatus(_ id: HostID, _ status: HostStatus, at now: Instant) async throws

    // MARK: Gallery
    func addPhoto(hostID: HostID, fileID: String, caption: String?, at now: Instant) async throws -> HostPhoto
    /// In display order.
    func photos(hostID: HostID) async throws -> [HostPhoto]
    /// `order` must name exactly the host's photos.
    func reorderPhotos(hostID: HostID, order: [Int64]) async throws
    func removePhoto(hostID: HostID, photoID: Int64) async throws
    /// Sets or clears one photo's caption.
    func setPhotoCaption(hostID: HostID, photoID: Int64, caption: String?) async throws

    // MARK: Users
    func saveUser(_ user: UserProfile, at now: Instant) async throws
    func user(_ id: TelegramUserID) async throws -> UserProfile?

    // MARK: Bookings
    /// Stores a new pending hold unless its time (plus `bufferMinutes` after it) overlaps a booking that
    /// blocks the slot. Lapsed holds in the way are expired first. Throws `StoreError.slotTaken` when
    /// another booking holds the time — also when it wins a race at the same moment. Refuses with
    /// `StoreError.tooManyHolds` when the user already has `maxLiveHolds` live holds (pending, hold not lapsed at
    /// `booking.createdAt`); counted and inserted in one transaction serialized per user, so concurrent calls
    /// by one user never get past the limit.
    func createHold(_ booking: Booking, bufferMinutes: Int, maxLiveHolds: Int) async throws -> Booking
    func booking(_ id: BookingID) async throws -> Booking?
    /// Bookings of a host that block at `now` and overlap `range`.
    func busyRanges(hostID: HostID, overlapping range: TimeRange, at now: Instant) async throws -> [TimeRange]
    func bookings(userID: TelegramUserID) async throws -> [Booking]
    func bookings(hostID: HostID) async throws -> [Booking]
    /// Runs the booking state machine on the stored booking and saves the result, with its ledger rows, in
    /// one transaction. A late payment on an expired hold succeeds only if the slot is still free.
    func apply(_ event: BookingEvent, to id: BookingID) async throws -> Booking
    /// Marks every pending hold whose expiry is at or before `now` as expired; returns them.
    func expireLapsedHolds(at now: Instant) async throws -> [Booking]

    // MARK: Payments and money
    /// Records a provider event once. Returns false when (provider, eventID) was already recorded.
    func recordPaymentEvent(_ event: PaymentEventRecord) async throws -> Bool
    /// Updates what became of a recorded event ("confirmed", "refunded", "rejected: amount mismatch", …).
    func setPaymentEventStatus(provider: String, eventID: String, status: String) async throws
    func paymentEvents(bookingID: BookingID) async throws -> [PaymentEventRecord]
    func ledger(bookingID: BookingID) async throws -> [LedgerEntry]
    func ledger(hostID: HostID) async throws -> [LedgerEntry]

    // MARK: Payouts, balances, reports
    /// Records money paid out to a host, in one transaction with an audit row. Refused with
    /// `StoreError.payoutExceedsBalance` when `amount` is more than the host's unpaid balance in that currency
    /// (Σ ledger host share − Σ payouts), with `invalidData` when it is not positive, `notFound` for an unknown
    /// host. Concurrent payouts never overdraw (the host row is locked on PostgreSQL; SQLite's writer is serial).
    func recordPayout(hostID: HostID, amount: Money, reference: String?, recordedBy: TelegramUserID?, at now: Instant) async throws -> Payout
    /// Newest first; nil for every host.
    func payouts(hostID: HostID?) async throws -> [Payout]
    /// The host's all-time money per currency (empty when there is none).
    func balance(hostID: HostID) async throws -> [Currency: HostBalance]
    /// Per host and currency over ledger rows created in [from, to) (nil = unbounded), by host id then currency.
    func earnings(from: Instant?, to: Instant?) async throws -> [EarningsLine]
    /// Bookings starting in [from, to), optionally of one host, by start time (then id).
    func allBookings(from: Instant?, to: Instant?, hostID: HostID?) async throws -> [Booking]
    /// Ledger rows created in [from, to), oldest first.
    func ledgerEntries(from: Instant?, to: Instant?) async throws -> [LedgerEntry]
    /// Newest first; hidden ones too when asked.
    func allReviews(includeHidden: Bool) async throws -> [Review]

    /// Remembers the provider's reference (a Stripe Checkout Session id) for a booking.
    func setPaymentReference(_ reference: String, for id: BookingID, at now: Instant) async throws
    func booking(paymentReference: String) async throws -> Booking?
    func paymentReference(of id: BookingID) async throws -> String?

    // MARK: Fulfilment and money to return (SQLStore+Fulfilment.swift)
    /// Remembers a checkout we created (a Stripe session id, a Daimo payment id) as belonging to `id`, and
    /// makes it the booking's payment reference. A reference of another booking is `duplicate`.
    func recordCheckout(provider: String, reference: String, for id: BookingID, at now: Instant) async throws
    /// The booking a provider reference belongs to.
    func checkoutBooking(provider: String, reference: String) async throws -> BookingID?
    /// A verified provider payment, all or nothing in one transaction: the event recorded once per
    /// (provider, event id) — a second delivery, concurrent or later, returns `duplicate` and changes nothing —;
    /// the reference checked against the booking it belongs to (`PaymentBinding`); a state never moving back
    /// (except paid → reversed); then, for a payment, either the booking confirmed with its ledger row, its
    /// refund handle and `notices.confirmed`, or a row of money to return with `notices.owed` and
    /// `notices.admins` and an audit row. Any failure rolls everything back, so the provider's retry runs it
    /// again.
    func fulfil(_ payment: ProviderPayment, notices: FulfilmentNotices, starsPerUSD: Int?, at now: Instant) async throws -> FulfilmentResult
    /// The list, oldest first; only rows not settled when `openOnly`.
    func moneyToReturn(openOnly: Bool) async throws -> [MoneyToReturn]
    func moneyToReturn(id: Int64) async throws -> MoneyToReturn?
    /// owed → requested (one attempt more), also a `requested` one untouched for `staleAfterSeconds` (a refund
    /// interrupted by a crash); nil when someone else holds it or it is settled. Only the claimer calls the
    /// provider.
    func claimRefund(_ id: Int64, at now: Instant, staleAfterSeconds: Int64) async throws -> MoneyToReturn?
    /// requested → owed after a failed attempt, with the error and an audit row.
    func releaseRefundClaim(_ id: Int64, error: String, at now: Instant) async throws
    /// owed/requested → settled (the provider returned it, or an admin says it was done), with an audit row and
    /// `messages`, in one transaction; `notFound` when it is not open.
    func settleMoneyToReturn(_ id: Int64, by admin: TelegramUserID?, note: String?, messages: [NewOutboxMessage], at now: Instant) async throws -> MoneyToReturn

    // MARK: Telegram Stars inbox
    /// Keeps a `successful_payment` before its update is acknowledged; false when it was kept already.
    func recordStarsPayment(_ payment: IncomingStarsPayment) async throws -> Bool
    /// Kept payments not processed yet, received at or before `cutoff`, oldest first.
    func unprocessedStarsPayments(receivedAtOrBefore cutoff: Instant) async throws -> [IncomingStarsPayment]
    func markStarsPaymentProcessed(_ chargeID: String, at now: Instant) async throws

    // MARK: Reviews
    /// Stores a review; a second one for the same booking throws `StoreError.duplicate` (a unique rule, so
    /// two presses at once cannot both win). Who may review what is checked by the caller (`ReviewRules`).
    func addReview(_ review: Review) async throws -> Review
    func review(bookingID: BookingID) async throws -> Review?
    /// Sets or clears the text of a booking's review, only by its author; `notFound` otherwise.
    func setReviewText(bookingID: BookingID, userID: TelegramUserID, text: String?) async throws
    /// Hides (or shows again) a review, with an audit row in the same transaction; returns the review.
    func setReviewHidden(_ id: Int64, hidden: Bool, by admin: TelegramUserID, at now: Instant) async throws -> Review
    /// Visible reviews' average and count per host.
    func ratingSummaries() async throws -> [HostID: RatingSummary]
    /// Newest first, visible only.
    func reviews(hostID: HostID, limit: Int) async throws -> [Review]

    // MARK: Telegram updates
    /// Records an update id; false when it was handled before.
    func markUpdateHandled(_ updateID: Int64, at now: Instant) async throws -> Bool
    /// The highest update id recorded (the long-polling offset is this + 1).
    func lastHandledUpdateID() async throws -> Int64?

    // MARK: Update inbox (SQLStore+Inbox.swift)
    /// Keeps updates (once per update_id; one handled before the inbox existed is skipped too) before they are
    /// acknowledged to Telegram; returns the ids kept now.
    @discardableResult
    func receiveUpdates(_ updates: [NewInboxUpdate], at now: Instant) async throws -> [Int64]
    /// Atomically claims up to `limit` due updates in update_id order — pending ones whose `notBefore` ≤ `now`
    /// and handling ones whose lease ran out — marking them handling until `now + lease` by `claimer`, one
    /// attempt more. Only the head of each chat's queue is claimable (no other update of the chat handled
    /// under a live lease, no earlier one open), so a chat's updates are handled one at a time, in order, across
    /// instances; updates without a chat (0) do not wait for each other.
    func claimUpdates(limit: Int, now: Instant, lease: Int64, claimer: String) async throws -> [InboxUpdate]
    /// Handled: done, payload erased — if the claim still holds (false otherwise).
    @discardableResult
    func finishUpdate(_ claim: InboxClaim, at now: Instant) async throws -> Bool
    /// Back to pending, not before `notBefore`, with the error — if the claim still holds.
    @discardableResult
    func retryUpdate(_ claim: InboxClaim, notBefore: Instant, error: String) async throws -> Bool
    /// Given up with the reason (payload erased) — if the claim still holds.
    @discardableResult
    func failUpdate(_ claim: InboxClaim, error: String, at now: Instant) async throws -> Bool
    /// Every update `claimer` is handling goes back to pending at once (a graceful shutdown, or a restarted
    /// instance taking over its own claims instead of waiting for the lease). Returns how many.
    @discardableResult
    func releaseUpdateClaims(claimer: String, at now: Instant) async throws -> Int
    /// Kept updates in update_id order; nil for every status.
    func inbox(status: InboxStatus?) async throws -> [InboxUpdate]
    /// Updates pending or being handled.
    func openInboxCount() async throws -> Int

    // MARK: Leases
    /// Takes or renews the lease `name` for `holder` until `now + seconds` — when it is free, lapsed, or
    /// `holder`'s already; true when `holder` holds it now. One statement, so two instances never both win.
    func acquireLease(_ name: String, holder: String, now: Instant, seconds: Int64) async throws -> Bool
    /// Gives the lease up (only `holder`'s), so another instance takes it at once.
    func releaseLease(_ name: String, holder: String) async throws
    /// Leases whose name starts with `prefix` and that ran out before `now` (instances that stopped renewing
    /// their heartbeat), by name.
    func lapsedLeases(prefix: String, at now: Instant) async throws -> [(name: String, holder: String)]
    /// Deletes the lease if it is still `holder`'s and still lapsed at `now`; true for the one caller that did
    /// (so exactly one instance acts on a dead one).
    func dropLapsedLease(_ name: String, holder: String, at now: Instant) async throws -> Bool
    /// Who holds the lease at `now`, if anyone.
    func leaseHolder(_ name: String, at now: Instant) async throws -> String?

    // MARK: Conversations
    func conversationState(chatID: Int64) async throws -> String?
    func setConversationState(chatID: Int64, _ state: String?, at now: Instant) async throws

    // MARK: Outbox
    /// Writes messages to send, in one transaction; one whose dedupe key is already stored is skipped
    /// silently. A message without `notBefore` is due at `now`. Returns how many were inserted.
    @discardableResult
    func enqueue(_ messages: [NewOutboxMessage], at now: Instant) async throws -> Int
    /// `apply(_:to:)` plus `messages` written in the same transaction: both commit, or neither (an invalid
    /// transition writes no message). Messages whose dedupe key is stored already are skipped.
    func apply(_ event: BookingEvent, to id: BookingID, messages: [NewOutboxMessage]) async throws -> Booking
    /// Atomically claims up to `limit` due messages in id order — pending ones whose `notBefore` ≤ `now`, and
    /// `sending` ones whose lease ran out (a crashed sender) — marking them `sending` until `now + lease`
    /// seconds, by `claimer`, with one more attempt. Concurrent claimers (several instances on one PostgreSQL
    /// too) never get the same message while its lease holds. Per chat, only the head of the chat's queue is
    /// claimable: a message is not claimed while an earlier one of its chat is due, waiting for a retry
    /// (rescheduled after a failed attempt) or being sent, nor while any message of its chat is being sent
    /// under a lease — so a chat's messages go out one at a time, in id order, across instances.
    func claimOutbox(limit: Int, now: Instant, lease: Int64, claimer: String) async throws -> [OutboxMessage]
    /// Right before sending: extends the claim's lease to `now + lease` if the claim still holds (the row is
    /// `sending` under this claimer and attempt); false when it was lost (taken over after the lease ran
    /// out, or marked sent by an earlier claimer) — then the message must not be sent. Throws `notFound` for
    /// an unknown id.
    func renewOutboxClaim(_ claim: OutboxClaim, now: Instant, lease: Int64) async throws -> Bool
    /// Telegram accepted it: recorded as sent whatever became of the claim (see `OutboxSentMark`), unless it
    /// was sent already. The payload is erased (a join link carries its room token; texts carry names): a sent
    /// row keeps its kind, chat, dedupe key and times. Throws `notFound` for an unknown id.
    @discardableResult
    func markOutboxSent(_ claim: OutboxClaim, at now: Instant) async throws -> OutboxSentMark
    /// Back to pending, not before `notBefore` (a 429's retry_after, a backoff), remembering why — if the
    /// claim still holds; false (nothing changed) when it was lost. Throws `notFound` for an unknown id.
    @discardableResult
    func rescheduleOutbox(_ claim: OutboxClaim, notBefore: Instant, error: String?) async throws -> Bool
    /// Given up, with the reason — if the claim still holds; false (nothing changed) when it was lost.
    /// Throws `notFound` for an unknown id.
    @discardableResult
    func failOutbox(_ claim: OutboxClaim, error: String, at now: Instant) async throws -> Bool
    /// Every message `claimer` was sending goes back to pending at once: a restarted instance (same name)
    /// takes its own claims back instead of waiting for their lease. (One it sent just before dying is sent
    /// again — the at-least-once window the lease has too.) Returns how many.
    @discardableResult
    func releaseOutboxClaims(claimer: String, at now: Instant) async throws -> Int
    /// Messages in id order; nil for every status.
    func outbox(status: OutboxStatus?) async throws -> [OutboxMessage]
    /// Messages not yet sent nor given up (pending or sending).
    func pendingOutboxCount() async throws -> Int

    // MARK: Cancellation, reschedule, no-show (SQLStore+Reschedule.swift)
    /// `apply(_:to:messages:)` plus an audit row, all in one transaction.
    func apply(_ event: BookingEvent, to id: BookingID, messages: [NewOutboxMessage], audit: AuditEntry) async throws -> Booking
    /// Moves a confirmed booking to `range` (same length) in one transaction, with `messages` and an audit
    /// row. Double booking is refused exactly as in `createHold` (PostgreSQL's exclusion constraint; SQLite's
    /// re-check inside its serialized writer), the booking's own old time not counting: a taken time throws
    /// `StoreError.slotTaken` and nothing changes. A booking that is not confirmed throws `invalidTransition`.
    func reschedule(_ id: BookingID, to range: TimeRange, bufferMinutes: Int, at now: Instant, messages: [NewOutboxMessage]) async throws -> Booking
    /// Records the user's report that the host did not show up, with `messages` (to admins) and an audit row.
    /// False when this booking has a report already.
    func reportNoShow(_ id: BookingID, by user: TelegramUserID, at now: Instant, messages: [NewOutboxMessage]) async throws -> Bool
    /// Reports not yet confirmed or rejected, oldest first.
    func openNoShowReports() async throws -> [NoShowReport]
    /// Cancelled bookings whose refund is owed (`refund_state = pending`) and whose last change is at or before
    /// `before`, oldest change first: what the scheduler retries after a refund was interrupted.
    func refundsOwed(changedBefore before: Instant) async throws -> [Booking]
    /// Closes an open report once, in one transaction with its audit row: confirmed applies `.hostNoShow`
    /// (a full refund owed) and writes `messages`; rejected only closes the report. `notFound` when there is
    /// no open report (already resolved, never reported).
    func resolveNoShow(_ id: BookingID, confirmed: Bool, by admin: TelegramUserID, at now: Instant, messages: [NewOutboxMessage]) async throws -> Booking

    // MARK: Calls (SQLStore+Calls.swift)
    // `apply(.callStarted)` also marks the host busy (only from online, remembering the booking) and
    // `apply(.callEnded)` puts them back online (only while busy with that booking), in the same transaction.
    /// The booking's room: stored as given the first time, returned as stored afterwards (the first of two
    /// concurrent callers wins, both get the same room). `notFound` for an unknown booking.
    func ensureRoom(for id: BookingID, _ room: CallRoom, at now: Instant) async throws -> CallRoom
    func room(of id: BookingID) async throws -> CallRoom?
    /// Confirmed bookings starting in (now, now + `withinMinutes`] whose reminders are not all handled, by start.
    func upcomingCalls(at now: Instant, withinMinutes: Int) async throws -> [UpcomingCall]
    /// Marks `reminder` (and any earlier one) handled for the booking's current start time and writes
    /// `messages` in the same transaction — only if the booking is still confirmed and the reminder was not
    /// handled yet; returns whether this call did it (so two instances never both send it).
    func markReminder(_ reminder: CallReminder, for id: BookingID, messages: [NewOutboxMessage], at now: Instant) async throws -> Bool
    /// Confirmed bookings whose start is at or before `now`, by start.
    func callsToStart(at now: Instant) async throws -> [Booking]
    /// Active bookings whose end is at or before `now`, by end.
    func callsToEnd(at now: Instant) async throws -> [Booking]

    // MARK: Host links and calendar feeds (SQLStore+HostLinks.swift)
    /// Stores a new one-time invite for its host and revokes the host's earlier unused ones.
    func createHostInvite(_ invite: HostInvite) async throws
    /// Uses an invite, in one transaction: the token must be known, unused (or used by this same account),
    /// unrevoked and unexpired, and the account no other host's; then the host is linked to `user` (replacing
    /// any earlier account), the invite marked used and the link audited.
    func redeemHostInvite(tokenHash: String, by user: TelegramUserID, at now: Instant) async throws -> InviteRedemption
    /// The host's calendar feed token: the stored one, or `candidate` stored now (first call wins).
    func calendarFeedToken(hostID: HostID, candidate: String, at now: Instant) async throws -> String
    /// The host whose feed token this is.
    func host(calendarFeedToken token: String) async throws -> Host?
    /// Users whose Telegram username is `username` (case-insensitive), most recently seen first.
    func users(username: String) async throws -> [UserProfile]

    // MARK: The web dashboard's sign-in (SQLStore+Admin.swift)
    func createAdminLoginLink(tokenHash: String, admin: TelegramUserID, at now: Instant, expiresAt: Instant) async throws
    /// Marks the link used and returns its admin — only once, and only before it expires; nil otherwise.
    func useAdminLoginLink(tokenHash: String, at now: Instant) async throws -> TelegramUserID?
    func createAdminSession(_ session: AdminSession) async throws
    /// The session, if it exists, has not ended and has not expired.
    func adminSession(sessionHash: String, at now: Instant) async throws -> AdminSession?
    func endAdminSession(sessionHash: String, at now: Instant) async throws

    // MARK: Starting over (SQLStore+Erase.swift)
    /// Deletes every row of every table in one transaction; the schema stays. Only the playground's "reset"
    /// calls it (on its own database).
    func eraseAllData() async throws

    // MARK: Audit
    func appendAudit(_ entry: AuditEntry) async throws
    func auditLog(limit: Int) async throws -> [AuditEntry]
    /// A booking's checkouts, reminders sent and audit rows, oldest first (SQLStore+History.swift).
    func bookingHistory(_ id: BookingID) async throws -> BookingHistory
}

/// Storage failures the app must tell apart. Anything else is an infrastructure error.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another booking holds this time.
    case slotTaken
    case notFound(String)
    /// A unique rule was broken (a username taken, a second review).
    case duplicate(String)
    case invalidTransition(BookingTransitionError)
    case invalidData(String)
    /// A payout larger than what the host is owed in its currency; `balance` is the unpaid balance now.
    case payoutExceedsBalance(balance: Money)
    /// The user already has as many live (pending, unexpired) holds as allowed; `open` are those holds, earliest
    /// start first.
    case tooManyHolds(open: [BookingID])

    public var description: String {
        switch self {
        case .slotTaken: "That time was just taken by someone else."
        case .notFound(let what): "\(what) was not found."
        case .duplicate(let what): "\(what) already exists."
        case .invalidTransition(let e): e.description
        case .invalidData(let what): "Stored data is invalid: \(what)."
        case .payoutExceedsBalance(let balance):
            "The payout is more than the host is owed: the unpaid balance is \(balance.formatted())."
        case .tooManyHolds(let open):
            "The user already has \(open.count) unpaid \(open.count == 1 ? "hold" : "holds") (\(open.map { "#\($0.rawValue)" }.joined(separator: ", "))): pay for or release one first."
        }
    }
}
