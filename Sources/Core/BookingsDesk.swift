import Domain
import Storage

/// An admin's view of bookings: a filtered list, and one booking's timeline assembled from what the database
/// knows about it (its own times, checkouts, payment events, ledger rows, reminders and audit rows).
public struct BookingsDesk: Sendable {
    let catalogue: HostCatalogue

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>) {
        catalogue = HostCatalogue(store: store, now: now, admins: admins)
    }

    var store: any Store { catalogue.store }

    public struct Filter: Sendable, Equatable {
        public var status: BookingStatus?
        public var host: HostID?
        /// Local dates in `zone`, both included, of the booking's start.
        public var from: LocalDate?
        public var to: LocalDate?
        public var zone: Zone

        public init(status: BookingStatus? = nil, host: HostID? = nil, from: LocalDate? = nil, to: LocalDate? = nil, zone: Zone) {
            self.status = status
            self.host = host
            self.from = from
            self.to = to
            self.zone = zone
        }
    }

    /// At most this many bookings are listed (the latest starts first).
    public static let listLimit = 500

    /// The bookings matching the filter, latest start first, and whether the list was cut at `listLimit`.
    public func list(_ actor: Actor, _ filter: Filter) async throws -> (bookings: [Booking], truncated: Bool) {
        try checkAdmin(actor)
        let start = filter.from.map { filter.zone.instant(of: $0, minuteOfDay: 0) }
        let end = filter.to.map { filter.zone.instant(of: $0.adding(days: 1), minuteOfDay: 0) }
        let all = try await store.allBookings(from: start, to: end, hostID: filter.host)
            .filter { filter.status == nil || $0.status == filter.status }
            .sorted { $0.time.start != $1.time.start ? $0.time.start > $1.time.start : ($0.id?.rawValue ?? 0) > ($1.id?.rawValue ?? 0) }
        return (Array(all.prefix(Self.listLimit)), all.count > Self.listLimit)
    }

    /// One step of a booking's life.
    public enum Step: Sendable, Equatable {
        /// The hold was made; it lapses at `until` unless paid.
        case held(until: Instant)
        case checkoutOpened(provider: String)
        /// The checkout's last known state (pending, paid, failed, reversed), when it changed.
        case checkoutState(provider: String, state: String)
        /// A provider's notification or our own record of a refund (status as stored).
        case payment(provider: String, kind: String, status: String, amount: Money?)
        /// A commission-ledger row: a payment split, or the refund that reverses it (negative amounts).
        case ledger(kind: LedgerEntry.Kind, gross: Money, platform: Money, host: Money)
        case holdLapsed
        /// A reminder went out (at its due time; the exact send time is not kept).
        case reminder(CallReminder)
        case callStarted
        case callEnded
        /// A change someone made, as audited (cancellation, refund recorded by hand, no-show answer…).
        case audit(AuditEntry)
    }

    public struct Entry: Sendable, Equatable {
        public let at: Instant
        public let step: Step
    }

    public struct Timeline: Sendable, Equatable {
        public let booking: Booking
        public let entries: [Entry]
    }

    public func timeline(_ actor: Actor, booking id: BookingID) async throws -> Timeline {
        try checkAdmin(actor)
        guard let booking = try await store.booking(id) else { throw Refusal.noSuchBooking }
        let history = try await store.bookingHistory(id)
        var entries: [Entry] = [Entry(at: booking.createdAt, step: .held(until: booking.holdExpiresAt))]
        for checkout in history.checkouts {
            entries.append(Entry(at: checkout.openedAt, step: .checkoutOpened(provider: checkout.provider)))
            if checkout.state != "open" { entries.append(Entry(at: checkout.changedAt, step: .checkoutState(provider: checkout.provider, state: checkout.state))) }
        }
        for event in try await store.paymentEvents(bookingID: id) {
            entries.append(Entry(at: event.receivedAt, step: .payment(provider: event.provider, kind: event.kind, status: event.status, amount: event.amount)))
        }
        for row in try await store.ledger(bookingID: id) {
            entries.append(Entry(at: row.createdAt, step: .ledger(kind: row.kind, gross: row.gross, platform: row.platform, host: row.host)))
        }
        if booking.status == .expired { entries.append(Entry(at: booking.holdExpiresAt, step: .holdLapsed)) }
        for reminder in history.remindersSent {
            entries.append(Entry(at: booking.time.start.adding(minutes: -reminder.leadMinutes), step: .reminder(reminder)))
        }
        if booking.status == .active || booking.status == .completed { entries.append(Entry(at: booking.time.start, step: .callStarted)) }
        if booking.status == .completed { entries.append(Entry(at: booking.time.end, step: .callEnded)) }
        entries += history.audit.map { Entry(at: $0.at, step: .audit($0)) }
        // Steps recorded within the same second keep the order of a booking's life.
        let ordered = entries.enumerated().sorted {
            if $0.element.at != $1.element.at { return $0.element.at < $1.element.at }
            let (a, b) = (Self.rank($0.element.step), Self.rank($1.element.step))
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)
        return Timeline(booking: booking, entries: ordered)
    }

    /// Where a step comes in a booking's life (for steps at the same second).
    static func rank(_ step: Step) -> Int {
        switch step {
        case .held: 0
        case .checkoutOpened: 1
        case .checkoutState: 2
        case .payment(_, let kind, _, _): kind == "refund" ? 9 : 3
        case .ledger(let kind, _, _, _): kind == .refund ? 9 : 4
        case .reminder: 5
        case .callStarted: 6
        case .callEnded, .holdLapsed: 7
        case .audit(let entry): entry.action.hasPrefix("refund") ? 10 : 8
        }
    }

    func checkAdmin(_ actor: Actor) throws {
        guard case .admin(let account) = actor, catalogue.admins().contains(account) else { throw Refusal.notAllowed }
    }
}
