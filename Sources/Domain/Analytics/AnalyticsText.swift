/// An `AnalyticsReport` as plain-text tables for a terminal (the `privatecalls report` command). Pure.
public enum AnalyticsText {
    /// The whole report. `title` is the first line; `hostNames` labels hosts (else "host <id>").
    public static func render(_ report: AnalyticsReport, hostNames: [HostID: String], title: String) -> String {
        var out: [String] = [title, ""]

        out.append("Bookings")
        out += indent(table(
            header: nil,
            rows: [
                ["Holds created", String(report.holdsCreated), ""],
                ["Paid bookings", String(report.paidBookings), ""],
                ["Payment success rate", percent(report.paymentSuccessRateBasisPoints),
                 "\(report.paidBookings) paid of \(report.holdsCreated) holds"],
                ["Refunded bookings", String(report.refundedBookings), ""],
                ["Refund rate", percent(report.refundRateBasisPoints),
                 "\(report.refundedBookings) refunded of \(report.paidBookings) paid"],
            ],
            rightAligned: [1]))
        out.append("")

        out.append("Money (net of refunds)")
        let currencies = Set(report.revenue.keys).union(report.paidOut.keys).sorted { $0.code < $1.code }
        if currencies.isEmpty {
            out.append("  no payments")
        } else {
            out += indent(table(
                header: ["Currency", "Gross revenue", "Commission", "Host share", "Paid out"],
                rows: currencies.map { c in
                    [c.code, money(report.revenue[c], c), money(report.commission[c], c), money(report.hostShare[c], c),
                     money(report.paidOut[c], c)]
                },
                rightAligned: [1, 2, 3, 4]))
        }
        out.append("")

        out.append("Hosts")
        if report.hosts.isEmpty {
            out.append("  no hosts with activity")
        } else {
            var rows: [[String]] = []
            for host in report.hosts {
                let name = hostNames[host.hostID] ?? "host \(host.hostID)"
                let rating = host.rating.map { "\($0.averageText) (\($0.count))" } ?? "—"
                let lead = [String(host.hostID.rawValue), name, String(host.paidBookings), String(host.refundedBookings), rating]
                let currencies = host.currencies
                if currencies.isEmpty {
                    rows.append(lead + ["—", "—", "—", "—", "—"])
                }
                for (i, c) in currencies.enumerated() {
                    let head = i == 0 ? lead : ["", "", "", "", ""]
                    rows.append(head + [c.code, money(host.revenue[c], c), money(host.commission[c], c),
                                        money(host.hostShare[c], c), money(host.paidOut[c], c)])
                }
            }
            out += indent(table(
                header: ["ID", "Host", "Paid", "Refunded", "Rating", "Currency", "Revenue", "Commission", "Host share", "Paid out"],
                rows: rows, rightAligned: [0, 2, 3, 6, 7, 8, 9]))
        }
        out.append("")

        out.append("Most-booked hours (\(report.zone.identifier))")
        if report.busiestHours.isEmpty {
            out.append("  no paid bookings")
        } else {
            out += indent(table(
                header: ["Hour", "Paid bookings"],
                rows: report.busiestHours.map { ["\(pad2($0.hour)):00–\(pad2(($0.hour + 1) % 24)):00", String($0.count)] },
                rightAligned: [1]))
        }
        out.append("")

        out.append("Payouts (newest first)")
        if report.payouts.isEmpty {
            out.append("  none")
        } else {
            out += indent(table(
                header: ["ID", "Recorded at (UTC)", "Host", "Amount", "Reference", "Recorded by"],
                rows: report.payouts.map { p in
                    [String(p.id), p.createdAt.description, hostNames[p.hostID] ?? "host \(p.hostID)", p.amount.formatted(),
                     p.reference ?? "—", p.recordedBy.map { String($0.rawValue) } ?? "—"]
                },
                rightAligned: [0, 3]))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// "66.67 %" from 6667 basis points; "—" when there is no rate.
    public static func percent(_ basisPoints: Int?) -> String {
        guard let bp = basisPoints else { return "—" }
        return "\(bp / 100).\(pad2(bp % 100)) %"
    }

    /// Columns padded to their widest cell (counted in Characters); `rightAligned` holds column indices.
    /// Trailing spaces are trimmed from every line.
    public static func table(header: [String]?, rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let all = (header.map { [$0] } ?? []) + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func render(_ row: [String]) -> String {
            var cells: [String] = []
            for i in 0..<columns {
                let cell = i < row.count ? row[i] : ""
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                cells.append(rightAligned.contains(i) ? pad + cell : cell + pad)
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
        var lines: [String] = []
        if let header {
            lines.append(render(header))
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        }
        lines += rows.map(render)
        return lines
    }

    static func money(_ amount: Money?, _ currency: Currency) -> String {
        (amount ?? .zero(currency)).formatted()
    }

    static func indent(_ lines: [String]) -> [String] { lines.map { "  " + $0 } }
}
