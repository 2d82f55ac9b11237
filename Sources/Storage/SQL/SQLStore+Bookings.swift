import Domain
import SQLKit

extension SQLStore {
    /// Advisory-lock key space of "one user's holds" (PostgreSQL; the second key is the user's).
    static let holdsLockSpace: Int32 = 727_274_738

    public func createHold(_ booking: Booking, bufferMinutes: Int, maxLiveHolds: Int) async throws -> Booking {
        guard booking.status == .pending else { throw StoreError.invalidData("a new hold must be pending") }
        guard maxLiveHolds > 0 else { throw StoreError.invalidData("the live-hold limit must be positive, got \(maxLiveHolds)") }
        let blockedUntil = booking.time.end.adding(minutes: bufferMinutes)
        let flavor = self.flavor
        return try await write { db in
            let host = booking.hostID.rawValue, start = booking.time.start.epochSeconds, until = blockedUntil.epochSeconds
            let now = booking.createdAt.epochSeconds, user = booking.userID.rawValue
            if flavor == .postgres {
                // Two transactions of one user would each count without the other's uncommitted hold and both
                // insert: take the user's lock first (held to commit). SQLite's writer is serialized already.
                let key = Int32(truncatingIfNeeded: user ^ (user >> 32))
                try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.holdsLockSpace), \(bind: key))").run()
            }
            let open = try await db.raw("""
                SELECT id FROM bookings
                WHERE user_id = \(bind: user) AND status = 'pending' AND hold_expires_at > \(bind: now)
                ORDER BY start_at, id
                """).all().map { BookingID(try $0.int64("id")) }
            if open.count >= maxLiveHolds { throw StoreError.tooManyHolds(open: open) }
            // A lapsed hold in the way no longer blocks: mark it expired first (in this transaction).
            try await db.raw("""
                UPDATE bookings SET status = 'expired', updated_at = \(bind: now)
                WHERE host_id = \(bind: host) AND status = 'pending' AND hold_expires_at <= \(bind: now)
                  AND start_at < \(bind: until) AND blocked_until > \(bind: start)
                """).run()
            if flavor == .sqlite {
                // The writer holds the database (BEGIN IMMEDIATE), so this check and the insert are atomic.
                let clash = try await db.raw("""
                    SELECT id FROM bookings
                    WHERE host_id = \(bind: host) AND status IN ('pending', 'confirmed', 'active')
                      AND start_at < \(bind: until) AND blocked_until > \(bind: start)
                    LIMIT 1
                    """).first()
                if clash != nil { throw StoreError.slotTaken }
            }
            // On PostgreSQL the exclusion constraint `bookings_no_overlap` rejects a clash (SQLSTATE 23P01).
            let p = booking.price
            guard let row = try await db.raw("""
                INSERT INTO bookings (host_id, user_id, start_at, end_at, blocked_until, minutes, price_per_minute, total,
                    platform_fee, host_share, commission_bps, currency, status, hold_expires_at, payment_method,
                    payment_state, refund_state, created_at, updated_at)
                VALUES (\(bind: host), \(bind: booking.userID.rawValue), \(bind: start), \(bind: booking.time.end.epochSeconds),
                    \(bind: until), \(bind: p.minutes), \(bind: p.pricePerMinute.minorUnits), \(bind: p.total.minorUnits),
                    \(bind: p.split.platform.minorUnits), \(bind: p.split.host.minorUnits), \(bind: p.split.rate.basisPoints),
                    \(bind: p.total.currency.code), 'pending', \(bind: booking.holdExpiresAt.epochSeconds), \(bind: booking.paymentMethod),
                    \(bind: booking.paymentState.rawValue), \(bind: booking.refundState.rawValue), \(bind: now), \(bind: now))
                RETURNING id
                """).first() else { throw StoreError.invalidData("no id returned for a new booking") }
            var saved = booking
            saved.id = BookingID(try row.int64("id"))
            return saved
        }
    }

    public func booking(_ id: BookingID) async throws -> Booking? {
        try await read { db in
            try await db.raw("SELECT * FROM bookings WHERE id = \(bind: id.rawValue)").first().map(Self.decodeBooking)
        }
    }

    public func busyRanges(hostID: HostID, overlapping range: TimeRange, at now: Instant) async throws -> [TimeRange] {
        try await read { db in
            try await db.raw("""
                SELECT start_at, end_at FROM bookings
                WHERE host_id = \(bind: hostID.rawValue) AND start_at < \(bind: range.end.epochSeconds) AND end_at > \(bind: range.start.epochSeconds)
                  AND (status IN ('confirmed', 'active') OR (status = 'pending' AND hold_expires_at > \(bind: now.epochSeconds)))
                ORDER BY start_at
                """).all().map { TimeRange(start: try $0.instant("start_at"), end: try $0.instant("end_at")) }
        }
    }

    public func bookings(userID: TelegramUserID) async throws -> [Booking] {
        try await read { db in
            try await db.raw("SELECT * FROM bookings WHERE user_id = \(bind: userID.rawValue) ORDER BY start_at, id").all().map(Self.decodeBooking)
        }
    }

    public func bookings(hostID: HostID) async throws -> [Booking] {
        try await read { db in
            try await db.raw("SELECT * FROM bookings WHERE host_id = \(bind: hostID.rawValue) ORDER BY start_at, id").all().map(Self.decodeBooking)
        }
    }

    public func apply(_ event: BookingEvent, to id: BookingID) async throws -> Booking {
        let flavor = self.flavor
        return try await write { db in try await Self.applyBookingEvent(event, to: id, flavor: flavor, db) }
    }

    /// `apply(_:to:)` inside the caller's transaction `db`, so other writes (outbox messages) commit or roll
    /// back with the transition.
    static func applyBookingEvent(_ event: BookingEvent, to id: BookingID, flavor: SQLFlavor, _ db: any SQLDatabase) async throws -> Booking {
        let forUpdate: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let current = try await db.raw("SELECT * FROM bookings WHERE id = \(bind: id.rawValue)" + forUpdate).first()
            .map(Self.decodeBooking) else { throw StoreError.notFound("Booking \(id)") }
        let next: Booking
        do throws(BookingTransitionError) { next = try current.applying(event) } catch { throw StoreError.invalidTransition(error) }

        if current.status == .expired && next.status == .confirmed && flavor == .sqlite {
            // A late payment: honoured only if nobody took the time meanwhile (PostgreSQL's constraint
            // checks the same on the UPDATE below).
            let clash = try await db.raw("""
                SELECT b.id FROM bookings b, bookings me
                WHERE me.id = \(bind: id.rawValue) AND b.host_id = me.host_id AND b.id <> me.id
                  AND b.status IN ('pending', 'confirmed', 'active')
                  AND b.start_at < me.blocked_until AND b.blocked_until > me.start_at
                LIMIT 1
                """).first()
            if clash != nil { throw StoreError.slotTaken }
        }
        try await db.raw("""
            UPDATE bookings SET status = \(bind: next.status.rawValue), payment_state = \(bind: next.paymentState.rawValue),
                refund_state = \(bind: next.refundState.rawValue), payment_method = \(bind: next.paymentMethod),
                cancelled_by = \(bind: next.cancelledBy?.rawValue), updated_at = \(bind: next.updatedAt.epochSeconds)
            WHERE id = \(bind: id.rawValue)
            """).run()

        // The ledger follows the money: a payment writes the split, a settled refund reverses it.
        if current.paymentState != .paid && next.paymentState == .paid {
            try await Self.insertLedger(next, kind: .payment, split: next.price.split, at: event.at, db)
        } else if current.paymentState == .paid && next.paymentState == .refunded {
            try await Self.insertLedger(next, kind: .refund, split: next.price.split.reversed, at: event.at, db)
        }
        // A call's start and end move the host's status with it (SQLStore+Calls.swift).
        try await Self.updateHostForCall(event, booking: next, db)
        return next
    }

    public func expireLapsedHolds(at now: Instant) async throws -> [Booking] {
        try await write { db in
            try await db.raw("""
                UPDATE bookings SET status = 'expired', updated_at = \(bind: now.epochSeconds)
                WHERE status = 'pending' AND hold_expires_at <= \(bind: now.epochSeconds)
                RETURNING *
                """).all().map(Self.decodeBooking).sorted { ($0.id ?? BookingID(0)) < ($1.id ?? BookingID(0)) }
        }
    }

    // MARK: Payments and ledger

    public func recordPaymentEvent(_ e: PaymentEventRecord) async throws -> Bool {
        try await write { db in
            let inserted = try await db.raw("""
                INSERT INTO payments (provider, event_id, booking_id, provider_reference, kind, amount, currency, status, received_at)
                VALUES (\(bind: e.provider), \(bind: e.eventID), \(bind: e.bookingID?.rawValue), \(bind: e.providerReference),
                        \(bind: e.kind), \(bind: e.amount?.minorUnits), \(bind: e.amount?.currency.code), \(bind: e.status),
                        \(bind: e.receivedAt.epochSeconds))
                ON CONFLICT (provider, event_id) DO NOTHING
                RETURNING id
                """).all()
            return !inserted.isEmpty
        }
    }


    public func setPaymentEventStatus(provider: String, eventID: String, status: String) async throws {
        try await write { db in
            try await db.raw("UPDATE payments SET status = \(bind: status) WHERE provider = \(bind: provider) AND event_id = \(bind: eventID)").run()
        }
    }

    public func paymentEvents(bookingID: BookingID) async throws -> [PaymentEventRecord] {
        try await read { db in
            try await db.raw("SELECT * FROM payments WHERE booking_id = \(bind: bookingID.rawValue) ORDER BY id").all().map { row in
                let currency = try row.optional("currency", String.self).flatMap(Currency.init(code:))
                let amount = try row.optional("amount", Int64.self)
                return PaymentEventRecord(
                    provider: try row.string("provider"), eventID: try row.string("event_id"), bookingID: bookingID,
                    providerReference: try row.optional("provider_reference", String.self), kind: try row.string("kind"),
                    amount: amount.flatMap { a in currency.map { Money(minorUnits: a, currency: $0) } },
                    status: try row.string("status"), receivedAt: try row.instant("received_at"))
            }
        }
    }

    public func ledger(bookingID: BookingID) async throws -> [LedgerEntry] {
        try await read { db in
            try await db.raw("SELECT * FROM ledger_entries WHERE booking_id = \(bind: bookingID.rawValue) ORDER BY id").all().map(Self.decodeLedger)
        }
    }

    public func ledger(hostID: HostID) async throws -> [LedgerEntry] {
        try await read { db in
            try await db.raw("SELECT * FROM ledger_entries WHERE host_id = \(bind: hostID.rawValue) ORDER BY id").all().map(Self.decodeLedger)
        }
    }

    static func insertLedger(_ b: Booking, kind: LedgerEntry.Kind, split: CommissionSplit, at: Instant, _ db: any SQLDatabase) async throws {
        guard let id = b.id else { return }
        try await db.raw("""
            INSERT INTO ledger_entries (booking_id, host_id, kind, gross, platform_amount, host_amount, currency, created_at)
            VALUES (\(bind: id.rawValue), \(bind: b.hostID.rawValue), \(bind: kind.rawValue), \(bind: split.price.minorUnits),
                    \(bind: split.platform.minorUnits), \(bind: split.host.minorUnits), \(bind: split.price.currency.code), \(bind: at.epochSeconds))
            """).run()
    }

    static func decodeLedger(_ row: any SQLRow) throws -> LedgerEntry {
        guard let currency = Currency(code: try row.string("currency")), let kind = LedgerEntry.Kind(rawValue: try row.string("kind")) else {
            throw StoreError.invalidData("ledger entry \(try row.int64("id"))")
        }
        return LedgerEntry(
            id: try row.int64("id"), bookingID: BookingID(try row.int64("booking_id")), hostID: HostID(try row.int64("host_id")), kind: kind,
            gross: Money(minorUnits: try row.int64("gross"), currency: currency),
            platform: Money(minorUnits: try row.int64("platform_amount"), currency: currency),
            host: Money(minorUnits: try row.int64("host_amount"), currency: currency), createdAt: try row.instant("created_at"))
    }

    static func decodeBooking(_ row: any SQLRow) throws -> Booking {
        let id = try row.int64("id")
        guard let currency = Currency(code: try row.string("currency")),
              let status = BookingStatus(rawValue: try row.string("status")),
              let payment = PaymentState(rawValue: try row.string("payment_state")),
              let refund = RefundState(rawValue: try row.string("refund_state")),
              let rate = CommissionRate(basisPoints: try row.int("commission_bps")) else {
            throw StoreError.invalidData("booking \(id)")
        }
        let price = PriceSnapshot(
            pricePerMinute: Money(minorUnits: try row.int64("price_per_minute"), currency: currency), minutes: try row.int("minutes"),
            total: Money(minorUnits: try row.int64("total"), currency: currency),
            platform: Money(minorUnits: try row.int64("platform_fee"), currency: currency), rate: rate)
        return Booking(
            id: BookingID(id), hostID: HostID(try row.int64("host_id")), userID: TelegramUserID(try row.int64("user_id")),
            time: TimeRange(start: try row.instant("start_at"), end: try row.instant("end_at")), price: price, status: status,
            holdExpiresAt: try row.instant("hold_expires_at"), paymentMethod: try row.optional("payment_method", String.self),
            paymentState: payment, refundState: refund,
            cancelledBy: try row.optional("cancelled_by", String.self).flatMap(CancelledBy.init(rawValue:)),
            createdAt: try row.instant("created_at"), updatedAt: try row.instant("updated_at"))
    }
}
