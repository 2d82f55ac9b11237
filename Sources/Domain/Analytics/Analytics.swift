/// Business figures for operators: per host and overall. A pure function of its inputs (no clock, no I/O);
/// the caller chooses the window by what it passes in.
///
/// Definitions:
/// - A booking is *paid* when its status is confirmed, active or completed, or it is cancelled and its money
///   had been taken (payment state paid or refunded). Pending, expired and unpaid cancelled holds are not.
/// - *Holds created* = every booking passed in (each booking starts life as a hold).
/// - A booking is *refunded* when it is paid and its refund state is `refunded`.
/// - Revenue, commission and host share are sums over ledger rows, so refunds (negated rows) are netted out.
/// - Ratings count visible reviews only.
///
/// Rounding (integers only, never floating point):
/// - A rate in basis points is part × 10 000 ÷ whole rounded to the nearest basis point, halves up:
///   `(2 × part × 10 000 + whole) / (2 × whole)`. 2 of 3 → 6 667 (66.67 %), 1 of 8 → 1 250, 1 of 16 → 625.
///   nil when the whole is 0 (no holds / no paid bookings): there is no rate to show.
/// - An average rating in hundredths of a star is total × 100 ÷ count, halves up the same way:
///   ratings 5, 4, 4 → 433; 5, 4 → 450; 5, 5, 4 → 467. nil when there are no visible reviews.
public enum Analytics {
    public static func compute(
        bookings: [Booking], ledger: [AnalyticsLedgerRow], reviews: [AnalyticsReview], payouts: [Payout], zone: Zone
    ) -> AnalyticsReport {
        var perHost: [HostID: HostAnalytics] = [:]
        func entry(_ id: HostID) -> HostAnalytics { perHost[id] ?? HostAnalytics(hostID: id) }

        var hourCounts = Array(repeating: 0, count: 24)
        var paid = 0, refunded = 0
        for booking in bookings {
            var host = entry(booking.hostID)
            if isPaid(booking) {
                paid += 1
                host.paidBookings += 1
                hourCounts[zone.local(booking.time.start).minuteOfDay / 60] += 1
                if booking.refundState == .refunded {
                    refunded += 1
                    host.refundedBookings += 1
                }
            }
            perHost[booking.hostID] = host
        }

        var revenue: [Currency: Money] = [:], commission: [Currency: Money] = [:], hostShare: [Currency: Money] = [:]
        for row in ledger {
            var host = entry(row.hostID)
            add(row.gross, to: &host.revenue)
            add(row.platform, to: &host.commission)
            add(row.host, to: &host.hostShare)
            perHost[row.hostID] = host
            add(row.gross, to: &revenue)
            add(row.platform, to: &commission)
            add(row.host, to: &hostShare)
        }

        var ratingTotals: [HostID: (sum: Int, count: Int)] = [:]
        for review in reviews where !review.hidden {
            let current = ratingTotals[review.hostID] ?? (0, 0)
            ratingTotals[review.hostID] = (current.sum + review.rating, current.count + 1)
        }
        for (id, totals) in ratingTotals {
            var host = entry(id)
            host.rating = averageHundredths(total: totals.sum, count: totals.count).map {
                AnalyticsRating(averageHundredths: $0, count: totals.count)
            }
            perHost[id] = host
        }

        var paidOut: [Currency: Money] = [:]
        for payout in payouts {
            var host = entry(payout.hostID)
            add(payout.amount, to: &host.paidOut)
            perHost[payout.hostID] = host
            add(payout.amount, to: &paidOut)
        }

        let hours = hourCounts.enumerated()
            .filter { $0.element > 0 }
            .map { HourCount(hour: $0.offset, count: $0.element) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.hour < $1.hour }

        return AnalyticsReport(
            zone: zone,
            hosts: perHost.values.sorted { $0.hostID < $1.hostID },
            holdsCreated: bookings.count,
            paidBookings: paid,
            refundedBookings: refunded,
            paymentSuccessRateBasisPoints: basisPoints(paid, of: bookings.count),
            refundRateBasisPoints: basisPoints(refunded, of: paid),
            busiestHours: hours,
            revenue: revenue, commission: commission, hostShare: hostShare, paidOut: paidOut,
            payouts: payouts.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id })
    }

    /// Whether the booking's money was taken (see the type's documentation).
    public static func isPaid(_ booking: Booking) -> Bool {
        switch booking.status {
        case .confirmed, .active, .completed: true
        case .cancelled: booking.paymentState != .unpaid
        case .pending, .expired: false
        }
    }

    /// part ÷ whole in basis points, rounded to the nearest, halves up; nil when whole ≤ 0.
    public static func basisPoints(_ part: Int, of whole: Int) -> Int? {
        guard whole > 0, part >= 0 else { return nil }
        let p = Int64(part), w = Int64(whole)
        return Int((2 * p * 10_000 + w) / (2 * w))
    }

    /// total ÷ count in hundredths, rounded to the nearest, halves up; nil when count ≤ 0.
    public static func averageHundredths(total: Int, count: Int) -> Int? {
        guard count > 0, total >= 0 else { return nil }
        let t = Int64(total), n = Int64(count)
        return Int((2 * t * 100 + n) / (2 * n))
    }

    static func add(_ amount: Money, to totals: inout [Currency: Money]) {
        let current = totals[amount.currency]?.minorUnits ?? 0
        totals[amount.currency] = Money(minorUnits: current + amount.minorUnits, currency: amount.currency)
    }
}

