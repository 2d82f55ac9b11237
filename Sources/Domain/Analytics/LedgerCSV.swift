/// The commission ledger as CSV (RFC 4180), for accountants and spreadsheets.
///
/// - The first line is the header; every line (the last one too) ends with CRLF.
/// - A field is quoted when it contains a comma, a double quote, CR or LF; a double quote inside is doubled.
/// - Amounts are plain decimals in major units (`Money.decimalString`: "149.85", "-44.96"), with the currency
///   in its own column; instants are ISO 8601 in UTC ("2026-03-08T07:00:00Z").
public enum LedgerCSV {
    public static let header = [
        "entry_id", "created_at", "booking_id", "host_id", "host_name", "kind", "currency", "gross", "platform", "host_share",
    ]

    /// The rows in the order given; `hostNames` fills the host_name column (empty when unknown).
    public static func render(rows: [AnalyticsLedgerRow], hostNames: [HostID: String] = [:]) -> String {
        var text = line(header)
        for row in rows {
            text += line([
                String(row.id), row.createdAt.description, String(row.bookingID.rawValue), String(row.hostID.rawValue),
                hostNames[row.hostID] ?? "", row.kind.rawValue, row.currency.code,
                row.gross.decimalString, row.platform.decimalString, row.host.decimalString,
            ])
        }
        return text
    }

    /// One record: the fields escaped, joined by commas, ended by CRLF.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }

    /// A field as RFC 4180 wants it: unchanged, or in double quotes with inner quotes doubled.
    public static func escape(_ field: String) -> String {
        // Scalars, not Characters: "\r\n" is one Character and would hide both CR and LF from `contains`.
        let needsQuotes = field.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return field }
        var quoted = "\""
        for scalar in field.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append("\"") }
            quoted.unicodeScalars.append(scalar)
        }
        quoted.unicodeScalars.append("\"")
        return quoted
    }
}
