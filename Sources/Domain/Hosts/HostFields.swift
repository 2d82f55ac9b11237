/// Why a host field was refused. Each case is a sentence an admin reads in the chat.
public enum HostFieldError: Error, Equatable, Sendable, CustomStringConvertible {
    case usernameLength(Int)
    case usernameCharacters
    case usernameStart
    case displayNameEmpty
    case displayNameTooLong(Int)
    case bioTooLong(Int)
    case priceNotPositive
    case priceTooHigh(Money)
    case durationStep(Int)
    case durationRange(Int)
    case durationOrder(min: Int, max: Int)
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .usernameLength(let n): "A Telegram username has 5 to 32 characters (this one has \(n))."
        case .usernameCharacters: "A Telegram username uses only letters a–z, digits and underscores."
        case .usernameStart: "A Telegram username starts with a letter and does not end with an underscore."
        case .displayNameEmpty: "The display name cannot be empty."
        case .displayNameTooLong(let n): "The display name can have at most \(DisplayName.maxLength) characters (this one has \(n))."
        case .bioTooLong(let n): "The bio can have at most \(Bio.maxLength) characters (this one has \(n))."
        case .priceNotPositive: "The price per minute must be more than 0."
        case .priceTooHigh(let max): "The price per minute can be at most \(max.formatted())."
        case .durationStep(let m): "\(m) minutes is not a 15-minute step. Use 15, 30, 45, 60, 75, 90, 105 or 120."
        case .durationRange(let m): "\(m) minutes is outside 15–120 minutes."
        case .durationOrder(let min, let max): "The shortest call (\(min) min) cannot be longer than the longest (\(max) min)."
        case .unknownTimeZone(let z): "“\(z)” is not a time zone I know. Use a name like Europe/Madrid or America/Bogota."
        }
    }
}

/// A Telegram username, stored without "@", compared case-insensitively (Telegram's own rule).
public struct TelegramUsername: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Lower-cased, without "@".
    public let value: String

    public init(parsing text: String) throws(HostFieldError) {
        var t = text.trimmingSpaces()
        if t.hasPrefix("@") { t.removeFirst() }
        if t.hasPrefix("https://t.me/") { t = String(t.dropFirst("https://t.me/".count)) }
        guard (5...32).contains(t.count) else { throw .usernameLength(t.count) }
        guard t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { throw .usernameCharacters }
        guard t.first!.isLetter, t.last != "_" else { throw .usernameStart }
        value = t.lowercased()
    }

    public var description: String { "@" + value }
}

public struct DisplayName: Hashable, Sendable, Codable, CustomStringConvertible {
    public static let maxLength = 64
    public let value: String

    public init(parsing text: String) throws(HostFieldError) {
        let t = text.trimmingSpaces()
        guard !t.isEmpty else { throw .displayNameEmpty }
        guard t.count <= Self.maxLength else { throw .displayNameTooLong(t.count) }
        value = t
    }

    public var description: String { value }
}

/// A host's bio: at most 200 characters as a person counts them (grapheme clusters: "👩‍👩‍👧" is one).
public struct Bio: Hashable, Sendable, Codable, CustomStringConvertible {
    public static let maxLength = 200
    public let value: String

    public init(parsing text: String) throws(HostFieldError) {
        let t = text.trimmingSpaces()
        guard t.count <= Self.maxLength else { throw .bioTooLong(t.count) }
        value = t
    }

    public var description: String { value }
}

/// The call lengths a host offers: 15-minute steps within 15–120, min ≤ max.
public struct DurationRange: Hashable, Sendable, Codable {
    public static let step = 15
    public static let bounds = 15...120

    public let minMinutes: Int
    public let maxMinutes: Int

    public init(min: Int, max: Int) throws(HostFieldError) {
        try Self.check(min)
        try Self.check(max)
        guard min <= max else { throw .durationOrder(min: min, max: max) }
        minMinutes = min
        maxMinutes = max
    }

    static func check(_ m: Int) throws(HostFieldError) {
        guard Self.bounds.contains(m) else { throw .durationRange(m) }
        guard m % Self.step == 0 else { throw .durationStep(m) }
    }

    /// Every offered length, shortest first.
    public var options: [Int] { Array(stride(from: minMinutes, through: maxMinutes, by: Self.step)) }

    public func contains(_ minutes: Int) -> Bool {
        minutes >= minMinutes && minutes <= maxMinutes && minutes % Self.step == 0
    }
}

/// A price per minute: positive and no more than a sanity ceiling per currency.
public struct PricePerMinute: Hashable, Sendable, Codable {
    public let money: Money

    /// 1,000 major units a minute in USD/EUR; COP scaled to its usual magnitude.
    public static func ceiling(_ currency: Currency) -> Money {
        switch currency {
        case .usd, .eur: Money(minorUnits: 1_000 * currency.minorPerMajor, currency: currency)
        case .cop: Money(minorUnits: 5_000_000 * currency.minorPerMajor, currency: currency)
        }
    }

    public init(_ money: Money) throws(HostFieldError) {
        guard money.isPositive else { throw .priceNotPositive }
        let ceiling = Self.ceiling(money.currency)
        guard money.minorUnits <= ceiling.minorUnits else { throw .priceTooHigh(ceiling) }
        self.money = money
    }
}
