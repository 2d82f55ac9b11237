import Core
import Domain
import Telegram
import Foundation

/// The seven steps of adding a host, then the time zone and a summary to confirm. Pure: each answer is
/// checked and either moves the draft on or returns the reason in words; the engine stores the draft after
/// every step (so a restart resumes it) and checks what needs the database (a username already taken).
public struct HostDraft: Codable, Sendable, Equatable {
    public enum Step: Int, Codable, Sendable, CaseIterable, Comparable {
        case username = 1, displayName, bio, price, durations, photo, availability, zone, summary

        public static func < (a: Step, b: Step) -> Bool { a.rawValue < b.rawValue }
        /// "Step 3 of 7" (the zone belongs to step 7, availability).
        public var number: Int { min(rawValue, 7) }
    }

    public var step: Step = .username
    public var username: String?
    public var displayName: String?
    public var bio: String?
    public var priceMinorUnits: Int64?
    public var currency: String?
    public var minMinutes: Int?
    public var maxMinutes: Int?
    public var photoFileID: String?
    public var availability: String?
    public var zone: String?

    public init() {}

    /// An answer to the current step.
    public enum Input: Sendable, Equatable {
        case text(String)
        case photo(fileID: String)
        /// A preset button of the availability step (index into `availabilityPresets`).
        case preset(Int)
        /// A zone button of the zone step (index into `BotSettings.commonZones`).
        case zoneChoice(Int)
    }

    public static let availabilityPresets = [
        "Mon-Fri 09:00-22:00", "09:00-22:00", "Mon-Sat 10:00-20:00", "Mon-Fri 18:00-23:00; Sat-Sun 12:00-23:00",
    ]

    /// Applies an answer to the current step. `t` words the refusal.
    public func answering(_ input: Input, texts t: Texts) -> Result<HostDraft, WizardRefusal> {
        var next = self
        switch (step, input) {
        case (.username, .text(let text)):
            do { next.username = try TelegramUsername(parsing: text).value } catch { return .failure(.init(t.fieldError(error))) }
        case (.displayName, .text(let text)):
            do { next.displayName = try DisplayName(parsing: text).value } catch { return .failure(.init(t.fieldError(error))) }
        case (.bio, .text(let text)):
            do { next.bio = try Bio(parsing: text).value } catch { return .failure(.init(t.fieldError(error))) }
        case (.price, .text(let text)):
            switch Self.parsePrice(text, texts: t) {
            case .success(let money):
                next.priceMinorUnits = money.minorUnits
                next.currency = money.currency.code
            case .failure(let refusal): return .failure(refusal)
            }
        case (.durations, .text(let text)):
            switch Self.parseDurations(text, texts: t) {
            case .success(let range):
                next.minMinutes = range.minMinutes
                next.maxMinutes = range.maxMinutes
            case .failure(let refusal): return .failure(refusal)
            }
        case (.photo, .photo(let fileID)):
            next.photoFileID = fileID
        case (.photo, _):
            return .failure(.init(t.wizardNeedsPhoto))
        case (.availability, .preset(let i)):
            guard Self.availabilityPresets.indices.contains(i) else { return .failure(.init(t.staleButton)) }
            next.availability = Self.availabilityPresets[i]
        case (.availability, .text(let text)):
            guard !text.isEmpty else { return .failure(.init(t.wizardNeedsText)) }
            do { next.availability = try WeeklyAvailability(parsing: text).summaryForParsing(text) } catch {
                return .failure(.init(t.availabilityError(error)))
            }
        case (.zone, .zoneChoice(let i)):
            guard BotSettings.commonZones.indices.contains(i) else { return .failure(.init(t.staleButton)) }
            next.zone = BotSettings.commonZones[i]
        case (.zone, .text(let text)):
            let named = Zone(identifier: text).flatMap { text.contains("/") || text.uppercased() == "UTC" ? $0 : nil }
            guard let zone = named ?? Zone.matching(city: text) else {
                return .failure(.init(t.unknownZone(html(String(text.prefix(64))))))
            }
            next.zone = zone.identifier
        case (.summary, _):
            return .failure(.init(t.wizardUseButtons))
        default:
            return .failure(.init(step == .photo ? t.wizardNeedsPhoto : t.wizardNeedsText))
        }
        next.step = Step(rawValue: step.rawValue + 1) ?? .summary
        return .success(next)
    }

    /// One step back (from the summary to the zone, …, never before the first).
    public func back() -> HostDraft {
        var d = self
        d.step = Step(rawValue: max(Step.username.rawValue, step.rawValue - 1)) ?? .username
        return d
    }

    /// The host this draft describes, once every step is answered.
    public func host(defaultStatus: HostStatus = .online) -> Domain.Host? {
        guard let username, let displayName, let bio, let price = priceMinorUnits, let code = currency, let currency = Currency(code: code),
              let minMinutes, let maxMinutes, let availability, let zoneID = zone, let zone = Zone(identifier: zoneID),
              let u = try? TelegramUsername(parsing: username), let n = try? DisplayName(parsing: displayName), let b = try? Bio(parsing: bio),
              let p = try? PricePerMinute(Money(minorUnits: price, currency: currency)), let d = try? DurationRange(min: minMinutes, max: maxMinutes),
              let a = try? WeeklyAvailability(parsing: availability) else { return nil }
        return Domain.Host(username: u, displayName: n, bio: b, pricePerMinute: p, durations: d, zone: zone, availability: a, status: defaultStatus)
    }

    /// "4.99", "4,99 EUR", "12.000 COP", "$5": the currency from a code or symbol in the text, USD otherwise.
    public static func parsePrice(_ text: String, texts t: Texts) -> Result<Money, WizardRefusal> {
        do { return .success(try HostInput.price(text)) } catch { return .failure(.init(t.inputError(error))) }
    }

    /// "30-90", "30 – 90", "60" (one length), in minutes.
    public static func parseDurations(_ text: String, texts t: Texts) -> Result<DurationRange, WizardRefusal> {
        do { return .success(try HostInput.durations(text)) } catch { return .failure(.init(t.inputError(error))) }
    }
}

/// Why an answer was refused: a sentence for the chat, then the same step is asked again.
public struct WizardRefusal: Error, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

extension WeeklyAvailability {
    /// The text as typed, once it parsed (kept so the draft stores what the admin wrote).
    func summaryForParsing(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}
