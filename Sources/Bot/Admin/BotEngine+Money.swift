import Core
import Domain
import Foundation
import Logging
import Storage
import Telegram

extension BotEngine {
    /// Upcoming and recent bookings, overall or of one host: status, payment, method, amount.
    func adminBookings(_ host: HostID?, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let now = self.now()
        let bookings = try await store.allBookings(from: nil, to: nil, hostID: host)
        let names = Dictionary(try await store.hosts(listedOnly: false).compactMap { h in h.id.map { ($0, h.displayName.value) } }, uniquingKeysWith: { a, _ in a })
        func line(_ b: Booking) -> String {
            "#\(b.id!.rawValue) · \(html(names[b.hostID] ?? "?")) · \(session.format.range(b.time)) · \(t.bookingStatus(b.status)) · "
                + "\(t.paymentState(b.paymentState)) · \(b.paymentMethod ?? "—") · \(b.price.total.formatted())"
        }
        let upcoming = bookings.filter { $0.time.end > now && $0.status != .expired && $0.status != .cancelled }
        let past = bookings.filter { !($0.time.end > now && $0.status != .expired && $0.status != .cancelled) }.reversed().prefix(20)
        var lines = [t.allBookings + (host.map { " — " + html(names[$0] ?? "?") } ?? "")]
        lines += ["", "<b>\(t.upcoming)</b>"] + (upcoming.isEmpty ? [t.noUpcoming] : upcoming.prefix(30).map(line))
        if !past.isEmpty { lines += ["", "<b>\(t.past)</b>"] + past.map(line) }
        let back: CallbackAction = host.map { .admin(.host($0)) } ?? .admin(.menu)
        return Outcome(screen: Screen(text: String(lines.joined(separator: "\n").prefix(3900)),
                                      keyboard: adminCancelButtons(upcoming, session, now: now) + [[.action(t.back, back)]]))
    }

    /// Revenue, commission and host share per host, for all time, the last 7 or the last 30 days.
    func adminEarnings(_ period: Int, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let now = self.now()
        let from: Instant? = period == 1 ? now.adding(days: -7) : period == 2 ? now.adding(days: -30) : nil
        let lines = try await store.earnings(from: from, to: nil)
        let names = Dictionary(try await store.hosts(listedOnly: false).compactMap { h in h.id.map { ($0, h.displayName.value) } }, uniquingKeysWith: { a, _ in a })
        var text = [t.earningsTitle(t.period(period))]
        if lines.isEmpty { text.append(t.noEarnings) }
        for l in lines {
            text.append(t.earningsLine(name: html(names[l.hostID] ?? "?"), bookings: l.bookings, gross: l.gross.formatted(),
                                       commission: l.commission.formatted(), share: l.hostShare.formatted()))
        }
        var totals: [Currency: (Int64, Int64, Int64)] = [:]
        for l in lines {
            let v = totals[l.currency] ?? (0, 0, 0)
            totals[l.currency] = (v.0 + l.gross.minorUnits, v.1 + l.commission.minorUnits, v.2 + l.hostShare.minorUnits)
        }
        for (c, v) in totals.sorted(by: { $0.key.code < $1.key.code }) {
            text.append(t.earningsTotal(gross: Money(minorUnits: v.0, currency: c).formatted(), commission: Money(minorUnits: v.1, currency: c).formatted(),
                                        share: Money(minorUnits: v.2, currency: c).formatted()))
        }
        let periods: [Screen.Button] = (0...2).map { .action((period == $0 ? "✓ " : "") + t.period($0), .admin(.earnings(period: $0))) }
        return Outcome(screen: Screen(text: text.joined(separator: "\n"), keyboard: [periods, [.action(t.back, .admin(.menu))]]))
    }

    /// A host's balance per currency and payout history, with a button to record a payout.
    func adminPayouts(_ id: HostID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let host = try await store.host(id) else { return try await adminHosts(page: 0, session) }
        let balances = try await store.balance(hostID: id)
        let payouts = try await store.payouts(hostID: id)
        var lines = [t.payoutsTitle(html(host.displayName.value))]
        if balances.isEmpty { lines.append(t.noEarnings) }
        for (_, b) in balances.sorted(by: { $0.key.code < $1.key.code }) {
            lines.append(t.balanceLine(earned: b.earned.formatted(), paid: b.paidOut.formatted(), unpaid: b.unpaid.formatted()))
        }
        if !payouts.isEmpty {
            lines += ["", "<b>\(t.payoutHistory)</b>"]
            lines += payouts.prefix(20).map { "\(session.format.dateTime($0.createdAt)) · \($0.amount.formatted())" + ($0.reference.map { " · " + html($0) } ?? "") }
        }
        return Outcome(screen: Screen(text: lines.joined(separator: "\n"), keyboard: [
            [.action(t.recordPayout, .admin(.recordPayout(host: id)))], [.action(t.back, .admin(.host(id)))],
        ]))
    }

