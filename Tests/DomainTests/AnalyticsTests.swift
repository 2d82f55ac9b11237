import Domain
import Testing

// A seeded data set worked out by hand. Every expected figure below is a literal computed on paper from
// this table, never by calling the code under test.
//
// Madrid changes to summer time on 2026-03-29 at 01:00 UTC (CET, UTC+1 → CEST, UTC+2).
//
//  #   host  start (UTC)         Madrid  price                           status     payment   refund        paid?
//  1   1     2026-03-28 09:00    10:00   60 × $5.00   = $300.00           completed  paid      none          yes
//  2   1     2026-03-30 09:00    11:00   30 × $5.00   = $150.00           completed  paid      none          yes
//  3   1     2026-03-30 08:00    10:00   45 × $3.33   = $149.85           cancelled  refunded  refunded      yes, refunded
//  4   1     2026-03-31 15:00    17:00   60 × $5.00                       pending    unpaid    none          no
//  5   2     2026-03-28 16:00    17:00   30 × COP 1,500 = COP 45,000      confirmed  paid      none          yes
//  6   2     2026-03-29 15:00    17:00   60 × COP 1,500 = COP 90,000      active     paid      none          yes
//  7   2     2026-03-29 09:00    11:00   30 × COP 1,500                   expired    unpaid    none          no
//  8   2     2026-03-30 09:00    11:00   30 × COP 1,500                   cancelled  unpaid    none          no
//  9   3     2026-03-28 10:00    11:00   30 × $5.00                       expired    unpaid    none          no
// 10   1     2026-03-29 00:30    01:30   15 × $5.00   = $75.00            cancelled  paid      not_eligible  yes
// 11   1     2026-03-29 01:30    03:30   15 × COP 2,000 = COP 30,000      confirmed  paid      none          yes
// 12   2     2026-03-31 09:00    11:00   30 × COP 1,500 = COP 45,000      cancelled  paid      pending       yes
//
// Ledger (30 % commission; platform share rounded half away from zero): one payment row per paid booking,
// and a negated refund row for #3 only (#12's refund has not settled).

private func booking(
    _ id: Int64, host: Int64, start: String, minutes: Int, perMinute: Money, _ status: BookingStatus,
    payment: PaymentState = .unpaid, refund: RefundState = .none
) throws -> Booking {
    Booking(
        id: BookingID(id), hostID: HostID(host), userID: TelegramUserID(500 + id), time: TimeRange(start: utc(start), minutes: minutes),
        price: try PriceSnapshot(pricePerMinute: perMinute, minutes: minutes, commission: .standard), status: status,
        holdExpiresAt: utc("2026-03-20T00:30"), paymentMethod: payment == .unpaid ? nil : "stripe", paymentState: payment,
        refundState: refund, createdAt: utc("2026-03-20T00:00"))
}

private func row(
    _ id: Int64, booking: Int64, host: Int64, _ kind: AnalyticsLedgerRow.Kind, _ gross: Money, _ platform: Money, _ share: Money, _ at: String
) -> AnalyticsLedgerRow {
    AnalyticsLedgerRow(id: id, bookingID: BookingID(booking), hostID: HostID(host), kind: kind, gross: gross, platform: platform, host: share,
                       createdAt: utc(at))
}

private func seededBookings() throws -> [Booking] {
    [
        try booking(1, host: 1, start: "2026-03-28T09:00", minutes: 60, perMinute: usd(500), .completed, payment: .paid),
        try booking(2, host: 1, start: "2026-03-30T09:00", minutes: 30, perMinute: usd(500), .completed, payment: .paid),
        try booking(3, host: 1, start: "2026-03-30T08:00", minutes: 45, perMinute: usd(333), .cancelled, payment: .refunded, refund: .refunded),
        try booking(4, host: 1, start: "2026-03-31T15:00", minutes: 60, perMinute: usd(500), .pending),
        try booking(5, host: 2, start: "2026-03-28T16:00", minutes: 30, perMinute: cop(150_000), .confirmed, payment: .paid),
        try booking(6, host: 2, start: "2026-03-29T15:00", minutes: 60, perMinute: cop(150_000), .active, payment: .paid),
        try booking(7, host: 2, start: "2026-03-29T09:00", minutes: 30, perMinute: cop(150_000), .expired),
        try booking(8, host: 2, start: "2026-03-30T09:00", minutes: 30, perMinute: cop(150_000), .cancelled),
        try booking(9, host: 3, start: "2026-03-28T10:00", minutes: 30, perMinute: usd(500), .expired),
        try booking(10, host: 1, start: "2026-03-29T00:30", minutes: 15, perMinute: usd(500), .cancelled, payment: .paid, refund: .notEligible),
        try booking(11, host: 1, start: "2026-03-29T01:30", minutes: 15, perMinute: cop(200_000), .confirmed, payment: .paid),
        try booking(12, host: 2, start: "2026-03-31T09:00", minutes: 30, perMinute: cop(150_000), .cancelled, payment: .paid, refund: .pending),
    ]
}

