import Domain

/// Every button the bot shows, as one typed value. Encoded compactly ("tag:field:field", integers only) so
/// `callback_data` stays within Telegram's 64 bytes by construction: the longest action is a tag of at most
/// 3 bytes plus at most four Int64 fields (≤ 20 bytes each with sign) and separators — checked by test at the
/// largest values.
public enum CallbackAction: Hashable, Sendable {
    case mainMenu
    /// The host list, page n (0-based).
    case hosts(page: Int)
    case profile(host: HostID)
    case gallery(host: HostID)
    /// Dates with a free slot; `page` of 7 days within the horizon.
    case dates(host: HostID)
    /// Start times on a host-local date (day number), in the user's zone.
    case times(host: HostID, day: Int64)
    /// Durations that fit at a start (epoch minutes).
    case durations(host: HostID, startMinute: Int64)
    case summary(host: HostID, startMinute: Int64, minutes: Int)
    /// Create the hold and show the payment choice.
    case pay(host: HostID, startMinute: Int64, minutes: Int)
    case payWith(booking: BookingID, method: PaymentMethod)
    case myBookings
    case cancelHold(booking: BookingID)
    case settings
    case language(String)
    case zoneMenu
    case zone(index: Int)
    /// The zone question, coming back to `back` once a zone is chosen ("🌍 change" on every screen with times).
    case changeZone(back: ZoneReturn)
    /// Saves a tz database name (checked again on decode) and shows `back`.
    case setZone(name: String, back: ZoneReturn)
    /// A button that does nothing but must be answered (a label row).
    case noop

    /// An admin button. Routed through one admin check (`ADMIN_TELEGRAM_IDS`, re-read on every press) and then
    /// an exhaustive switch: an admin action cannot be added without being behind that check.
    case admin(AdminAction)

    // A linked host's own menu.
    case hostMenu
    case hostSetOnline(Bool)

    // The call and its review.
    /// Sends the presser's join link for a booking's call.
    case join(booking: BookingID)
    /// A star rating (1–5) for a completed booking.
    case rate(booking: BookingID, stars: Int)
    /// No review (or no text) for this booking.
    case reviewSkip(booking: BookingID)

    // Cancellation, reschedule, no-show (BotEngine+Cancel.swift). `confirmed` false shows the policy first.
    /// The user cancels a confirmed booking.
    case cancelBooking(booking: BookingID, confirmed: Bool)
    /// The user moves a confirmed booking: pick a day…
    case reschedule(booking: BookingID)
    /// …a start time on that (user-local) day…
    case rescheduleDay(booking: BookingID, day: Int64)
    /// …and confirm the new start (epoch minutes).
    case rescheduleTo(booking: BookingID, startMinute: Int64, confirmed: Bool)
    /// The user reports that the host did not show up.
    case reportNoShow(booking: BookingID, confirmed: Bool)
    /// The linked host cancels one of their bookings (always a full refund).
    case hostCancel(booking: BookingID, confirmed: Bool)

    /// Sends the presser (the booking's user or its linked host) an `.ics` file of a confirmed booking.
    case calendar(booking: BookingID)

    public func encoded() -> String {
        switch self {
        case .mainMenu: "m"
        case .hosts(let page): "hl:\(page)"
        case .profile(let h): "hp:\(h.rawValue)"
        case .gallery(let h): "hg:\(h.rawValue)"
        case .dates(let h): "d:\(h.rawValue)"
        case .times(let h, let day): "t:\(h.rawValue):\(day)"
        case .durations(let h, let start): "u:\(h.rawValue):\(start)"
        case .summary(let h, let start, let minutes): "s:\(h.rawValue):\(start):\(minutes)"
        case .pay(let h, let start, let minutes): "p:\(h.rawValue):\(start):\(minutes)"
        case .payWith(let b, let method): "pw:\(b.rawValue):\(method.code)"
        case .myBookings: "mb"
        case .cancelHold(let b): "cx:\(b.rawValue)"
        case .settings: "st"
        case .language(let code): "lg:\(code)"
        case .zoneMenu: "zm"
        case .zone(let i): "z:\(i)"
        case .changeZone(let back): "zc:\(back.code)"
        case .setZone(let name, let back): "zs:\(back.code):\(name)"
        case .noop: "_"
        case .admin(let action): action.encoded()
        case .hostMenu: "hm"
        case .hostSetOnline(let on): "ho:\(on ? 1 : 0)"
        case .cancelBooking(let b, let c): "kc:\(b.rawValue):\(c ? 1 : 0)"
        case .reschedule(let b): "kr:\(b.rawValue)"
        case .rescheduleDay(let b, let day): "kt:\(b.rawValue):\(day)"
        case .rescheduleTo(let b, let start, let c): "kp:\(b.rawValue):\(start):\(c ? 1 : 0)"
        case .reportNoShow(let b, let c): "kn:\(b.rawValue):\(c ? 1 : 0)"
        case .hostCancel(let b, let c): "kh:\(b.rawValue):\(c ? 1 : 0)"
        case .join(let b): "j:\(b.rawValue)"
        case .rate(let b, let stars): "rv:\(b.rawValue):\(stars)"
        case .reviewSkip(let b): "rk:\(b.rawValue)"
        case .calendar(let b): "ic:\(b.rawValue)"
        }
    }

