import Domain
import SQLKit

/// Payments fulfilled in one transaction, the "money to return" list, and the Stars inbox.
extension SQLStore {
    // MARK: Checkouts

    public func recordCheckout(provider: String, reference: String, for id: BookingID, at now: Instant) async throws {
        try await write { db in
            guard try await db.raw("SELECT id FROM bookings WHERE id = \(bind: id.rawValue)").first() != nil else {
                throw StoreError.notFound("Booking \(id)")
            }
            let existing = try await db.raw("""
                SELECT booking_id FROM payment_checkouts WHERE provider = \(bind: provider) AND reference = \(bind: reference)
                """).first()
            if let existing {
                // One reference belongs to one booking forever.
                guard try existing.int64("booking_id") == id.rawValue else {
                    throw StoreError.duplicate("The \(provider) reference \(reference) of another booking")
                }
            } else {
                try await db.raw("""
                    INSERT INTO payment_checkouts (provider, reference, booking_id, state, created_at, updated_at)
                    VALUES (\(bind: provider), \(bind: reference), \(bind: id.rawValue), 'open', \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                    """).run()
            }
            try await db.raw("""
                UPDATE bookings SET payment_reference = \(bind: reference), updated_at = \(bind: now.epochSeconds) WHERE id = \(bind: id.rawValue)
                """).run()
        }
    }

    public func checkoutBooking(provider: String, reference: String) async throws -> BookingID? {
        try await read { db in
            try await db.raw("SELECT booking_id FROM payment_checkouts WHERE provider = \(bind: provider) AND reference = \(bind: reference)")
                .first().map { BookingID(try $0.int64("booking_id")) }
        }
    }

    // MARK: Fulfilment

