import Foundation
extension Zone {
    /// The zone whose tz database name ends in this city, as people type it: "Bogota", "bogotá",
    /// "new york", "Mexico City", "Buenos Aires" → America/Bogota, America/New_York, America/Mexico_City,
    /// America/Argentina/Buenos_Aires. Case, accents, spaces and hyphens do not matter. nil when no zone — or
    /// more than one — has that city (then the full name is needed).
    public static func matching(city text: String) -> Zone? {
        let wanted = cityKey(text)
        guard wanted.count >= 3 else { return nil }
        let found = Set(TimeZone.knownTimeZoneIdentifiers.filter { id in
            guard id.contains("/"), !id.hasPrefix("Etc/") else { return false }
            return cityKey(String(id.split(separator: "/").last ?? "")) == wanted
        })
        // Foundation's list of names is not complete on every system (Asia/Kolkata is missing where only
        // Asia/Calcutta is listed): also try the city under each tz region, capitalised as the database does.
        let capitalised = wanted.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "_")
        let regions = ["Africa", "America", "America/Argentina", "America/Indiana", "America/Kentucky", "Antarctica", "Asia", "Atlantic",
                       "Australia", "Europe", "Indian", "Pacific"]
        let guessed = regions.map { "\($0)/\(capitalised)" }.filter { TimeZone(identifier: $0) != nil }
        let zones = found.union(guessed).sorted().compactMap { Zone(identifier: $0) }
        guard let first = zones.first else { return nil }
        // Old and new names of one zone (America/Buenos_Aires, America/Argentina/Buenos_Aires) are one answer:
        // the same offsets all year; the longer, current name is kept. Different zones: ambiguous.
        let year = (0..<12).map { Instant(epochSeconds: 1_767_225_600 + Int64($0) * 2_629_800) }
        guard zones.allSatisfy({ z in year.allSatisfy { z.offsetSeconds(at: $0) == first.offsetSeconds(at: $0) } }) else { return nil }
        return zones.max { ($0.identifier.count, $0.identifier) < ($1.identifier.count, $1.identifier) }
    }

    /// Lowercased, accents removed, spaces, hyphens and underscores made one.
    static func cityKey(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        return folded.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "_" }).joined(separator: "_")
    }
}

