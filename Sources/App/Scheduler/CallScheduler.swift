import Bot
import Domain
import Logging
import ServiceLifecycle
import Storage

/// The one scheduler tick loop. Each tick (every `SCHEDULER_INTERVAL_SECONDS`, on the injected clock):
///
/// 1. lapsed holds expire (their checkouts closed and users told, as before);
/// 2. every step that came due since the last tick runs, in order of its moment — a call's end before a
///    reminder before a start at the same moment, so back-to-back calls leave the host busy with the second:
///    - a reminder 24 h and 15 min before a confirmed call, to user and host, only if the booking was confirmed
///      before that moment; after downtime only the latest one that passed is sent, and only while its next
///      milestone (the 15 min reminder, the start) is still ahead;
///    - the start: booking active, host busy (only from online), both join links — one transaction;
///    - the end: booking completed, host online again (only while still busy with this booking), the user's
///      review prompt — one transaction. A call caught up after it ended gets no links, but is still completed
///      and prompted.
///
/// Safe with several instances: each step is a conditional change (a reminder stage that only moves up, a
/// state-machine transition read `FOR UPDATE`) in one transaction with its outbox messages, so only one
/// instance's step commits; the others find it done. Every message also has a dedupe key.
struct CallScheduler: Service, CustomStringConvertible {
    var description: String { "CallScheduler" }

    let store: any Store
    let now: @Sendable () -> Instant
    let interval: Duration
    let onExpired: @Sendable ([Booking]) async -> Void
    /// Nil when the bot is off: states still move, nobody is messaged.
    let notices: Notices?
    /// Nil when no video provider could be set up: calls start without links.
    let rooms: AppCallRooms?
    let logger: Logger
    /// Retries one owed refund through its provider (nil: nobody to retry with, e.g. the bot is off).
    var retryRefund: (@Sendable (Booking) async -> Void)? = nil
    /// Each tick: the payments sweep (Stars payments kept and not processed, money to return through an API
    /// whose first attempt failed).
    var sweepPayments: (@Sendable (Instant) async -> Void)? = nil
    /// An owed refund this long unchanged was interrupted (the process died between the cancellation and the
    /// provider call, or the provider timed out): the scheduler sends it again. The provider's idempotency
    /// (Stripe's key per booking, Telegram's "already refunded") makes a second attempt safe.
    var refundRetryAfterMinutes = 5

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await tick()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One step of the timeline.
    struct Step: Sendable {
        enum Kind: Sendable {
            case end
            case remind(CallReminder, send: Bool)
            case start
        }

        var at: Instant
        var kind: Kind
        var booking: Booking

        var rank: Int {
            switch kind {
            case .end: 0
            case .remind: 1
            case .start: 2
            }
        }
    }

    func tick() async {
        let now = self.now()
        await expireHolds(now)
        await retryOwedRefunds(now)
        await sweepPayments?(now)
        let steps: [Step]
        do {
            steps = try await dueSteps(at: now)
        } catch {
            logger.error("scheduler could not read due calls", metadata: ["error": "\(error)"])
            return
        }
        for step in steps {
            switch step.kind {
            case .remind(let reminder, let send): await remind(reminder, send: send, step.booking, now: now)
            case .start: await start(step.booking, now: now)
            case .end: await end(step.booking, now: now)
            }
        }
    }

    func expireHolds(_ now: Instant) async {
        do {
            let expired = try await store.expireLapsedHolds(at: now)
            if !expired.isEmpty {
                logger.info("holds expired", metadata: ["count": "\(expired.count)", "bookings": "\(expired.compactMap(\.id).map(\.rawValue))"])
                await onExpired(expired)
            }
        } catch {
            logger.error("hold expiry failed", metadata: ["error": "\(error)"])
        }
    }

    /// Owed refunds that stayed pending: handed to `retryRefund`, which sends again those of a provider with a
    /// refund API (its `RefundMode`); manual ones wait for an admin's "Refund done" and are left alone.
    func retryOwedRefunds(_ now: Instant) async {
        guard let retryRefund else { return }
        do {
            let owed = try await store.refundsOwed(changedBefore: now.adding(minutes: -refundRetryAfterMinutes))
            for booking in owed {
                logger.notice("retrying an interrupted refund", metadata: ["booking": "\(booking.id.map { "\($0)" } ?? "?")"])
                await retryRefund(booking)
            }
        } catch {
            logger.error("could not read owed refunds", metadata: ["error": "\(error)"])
        }
    }

