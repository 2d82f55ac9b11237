import Domain

/// A host's money in one currency, all time. Every figure is net of refunds (the ledger's refund rows are
/// negated payment rows).
public struct HostBalance: Hashable, Sendable {
    public let currency: Currency
    /// What users paid for this host's calls.
    public let gross: Money
    /// The platform's commission on it.
    public let commission: Money
    /// The host's share (gross − commission).
    public let earned: Money
    /// Payouts recorded so far.
    public let paidOut: Money

    public init(currency: Currency, gross: Money, commission: Money, earned: Money, paidOut: Money) {
        self.currency = currency
        self.gross = gross
        self.commission = commission
        self.earned = earned
        self.paidOut = paidOut
    }

    /// What the platform still owes the host: earned − paid out. Negative only when a refund settled after
    /// the money had been paid out.
    public var unpaid: Money { Money(minorUnits: earned.minorUnits - paidOut.minorUnits, currency: currency) }
}

/// One host's ledger in one currency over a window of ledger time (`created_at`).
public struct EarningsLine: Hashable, Sendable {
    public let hostID: HostID
    public let currency: Currency
    /// Gross revenue net of refunds.
    public let gross: Money
    /// Platform commission net of refunds.
    public let commission: Money
    /// Host share net of refunds.
    public let hostShare: Money
    /// Bookings with a payment row in the window.
    public let bookings: Int
    /// Refund rows in the window.
    public let refunds: Int

    public init(hostID: HostID, currency: Currency, gross: Money, commission: Money, hostShare: Money, bookings: Int, refunds: Int) {
        self.hostID = hostID
        self.currency = currency
        self.gross = gross
        self.commission = commission
        self.hostShare = hostShare
        self.bookings = bookings
        self.refunds = refunds
    }
}

extension LedgerEntry {
    public var analyticsRow: AnalyticsLedgerRow {
        AnalyticsLedgerRow(
            id: id, bookingID: bookingID, hostID: hostID, kind: kind == .payment ? .payment : .refund,
            gross: gross, platform: platform, host: host, createdAt: createdAt)
    }
}

extension Review {
    public var analyticsReview: AnalyticsReview { AnalyticsReview(hostID: hostID, rating: rating, hidden: hidden) }
}

extension Store {
    /// The analytics report over bookings that start in [from, to) and ledger rows and payouts recorded in
    /// [from, to) (nil = unbounded); ratings are over all visible reviews.
    public func analyticsReport(from: Instant?, to: Instant?, zone: Zone) async throws -> AnalyticsReport {
        let bookings = try await allBookings(from: from, to: to, hostID: nil)
        let ledger = try await ledgerEntries(from: from, to: to)
        let reviews = try await allReviews(includeHidden: true)
        let payouts = try await payouts(hostID: nil).filter { p in
            (from.map { p.createdAt >= $0 } ?? true) && (to.map { p.createdAt < $0 } ?? true)
        }
        return Analytics.compute(
            bookings: bookings, ledger: ledger.map(\.analyticsRow), reviews: reviews.map(\.analyticsReview),
            payouts: payouts, zone: zone)
    }

    /// The ledger rows recorded in [from, to) as RFC 4180 CSV, host names filled in.
    public func ledgerCSV(from: Instant?, to: Instant?) async throws -> String {
        let rows = try await ledgerEntries(from: from, to: to)
        let names = Dictionary(try await hosts(listedOnly: false).compactMap { h in h.id.map { ($0, h.displayName.value) } },
                               uniquingKeysWith: { a, _ in a })
        return LedgerCSV.render(rows: rows.map(\.analyticsRow), hostNames: names)
    }
}
