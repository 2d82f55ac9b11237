import Testing
@testable import Domain

/// A call on 2026-03-10 15:00–16:00Z at $2.50 a minute, held at 12:00Z for 15 minutes (expires 12:15Z).
private func heldBooking() throws -> Booking {
    try Booking.hold(
        hostID: HostID(7), userID: TelegramUserID(1001), start: utc("2026-03-10T15:00"), minutes: 60,
        pricePerMinute: usd(250), commission: .standard, now: utc("2026-03-10T12:00"), holdMinutes: 15)
}

private func booking(_ status: BookingStatus, refund: RefundState = .none, payment: PaymentState? = nil) throws -> Booking {
    var b = try heldBooking()
    b.status = status
    b.refundState = refund
    b.paymentState = payment ?? (status == .pending || status == .expired ? .unpaid : .paid)
    return b
}

/// One representative of each event kind, timed so that every guard passes.
enum EventKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case payment, lapse, start, end, cancel, settle, noShow

    var event: BookingEvent {
        switch self {
        case .payment: .paymentConfirmed(method: "card", at: utc("2026-03-10T12:05"))
        case .lapse: .holdLapsed(at: utc("2026-03-10T12:20"))
        case .start: .callStarted(at: utc("2026-03-10T15:00"))
        case .end: .callEnded(at: utc("2026-03-10T16:00"))
        case .cancel: .cancelled(by: .user, refund: true, at: utc("2026-03-10T13:00"))
        case .settle: .refundSettled(succeeded: true, at: utc("2026-03-12T09:00"))
        case .noShow: .hostNoShow(at: utc("2026-03-10T16:30"))
        }
    }

    var testDescription: String { rawValue }
}

@Suite("Booking: hold, state machine, slot blocking, price snapshot")
struct BookingStateMachineTests {
    @Test func holdStartsPendingAndUnpaid() throws {
        let b = try heldBooking()
        #expect(b.status == .pending)
        #expect(b.paymentState == .unpaid)
        #expect(b.refundState == .none)
        #expect(b.cancelledBy == nil && b.paymentMethod == nil && b.id == nil)
        #expect(b.time == range("2026-03-10T15:00", "2026-03-10T16:00"))
        #expect(b.holdExpiresAt == utc("2026-03-10T12:15"))
        #expect(b.createdAt == utc("2026-03-10T12:00") && b.updatedAt == utc("2026-03-10T12:00"))
        #expect(b.price.total == usd(15_000))
        #expect(b.price.split.platform == usd(4_500) && b.price.split.host == usd(10_500))
    }