    public func fulfil(_ p: ProviderPayment, notices: FulfilmentNotices, starsPerUSD: Int?, at now: Instant) async throws -> FulfilmentResult {
        let flavor = self.flavor
        let forUpdate = self.forUpdate
        return try await write { db in
            // 1. The event, once. A concurrent duplicate waits here for the first transaction, then sees it.
            let (amount, currency) = Self.columns(p.amount)
            let inserted = try await db.raw("""
                INSERT INTO payments (provider, event_id, booking_id, provider_reference, kind, amount, currency, status, received_at)
                VALUES (\(bind: p.provider), \(bind: p.eventID), NULL, \(bind: p.reference), \(bind: p.kind), \(bind: amount),
                        \(bind: currency), 'received', \(bind: now.epochSeconds))
                ON CONFLICT (provider, event_id) DO NOTHING
                RETURNING id
                """).all()
            guard !inserted.isEmpty else {
                let status = try await db.raw("""
                    SELECT status FROM payments WHERE provider = \(bind: p.provider) AND event_id = \(bind: p.eventID)
                    """).first()?.string("status")
                return .duplicate(status: status ?? "received")
            }
            func finish(_ status: String, booking: BookingID?) async throws {
                try await db.raw("""
                    UPDATE payments SET status = \(bind: status), booking_id = \(bind: booking?.rawValue)
                    WHERE provider = \(bind: p.provider) AND event_id = \(bind: p.eventID)
                    """).run()
            }

            // 2. Which booking this reference belongs to.
            let bound = try await db.raw("""
                SELECT booking_id, state FROM payment_checkouts WHERE provider = \(bind: p.provider) AND reference = \(bind: p.reference)
                """ + forUpdate).first()
            let boundBooking = try bound.map { BookingID(try $0.int64("booking_id")) }
            let previousState = try bound.map { try $0.string("state") } ?? "open"
            var booking: Booking?
            var mismatch: String?
            if let claimed = p.bookingID {
                booking = try await db.raw("SELECT * FROM bookings WHERE id = \(bind: claimed.rawValue)" + forUpdate).first().map(Self.decodeBooking)
            }
            switch p.binding {
            case .checkout:
                if boundBooking == nil { mismatch = "no checkout of ours has reference \(p.reference)" }
                else if boundBooking != p.bookingID { mismatch = "reference \(p.reference) belongs to booking \(boundBooking!), not \(p.bookingID.map { "\($0)" } ?? "none")" }
            case .firstUse:
                if let boundBooking, boundBooking != p.bookingID {
                    mismatch = "reference \(p.reference) belongs to booking \(boundBooking), not \(p.bookingID.map { "\($0)" } ?? "none")"
                }
            }
            if booking == nil, mismatch == nil { mismatch = p.bookingID.map { "booking \($0) does not exist" } ?? "names no booking of ours" }
            if mismatch == nil, let payer = p.payer, let b = booking, b.userID != payer {
                mismatch = "paid by user \(payer), not the booking's user"
            }
            if mismatch == nil, bound == nil, let b = booking, let id = b.id {
                try await db.raw("""
                    INSERT INTO payment_checkouts (provider, reference, booking_id, state, created_at, updated_at)
                    VALUES (\(bind: p.provider), \(bind: p.reference), \(bind: id.rawValue), 'open', \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                    """).run()
            }
            let matched = mismatch == nil ? booking : nil

            // 3. A state never moves back (except paid → reversed) for a reference of ours.
            if matched != nil, !Self.allowedMove(from: previousState, to: p.outcome) {
                let status = "ignored: \(previousState) → \(p.outcome.rawValue)"
                try await finish(status, booking: matched?.id)
                return .recorded(status: status)
            }
            func setState(_ state: String) async throws {
                guard matched != nil else { return }
                try await db.raw("""
                    UPDATE payment_checkouts SET state = \(bind: state), updated_at = \(bind: now.epochSeconds)
                    WHERE provider = \(bind: p.provider) AND reference = \(bind: p.reference)
                    """).run()
            }
            /// `tell`: what the payer is told (nothing for a reversal: their bank took the money back itself).
            func owe(_ kind: MoneyToReturn.Kind, reason: String, tell: ReturnReason?) async throws -> FulfilmentResult {
                let row = try await Self.insertMoneyToReturn(
                    kind: kind, provider: p.provider, reference: p.reference, refundHandle: p.refundHandle ?? p.reference,
                    booking: matched?.id, user: matched?.userID ?? p.payer, amount: p.amount, reason: reason, at: now, db)
                if matched != nil, let tell { try await Self.insertOutbox(notices.owed[tell] ?? [], at: now, db) }
                try await Self.insertOutbox(notices.admins, at: now, db)
                try await Self.insertAudit(AuditEntry(
                    actor: nil, role: "system", action: kind == .reversal ? "payment.reversed" : "payment.refund_needed", entity: "booking",
                    entityID: matched?.id.map { "\($0)" } ?? "none", before: matched?.status.rawValue,
                    after: "\(p.provider) \(p.reference) \(p.amount?.description ?? "?"): \(reason)", at: now), db)
                try await finish(kind == .reversal ? "reversed: admin attention" : "refund owed: \(reason)", booking: matched?.id)
                return .owed(row)
            }

            switch p.outcome {
            case .pending:
                try await setState("pending")
                try await finish("pending", booking: matched?.id)
                return .recorded(status: "pending")
            case .failed:
                try await setState("failed")
                if let b = matched, b.status == .pending, b.blocksSlot(at: now) { try await Self.insertOutbox(notices.failed, at: now, db) }
                try await finish("failed", booking: matched?.id)
                return .recorded(status: "failed")
            case .reversed:
                guard matched != nil, previousState == "paid" else {
                    let status = "ignored: reversal of a payment we did not take"
                    try await finish(status, booking: matched?.id)
                    return .recorded(status: status)
                }
                try await setState("reversed")
                return try await owe(.reversal, reason: "the payer's bank took the payment back; look at the booking", tell: nil)
            case .paid:
                break
            }
            if let mismatch { return try await owe(.payment, reason: mismatch, tell: .unknownBooking) }
            guard let current = matched, let id = current.id else {
                return try await owe(.payment, reason: "names no booking of ours", tell: .unknownBooking)
            }
            if let amount = p.amount, !amount.matches(current.price.total, starsPerUSD: starsPerUSD) {
                try await setState("paid")
                return try await owe(.payment, reason: "paid \(amount), the price is \(current.price.total.formatted())", tell: .wrongAmount)
            } else if p.amount == nil {
                try await setState("paid")
                return try await owe(.payment, reason: "no amount stated", tell: .wrongAmount)
            }
            let event = BookingEvent.paymentConfirmed(method: p.provider, at: now)
            do throws(BookingTransitionError) {
                _ = try current.applying(event)
            } catch {
                try await setState("paid")
                return try await owe(.payment, reason: "booking \(current.status.rawValue)", tell: current.status == .cancelled ? .cancelled : .alreadyPaid)
            }
            if current.isLatePayment(event) {
                // Honoured only if nobody took the time meanwhile. (On PostgreSQL the exclusion constraint also
                // fires on the update below if a hold commits in between: the whole fulfilment rolls back and
                // the provider's retry finds the clash here.)
                let clash = try await db.raw("""
                    SELECT b.id FROM bookings b
                    WHERE b.host_id = \(bind: current.hostID.rawValue) AND b.id <> \(bind: id.rawValue)
                      AND (b.status IN ('confirmed', 'active') OR (b.status = 'pending' AND b.hold_expires_at > \(bind: now.epochSeconds)))
                      AND b.start_at < (SELECT blocked_until FROM bookings WHERE id = \(bind: id.rawValue))
                      AND b.blocked_until > \(bind: current.time.start.epochSeconds)
                    LIMIT 1
                    """).first()
                if clash != nil {
                    try await setState("paid")
                    return try await owe(.payment, reason: "slot taken after the hold lapsed", tell: .slotTaken)
                }
                // A lapsed hold of someone else in the way no longer blocks.
                try await db.raw("""
                    UPDATE bookings SET status = 'expired', updated_at = \(bind: now.epochSeconds)
                    WHERE host_id = \(bind: current.hostID.rawValue) AND id <> \(bind: id.rawValue) AND status = 'pending'
                      AND hold_expires_at <= \(bind: now.epochSeconds)
                      AND start_at < (SELECT blocked_until FROM bookings WHERE id = \(bind: id.rawValue))
                      AND blocked_until > \(bind: current.time.start.epochSeconds)
                    """).run()
            }
            let confirmed = try await Self.applyBookingEvent(event, to: id, flavor: flavor, db)
            if let handle = p.refundHandle {
                try await db.raw("UPDATE bookings SET payment_reference = \(bind: handle) WHERE id = \(bind: id.rawValue)").run()
            }
            try await setState("paid")
            try await Self.insertOutbox(notices.confirmed, at: now, db)
            try await finish("confirmed", booking: id)
            return .confirmed(confirmed)
        }
    }