    /// nil for anything we did not produce (old formats, forged data).
    public init?(encoded text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func int(_ i: Int) -> Int64? { i < parts.count ? Int64(parts[i]) : nil }
        func count(_ n: Int) -> Bool { parts.count == n }
        switch parts.first {
        case "m" where count(1): self = .mainMenu
        case "hl" where count(2): guard let p = int(1), p >= 0, p < 10_000 else { return nil }; self = .hosts(page: Int(p))
        case "hp" where count(2): guard let h = int(1) else { return nil }; self = .profile(host: HostID(h))
        case "hg" where count(2): guard let h = int(1) else { return nil }; self = .gallery(host: HostID(h))
        case "d" where count(2): guard let h = int(1) else { return nil }; self = .dates(host: HostID(h))
        case "t" where count(3): guard let h = int(1), let d = int(2) else { return nil }; self = .times(host: HostID(h), day: d)
        case "u" where count(3): guard let h = int(1), let s = int(2) else { return nil }; self = .durations(host: HostID(h), startMinute: s)
        case "s" where count(4):
            guard let h = int(1), let s = int(2), let m = int(3), (1...1440).contains(m) else { return nil }
            self = .summary(host: HostID(h), startMinute: s, minutes: Int(m))
        case "p" where count(4):
            guard let h = int(1), let s = int(2), let m = int(3), (1...1440).contains(m) else { return nil }
            self = .pay(host: HostID(h), startMinute: s, minutes: Int(m))
        case "pw" where count(3):
            guard let b = int(1), let method = PaymentMethod(code: parts[2]) else { return nil }
            self = .payWith(booking: BookingID(b), method: method)
        case "mb" where count(1): self = .myBookings
        case "cx" where count(2): guard let b = int(1) else { return nil }; self = .cancelHold(booking: BookingID(b))
        case "st" where count(1): self = .settings
        case "lg" where count(2): guard Language(rawValue: parts[1]) != nil else { return nil }; self = .language(parts[1])
        case "zm" where count(1): self = .zoneMenu
        case "z" where count(2): guard let i = int(1), i >= 0, i < 1000 else { return nil }; self = .zone(index: Int(i))
        case "zc" where count(2): guard let back = ZoneReturn(code: parts[1]) else { return nil }; self = .changeZone(back: back)
        case "zs" where count(3):
            // Only a name this system's tz database knows, written as we write it ("UTC", "America/Bogota").
            guard let back = ZoneReturn(code: parts[1]), let zone = Zone(identifier: parts[2]), zone.identifier == parts[2] else { return nil }
            self = .setZone(name: parts[2], back: back)
        case "_" where count(1): self = .noop
        case "hm" where count(1): self = .hostMenu
        case "ho" where count(2): guard let o = int(1), o == 0 || o == 1 else { return nil }; self = .hostSetOnline(o == 1)
        case "kc" where count(3): guard let b = int(1), let c = int(2), c == 0 || c == 1 else { return nil }; self = .cancelBooking(booking: BookingID(b), confirmed: c == 1)
        case "kr" where count(2): guard let b = int(1) else { return nil }; self = .reschedule(booking: BookingID(b))
        case "kt" where count(3): guard let b = int(1), let d = int(2) else { return nil }; self = .rescheduleDay(booking: BookingID(b), day: d)
        case "kp" where count(4):
            guard let b = int(1), let s = int(2), let c = int(3), c == 0 || c == 1 else { return nil }
            self = .rescheduleTo(booking: BookingID(b), startMinute: s, confirmed: c == 1)
        case "kn" where count(3): guard let b = int(1), let c = int(2), c == 0 || c == 1 else { return nil }; self = .reportNoShow(booking: BookingID(b), confirmed: c == 1)
        case "kh" where count(3): guard let b = int(1), let c = int(2), c == 0 || c == 1 else { return nil }; self = .hostCancel(booking: BookingID(b), confirmed: c == 1)
        case "j" where count(2): guard let b = int(1) else { return nil }; self = .join(booking: BookingID(b))
        case "rv" where count(3): guard let b = int(1), let n = int(2), (1...5).contains(n) else { return nil }; self = .rate(booking: BookingID(b), stars: Int(n))
        case "rk" where count(2): guard let b = int(1) else { return nil }; self = .reviewSkip(booking: BookingID(b))
        case "ic" where count(2): guard let b = int(1) else { return nil }; self = .calendar(booking: BookingID(b))
        default:
            guard let action = AdminAction(parts: parts) else { return nil }
            self = .admin(action)
        }
    }
}

/// A host field an admin edits by typing (or sending a photo).
public enum HostField: Int, Sendable, Hashable, CaseIterable, Codable {
    case username = 1, displayName, bio, price, durations, availability, zone
}

/// What to do with one gallery photo.
public enum PhotoOp: Int, Sendable, Hashable, Codable {
    case up = 1, down, remove, caption
}

/// Wizard and flow buttons.
public enum WizardOp: Int, Sendable, Hashable, Codable {
    case back = 1, cancel, confirm, done
}

/// How a user pays. Which ones are offered depends on configuration.
public enum PaymentMethod: String, CaseIterable, Sendable, Hashable {
    case stripe, epayco, daimo, stars

    public var code: String {
        switch self {
        case .stripe: "s"
        case .epayco: "e"
        case .daimo: "d"
        case .stars: "x"
        }
    }

    public init?(code: String) {
        guard let m = PaymentMethod.allCases.first(where: { $0.code == code }) else { return nil }
        self = m
    }
}
