import Core
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
        keyboard.append([zoneButton(session, back: .myBookings)])
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
            _ = try await cancellations.cancel(.user(session.user.id), booking: id)
        } catch is Refusal {
            var outcome = try await myBookings(session)
            outcome.toast = t.holdGone
            return outcome
        }
        logger.info("hold cancelled by user", metadata: ["booking": "\(id)"])
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
            [.action(t.changeZone, .changeZone(back: .settings))],
            [.action(t.mainMenu, .mainMenu)],
        ])
    }

    func setLanguage(_ code: String, _ session: inout Session) async throws -> Outcome {
        guard let language = Language(rawValue: code) else { return Outcome(screen: settingsScreen(session)) }
        session.user.language = language.rawValue
        try await store.saveUser(session.user, at: now())
        return Outcome(screen: settingsScreen(session), toast: session.texts.languageSaved)
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
    /// Where a typed time zone comes back to (`ZoneReturn.code`; mode `zone`).
    var back: String?

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
