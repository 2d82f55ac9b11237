import Foundation
import Domain
import Storage
import Testing

// Prices used below, split by the standard 30 % commission (worked out by hand):
//   60 min × $5.00    = $300.00    → platform $90.00,      host $210.00
//   45 min × $3.33    = $149.85    → platform $44.96 (44.955 rounds away from zero), host $104.89
//   30 min × COP 1,500 = COP 45,000 → platform COP 13,500,  host COP 31,500
//   30 min × $7.00    = $210.00    → platform $63.00,      host $147.00

private func usdMoney(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .usd) }
private func copMoney(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .cop) }

/// A hold made at `day0` and paid at `paidAt` (which becomes the ledger row's time).
private func paidBooking(
    _ store: any Store, host: HostID, user: Int64 = 1001, start: Instant, minutes: Int = 60, perMinute: Money = usdMoney(500),
    paidAt: Instant
) async throws -> BookingID {
    let hold = try Booking.hold(
        hostID: host, userID: TelegramUserID(user), start: start, minutes: minutes, pricePerMinute: perMinute,
        commission: .standard, now: day0, holdMinutes: 30)
    let id = try #require(try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id)
    _ = try await store.apply(.paymentConfirmed(method: "stripe", at: paidAt), to: id)
    return id
}

/// Cancels a paid booking with a refund and settles the refund at `at` (the refund row's time).
private func refund(_ store: any Store, _ id: BookingID, at: Instant) async throws {
    _ = try await store.apply(.cancelled(by: .admin, refund: true, at: at.adding(seconds: -60)), to: id)
    _ = try await store.apply(.refundSettled(succeeded: true, at: at), to: id)
}

