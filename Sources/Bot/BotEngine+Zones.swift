import Foundation
import Domain
import Storage
import Telegram

/// The time-zone question: asked once before a new user's first day picker, and behind "🌍 … · change" on
/// every screen that shows times. The likely zones come first (`LikelyZones`); a city or tz name can be typed.
extension BotEngine {
    /// "🌍 UTC · change": the zone question, coming back to `back`.
    func zoneButton(_ session: Session, back: ZoneReturn) -> Screen.Button {
        .action(session.texts.zoneButton(session.zone.identifier), .changeZone(back: back))
    }

    /// A user who never chose a zone is asked before the first screen with times; nil when they have one.
    func firstZoneQuestion(_ session: Session, back: ZoneReturn, backButton: CallbackAction) async throws -> Outcome? {
        guard session.user.zone == nil else { return nil }
        return try await zoneQuestion(session, back: back, backButton: backButton, text: session.texts.firstZoneQuestion)
    }

    /// "🌍 change" pressed: the question, with the screen it came from behind Back.
    func changeZone(_ back: ZoneReturn, _ session: Session) async throws -> Outcome {
        try await zoneQuestion(session, back: back, backButton: back.action, text: session.texts.pickZone)
    }

    func zoneQuestion(_ session: Session, back: ZoneReturn, backButton: CallbackAction, text: String) async throws -> Outcome {
        var state = ConversationState(mode: .zone)
        state.back = back.code
        try await saveState(session.chatID, state)
        return Outcome(screen: try await zonePicker(session, back: back, backButton: backButton, text: text))
    }

    /// The likely zones, then the common ones, two a row; Back last.
    func zonePicker(_ session: Session, back: ZoneReturn, backButton: CallbackAction, text: String) async throws -> Screen {
        let hosts = try await store.hosts(listedOnly: true)
        var hostZone: Zone?
        switch back {
        case .dates(let id): hostZone = hosts.first { $0.id == id }?.zone
        case .reschedule(let id):
            if let booking = try await store.booking(id) { hostZone = hosts.first { $0.id == booking.hostID }?.zone }
        case .settings, .myBookings: break
        }
        let likely = LikelyZones.zones(languageCode: session.languageCode, hostZone: hostZone, otherHostZones: hosts.map(\.zone),
                                       defaultZone: settings.defaultZone)
        let common = BotSettings.commonZones.compactMap(Zone.init(identifier:)).filter { !likely.contains($0) }
        var keyboard: [[Screen.Button]] = (likely + common).map { zone in
            Screen.Button.action((zone == session.user.zone ? "✓ " : "") + zone.identifier.replacingOccurrences(of: "_", with: " "),
                                 .setZone(name: zone.identifier, back: back))
        }.rows(of: 2)
        keyboard.append([.action(session.texts.back, backButton)])
        return Screen(text: text, keyboard: keyboard)
    }

    /// A zone button: saved, then the screen the question came from.
    func setZone(_ name: String, back: ZoneReturn, _ session: inout Session) async throws -> Outcome {
        guard let zone = Zone(identifier: name) else {
            return try await changeZone(back, session)
        }
        return try await saveZone(zone, back: back, &session)
    }

    /// A button of the old zone list (messages sent before "🌍 change" existed).
    func pickZone(_ index: Int, _ session: inout Session) async throws -> Outcome {
        guard BotSettings.commonZones.indices.contains(index), let zone = Zone(identifier: BotSettings.commonZones[index]) else {
            var outcome = try await changeZone(.settings, session)
            outcome.toast = session.texts.staleButton
            return outcome
        }
        return try await saveZone(zone, back: .settings, &session)
    }

    func saveZone(_ zone: Zone, back: ZoneReturn, _ session: inout Session) async throws -> Outcome {
        session.user.zone = zone
        session.zone = zone
        try await store.saveUser(session.user, at: now())
        try await saveState(session.chatID, nil)
        let saved = session.texts.zoneSaved(zone.identifier)
        var outcome = try await perform(back.action, &session)
        outcome.screen = withPrefix(saved, outcome.screen)
        outcome.toast = saved
        return outcome
    }

    /// A typed answer to the zone question: a full tz name ("America/Bogota", "UTC") or a city the tz database
    /// names ("Bogota", "new york"); anything else asks again and changes nothing.
    func typedZone(_ text: String, _ state: ConversationState, _ session: inout Session) async throws -> Outcome {
        let back = state.back.flatMap(ZoneReturn.init(code:)) ?? .settings
        let named = Zone(identifier: text).flatMap { text.contains("/") || text.uppercased() == "UTC" ? $0 : nil }
        guard let zone = named ?? Zone.matching(city: text) else {
            let shown = html(String(text.prefix(64)))
            return Outcome(screen: try await zonePicker(session, back: back, backButton: back.action, text: session.texts.unknownZone(shown)))
        }
        return try await saveZone(zone, back: back, &session)
    }
}