    /// States only move forward: paid → reversed is the only way back from a payment. A failure (taken from a
    /// provider's word that money did not move) gives way to a payment the provider itself confirmed — an
    /// unverified "failed" must never make a real payment vanish.
    static func allowedMove(from old: String, to new: ProviderOutcome) -> Bool {
        switch old {
        case "open", "pending": true
        case "failed": new == .paid
        case "paid": new == .reversed
        default: false
        }
    }

    static func columns(_ amount: PaidAmount?) -> (Int64?, String?) {
        switch amount {
        case .money(let m): (m.minorUnits, m.currency.code)
        case .stars(let n): (n, "XTR")
        case nil: (nil, nil)
        }
    }

    static func insertMoneyToReturn(
        kind: MoneyToReturn.Kind, provider: String, reference: String, refundHandle: String?, booking: BookingID?, user: TelegramUserID?,
        amount: PaidAmount?, reason: String, at now: Instant, _ db: any SQLDatabase
    ) async throws -> MoneyToReturn {
        let (minor, currency) = columns(amount)
        if let row = try await db.raw("""
            INSERT INTO money_to_return (kind, provider, reference, refund_handle, booking_id, user_id, amount, currency, reason, state,
                attempts, created_at, updated_at)
            VALUES (\(bind: kind.rawValue), \(bind: provider), \(bind: reference), \(bind: refundHandle), \(bind: booking?.rawValue),
                \(bind: user?.rawValue), \(bind: minor), \(bind: currency), \(bind: reason), 'owed', 0, \(bind: now.epochSeconds),
                \(bind: now.epochSeconds))
            ON CONFLICT (provider, reference, kind) DO NOTHING
            RETURNING *
            """).first() {
            return try decodeMoneyToReturn(row)
        }
        guard let existing = try await db.raw("""
            SELECT * FROM money_to_return WHERE provider = \(bind: provider) AND reference = \(bind: reference) AND kind = \(bind: kind.rawValue)
            """).first() else { throw StoreError.invalidData("money to return \(provider) \(reference) vanished") }
        return try decodeMoneyToReturn(existing)
    }

    static func decodeMoneyToReturn(_ row: any SQLRow) throws -> MoneyToReturn {
        let id = try row.int64("id")
        guard let kind = MoneyToReturn.Kind(rawValue: try row.string("kind")), let state = MoneyToReturn.State(rawValue: try row.string("state")) else {
            throw StoreError.invalidData("money to return \(id)")
        }
        var amount: PaidAmount?
        if let minor = try row.optional("amount", Int64.self), let code = try row.optional("currency", String.self) {
            if code == "XTR" { amount = .stars(minor) } else if let c = Currency(code: code) { amount = .money(Money(minorUnits: minor, currency: c)) }
        }
        return MoneyToReturn(
            id: id, kind: kind, provider: try row.string("provider"), reference: try row.string("reference"),
            refundHandle: try row.optional("refund_handle", String.self), bookingID: try row.optional("booking_id", Int64.self).map(BookingID.init),
            userID: try row.optional("user_id", Int64.self).map(TelegramUserID.init), amount: amount, reason: try row.string("reason"),
            state: state, attempts: try row.int("attempts"), lastError: try row.optional("last_error", String.self),
            createdAt: try row.instant("created_at"), updatedAt: try row.instant("updated_at"),
            settledBy: try row.optional("settled_by", Int64.self).map(TelegramUserID.init), note: try row.optional("note", String.self))
    }

    // MARK: Money to return