private let seededLedger: [AnalyticsLedgerRow] = [
    row(1, booking: 1, host: 1, .payment, usd(30_000), usd(9_000), usd(21_000), "2026-03-21T10:00"),
    row(2, booking: 5, host: 2, .payment, cop(4_500_000), cop(1_350_000), cop(3_150_000), "2026-03-21T11:00"),
    row(3, booking: 2, host: 1, .payment, usd(15_000), usd(4_500), usd(10_500), "2026-03-22T10:00"),
    row(4, booking: 3, host: 1, .payment, usd(14_985), usd(4_496), usd(10_489), "2026-03-22T11:00"),
    row(5, booking: 6, host: 2, .payment, cop(9_000_000), cop(2_700_000), cop(6_300_000), "2026-03-23T10:00"),
    row(6, booking: 10, host: 1, .payment, usd(7_500), usd(2_250), usd(5_250), "2026-03-23T11:00"),
    row(7, booking: 11, host: 1, .payment, cop(3_000_000), cop(900_000), cop(2_100_000), "2026-03-24T10:00"),
    row(8, booking: 12, host: 2, .payment, cop(4_500_000), cop(1_350_000), cop(3_150_000), "2026-03-24T11:00"),
    row(9, booking: 3, host: 1, .refund, usd(-14_985), usd(-4_496), usd(-10_489), "2026-03-29T12:00"),
]

private let seededReviews: [AnalyticsReview] = [
    AnalyticsReview(hostID: HostID(1), rating: 5, hidden: false),
    AnalyticsReview(hostID: HostID(1), rating: 4, hidden: false),
    AnalyticsReview(hostID: HostID(1), rating: 4, hidden: false),
    AnalyticsReview(hostID: HostID(1), rating: 1, hidden: true),
    AnalyticsReview(hostID: HostID(2), rating: 5, hidden: false),
    AnalyticsReview(hostID: HostID(2), rating: 4, hidden: false),
    AnalyticsReview(hostID: HostID(2), rating: 1, hidden: true),
    AnalyticsReview(hostID: HostID(3), rating: 2, hidden: true),
]

private let seededPayouts: [Payout] = [
    Payout(id: 1, hostID: HostID(1), amount: usd(20_000), reference: "wire 1", recordedBy: TelegramUserID(42), createdAt: utc("2026-04-01T10:00")),
    Payout(id: 2, hostID: HostID(2), amount: cop(10_000_000), reference: nil, recordedBy: TelegramUserID(42), createdAt: utc("2026-04-02T10:00")),
    Payout(id: 3, hostID: HostID(1), amount: usd(5_000), reference: "cash", recordedBy: nil, createdAt: utc("2026-04-02T10:00")),
]

@Suite("Analytics over a hand-computed data set")
struct AnalyticsTests {
    func seededReport(zone identifier: String = "Europe/Madrid") throws -> AnalyticsReport {
        Analytics.compute(bookings: try seededBookings(), ledger: seededLedger, reviews: seededReviews, payouts: seededPayouts,
                          zone: zone(identifier))
    }

    @Test func bookingCountsAndRates() throws {
        let report = try seededReport()
        #expect(report.holdsCreated == 12)
        #expect(report.paidBookings == 8, "#1 #2 #3 #5 #6 #10 #11 #12")
        #expect(report.refundedBookings == 1, "#3; #12's refund is still pending, #10 got none")
        #expect(report.paymentSuccessRateBasisPoints == 6_667, "8 / 12 = 0.666…")
        #expect(report.refundRateBasisPoints == 1_250, "1 / 8")
    }

    @Test func perHostFigures() throws {
        let report = try seededReport()
        #expect(report.hosts.map(\.hostID) == [HostID(1), HostID(2), HostID(3)])

        let anna = try #require(report.host(HostID(1)))
        #expect(anna.paidBookings == 5)
        #expect(anna.refundedBookings == 1)
        #expect(anna.revenue == [.usd: usd(52_500), .cop: cop(3_000_000)], "300 + 150 + 149.85 − 149.85 + 75; and COP 30,000")
        #expect(anna.commission == [.usd: usd(15_750), .cop: cop(900_000)])
        #expect(anna.hostShare == [.usd: usd(36_750), .cop: cop(2_100_000)])
        #expect(anna.paidOut == [.usd: usd(25_000)])
        #expect(anna.rating == AnalyticsRating(averageHundredths: 433, count: 3), "(5 + 4 + 4) / 3 = 4.333…; the hidden 1 is left out")
        #expect(anna.currencies == [.cop, .usd])

        let bruno = try #require(report.host(HostID(2)))
        #expect(bruno.paidBookings == 3)
        #expect(bruno.refundedBookings == 0)
        #expect(bruno.revenue == [.cop: cop(18_000_000)])
        #expect(bruno.commission == [.cop: cop(5_400_000)])
        #expect(bruno.hostShare == [.cop: cop(12_600_000)])
        #expect(bruno.paidOut == [.cop: cop(10_000_000)])
        #expect(bruno.rating == AnalyticsRating(averageHundredths: 450, count: 2))

        let carla = try #require(report.host(HostID(3)))
        #expect(carla.paidBookings == 0)
        #expect(carla.revenue.isEmpty)
        #expect(carla.rating == nil, "only a hidden review")
    }

