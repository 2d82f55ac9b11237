import Foundation
import Domain

/// Where a time-zone question comes back to once a zone is chosen (a button's data or a typed answer's state).
public enum ZoneReturn: Hashable, Sendable {
    case settings
    /// The day picker of a host (the first booking step that shows times).
    case dates(HostID)
    case myBookings
    /// The day picker of a booking being moved.
    case reschedule(BookingID)

    /// One token without ":" ("s", "d12", "m", "r7"), so it fits inside button data.
    var code: String {
        switch self {
        case .settings: "s"
        case .dates(let h): "d\(h.rawValue)"
        case .myBookings: "m"
        case .reschedule(let b): "r\(b.rawValue)"
        }
    }

    init?(code: String) {
        switch code.first {
        case "s" where code == "s": self = .settings
        case "m" where code == "m": self = .myBookings
        case "d": guard let id = Int64(code.dropFirst()) else { return nil }; self = .dates(HostID(id))
        case "r": guard let id = Int64(code.dropFirst()) else { return nil }; self = .reschedule(BookingID(id))
        default: return nil
        }
    }

    /// The screen to show after the zone is saved.
    var action: CallbackAction {
        switch self {
        case .settings: .settings
        case .dates(let h): .dates(host: h)
        case .myBookings: .myBookings
        case .reschedule(let b): .reschedule(booking: b)
        }
    }
}

/// The zones a person most likely lives in, first in the zone question: the host's own zone, the other hosts'
/// zones (most hosts first), the zones of the person's Telegram language (its region first when the code has
/// one, "es-MX" → Mexico City), then the service's default zone.
public enum LikelyZones {
    /// Telegram's `language_code` (IETF: "es", "pt-br", "en-GB") → zones, most likely first.
    static let byLanguage: [String: [String]] = [
        "es": ["Europe/Madrid", "America/Mexico_City", "America/Bogota", "America/Argentina/Buenos_Aires", "America/Lima", "America/Santiago"],
        "en": ["America/New_York", "Europe/London", "America/Chicago", "America/Los_Angeles", "Australia/Sydney"],
        "pt": ["America/Sao_Paulo", "Europe/Lisbon"],
        "fr": ["Europe/Paris", "America/Toronto"],
        "de": ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"],
        "it": ["Europe/Rome"], "nl": ["Europe/Amsterdam"], "pl": ["Europe/Warsaw"], "uk": ["Europe/Kyiv"],
        "ru": ["Europe/Moscow"], "tr": ["Europe/Istanbul"], "ar": ["Asia/Dubai", "Africa/Cairo", "Asia/Riyadh"],
        "hi": ["Asia/Kolkata"], "ja": ["Asia/Tokyo"], "ko": ["Asia/Seoul"], "zh": ["Asia/Shanghai", "Asia/Taipei"],
        "id": ["Asia/Jakarta"], "th": ["Asia/Bangkok"], "vi": ["Asia/Ho_Chi_Minh"], "fa": ["Asia/Tehran"], "he": ["Asia/Jerusalem"],
    ]

    /// A region subtag → its (main) zone.
    static let byRegion: [String: String] = [
        "us": "America/New_York", "gb": "Europe/London", "au": "Australia/Sydney", "ca": "America/Toronto", "in": "Asia/Kolkata",
        "ie": "Europe/Dublin", "nz": "Pacific/Auckland", "za": "Africa/Johannesburg", "es": "Europe/Madrid", "mx": "America/Mexico_City",
        "co": "America/Bogota", "ar": "America/Argentina/Buenos_Aires", "pe": "America/Lima", "cl": "America/Santiago",
        "ve": "America/Caracas", "ec": "America/Guayaquil", "br": "America/Sao_Paulo", "pt": "Europe/Lisbon", "fr": "Europe/Paris",
        "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich", "be": "Europe/Brussels", "tw": "Asia/Taipei",
        "cn": "Asia/Shanghai", "hk": "Asia/Hong_Kong", "sg": "Asia/Singapore",
    ]

    /// At most `limit` zones, no repeats, every one a zone this system knows.
    public static func zones(languageCode: String?, hostZone: Zone?, otherHostZones: [Zone], defaultZone: Zone, limit: Int = 8) -> [Zone] {
        var names: [String] = []
        if let hostZone { names.append(hostZone.identifier) }
        var counts: [String: Int] = [:]
        for zone in otherHostZones { counts[zone.identifier, default: 0] += 1 }
        names += counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        let code = (languageCode ?? "").lowercased().replacingOccurrences(of: "_", with: "-")
        let parts = code.split(separator: "-").map(String.init)
        if parts.count > 1, let zone = byRegion[parts[1]] { names.append(zone) }
        if let language = parts.first { names += byLanguage[language] ?? [] }
        names.append(defaultZone.identifier)
        var seen = Set<String>()
        var zones: [Zone] = []
        for name in names where !seen.contains(name) {
            seen.insert(name)
            if let zone = Zone(identifier: name) { zones.append(zone) }
        }
        // The default zone is always offered, even past the limit.
        if zones.count > limit {
            zones = Array(zones.prefix(limit - 1)) + (zones.prefix(limit - 1).contains(defaultZone) ? [zones[limit - 1]] : [defaultZone])
        }
        return zones
    }
}
