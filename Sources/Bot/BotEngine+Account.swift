import Domain
import Logging
import Foundation
import Storage
import Telegram

extension BotEngine {
    /// Upcoming and past bookings; an unpaid hold can be paid or cancelled from here.
    func myBookings(_ session: Session) async throws -> Outcome {
        let t = session.texts
        let now = self.now()
        let bookings = try await store.bookings(userID: session.user.id)
        guard !bookings.isEmpty else {
            return Outcome(screen: Screen(text: t.myBookingsTitle + "\n\n" + t.noBookings, keyboard: [
                [.action(t.privateCalls, .hosts(page: 0))], [.action(t.mainMenu, .mainMenu)],
            ]))
        }
        var names: [HostID: String] = [:]
        for host in try await store.hosts(listedOnly: false) { if let id = host.id { names[id] = host.displayName.value } }
        let upcoming = bookings.filter { $0.time.end > now && $0.status != .expired && $0.status != .cancelled }
        let past = bookings.filter { !($0.time.end > now && $0.status != .expired && $0.status != .cancelled) }.reversed().prefix(10)
        var lines = [t.myBookingsTitle]
        var keyboard: [[Screen.Button]] = []
        func line(_ b: Booking) -> String {
            let pending = b.status == .pending && !b.blocksSlot(at: now) ? BookingStatus.expired : b.status
            return "#\(b.id!.rawValue) · \(html(names[b.hostID] ?? "?")) · \(session.format.range(b.time)) · \(b.price.total.formatted()) · \(t.bookingStatus(pending))"
        }
        if !upcoming.isEmpty {
            lines += ["", "<b>\(t.upcoming)</b>"]
            for b in upcoming {
                lines.append(line(b))
                if b.status == .pending && b.blocksSlot(at: now), let id = b.id {
                    let n = Int(id.rawValue)
                    var row: [Screen.Button] = methods(for: b).map { .action(t.payBooking(n) + " · " + t.method($0), .payWith(booking: id, method: $0)) }
                    row.append(.action(t.cancelBooking(n), .cancelHold(booking: id)))
                    keyboard += row.rows(of: 2)
                }
            }
        }
        if !past.isEmpty {
            lines += ["", "<b>\(t.past)</b>"]
            lines += past.map(line)
        }
        keyboard += joinButtons(bookings, session, now: now)
        keyboard += try await cancellationButtons(bookings, session, now: now)
        keyboard.append([.action(t.privateCalls, .hosts(page: 0)), .action(t.mainMenu, .mainMenu)])
        return Outcome(screen: Screen(text: lines.joined(separator: "\n"), keyboard: keyboard))
    }

    /// Cancels an unpaid hold of this user (nothing was charged, so nothing to refund).
    func cancelHold(_ id: BookingID, _ session: Session) async throws -> Outcome {
        let t = session.texts
        guard let booking = try await store.booking(id), booking.userID == session.user.id, booking.status == .pending else {
            var outcome = try await myBookings(session)
            outcome.screen = withPrefix(t.holdGone, outcome.screen)
            outcome.toast = t.holdGone
            return outcome
        }
        do {
            _ = try await store.apply(.cancelled(by: .user, refund: false, at: now()), to: id)
        } catch StoreError.invalidTransition {
            var outcome = try await myBookings(session)
            outcome.toast = t.holdGone
            return outcome
        }
        logger.info("hold cancelled by user", metadata: ["booking": "\(id)"])
        if let reference = try? await store.paymentReference(of: id) { await checkout.cancelCheckout(of: booking, reference: reference) }
        var outcome = try await myBookings(session)
        outcome.screen = withPrefix(t.holdCancelled, outcome.screen)
        outcome.toast = t.holdCancelled
        return outcome
    }

    // MARK: Settings

    func settingsScreen(_ session: Session) -> Screen {
        let t = session.texts
        return Screen(text: t.settingsTitle(language: session.language.nativeName, zone: session.zone.identifier), keyboard: [
            Language.allCases.map { .action(($0 == session.language ? "✓ " : "") + $0.nativeName, .language($0.rawValue)) },
            [.action(t.changeZone, .zoneMenu)],
            [.action(t.mainMenu, .mainMenu)],
        ])
    }