@Suite("Store contract: payouts, balances, earnings")
struct MoneyStoreContractTests {
    @Test(arguments: Engine.available)
    func payoutAboveTheBalanceIsRefusedAndExactlyTheBalanceIsAccepted(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            _ = try await paidBooking(store, host: host, start: at(day: 1, hour: 9), paidAt: at(hour: 1))
            let before = try #require(try await store.balance(hostID: host)[.usd])
            #expect(before == HostBalance(currency: .usd, gross: usdMoney(30_000), commission: usdMoney(9_000),
                                          earned: usdMoney(21_000), paidOut: usdMoney(0)))
            #expect(before.unpaid == usdMoney(21_000))

            await #expect(throws: StoreError.payoutExceedsBalance(balance: usdMoney(21_000))) {
                _ = try await store.recordPayout(hostID: host, amount: usdMoney(21_001), reference: nil, recordedBy: TelegramUserID(42), at: at(hour: 2))
            }
            for bad in [usdMoney(0), usdMoney(-500)] {
                do {
                    _ = try await store.recordPayout(hostID: host, amount: bad, reference: nil, recordedBy: nil, at: at(hour: 2))
                    Issue.record("a payout of \(bad) was accepted")
                } catch let error as StoreError {
                    guard case .invalidData = error else { Issue.record("expected invalidData, got \(error)"); continue }
                }
            }
            // Nothing earned in euros: any euro payout exceeds a zero balance.
            await #expect(throws: StoreError.payoutExceedsBalance(balance: Money.zero(.eur))) {
                _ = try await store.recordPayout(hostID: host, amount: Money(minorUnits: 1, currency: .eur), reference: nil, recordedBy: nil, at: at(hour: 2))
            }
            await #expect(throws: StoreError.notFound("Host 999")) {
                _ = try await store.recordPayout(hostID: HostID(999), amount: usdMoney(1), reference: nil, recordedBy: nil, at: at(hour: 2))
            }
            #expect(try await store.payouts(hostID: nil).isEmpty, "refused payouts leave nothing behind")
            #expect(try await store.auditLog(limit: 10).isEmpty)

            let payout = try await store.recordPayout(
                hostID: host, amount: usdMoney(21_000), reference: "  wire 2026-0042 ", recordedBy: TelegramUserID(42), at: at(hour: 3))
            #expect(payout.amount == usdMoney(21_000))
            #expect(payout.reference == "wire 2026-0042")
            #expect(payout.recordedBy == TelegramUserID(42))
            #expect(try await store.payouts(hostID: host) == [payout])
            #expect(try await store.payouts(hostID: HostID(999)).isEmpty)

            let after = try #require(try await store.balance(hostID: host)[.usd])
            #expect(after.paidOut == usdMoney(21_000))
            #expect(after.unpaid == usdMoney(0))
            await #expect(throws: StoreError.payoutExceedsBalance(balance: usdMoney(0))) {
                _ = try await store.recordPayout(hostID: host, amount: usdMoney(1), reference: nil, recordedBy: nil, at: at(hour: 4))
            }

            let audit = try await store.auditLog(limit: 10)
            #expect(audit.count == 1)
            #expect(audit.first?.action == "payout.record")
            #expect(audit.first?.actor == 42)
            #expect(audit.first?.role == "admin")
            #expect(audit.first?.entity == "host")
            #expect(audit.first?.entityID == "\(host)")
            #expect(audit.first?.before == "unpaid 210.00 USD")
            #expect(audit.first?.after == "payout \(payout.id): 210.00 USD, reference wire 2026-0042; unpaid 0.00 USD")
            #expect(audit.first?.at == at(hour: 3))
            #expect(StoreError.payoutExceedsBalance(balance: usdMoney(21_000)).description.contains("$210.00"))
        }
    }

    @Test(arguments: Engine.available)
    func twentyConcurrentPayoutsOfATenthEachExactlyTenSucceed(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            _ = try await paidBooking(store, host: host, start: at(day: 1, hour: 9), paidAt: at(hour: 1))
            // Balance $210.00; each payout is $21.00.
            let outcomes = await withTaskGroup(of: Result<Payout, any Error>.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        do {
                            return .success(try await store.recordPayout(
                                hostID: host, amount: usdMoney(2_100), reference: "batch \(i)", recordedBy: TelegramUserID(42), at: at(hour: 2)))
                        } catch { return .failure(error) }
                    }
                }
                var all: [Result<Payout, any Error>] = []
                for await r in group { all.append(r) }
                return all
            }
            let wins = outcomes.compactMap { if case .success(let p) = $0 { p } else { nil } }
            let refusals = outcomes.filter {
                if case .failure(let e) = $0 { (e as? StoreError) == .payoutExceedsBalance(balance: usdMoney(0)) } else { false }
            }
            #expect(wins.count == 10)
            #expect(refusals.count == 10, "every loser is refused with the typed error and a zero balance: \(outcomes)")
            #expect(try await store.payouts(hostID: host).count == 10)
            let balance = try #require(try await store.balance(hostID: host)[.usd])
            #expect(balance.paidOut == usdMoney(21_000))
            #expect(balance.unpaid == usdMoney(0))
            #expect(try await store.auditLog(limit: 100).count == 10)
        }
    }

    @Test(arguments: Engine.available)
    func refundsReduceTheBalance(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            _ = try await paidBooking(store, host: host, start: at(day: 1, hour: 9), paidAt: at(hour: 1))
            let b = try await paidBooking(store, host: host, start: at(day: 1, hour: 11), minutes: 45, perMinute: usdMoney(333), paidAt: at(hour: 2))
            #expect(try await store.balance(hostID: host)[.usd]?.unpaid == usdMoney(31_489))

            // Cancelled with a refund owed but not yet settled: no refund row yet, the balance is unchanged.
            _ = try await store.apply(.cancelled(by: .user, refund: true, at: at(hour: 3)), to: b)
            #expect(try await store.balance(hostID: host)[.usd]?.unpaid == usdMoney(31_489))
            _ = try await store.apply(.refundSettled(succeeded: true, at: at(hour: 4)), to: b)
            let afterRefund = try #require(try await store.balance(hostID: host)[.usd])
            #expect(afterRefund == HostBalance(currency: .usd, gross: usdMoney(30_000), commission: usdMoney(9_000),
                                               earned: usdMoney(21_000), paidOut: usdMoney(0)))
            await #expect(throws: StoreError.payoutExceedsBalance(balance: usdMoney(21_000))) {
                _ = try await store.recordPayout(hostID: host, amount: usdMoney(31_489), reference: nil, recordedBy: nil, at: at(hour: 5))
            }

            // Paid out in full, then a refund settles: the host now owes the difference (negative unpaid) and
            // no further payout is possible.
            let c = try await paidBooking(store, host: host, start: at(day: 1, hour: 14), minutes: 30, perMinute: usdMoney(700), paidAt: at(hour: 5))
            _ = try await store.recordPayout(hostID: host, amount: usdMoney(35_700), reference: nil, recordedBy: nil, at: at(hour: 6))
            try await refund(store, c, at: at(hour: 7))
            let owed = try #require(try await store.balance(hostID: host)[.usd])
            #expect(owed.earned == usdMoney(21_000))
            #expect(owed.paidOut == usdMoney(35_700))
            #expect(owed.unpaid == usdMoney(-14_700))
            await #expect(throws: StoreError.payoutExceedsBalance(balance: usdMoney(-14_700))) {
                _ = try await store.recordPayout(hostID: host, amount: usdMoney(1), reference: nil, recordedBy: nil, at: at(hour: 8))
            }
        }
    }

    @Test(arguments: Engine.available)
    func balancesArePerCurrency(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let other = try #require(try await store.createHost(try makeHost("bruno_host", currency: .cop), at: day0).id)
            _ = try await paidBooking(store, host: host, start: at(day: 1, hour: 9), paidAt: at(hour: 1))
            _ = try await paidBooking(store, host: host, start: at(day: 1, hour: 13), minutes: 30, perMinute: copMoney(150_000), paidAt: at(hour: 2))
            _ = try await paidBooking(store, host: other, start: at(day: 1, hour: 9), minutes: 30, perMinute: copMoney(150_000), paidAt: at(hour: 2))

            let balances = try await store.balance(hostID: host)
            #expect(Set(balances.keys) == [.usd, .cop])
            #expect(balances[.cop] == HostBalance(currency: .cop, gross: copMoney(4_500_000), commission: copMoney(1_350_000),
                                                  earned: copMoney(3_150_000), paidOut: copMoney(0)))
            #expect(balances[.usd]?.unpaid == usdMoney(21_000))

            // A peso payout spends pesos only.
            _ = try await store.recordPayout(hostID: host, amount: copMoney(3_000_000), reference: "nequi", recordedBy: TelegramUserID(7), at: at(hour: 3))
            let after = try await store.balance(hostID: host)
            #expect(after[.cop]?.unpaid == copMoney(150_000))
            #expect(after[.usd]?.unpaid == usdMoney(21_000))
            await #expect(throws: StoreError.payoutExceedsBalance(balance: copMoney(150_000))) {
                _ = try await store.recordPayout(hostID: host, amount: copMoney(150_001), reference: nil, recordedBy: nil, at: at(hour: 4))
            }
            _ = try await store.recordPayout(hostID: host, amount: usdMoney(21_000), reference: nil, recordedBy: nil, at: at(hour: 4))
            // The other host's balance is its own.
            #expect(try await store.balance(hostID: other)[.cop]?.unpaid == copMoney(3_150_000))
            #expect(try await store.balance(hostID: other)[.usd] == nil)
            #expect(try await store.balance(hostID: HostID(999)).isEmpty)
            // Newest first.
            #expect(try await store.payouts(hostID: host).map(\.amount) == [usdMoney(21_000), copMoney(3_000_000)])
            #expect(try await store.payouts(hostID: other).isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func earningsArePerHostAndCurrencyOverAHalfOpenWindow(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let one = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let two = try #require(try await store.createHost(try makeHost("bruno_host"), at: day0).id)
            _ = try await paidBooking(store, host: one, start: at(day: 1, hour: 9), paidAt: at(hour: 1))
            let b = try await paidBooking(store, host: one, start: at(day: 1, hour: 11), minutes: 45, perMinute: usdMoney(333), paidAt: at(hour: 2))
            try await refund(store, b, at: at(hour: 4))
            _ = try await paidBooking(store, host: one, start: at(day: 1, hour: 13), minutes: 30, perMinute: copMoney(150_000), paidAt: at(day: 1, hour: 0))
            _ = try await paidBooking(store, host: two, start: at(day: 1, hour: 9), minutes: 30, perMinute: usdMoney(700), paidAt: at(hour: 4))

            #expect(try await store.earnings(from: nil, to: nil) == [
                EarningsLine(hostID: one, currency: .cop, gross: copMoney(4_500_000), commission: copMoney(1_350_000),
                             hostShare: copMoney(3_150_000), bookings: 1, refunds: 0),
                EarningsLine(hostID: one, currency: .usd, gross: usdMoney(30_000), commission: usdMoney(9_000),
                             hostShare: usdMoney(21_000), bookings: 2, refunds: 1),
                EarningsLine(hostID: two, currency: .usd, gross: usdMoney(21_000), commission: usdMoney(6_300),
                             hostShare: usdMoney(14_700), bookings: 1, refunds: 0),
            ])
            // [02:00, 04:00): B's payment only; the refund and host two's payment at 04:00 fall outside.
            #expect(try await store.earnings(from: at(hour: 2), to: at(hour: 4)) == [
                EarningsLine(hostID: one, currency: .usd, gross: usdMoney(14_985), commission: usdMoney(4_496),
                             hostShare: usdMoney(10_489), bookings: 1, refunds: 0),
            ])
            #expect(try await store.earnings(from: at(hour: 4), to: nil) == [
                EarningsLine(hostID: one, currency: .cop, gross: copMoney(4_500_000), commission: copMoney(1_350_000),
                             hostShare: copMoney(3_150_000), bookings: 1, refunds: 0),
                EarningsLine(hostID: one, currency: .usd, gross: usdMoney(-14_985), commission: usdMoney(-4_496),
                             hostShare: usdMoney(-10_489), bookings: 0, refunds: 1),
                EarningsLine(hostID: two, currency: .usd, gross: usdMoney(21_000), commission: usdMoney(6_300),
                             hostShare: usdMoney(14_700), bookings: 1, refunds: 0),
            ])
            #expect(try await store.earnings(from: at(day: 5, hour: 0), to: nil).isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func wideReadsForAnalyticsAndExports(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let one = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let two = try #require(try await store.createHost(try makeHost("bruno_host"), at: day0).id)
            let a = try await paidBooking(store, host: one, start: at(day: 1, hour: 9), paidAt: at(hour: 1))
            let b = try await paidBooking(store, host: one, start: at(day: 1, hour: 11), minutes: 45, perMinute: usdMoney(333), paidAt: at(hour: 2))
            try await refund(store, b, at: at(hour: 4))
            let c = try await paidBooking(store, host: one, start: at(day: 1, hour: 13), minutes: 30, perMinute: copMoney(150_000), paidAt: at(hour: 3))
            let d = try await paidBooking(store, host: two, start: at(day: 1, hour: 9), minutes: 30, perMinute: usdMoney(700), paidAt: at(hour: 4))
            let e = try #require(try await store.createHold(try makeHold(host: one, start: at(day: 2, hour: 9)), bufferMinutes: 0, maxLiveHolds: .max).id)

            // By start time, ties by id; the window is on the start and half-open.
            #expect(try await store.allBookings(from: nil, to: nil, hostID: nil).map(\.id) == [a, d, b, c, e])
            #expect(try await store.allBookings(from: at(day: 1, hour: 11), to: at(day: 2, hour: 9), hostID: nil).map(\.id) == [b, c])
            #expect(try await store.allBookings(from: nil, to: nil, hostID: two).map(\.id) == [d])
            #expect(try await store.allBookings(from: at(day: 1, hour: 10), to: nil, hostID: one).map(\.id) == [b, c, e])

            let ledger = try await store.ledgerEntries(from: nil, to: nil)
            #expect(ledger.map(\.bookingID) == [a, b, c, b, d], "oldest first, ties by id")
            #expect(ledger.map(\.kind) == [.payment, .payment, .payment, .refund, .payment])
            #expect(try await store.ledgerEntries(from: at(hour: 2), to: at(hour: 4)).map(\.bookingID) == [b, c])

            _ = try await store.addReview(Review(bookingID: a, hostID: one, userID: TelegramUserID(1001), rating: 5, text: "great", createdAt: at(day: 2, hour: 0)))
            _ = try await store.addReview(Review(bookingID: d, hostID: two, userID: TelegramUserID(1001), rating: 1, text: "spam", hidden: true,
                                                 createdAt: at(day: 2, hour: 1)))
            #expect(try await store.allReviews(includeHidden: false).map(\.text) == ["great"])
            #expect(try await store.allReviews(includeHidden: true).map(\.text) == ["spam", "great"])
            #expect(try await store.allReviews(includeHidden: true).map(\.hidden) == [true, false])

            _ = try await store.recordPayout(hostID: one, amount: usdMoney(10_000), reference: "wire", recordedBy: TelegramUserID(42), at: at(hour: 5))

            // The report over the store: 5 holds, 4 paid (a, b refunded, c, d), 1 refunded.
            let report = try await store.analyticsReport(from: nil, to: nil, zone: Zone(identifier: "Europe/Madrid")!)
            #expect(report.holdsCreated == 5)
            #expect(report.paidBookings == 4)
            #expect(report.refundedBookings == 1)
            #expect(report.paymentSuccessRateBasisPoints == 8_000)
            #expect(report.refundRateBasisPoints == 2_500)
            #expect(report.revenue == [.usd: usdMoney(51_000), .cop: copMoney(4_500_000)])
            #expect(report.commission == [.usd: usdMoney(15_300), .cop: copMoney(1_350_000)])
            #expect(report.host(one)?.rating == AnalyticsRating(averageHundredths: 500, count: 1))
            #expect(report.host(two)?.rating == nil, "the hidden review does not count")
            #expect(report.payouts.map(\.amount) == [usdMoney(10_000)])
            // 2026-11-26 09:00, 11:00, 13:00 UTC are 10:00, 12:00, 14:00 in Madrid (CET, UTC+1).
            #expect(report.busiestHours == [HourCount(hour: 10, count: 2), HourCount(hour: 12, count: 1), HourCount(hour: 14, count: 1)])
            let windowed = try await store.analyticsReport(from: at(hour: 6), to: nil, zone: .utc)
            #expect(windowed.payouts.isEmpty, "the payout at 05:00 is before the window")

            let csv = try await store.ledgerCSV(from: nil, to: nil)
            let lines = csv.components(separatedBy: "\r\n")
            #expect(lines.count == 7, "header, five rows, and the empty string after the last CRLF")
            #expect(lines[0] == "entry_id,created_at,booking_id,host_id,host_name,kind,currency,gross,platform,host_share")
            #expect(lines[1] == "\(ledger[0].id),2026-11-25T01:00:00Z,\(a),\(one),Anna,payment,USD,300.00,90.00,210.00")
            #expect(lines[4] == "\(ledger[3].id),2026-11-25T04:00:00Z,\(b),\(one),Anna,refund,USD,-149.85,-44.96,-104.89")
            #expect(lines[3].hasSuffix(",payment,COP,45000.00,13500.00,31500.00"))
        }
    }
}
