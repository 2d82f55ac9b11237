import Foundation
import Domain
import Storage

/// Why a typed value for a host field was refused (the face words it and asks again; nothing changed).
public enum HostInputError: Error, Equatable, Sendable {
    case field(HostFieldError)
    case amount(MoneyParseError)
    /// Not "30-90" or "60".
    case durationFormat
    /// Empty where text is needed (empty hours would silently make the host unbookable).
    case needsText
    case availability(AvailabilityError)
    /// Not a tz database name ("Europe/Madrid", "UTC"); the text as typed.
    case unknownZone(String)
    /// Another host has this username.
    case usernameTaken(String)
}

/// The parsers of what an admin types for a host — the add-host wizard and every later edit use these same rules.
public enum HostInput {
    /// "4.99", "4,99", "2000 COP", "3 EUR", "€3": the currency from the text (USD unless COP or EUR is named).
    public static func price(_ text: String) throws(HostInputError) -> Money {
        let upper = text.uppercased()
        let currency: Currency = upper.contains("COP") ? .cop : (upper.contains("EUR") || upper.contains("€")) ? .eur : .usd
        let money: Money
        do { money = try Money.parse(text, currency: currency) } catch { throw .amount(error) }
        do { _ = try PricePerMinute(money) } catch { throw .field(error) }
        return money
    }

    /// "30-90", "30 – 90", "60" (one length), in minutes.
    public static func durations(_ text: String) throws(HostInputError) -> DurationRange {
        let parts = text.replacingOccurrences(of: "–", with: "-").replacingOccurrences(of: "—", with: "-")
            .split(whereSeparator: { $0 == "-" || $0 == " " || $0 == "," }).map(String.init).filter { !$0.isEmpty }
        let numbers = parts.map { Int($0.lowercased().replacingOccurrences(of: "min", with: "")) }
        guard (1...2).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else { throw .durationFormat }
        let minimum = numbers[0]!, maximum = numbers.count == 2 ? numbers[1]! : numbers[0]!
        do { return try DurationRange(min: minimum, max: maximum) } catch { throw .field(error) }
    }

    public static func availability(_ text: String) throws(HostInputError) -> WeeklyAvailability {
        guard !text.isEmpty else { throw .needsText }
        do { return try WeeklyAvailability(parsing: text) } catch { throw .availability(error) }
    }

    /// A full tz name only ("America/Bogota", "UTC"): a host's hours are in one exact zone.
    public static func zone(_ text: String) throws(HostInputError) -> Zone {
        guard let zone = Zone(identifier: text), text.contains("/") || text == "UTC" else { throw .unknownZone(String(text.prefix(64))) }
        return zone
    }
}

/// One field of a host, as typed.
public enum HostChange: Sendable, Equatable {
    case username(String), displayName(String), bio(String), price(String), durations(String), availability(String), zone(String)

    /// The audit action's suffix ("host.edit.price").
    public var name: String {
        switch self {
        case .username: "username"
        case .displayName: "displayName"
        case .bio: "bio"
        case .price: "price"
        case .durations: "durations"
        case .availability: "availability"
        case .zone: "zone"
        }
    }
}

extension HostCatalogue {
    /// An admin changes one field, checked with the wizard's rules; saved with an audit row (before → after), or
    /// refused with a `HostInputError` (or `Refusal`) and nothing changed. A new username unlinks the account.
    public func edit(_ actor: Actor, host id: HostID, _ change: HostChange) async throws -> Domain.Host {
        guard case .admin = actor else { throw Refusal.notAllowed }
        var host = try await allowedHost(actor, id)
        let before = Self.describe(host)
        do {
            switch change {
            case .username(let text):
                let username = try TelegramUsername(parsing: text)
                if let other = try await store.host(username: username), other.id != host.id { throw HostInputError.usernameTaken(username.value) }
                if username != host.username { host.telegramUserID = nil }
                host.username = username
            case .displayName(let text): host.displayName = try DisplayName(parsing: text)
            case .bio(let text): host.bio = try Bio(parsing: text)
            case .price(let text): host.pricePerMinute = try PricePerMinute(try HostInput.price(text))
            case .durations(let text): host.durations = try HostInput.durations(text)
            case .availability(let text): host.availability = try HostInput.availability(text)
            case .zone(let text): host.zone = try HostInput.zone(text)
            }
        } catch let error as HostFieldError {
            throw HostInputError.field(error)
        }
        let at = now()
        try await store.updateHost(host, at: at)
        try await store.appendAudit(AuditEntry(actor: actor.account.rawValue, role: actor.role, action: "host.edit.\(change.name)", entity: "host",
                                               entityID: "\(id)", before: before, after: Self.describe(host), at: at))
        return host
    }

    /// A host in one line, for audit rows.
    public static func describe(_ h: Domain.Host) -> String {
        "@\(h.username.value) “\(h.displayName.value)” \(h.pricePerMinute.money.formatted())/min \(h.durations.minMinutes)-\(h.durations.maxMinutes) min "
            + "\(h.availability.summary) \(h.zone.identifier) status=\(h.status.rawValue) active=\(h.isActive)"
    }
}