    @Test func totalsPerCurrency() throws {
        let report = try seededReport()
        #expect(report.revenue == [.usd: usd(52_500), .cop: cop(21_000_000)])
        #expect(report.commission == [.usd: usd(15_750), .cop: cop(6_300_000)])
        #expect(report.hostShare == [.usd: usd(36_750), .cop: cop(14_700_000)])
        #expect(report.paidOut == [.usd: usd(25_000), .cop: cop(10_000_000)])
        #expect(report.payouts.map(\.id) == [3, 2, 1], "newest first; #2 and #3 share a time, the higher id first")
    }

    @Test func busiestHoursAreReadInTheZoneAcrossTheDSTChange() throws {
        // 09:00 UTC is 10:00 in Madrid on 28 March (CET) and 11:00 on 30 and 31 March (CEST).
        let madrid = try seededReport()
        #expect(madrid.busiestHours == [
            HourCount(hour: 10, count: 2), HourCount(hour: 11, count: 2), HourCount(hour: 17, count: 2),
            HourCount(hour: 1, count: 1), HourCount(hour: 3, count: 1),
        ])
        let utcReport = try seededReport(zone: "UTC")
        #expect(utcReport.busiestHours == [
            HourCount(hour: 9, count: 3), HourCount(hour: 0, count: 1), HourCount(hour: 1, count: 1),
            HourCount(hour: 8, count: 1), HourCount(hour: 15, count: 1), HourCount(hour: 16, count: 1),
        ])
    }

    @Test func nothingToReport() {
        let report = Analytics.compute(bookings: [], ledger: [], reviews: [], payouts: [], zone: .utc)
        #expect(report.holdsCreated == 0)
        #expect(report.paymentSuccessRateBasisPoints == nil)
        #expect(report.refundRateBasisPoints == nil)
        #expect(report.hosts.isEmpty)
        #expect(report.busiestHours.isEmpty)
        #expect(report.revenue.isEmpty)
    }

    @Test func roundingRules() {
        #expect(Analytics.basisPoints(2, of: 3) == 6_667)
        #expect(Analytics.basisPoints(1, of: 3) == 3_333)
        #expect(Analytics.basisPoints(1, of: 16) == 625)
        #expect(Analytics.basisPoints(1, of: 20_000) == 1, "0.5 bp rounds up")
        #expect(Analytics.basisPoints(1, of: 30_000) == 0, "0.33 bp rounds down")
        #expect(Analytics.basisPoints(7, of: 7) == 10_000)
        #expect(Analytics.basisPoints(0, of: 5) == 0)
        #expect(Analytics.basisPoints(0, of: 0) == nil)
        #expect(Analytics.averageHundredths(total: 37, count: 8) == 463, "4.625 rounds up")
        #expect(Analytics.averageHundredths(total: 14, count: 3) == 467)
        #expect(Analytics.averageHundredths(total: 13, count: 3) == 433)
        #expect(Analytics.averageHundredths(total: 0, count: 0) == nil)
        #expect(AnalyticsRating(averageHundredths: 405, count: 2).averageText == "4.05")
        #expect(AnalyticsText.percent(6_667) == "66.67 %")
        #expect(AnalyticsText.percent(5) == "0.05 %")
        #expect(AnalyticsText.percent(10_000) == "100.00 %")
        #expect(AnalyticsText.percent(nil) == "—")
    }

    @Test func textReportShowsTheFigures() throws {
        let text = AnalyticsText.render(try seededReport(), hostNames: [HostID(1): "Anna", HostID(2): "Bruno"], title: "Report")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "Report")
        #expect(lines.contains("  Payment success rate  66.67 %  8 paid of 12 holds"))
        #expect(lines.contains("  Refund rate           12.50 %  1 refunded of 8 paid"))
        #expect(lines.contains { $0.hasPrefix("  USD") && $0.contains("$525.00") && $0.contains("$157.50") && $0.contains("$367.50") })
        #expect(lines.contains { $0.contains("Anna") && $0.contains("4.33 (3)") && $0.contains("COP 30,000") })
        #expect(lines.contains { $0.contains("host 3") }, "a host without a name is labelled by id")
        #expect(lines.contains("  10:00–11:00              2"))
        #expect(!lines.contains { $0.hasSuffix(" ") }, "no trailing spaces")
    }
}