    func setLanguage(_ code: String, _ session: inout Session) async throws -> Outcome {
        guard let language = Language(rawValue: code) else { return Outcome(screen: settingsScreen(session)) }
        session.user.language = language.rawValue
        try await store.saveUser(session.user, at: now())
        return Outcome(screen: settingsScreen(session), toast: session.texts.languageSaved)
    }

    func zoneMenu(_ session: Session) async throws -> Outcome {
        try await saveState(session.chatID, ConversationState(mode: .zone))
        return Outcome(screen: zonePicker(session, text: session.texts.pickZone))
    }

    func zonePicker(_ session: Session, text: String) -> Screen {
        var keyboard: [[Screen.Button]] = BotSettings.commonZones.enumerated().map { i, z in
            Screen.Button.action(z.replacingOccurrences(of: "_", with: " "), .zone(index: i))
        }.rows(of: 2)
        keyboard.append([.action(session.texts.back, .settings)])
        return Screen(text: text, keyboard: keyboard)
    }

    func pickZone(_ index: Int, _ session: inout Session) async throws -> Outcome {
        guard BotSettings.commonZones.indices.contains(index), let zone = Zone(identifier: BotSettings.commonZones[index]) else {
            return Outcome(screen: zonePicker(session, text: session.texts.pickZone), toast: session.texts.staleButton)
        }
        return try await saveZone(zone, &session)
    }

    func saveZone(_ zone: Zone, _ session: inout Session) async throws -> Outcome {
        session.user.zone = zone
        session.zone = zone
        try await store.saveUser(session.user, at: now())
        try await store.setConversationState(chatID: session.chatID, nil, at: now())
        let saved = session.texts.zoneSaved(zone.identifier)
        return Outcome(screen: withPrefix(saved, settingsScreen(session)), toast: saved)
    }

    func typedZone(_ text: String, _ session: inout Session) async throws -> Outcome {
        // A full tz name ("America/Bogota", "UTC"), or a city the tz database names ("Bogota", "new york").
        let named = Zone(identifier: text).flatMap { text.contains("/") || text.uppercased() == "UTC" ? $0 : nil }
        guard let zone = named ?? Zone.matching(city: text) else {
            let shown = html(String(text.prefix(64)))
            return Outcome(screen: zonePicker(session, text: session.texts.unknownZone(shown)))
        }
        return try await saveZone(zone, &session)
    }

}

/// What the bot waits for from a chat between updates; stored as JSON, so a restart keeps it.
struct ConversationState: Codable, Equatable, Sendable {
    enum Mode: String, Codable, Sendable {
        /// A user typing a time zone name.
        case zone
        /// An admin in the add-host wizard.
        case wizard
        /// An admin typing a new value for a host field.
        case edit
        /// An admin sending photos for a host's gallery.
        case photos
        /// An admin typing a caption for one photo.
        case caption
        /// An admin typing a payout amount for a host.
        case payout
        /// A user typing the text of a review (after the stars).
        case review
        /// An admin typing the reference of a manual refund (`booking`).
        case refundReference
    }

    var mode: Mode
    var draft: HostDraft?
    var host: Int64?
    var field: HostField?
    var photo: Int64?
    /// The booking a review is for.
    var booking: Int64?
    /// A manual refund's reference typed by an admin (mode `refundReference`).
    var reference: String?

    init(mode: Mode, draft: HostDraft? = nil, host: Int64? = nil, field: HostField? = nil, photo: Int64? = nil, booking: Int64? = nil) {
        self.mode = mode
        self.draft = draft
        self.host = host
        self.field = field
        self.photo = photo
        self.booking = booking
    }

    var encoded: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }

    init?(encoded: String) {
        guard let value = try? JSONDecoder().decode(ConversationState.self, from: Data(encoded.utf8)) else { return nil }
        self = value
    }
}

extension BotEngine {
    func loadState(_ chatID: Int64) async throws -> ConversationState? {
        try await store.conversationState(chatID: chatID).flatMap(ConversationState.init(encoded:))
    }

    func saveState(_ chatID: Int64, _ state: ConversationState?) async throws {
        try await store.setConversationState(chatID: chatID, state?.encoded, at: now())
    }
}