    /// "150.00" or "150.00 ref-123": at most the unpaid balance, in the host's currency.
    func payoutAnswer(_ state: ConversationState, text: String, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let hostID = state.host, let host = try await store.host(HostID(hostID)) else {
            try await saveState(session.chatID, nil)
            return Outcome(screen: adminMenu(session))
        }
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let retry = { (message: String) in
            Outcome(screen: Screen(text: "⚠️ \(message)\n\n\(t.payoutPrompt)", keyboard: [[.action(t.cancel, .admin(.payouts(host: HostID(hostID))))]]))
        }
        let amount: Money
        do {
            let admins = settings.adminIDs
            amount = try await Payouts(store: store, now: now, admins: { admins })
                .record(.admin(session.user.id), host: host.id!, amount: parts.first ?? "", reference: parts.count > 1 ? parts[1] : nil).amount
        } catch let refusal as Refusal {
            switch refusal {
            case .invalidAmount(let error): return retry(t.moneyError(error))
            case .notPositive: return retry(t.fieldError(.priceNotPositive))
            case .exceedsBalance(let balance): return retry(t.payoutTooLarge(balance.formatted()))
            case .notAllowed:
                try await saveState(session.chatID, nil)
                return Outcome(screen: withPrefix(t.notAllowed, mainMenu(session)))
            case .noSuchHost, .noSuchReview, .noSuchPhoto, .linkUsedOrExpired, .badCSRFToken, .noSuchBooking, .bookingUnchangeable, .alreadySettled, .invalidReference:
                try await saveState(session.chatID, nil)
                return Outcome(screen: adminMenu(session))
            }
        }
        try await saveState(session.chatID, nil)
        logger.info("payout recorded", metadata: ["host": "\(hostID)", "amount": "\(amount)", "admin": "\(session.user.id)"])
        var outcome = try await adminPayouts(HostID(hostID), session)
        outcome.screen = withPrefix(t.payoutRecorded(amount.formatted()), outcome.screen)
        return outcome
    }

    /// The reports' use cases (`Core.Reports`), asked as this admin.
    var reports: Reports {
        let admins = settings.adminIDs
        return Reports(store: store, now: now, admins: { admins })
    }

    func adminAnalytics(_ session: Session) async throws -> Outcome {
        let t = session.texts
        let report: AnalyticsReport
        do { report = try await reports.analytics(.admin(session.user.id), from: nil, to: nil, zone: session.zone) } catch Refusal.notAllowed { throw AdminOnly() }
        let names = Dictionary(try await store.hosts(listedOnly: false).compactMap { h in h.id.map { ($0, h.displayName.value) } }, uniquingKeysWith: { a, _ in a })
        var lines = [t.analyticsTitle(session.zone.identifier), ""]
        lines.append(t.analyticsRates(holds: report.holdsCreated, paid: report.paidBookings, success: percent(report.paymentSuccessRateBasisPoints),
                                      refunded: report.refundedBookings, refundRate: percent(report.refundRateBasisPoints)))
        for (c, m) in report.commission.sorted(by: { $0.key.code < $1.key.code }) {
            lines.append(t.analyticsCommission(revenue: (report.revenue[c] ?? .zero(c)).formatted(), commission: m.formatted(),
                                               paidOut: (report.paidOut[c] ?? .zero(c)).formatted()))
        }
        if !report.busiestHours.isEmpty {
            lines.append(t.busiestHours + " " + report.busiestHours.prefix(5).map { "\(pad($0.hour)):00 (\($0.count))" }.joined(separator: ", "))
        }
        lines.append("")
        for h in report.hosts {
            let revenue = h.revenue.sorted(by: { $0.key.code < $1.key.code }).map { $0.value.formatted() }.joined(separator: " + ")
            let rating = h.rating.map { "★ \($0.averageText) (\($0.count))" } ?? t.noReviews
            lines.append("<b>\(html(names[h.hostID] ?? "?"))</b>: \(t.bookingsCount(h.paidBookings)) · \(revenue.isEmpty ? "—" : revenue) · \(rating)")
        }
        return Outcome(screen: Screen(text: String(lines.joined(separator: "\n").prefix(3900)), keyboard: [[.action(t.back, .admin(.menu))]]))
    }

    /// The whole ledger as CSV, sent as a document (a plain ASCII file name, which Telegram keeps as is).
    func adminExport(_ session: Session) async throws -> Outcome {
        let csv: String
        do { csv = try await reports.ledgerCSV(.admin(session.user.id)) } catch Refusal.notAllowed { throw AdminOnly() }
        let date = session.zone.localDate(of: now())
        var outcome = Outcome(screen: adminMenu(session), newMessage: true)
        outcome.document = InputFile(filename: "ledger-\(date).csv", contentType: "text/csv", data: Array(csv.utf8))
        return outcome
    }

    func percent(_ basisPoints: Int?) -> String {
        guard let bp = basisPoints else { return "—" }
        return "\(bp / 100).\(pad(bp % 100)) %"
    }

    func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