    public func moneyToReturn(openOnly: Bool) async throws -> [MoneyToReturn] {
        let query: SQLQueryString = openOnly
            ? "SELECT * FROM money_to_return WHERE state <> 'settled' ORDER BY id"
            : "SELECT * FROM money_to_return ORDER BY id"
        return try await read { db in try await db.raw(query).all().map(Self.decodeMoneyToReturn) }
    }

    public func moneyToReturn(id: Int64) async throws -> MoneyToReturn? {
        try await read { db in try await db.raw("SELECT * FROM money_to_return WHERE id = \(bind: id)").first().map(Self.decodeMoneyToReturn) }
    }

    public func claimRefund(_ id: Int64, at now: Instant, staleAfterSeconds: Int64) async throws -> MoneyToReturn? {
        try await write { db in
            try await db.raw("""
                UPDATE money_to_return SET state = 'requested', attempts = attempts + 1, updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id) AND (state = 'owed'
                    OR (state = 'requested' AND updated_at <= \(bind: now.epochSeconds - staleAfterSeconds)))
                RETURNING *
                """).first().map(Self.decodeMoneyToReturn)
        }
    }

    public func releaseRefundClaim(_ id: Int64, error: String, at now: Instant) async throws {
        try await write { db in
            let rows = try await db.raw("""
                UPDATE money_to_return SET state = 'owed', last_error = \(bind: String(error.prefix(500))), updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id) AND state = 'requested'
                RETURNING id
                """).all()
            guard !rows.isEmpty else { return }
            try await Self.insertAudit(AuditEntry(
                actor: nil, role: "system", action: "refund.failed", entity: "money_to_return", entityID: "\(id)", before: "requested",
                after: "owed: \(error.prefix(300))", at: now), db)
        }
    }

    public func settleMoneyToReturn(
        _ id: Int64, by admin: TelegramUserID?, note: String?, messages: [NewOutboxMessage], at now: Instant
    ) async throws -> MoneyToReturn {
        try await write { db in
            guard let row = try await db.raw("""
                UPDATE money_to_return SET state = 'settled', settled_by = \(bind: admin?.rawValue), note = \(bind: note),
                    updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id) AND state IN ('owed', 'requested')
                RETURNING *
                """).first().map(Self.decodeMoneyToReturn) else { throw StoreError.notFound("Open money to return \(id)") }
            try await Self.insertAudit(AuditEntry(
                actor: admin?.rawValue, role: admin == nil ? "system" : "admin",
                action: row.kind == .reversal ? "reversal.closed" : "refund.settled", entity: "money_to_return", entityID: "\(id)",
                before: "owed \(row.provider) \(row.reference) \(row.amount?.description ?? "?")",
                after: admin == nil ? "returned through \(row.provider)" + (note.map { " (\($0))" } ?? "") : "done by admin" + (note.map { ": \($0)" } ?? ""),
                at: now), db)
            try await Self.insertOutbox(messages, at: now, db)
            return row
        }
    }

    // MARK: Stars inbox

    public func recordStarsPayment(_ p: IncomingStarsPayment) async throws -> Bool {
        try await write { db in
            !(try await db.raw("""
                INSERT INTO stars_inbox (charge_id, user_id, chat_id, invoice_payload, total_amount, currency, received_at)
                VALUES (\(bind: p.chargeID), \(bind: p.userID.rawValue), \(bind: p.chatID), \(bind: p.invoicePayload), \(bind: p.totalAmount),
                        \(bind: p.currency), \(bind: p.receivedAt.epochSeconds))
                ON CONFLICT (charge_id) DO NOTHING
                RETURNING charge_id
                """).all().isEmpty)
        }
    }

    public func unprocessedStarsPayments(receivedAtOrBefore cutoff: Instant) async throws -> [IncomingStarsPayment] {
        try await read { db in
            try await db.raw("""
                SELECT * FROM stars_inbox WHERE processed_at IS NULL AND received_at <= \(bind: cutoff.epochSeconds) ORDER BY received_at, charge_id
                """).all().map { row in
                IncomingStarsPayment(
                    chargeID: try row.string("charge_id"), userID: TelegramUserID(try row.int64("user_id")), chatID: try row.int64("chat_id"),
                    invoicePayload: try row.string("invoice_payload"), totalAmount: try row.int64("total_amount"),
                    currency: try row.string("currency"), receivedAt: try row.instant("received_at"))
            }
        }
    }

    public func markStarsPaymentProcessed(_ chargeID: String, at now: Instant) async throws {
        try await write { db in
            try await db.raw("""
                UPDATE stars_inbox SET processed_at = \(bind: now.epochSeconds) WHERE charge_id = \(bind: chargeID) AND processed_at IS NULL
                """).run()
        }
    }
}
