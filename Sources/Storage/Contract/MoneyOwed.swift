import Domain

/// One open item of the "money to return" list, as admins see it (bot screen, `privatecalls report`): a
/// provider payment we could not keep (or a reversal), or a cancelled booking whose refund is owed (manual, or
/// failed at the provider).
public enum MoneyOwedItem: Sendable, Hashable {
    case payment(MoneyToReturn)
    case bookingRefund(Booking)

    public var since: Instant {
        switch self {
        case .payment(let row): row.createdAt
        case .bookingRefund(let b): b.updatedAt
        }
    }

    /// "$300.00" or "15000 ⭐"; "?" when the provider stated none.
    public var amountText: String {
        switch self {
        case .payment(let row): row.amount?.description ?? "?"
        case .bookingRefund(let b): b.price.total.formatted()
        }
    }
}

extension Store {
    /// Everything open, oldest first.
    public func moneyOwed() async throws -> [MoneyOwedItem] {
        let rows = try await moneyToReturn(openOnly: true).map(MoneyOwedItem.payment)
        let refunds = try await allBookings(from: nil, to: nil, hostID: nil)
            .filter { $0.status == .cancelled && $0.paymentState == .paid && ($0.refundState == .pending || $0.refundState == .failed) }
            .map(MoneyOwedItem.bookingRefund)
        return (rows + refunds).sorted { $0.since < $1.since }
    }
}

/// The list as plain text (`privatecalls report`).
public enum MoneyOwedText {
    public static func render(_ items: [MoneyOwedItem]) -> String {
        var lines = ["Money to return (open): \(items.count)"]
        var totals: [String: Int64] = [:]
        for item in items {
            switch item {
            case .payment(let row):
                let booking = row.bookingID.map { "booking \($0)" } ?? "no booking"
                let kind = row.kind == .reversal ? "reversed by the payer's bank" : row.state.rawValue
                lines.append("  #\(row.id) \(row.provider) \(row.reference) \(item.amountText) \(booking), \(kind) since \(utc(row.createdAt)): \(row.reason)"
                    + (row.lastError.map { " (last error: \($0.prefix(120)))" } ?? ""))
                switch row.amount {
                case .money(let m)?: totals[m.currency.code, default: 0] += m.minorUnits
                case .stars(let n)?: totals["XTR", default: 0] += n
                case nil: break
                }
            case .bookingRefund(let b):
                lines.append("  booking \(b.id.map { "\($0)" } ?? "?") \(b.paymentMethod ?? "?") \(item.amountText), refund \(b.refundState.rawValue) since \(utc(b.updatedAt))")
                totals[b.price.total.currency.code, default: 0] += b.price.total.minorUnits
            }
        }
        if !totals.isEmpty {
            lines.append("  total: " + totals.keys.sorted().map { code in
                let minor = totals[code]!
                if code == "XTR" { return "\(minor) ⭐" }
                return Currency(code: code).map { Money(minorUnits: minor, currency: $0).formatted() } ?? "\(minor) \(code)"
            }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func utc(_ instant: Instant) -> String {
        let (date, minute) = Zone.utc.local(instant)
        let h = minute / 60, m = minute % 60
        return "\(date) \(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m) UTC"
    }
}