    /// Everything due at `now`, in order of time.
    func dueSteps(at now: Instant) async throws -> [Step] {
        var steps: [Step] = []
        let longest = CallReminder.allCases.map(\.leadMinutes).max() ?? 0
        for call in try await store.upcomingCalls(at: now, withinMinutes: longest) {
            if let (reminder, send) = Self.dueReminder(call, at: now) {
                steps.append(Step(at: call.booking.time.start.adding(minutes: -reminder.leadMinutes), kind: .remind(reminder, send: send), booking: call.booking))
            }
        }
        for booking in try await store.callsToStart(at: now) {
            steps.append(Step(at: booking.time.start, kind: .start, booking: booking))
            // Caught up after its end: it ends in this tick too, after its start.
            if booking.time.end <= now { steps.append(Step(at: booking.time.end, kind: .end, booking: booking)) }
        }
        for booking in try await store.callsToEnd(at: now) {
            steps.append(Step(at: booking.time.end, kind: .end, booking: booking))
        }
        return steps.sorted { a, b in
            (a.at, a.rank, a.booking.id?.rawValue ?? 0) < (b.at, b.rank, b.booking.id?.rawValue ?? 0)
        }
    }

    /// The reminder to handle now for `call`, if any: the latest whose moment has passed (the start not yet),
    /// unless it was handled already; `send` is false when the booking was confirmed after that moment (then it
    /// is only marked handled).
    static func dueReminder(_ call: UpcomingCall, at now: Instant) -> (CallReminder, send: Bool)? {
        let start = call.booking.time.start
        guard now < start,
              let latest = CallReminder.allCases.sorted(by: >).first(where: { start.adding(minutes: -$0.leadMinutes) <= now }) else {
            return nil
        }
        if let handled = call.handled, handled >= latest { return nil }
        return (latest, call.confirmedAt < start.adding(minutes: -latest.leadMinutes))
    }

    func remind(_ reminder: CallReminder, send: Bool, _ booking: Booking, now: Instant) async {
        guard let id = booking.id else { return }
        let messages = send ? await notices?.reminder(reminder, for: booking) ?? [] : []
        do {
            if try await store.markReminder(reminder, for: id, messages: messages, at: now), send {
                logger.info("call reminder queued", metadata: ["booking": "\(id)", "reminder": "\(reminder.code)"])
            }
        } catch {
            logger.error("call reminder failed", metadata: ["booking": "\(id)", "error": "\(error)"])
        }
    }

    func start(_ booking: Booking, now: Instant) async {
        guard let id = booking.id else { return }
        var messages: [NewOutboxMessage] = []
        if now < booking.time.end, let notices, let rooms {
            do {
                if let host = try await store.host(booking.hostID) {
                    let userLink = try await rooms.link(for: booking, host: host, participant: .user, at: now)
                    let hostLink = try await rooms.link(for: booking, host: host, participant: .host, at: now)
                    messages = await notices.callLinks(booking, userLink: userLink, hostLink: hostLink, until: rooms.linksExpire(booking))
                }
            } catch {
                // The call still starts; the Join button in /my_bookings asks for a link again.
                logger.error("could not make the call links", metadata: ["booking": "\(id)", "error": "\(error)"])
            }
        }
        do {
            _ = try await store.apply(.callStarted(at: now), to: id, messages: messages)
            logger.info("call started", metadata: ["booking": "\(id)", "links": "\(messages.count)"])
        } catch StoreError.invalidTransition {
            // Another instance started it first, or it was cancelled meanwhile.
        } catch {
            logger.error("could not start the call", metadata: ["booking": "\(id)", "error": "\(error)"])
        }
    }

    func end(_ booking: Booking, now: Instant) async {
        guard let id = booking.id else { return }
        let messages = await notices?.reviewPrompt(booking) ?? []
        do {
            _ = try await store.apply(.callEnded(at: now), to: id, messages: messages)
            logger.info("call completed", metadata: ["booking": "\(id)"])
        } catch StoreError.invalidTransition {
            // Another instance ended it first.
        } catch {
            logger.error("could not end the call", metadata: ["booking": "\(id)", "error": "\(error)"])
        }
    }
}