    @Test func holdWithImpossiblePriceThrows() {
        #expect(throws: PricingError.overflow) {
            try Booking.hold(
                hostID: HostID(1), userID: TelegramUserID(1), start: utc("2026-03-10T15:00"), minutes: 60,
                pricePerMinute: usd(Int64.max / 10), commission: .standard, now: utc("2026-03-10T12:00"), holdMinutes: 15)
        }
    }

    // MARK: Allowed transitions

    @Test func paymentConfirmsAPendingHold() throws {
        let b = try heldBooking().applying(.paymentConfirmed(method: "card", at: utc("2026-03-10T12:05")))
        #expect(b.status == .confirmed)
        #expect(b.paymentState == .paid)
        #expect(b.paymentMethod == "card")
        #expect(b.updatedAt == utc("2026-03-10T12:05"))
        #expect(b.createdAt == utc("2026-03-10T12:00"))
    }

    @Test func holdLapsesAtExpiry() throws {
        let b = try heldBooking().applying(.holdLapsed(at: utc("2026-03-10T12:15")))
        #expect(b.status == .expired)
        #expect(b.paymentState == .unpaid)
        #expect(b.updatedAt == utc("2026-03-10T12:15"))
    }

    @Test func holdLapsedBeforeExpiryThrows() throws {
        #expect(throws: BookingTransitionError.holdStillValid(until: utc("2026-03-10T12:15"))) {
            try heldBooking().applying(.holdLapsed(at: utc("2026-03-10T12:14:59")))
        }
    }

    @Test func callStartsAtItsStart() throws {
        let b = try booking(.confirmed).applying(.callStarted(at: utc("2026-03-10T15:00")))
        #expect(b.status == .active)
        let late = try booking(.confirmed).applying(.callStarted(at: utc("2026-03-10T15:07")))
        #expect(late.status == .active)
    }

    @Test func callStartedBeforeStartThrows() throws {
        #expect(throws: BookingTransitionError.tooEarly(startsAt: utc("2026-03-10T15:00"))) {
            try booking(.confirmed).applying(.callStarted(at: utc("2026-03-10T14:59")))
        }
    }

    @Test func callEndsAtItsEnd() throws {
        let b = try booking(.active).applying(.callEnded(at: utc("2026-03-10T16:00")))
        #expect(b.status == .completed)
        #expect(b.status.isTerminal)
        #expect(throws: BookingTransitionError.notOverYet(endsAt: utc("2026-03-10T16:00"))) {
            try booking(.active).applying(.callEnded(at: utc("2026-03-10T15:59")))
        }
    }

    @Test func cancellingAPendingHoldOwesNothing() throws {
        for refund in [true, false] {
            let b = try heldBooking().applying(.cancelled(by: .user, refund: refund, at: utc("2026-03-10T12:10")))
            #expect(b.status == .cancelled)
            #expect(b.cancelledBy == .user)
            #expect(b.refundState == .none)
            #expect(b.paymentState == .unpaid)
        }
    }

    @Test("cancelling a confirmed booking", arguments: [
        (true, RefundState.pending, CancelledBy.host),
        (false, .notEligible, .user),
        (true, .pending, .admin),
        (false, .notEligible, .system),
    ])
    func cancelConfirmed(refund: Bool, refundState: RefundState, by: CancelledBy) throws {
        let b = try booking(.confirmed).applying(.cancelled(by: by, refund: refund, at: utc("2026-03-10T13:00")))
        #expect(b.status == .cancelled)
        #expect(b.status.isTerminal)
        #expect(b.cancelledBy == by)
        #expect(b.refundState == refundState)
        #expect(b.paymentState == .paid)
    }

    @Test func refundSettles() throws {
        let owed = try booking(.confirmed).applying(.cancelled(by: .host, refund: true, at: utc("2026-03-10T13:00")))
        let done = try owed.applying(.refundSettled(succeeded: true, at: utc("2026-03-11T09:00")))
        #expect(done.refundState == .refunded)
        #expect(done.paymentState == .refunded)
        #expect(done.status == .cancelled)
        #expect(done.updatedAt == utc("2026-03-11T09:00"))

        let failed = try owed.applying(.refundSettled(succeeded: false, at: utc("2026-03-11T09:00")))
        #expect(failed.refundState == .failed)
        #expect(failed.paymentState == .paid)
        // A failed refund can be retried and settle later.
        let retried = try failed.applying(.refundSettled(succeeded: true, at: utc("2026-03-12T09:00")))
        #expect(retried.refundState == .refunded && retried.paymentState == .refunded)
    }

    @Test("refundSettled with nothing owed", arguments: [RefundState.none, .notEligible, .refunded])
    func refundNotOwed(state: RefundState) throws {
        #expect(throws: BookingTransitionError.noRefundOwed) {
            try booking(.cancelled, refund: state).applying(.refundSettled(succeeded: true, at: utc("2026-03-12T09:00")))
        }
    }

    @Test func latePaymentOnAnExpiredHoldConfirms() throws {
        let expired = try heldBooking().applying(.holdLapsed(at: utc("2026-03-10T12:16")))
        let payment = BookingEvent.paymentConfirmed(method: "crypto", at: utc("2026-03-10T12:30"))
        #expect(expired.isLatePayment(payment))
        let b = try expired.applying(payment)
        #expect(b.status == .confirmed)
        #expect(b.paymentState == .paid)
        #expect(b.paymentMethod == "crypto")
    }

    @Test func latePaymentDetection() throws {
        let pending = try heldBooking()
        #expect(!pending.isLatePayment(.paymentConfirmed(method: "card", at: utc("2026-03-10T12:14:59"))))
        #expect(pending.isLatePayment(.paymentConfirmed(method: "card", at: utc("2026-03-10T12:15"))))
        #expect(pending.isLatePayment(.paymentConfirmed(method: "card", at: utc("2026-03-10T13:00"))))
        #expect(!pending.isLatePayment(.holdLapsed(at: utc("2026-03-10T13:00"))))
        #expect(try booking(.expired).isLatePayment(.paymentConfirmed(method: "card", at: utc("2026-03-10T12:05"))))
        #expect(try !booking(.confirmed).isLatePayment(.paymentConfirmed(method: "card", at: utc("2026-03-10T13:00"))))
        // A pending hold paid after expiry (the lapse not yet processed) still confirms.
        let paid = try pending.applying(.paymentConfirmed(method: "card", at: utc("2026-03-10T12:20")))
        #expect(paid.status == .confirmed)
    }

    // MARK: Host no-show

    @Test(arguments: [BookingStatus.confirmed, .active, .completed])
    func aConfirmedNoShowOwesAFullRefund(status: BookingStatus) throws {
        let next = try booking(status).applying(.hostNoShow(at: utc("2026-03-10T16:30")))
        #expect(next.status == .cancelled)
        #expect(next.cancelledBy == .host)
        #expect(next.refundState == .pending)
        #expect(next.paymentState == .paid)
        let settled = try next.applying(.refundSettled(succeeded: true, at: utc("2026-03-10T17:00")))
        #expect(settled.paymentState == .refunded && settled.refundState == .refunded)
    }

    @Test func aNoShowBeforeTheStartOrOnAnUnpaidBookingIsRefused() throws {
        #expect(throws: BookingTransitionError.tooEarly(startsAt: utc("2026-03-10T15:00"))) {
            try booking(.confirmed).applying(.hostNoShow(at: utc("2026-03-10T14:59")))
        }
        #expect(throws: BookingTransitionError.notAllowed(from: .completed, event: "host no-show")) {
            try booking(.completed, payment: .unpaid).applying(.hostNoShow(at: utc("2026-03-10T16:30")))
        }
        #expect(throws: BookingTransitionError.notAllowed(from: .cancelled, event: "host no-show")) {
            try booking(.cancelled, refund: .pending).applying(.hostNoShow(at: utc("2026-03-10T16:30")))
        }
    }

    // MARK: The full matrix

    static let allowed: Set<String> = [
        "pending/payment", "pending/lapse", "pending/cancel",
        "confirmed/start", "confirmed/cancel",
        "active/end",
        "expired/payment",
        "cancelled/settle",
        "confirmed/noShow", "active/noShow", "completed/noShow",
    ]

    @Test("every status × event", arguments: BookingStatus.allCases, EventKind.allCases)
    func matrix(status: BookingStatus, kind: EventKind) throws {
        let b = try booking(status, refund: status == .cancelled ? .pending : .none)
        if Self.allowed.contains("\(status.rawValue)/\(kind.rawValue)") {
            let next = try b.applying(kind.event)
            #expect(next.updatedAt == kind.event.at)
            #expect(next.price == b.price)
            #expect(next.time == b.time)
        } else {
            #expect(throws: BookingTransitionError.notAllowed(from: status, event: kind.event.name)) {
                try b.applying(kind.event)
            }
        }
    }

    @Test("named disallowed transitions", arguments: [
        (BookingStatus.completed, EventKind.cancel),
        (.expired, .start),
        (.pending, .start),
        (.pending, .end),
        (.confirmed, .payment),
        (.active, .cancel),
        (.cancelled, .payment),
        (.expired, .cancel),
        (.completed, .settle),
    ])
    func disallowed(status: BookingStatus, kind: EventKind) throws {
        #expect(throws: BookingTransitionError.notAllowed(from: status, event: kind.event.name)) {
            try booking(status).applying(kind.event)
        }
    }

    /// "expired → active": an expired hold cannot start a call; it has to be paid first.
    @Test func expiredCannotBecomeActive() throws {
        let expired = try booking(.expired)
        #expect(throws: BookingTransitionError.notAllowed(from: .expired, event: "call started")) {
            try expired.applying(.callStarted(at: utc("2026-03-10T15:00")))
        }
    }

    // MARK: Slot blocking

    @Test("blocksSlot", arguments: [
        (BookingStatus.pending, "2026-03-10T12:14:59", true),
        (.pending, "2026-03-10T12:15", false),
        (.pending, "2026-03-10T13:00", false),
        (.confirmed, "2026-03-10T12:00", true),
        (.confirmed, "2026-03-11T00:00", true),
        (.active, "2026-03-10T15:30", true),
        (.completed, "2026-03-10T12:00", false),
        (.cancelled, "2026-03-10T12:00", false),
        (.expired, "2026-03-10T12:00", false),
    ])
    func blocksSlot(status: BookingStatus, now: String, blocks: Bool) throws {
        #expect(try booking(status).blocksSlot(at: utc(now)) == blocks)
    }

    @Test func statusSets() {
        #expect(BookingStatus.blocking == [.pending, .confirmed, .active])
        #expect(BookingStatus.allCases.filter(\.isTerminal) == [.completed, .cancelled])
        #expect(RefundState.notEligible.rawValue == "not_eligible")
    }

    // MARK: Price snapshot

    @Test func priceSnapshotIgnoresLaterHostPriceChanges() throws {
        var host = try sampleHost(pricePerMinute: 250)
        let booked = try Booking.hold(
            hostID: try #require(host.id), userID: TelegramUserID(1001), start: utc("2026-03-10T15:00"), minutes: 60,
            pricePerMinute: host.pricePerMinute.money, commission: .standard, now: utc("2026-03-10T12:00"), holdMinutes: 15)
        host.pricePerMinute = try PricePerMinute(usd(400))
        #expect(host.pricePerMinute.money == usd(400))
        var b = try booked.applying(.paymentConfirmed(method: "card", at: utc("2026-03-10T12:05")))
        b = try b.applying(.callStarted(at: utc("2026-03-10T15:00")))
        b = try b.applying(.callEnded(at: utc("2026-03-10T16:00")))
        #expect(b.status == .completed)
        #expect(b.price.pricePerMinute == usd(250))
        #expect(b.price.total == usd(15_000))
        #expect(b.price.split.platform == usd(4_500))
        #expect(b.price == booked.price)
    }

    @Test func eventNamesAndErrorDescriptions() {
        #expect(EventKind.allCases.map(\.event.name) == [
            "payment confirmed", "hold lapsed", "call started", "call ended", "cancel", "refund settled", "host no-show",
        ])
        let errors: [BookingTransitionError] = [
            .notAllowed(from: .completed, event: "cancel"), .holdStillValid(until: utc("2026-03-10T12:15")),
            .tooEarly(startsAt: utc("2026-03-10T15:00")), .notOverYet(endsAt: utc("2026-03-10T16:00")), .noRefundOwed,
        ]
        for e in errors { #expect(!e.description.isEmpty) }
        #expect(BookingTransitionError.holdStillValid(until: utc("2026-03-10T12:15")).description.contains("2026-03-10T12:15:00Z"))
    }
}
