import Testing
@testable import Domain

/// A paid, confirmed call of 60 minutes at $2.50/min ($150.00) starting at `start`.
private func paid(start: Instant, status: BookingStatus = .confirmed) throws -> Booking {
    var b = try Booking.hold(
        hostID: HostID(7), userID: TelegramUserID(1001), start: start, minutes: 60, pricePerMinute: usd(250),
        commission: .standard, now: start.adding(days: -30), holdMinutes: 15)
    b.status = status
    b.paymentState = status == .pending ? .unpaid : .paid
    b.paymentMethod = status == .pending ? nil : "stripe"
    return b
}

@Suite("Cancellation policy")
struct CancellationPolicyTests {
    static let start = utc("2026-03-10T15:00")

    @Test("a user's cancellation around the 24 h cut-off", arguments: [
        ("2026-03-01T00:00", true),
        ("2026-03-09T14:59:59", true),
        ("2026-03-09T15:00", true), // exactly at the cut-off: still a refund
        ("2026-03-09T15:00:01", false),
        ("2026-03-10T14:59", false),
    ])
    func userCutoff(now: String, refund: Bool) throws {
        let b = try paid(start: Self.start)
        let decision = CancellationPolicy.standard.cancellation(of: b, by: .user, at: utc(now))
        if refund {
            #expect(decision == .fullRefund(usd(15_000)))
            #expect(decision.refunds)
        } else {
            #expect(decision == .noRefund(deadline: utc("2026-03-09T15:00")))
            #expect(!decision.refunds)
        }
        #expect(CancellationPolicy.standard.canReschedule(b, at: utc(now)) == refund)
    }

    @Test("host, admin and system cancellations always refund in full", arguments: [CancelledBy.host, .admin, .system])
    func staffAlwaysRefunds(by: CancelledBy) throws {
        let b = try paid(start: Self.start)
        for now in ["2026-03-01T00:00", "2026-03-10T14:00", "2026-03-10T14:59:59"] {
            #expect(CancellationPolicy.standard.cancellation(of: b, by: by, at: utc(now)) == .fullRefund(usd(15_000)))
        }
    }

    @Test("configured cut-offs", arguments: [
        (0, "2026-03-10T14:59:59", true), (0, "2026-03-10T15:00", false),
        (48, "2026-03-08T15:00", true), (48, "2026-03-08T15:00:01", false),
        (720, "2026-02-08T15:00", true), (720, "2026-02-08T15:00:01", false),
    ])
    func configured(hours: Int, now: String, refund: Bool) throws {
        let policy = try CancellationPolicy(cutoffHours: hours)
        #expect(policy.cancellation(of: try paid(start: Self.start), by: .user, at: utc(now)).refunds == refund)
    }

    @Test(arguments: [-1, 721, Int.max, Int.min])
    func outOfRangeCutoffsAreRefused(hours: Int) {
        #expect(throws: CancellationPolicyError.cutoffOutOfRange(hours)) { try CancellationPolicy(cutoffHours: hours) }
        #expect(CancellationPolicyError.cutoffOutOfRange(hours).description.contains("0–720 hours"))
    }

    /// The cut-off is 24 real hours, whatever the wall clock did: on the night the clocks go back (Madrid,
    /// 25 Oct 2026, 03:00 → 02:00) a 10:00 call's deadline is 11:00 the day before; on the night they go
    /// forward (29 Mar 2026, 02:00 → 03:00) it is 09:00 the day before.
    @Test("DST days", arguments: [
        ("2026-10-25 10:00", "2026-10-24 11:00"),
        ("2026-03-29 10:00", "2026-03-28 09:00"),
        ("2026-10-26 10:00", "2026-10-25 10:00"),
    ])
    func dstDays(start: String, deadline: String) throws {
        let madrid = zone("Europe/Madrid")
        let b = try paid(start: local(madrid, start))
        let policy = CancellationPolicy.standard
        let expected = local(madrid, deadline)
        #expect(policy.deadline(for: b) == expected)
        #expect(b.time.start.epochSeconds - expected.epochSeconds == 86_400)
        #expect(policy.cancellation(of: b, by: .user, at: expected).refunds)
        #expect(!policy.cancellation(of: b, by: .user, at: expected.adding(seconds: 1)).refunds)
    }

    @Test func unpaidAndFinishedBookings() throws {
        let policy = CancellationPolicy.standard
        let now = utc("2026-03-01T00:00")
        #expect(policy.cancellation(of: try paid(start: Self.start, status: .pending), by: .user, at: now) == .nothingPaid)
        // A call that has started is not the user's to cancel; staff still can.
        #expect(policy.cancellation(of: try paid(start: Self.start), by: .user, at: Self.start) == .notCancellable(.confirmed))
        #expect(policy.cancellation(of: try paid(start: Self.start), by: .admin, at: Self.start) == .fullRefund(usd(15_000)))
        for status in [BookingStatus.active, .completed, .cancelled, .expired] {
            #expect(policy.cancellation(of: try paid(start: Self.start, status: status), by: .admin, at: now) == .notCancellable(status))
            #expect(!policy.canReschedule(try paid(start: Self.start, status: status), at: now))
        }
    }

    @Test func noShowRefundsOnlyAPaidCallThatStarted() throws {
        let policy = CancellationPolicy.standard
        #expect(policy.noShow(of: try paid(start: Self.start), at: utc("2026-03-10T14:59")) == .notCancellable(.confirmed))
        #expect(policy.noShow(of: try paid(start: Self.start), at: utc("2026-03-10T15:00")) == .fullRefund(usd(15_000)))
        #expect(policy.noShow(of: try paid(start: Self.start, status: .active), at: utc("2026-03-10T15:10")) == .fullRefund(usd(15_000)))
        #expect(policy.noShow(of: try paid(start: Self.start, status: .completed), at: utc("2026-03-11T15:10")) == .fullRefund(usd(15_000)))
        #expect(policy.noShow(of: try paid(start: Self.start, status: .pending), at: utc("2026-03-10T15:10")) == .notCancellable(.pending))
    }
}