/// The figures of one report.
public struct AnalyticsReport: Hashable, Sendable {
    /// The zone the hours histogram is read in.
    public var zone: Zone
    /// Every host that appears in the inputs, by id.
    public var hosts: [HostAnalytics]
    /// Bookings passed in (every booking began as a hold).
    public var holdsCreated: Int
    public var paidBookings: Int
    public var refundedBookings: Int
    /// paid bookings ÷ holds created, basis points (nil without holds).
    public var paymentSuccessRateBasisPoints: Int?
    /// refunded bookings ÷ paid bookings, basis points (nil without paid bookings).
    public var refundRateBasisPoints: Int?
    /// Start hours (0–23, local to `zone`) of paid bookings that occur at least once; most bookings first,
    /// ties by earlier hour.
    public var busiestHours: [HourCount]
    /// Gross revenue per currency, net of refunds.
    public var revenue: [Currency: Money]
    /// Platform commission per currency, net of refunds.
    public var commission: [Currency: Money]
    /// Hosts' share per currency, net of refunds.
    public var hostShare: [Currency: Money]
    public var paidOut: [Currency: Money]
    /// Newest first (ties: higher id first).
    public var payouts: [Payout]

    public init(
        zone: Zone, hosts: [HostAnalytics], holdsCreated: Int, paidBookings: Int, refundedBookings: Int,
        paymentSuccessRateBasisPoints: Int?, refundRateBasisPoints: Int?, busiestHours: [HourCount],
        revenue: [Currency: Money], commission: [Currency: Money], hostShare: [Currency: Money], paidOut: [Currency: Money],
        payouts: [Payout]
    ) {
        self.zone = zone
        self.hosts = hosts
        self.holdsCreated = holdsCreated
        self.paidBookings = paidBookings
        self.refundedBookings = refundedBookings
        self.paymentSuccessRateBasisPoints = paymentSuccessRateBasisPoints
        self.refundRateBasisPoints = refundRateBasisPoints
        self.busiestHours = busiestHours
        self.revenue = revenue
        self.commission = commission
        self.hostShare = hostShare
        self.paidOut = paidOut
        self.payouts = payouts
    }

    public func host(_ id: HostID) -> HostAnalytics? { hosts.first { $0.hostID == id } }
}

/// One host's figures. Money is per currency, net of refunds.
public struct HostAnalytics: Hashable, Sendable {
    public var hostID: HostID
    public var paidBookings: Int = 0
    public var refundedBookings: Int = 0
    public var revenue: [Currency: Money] = [:]
    public var commission: [Currency: Money] = [:]
    public var hostShare: [Currency: Money] = [:]
    public var paidOut: [Currency: Money] = [:]
    /// Visible reviews only; nil when there are none.
    public var rating: AnalyticsRating?

    public init(hostID: HostID) { self.hostID = hostID }

    /// Every currency this host has figures in, in code order.
    public var currencies: [Currency] {
        Set(revenue.keys).union(paidOut.keys).sorted { $0.code < $1.code }
    }
}

/// Average in hundredths of a star (4.33 → 433) and how many reviews it is over.
public struct AnalyticsRating: Hashable, Sendable {
    public var averageHundredths: Int
    public var count: Int

    public init(averageHundredths: Int, count: Int) {
        self.averageHundredths = averageHundredths
        self.count = count
    }

    /// "4.33".
    public var averageText: String { "\(averageHundredths / 100).\(pad2(averageHundredths % 100))" }
}

/// How many paid bookings start in one local hour.
public struct HourCount: Hashable, Sendable {
    public var hour: Int
    public var count: Int

    public init(hour: Int, count: Int) {
        self.hour = hour
        self.count = count
    }
}