@Suite("Ledger CSV (RFC 4180)")
struct LedgerCSVTests {
    @Test func headerRowsQuotingAndCRLF() {
        let rows = [
            row(1, booking: 1, host: 1, .payment, usd(30_000), usd(9_000), usd(21_000), "2026-03-28T08:00"),
            row(2, booking: 7, host: 2, .payment, cop(4_500_000), cop(1_350_000), cop(3_150_000), "2026-03-28T08:30:15"),
            row(3, booking: 1, host: 1, .refund, usd(-30_000), usd(-9_000), usd(-21_000), "2026-03-29T23:59:59"),
            row(4, booking: 9, host: 3, .payment, usd(5), usd(2), usd(3), "2026-03-30T00:00"),
            row(5, booking: 10, host: 4, .payment, usd(100), usd(30), usd(70), "2026-03-30T00:00"),
        ]
        let names = [HostID(1): "Anna, \"the voice\"", HostID(2): "Bruno", HostID(3): "Line\nbreak", HostID(4): "Win\r\nbreak"]
        let csv = LedgerCSV.render(rows: rows, hostNames: names)
        #expect(csv == "entry_id,created_at,booking_id,host_id,host_name,kind,currency,gross,platform,host_share\r\n"
            + "1,2026-03-28T08:00:00Z,1,1,\"Anna, \"\"the voice\"\"\",payment,USD,300.00,90.00,210.00\r\n"
            + "2,2026-03-28T08:30:15Z,7,2,Bruno,payment,COP,45000.00,13500.00,31500.00\r\n"
            + "3,2026-03-29T23:59:59Z,1,1,\"Anna, \"\"the voice\"\"\",refund,USD,-300.00,-90.00,-210.00\r\n"
            + "4,2026-03-30T00:00:00Z,9,3,\"Line\nbreak\",payment,USD,0.05,0.02,0.03\r\n"
            + "5,2026-03-30T00:00:00Z,10,4,\"Win\r\nbreak\",payment,USD,1.00,0.30,0.70\r\n")
    }

    @Test func unknownHostNamesAreEmptyAndAnEmptyLedgerIsJustTheHeader() {
        #expect(LedgerCSV.render(rows: []) == "entry_id,created_at,booking_id,host_id,host_name,kind,currency,gross,platform,host_share\r\n")
        let csv = LedgerCSV.render(rows: [row(9, booking: 3, host: 5, .payment, usd(1_999), usd(600), usd(1_399), "2026-01-01T00:00")])
        #expect(csv.hasSuffix("\r\n9,2026-01-01T00:00:00Z,3,5,,payment,USD,19.99,6.00,13.99\r\n"))
    }

    @Test func fieldEscaping() {
        #expect(LedgerCSV.escape("") == "")
        #expect(LedgerCSV.escape("plain") == "plain")
        #expect(LedgerCSV.escape(" spaced ") == " spaced ", "spaces are part of a field and need no quotes")
        #expect(LedgerCSV.escape("a,b") == "\"a,b\"")
        #expect(LedgerCSV.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(LedgerCSV.escape("\"") == "\"\"\"\"")
        #expect(LedgerCSV.escape("a\nb") == "\"a\nb\"")
        #expect(LedgerCSV.escape("a\rb") == "\"a\rb\"")
        #expect(LedgerCSV.escape("a\r\nb") == "\"a\r\nb\"", "CRLF is one Character in Swift; it must still be quoted")
        #expect(LedgerCSV.escape("Ñandú 📞") == "Ñandú 📞")
        #expect(LedgerCSV.line(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
    }

    @Test func everyLineEndsWithCRLFOutsideQuotes() {
        let csv = LedgerCSV.render(rows: [
            row(1, booking: 1, host: 1, .payment, usd(100), usd(30), usd(70), "2026-03-28T08:00"),
            row(2, booking: 2, host: 1, .payment, usd(100), usd(30), usd(70), "2026-03-28T09:00"),
        ], hostNames: [HostID(1): "Anna"])
        let bytes = Array(csv.utf8)
        #expect(bytes.suffix(2) == [13, 10])
        for (i, byte) in bytes.enumerated() where byte == 10 { #expect(i > 0 && bytes[i - 1] == 13, "bare LF at \(i)") }
        #expect(bytes.filter { $0 == 10 }.count == 3)
    }
}
