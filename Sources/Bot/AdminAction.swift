import Domain

/// Every admin button, as its own type. `CallbackAction.admin(_:)` carries one; `BotEngine.perform` lets it
/// through only after one check of `ADMIN_TELEGRAM_IDS` (re-read on every press) and then switches over it
/// exhaustively, so a new admin action is behind that check by construction. The encoded strings are the ones
/// these buttons always had (messages already sent keep working).
public enum AdminAction: Hashable, Sendable {
    case menu
    case addHost
    case hosts(page: Int)
    case host(HostID)
    case setStatus(host: HostID, status: HostStatus)
    case setActive(host: HostID, active: Bool)
    case edit(host: HostID, field: HostField)
    case gallery(host: HostID)
    case photo(host: HostID, photo: Int64, op: PhotoOp)
    case addPhotos(host: HostID)
    /// The add-host wizard's Back/Cancel/Confirm, and Cancel/Done of a field edit or the gallery's photo steps.
    case wizard(WizardOp)
    case wizardPreset(Int)
    case wizardZone(Int)
    /// Bookings of one host (or all with host 0).
    case bookings(host: HostID)
    case earnings(period: Int)
    case payouts(host: HostID)
    case recordPayout(host: HostID)
    case analytics
    case export
    /// Reviews, newest first, page n.
    case reviews(page: Int)
    /// Hide or show one review again.
    case hideReview(review: Int64, hidden: Bool)
    /// Cancel a booking (always a full refund). `confirmed` false shows the policy first.
    case cancel(booking: BookingID, confirmed: Bool)
    /// Refunds waiting for a person (manual, failed) and open no-show reports.
    case refunds
    /// A manual refund was done at the provider.
    case refundDone(booking: BookingID, confirmed: Bool)
    /// Try a failed refund again.
    case refundRetry(booking: BookingID)
    /// A row of the money-to-return list was settled by hand (or a reversal looked at); `confirmed` false asks first.
    case moneyDone(row: Int64, confirmed: Bool)
    /// Try an automatic return of a row again (its provider has a refund API).
    case moneyRetry(row: Int64)
    /// Confirm (full refund) or reject a no-show report.
    case noShow(booking: BookingID, confirm: Bool)
    /// A host picker whose next step acts on the chosen host (`/toggle_status`, `/edit_model`), page n.
    case pickHost(HostPick, page: Int)
    /// Switches a host between online and offline (busy → online) and shows the picker again.
    case toggleStatus(host: HostID)
    /// What to change on one host: a button per field, the gallery, and the host's card.
    case editMenu(host: HostID)
    /// Links the Telegram account seen with the host's username (a suggestion the admin confirms).
    case linkAccount(host: HostID, user: Int64)
    /// A new one-time invite link for the host's own account (revokes the host's earlier unused ones).
    case invite(host: HostID)

    func encoded() -> String {
        switch self {
        case .menu: "a"
        case .addHost: "aw"
        case .hosts(let page): "ah:\(page)"
        case .host(let h): "ax:\(h.rawValue)"
        case .setStatus(let h, let status): "as:\(h.rawValue):\(HostStatus.allCases.firstIndex(of: status)!)"
        case .setActive(let h, let active): "aa:\(h.rawValue):\(active ? 1 : 0)"
        case .edit(let h, let field): "ae:\(h.rawValue):\(field.rawValue)"
        case .gallery(let h): "ag:\(h.rawValue)"
        case .photo(let h, let photo, let op): "ao:\(h.rawValue):\(photo):\(op.rawValue)"
        case .addPhotos(let h): "aq:\(h.rawValue)"
        case .wizard(let op): "w:\(op.rawValue)"
        case .wizardPreset(let i): "wp:\(i)"
        case .wizardZone(let i): "wz:\(i)"
        case .bookings(let h): "ab:\(h.rawValue)"
        case .earnings(let p): "am:\(p)"
        case .payouts(let h): "ay:\(h.rawValue)"
        case .recordPayout(let h): "ap:\(h.rawValue)"
        case .analytics: "an"
        case .export: "ac"
        case .reviews(let page): "ar:\(page)"
        case .hideReview(let r, let hidden): "av:\(r):\(hidden ? 1 : 0)"
        case .cancel(let b, let c): "ka:\(b.rawValue):\(c ? 1 : 0)"
        case .refunds: "kl"
        case .refundDone(let b, let c): "kd:\(b.rawValue):\(c ? 1 : 0)"
        case .refundRetry(let b): "kg:\(b.rawValue)"
        case .moneyDone(let r, let c): "md:\(r):\(c ? 1 : 0)"
        case .moneyRetry(let r): "mr:\(r)"
        case .noShow(let b, let c): "kv:\(b.rawValue):\(c ? 1 : 0)"
        case .pickHost(let purpose, let page): "ak:\(purpose.rawValue):\(page)"
        case .toggleStatus(let h): "at:\(h.rawValue)"
        case .editMenu(let h): "ai:\(h.rawValue)"
        case .linkAccount(let h, let u): "al:\(h.rawValue):\(u)"
        case .invite(let h): "aj:\(h.rawValue)"
        }
    }

    /// The admin action of split button data (`CallbackAction(encoded:)` already split it at ":"); nil for
    /// anything else.
    init?(parts: [String]) {
        func int(_ i: Int) -> Int64? { i < parts.count ? Int64(parts[i]) : nil }
        func count(_ n: Int) -> Bool { parts.count == n }
        func flag(_ i: Int) -> Bool? { int(i).flatMap { $0 == 0 ? false : $0 == 1 ? true : nil } }
        switch parts.first {
        case "a" where count(1): self = .menu
        case "aw" where count(1): self = .addHost
        case "ah" where count(2): guard let p = int(1), p >= 0, p < 10_000 else { return nil }; self = .hosts(page: Int(p))
        case "ax" where count(2): guard let h = int(1) else { return nil }; self = .host(HostID(h))
        case "as" where count(3):
            guard let h = int(1), let i = int(2), HostStatus.allCases.indices.contains(Int(i)) else { return nil }
            self = .setStatus(host: HostID(h), status: HostStatus.allCases[Int(i)])
        case "aa" where count(3): guard let h = int(1), let a = flag(2) else { return nil }; self = .setActive(host: HostID(h), active: a)
        case "ae" where count(3):
            guard let h = int(1), let f = int(2), let field = HostField(rawValue: Int(f)) else { return nil }
            self = .edit(host: HostID(h), field: field)
        case "ag" where count(2): guard let h = int(1) else { return nil }; self = .gallery(host: HostID(h))
        case "ao" where count(4):
            guard let h = int(1), let p = int(2), let o = int(3), let op = PhotoOp(rawValue: Int(o)) else { return nil }
            self = .photo(host: HostID(h), photo: p, op: op)
        case "aq" where count(2): guard let h = int(1) else { return nil }; self = .addPhotos(host: HostID(h))
        case "w" where count(2): guard let o = int(1), let op = WizardOp(rawValue: Int(o)) else { return nil }; self = .wizard(op)
        case "wp" where count(2): guard let i = int(1), i >= 0, i < 100 else { return nil }; self = .wizardPreset(Int(i))
        case "wz" where count(2): guard let i = int(1), i >= 0, i < 1000 else { return nil }; self = .wizardZone(Int(i))
        case "ab" where count(2): guard let h = int(1) else { return nil }; self = .bookings(host: HostID(h))
        case "am" where count(2): guard let p = int(1), (0...2).contains(p) else { return nil }; self = .earnings(period: Int(p))
        case "ay" where count(2): guard let h = int(1) else { return nil }; self = .payouts(host: HostID(h))
        case "ap" where count(2): guard let h = int(1) else { return nil }; self = .recordPayout(host: HostID(h))
        case "an" where count(1): self = .analytics
        case "ac" where count(1): self = .export
        case "ar" where count(2): guard let p = int(1), p >= 0, p < 10_000 else { return nil }; self = .reviews(page: Int(p))
        case "av" where count(3): guard let r = int(1), let h = flag(2) else { return nil }; self = .hideReview(review: r, hidden: h)
        case "ka" where count(3): guard let b = int(1), let c = flag(2) else { return nil }; self = .cancel(booking: BookingID(b), confirmed: c)
        case "kl" where count(1): self = .refunds
        case "kd" where count(3): guard let b = int(1), let c = flag(2) else { return nil }; self = .refundDone(booking: BookingID(b), confirmed: c)
        case "kg" where count(2): guard let b = int(1) else { return nil }; self = .refundRetry(booking: BookingID(b))
        case "md" where count(3): guard let r = int(1), let c = flag(2) else { return nil }; self = .moneyDone(row: r, confirmed: c)
        case "mr" where count(2): guard let r = int(1) else { return nil }; self = .moneyRetry(row: r)
        case "kv" where count(3): guard let b = int(1), let c = flag(2) else { return nil }; self = .noShow(booking: BookingID(b), confirm: c)
        case "ak" where count(3):
            guard let p = int(1), let purpose = HostPick(rawValue: Int(p)), let page = int(2), page >= 0, page < 10_000 else { return nil }
            self = .pickHost(purpose, page: Int(page))
        case "at" where count(2): guard let h = int(1) else { return nil }; self = .toggleStatus(host: HostID(h))
        case "ai" where count(2): guard let h = int(1) else { return nil }; self = .editMenu(host: HostID(h))
        case "al" where count(3): guard let h = int(1), let u = int(2) else { return nil }; self = .linkAccount(host: HostID(h), user: u)
        case "aj" where count(2): guard let h = int(1) else { return nil }; self = .invite(host: HostID(h))
        default: return nil
        }
    }
}

/// What a host picker is for: its buttons act on the chosen host.
public enum HostPick: Int, Sendable, Hashable, CaseIterable {
    /// `/toggle_status`: the press switches the host online/offline.
    case toggle = 1
    /// `/edit_model`: the press opens what to change on that host.
    case edit
}

extension AdminAction {
    /// Which case, without its values. `kind` and `sample(of:)` switch over every case with no `default`, so
    /// adding an admin action does not compile until it has a kind and a sample — and then the generated tests
    /// (round trip, 64 bytes, a non-admin's press changes nothing) cover it.
    public enum Kind: CaseIterable, Sendable {
        case menu, addHost, hosts, host, setStatus, setActive, edit, gallery, photo, addPhotos, wizard, wizardPreset, wizardZone
        case bookings, earnings, payouts, recordPayout, analytics, export, reviews, hideReview
        case cancel, refunds, refundDone, refundRetry, moneyDone, moneyRetry, noShow
        case pickHost, toggleStatus, editMenu, linkAccount, invite
    }

    public var kind: Kind {
        switch self {
        case .menu: .menu
        case .addHost: .addHost
        case .hosts: .hosts
        case .host: .host
        case .setStatus: .setStatus
        case .setActive: .setActive
        case .edit: .edit
        case .gallery: .gallery
        case .photo: .photo
        case .addPhotos: .addPhotos
        case .wizard: .wizard
        case .wizardPreset: .wizardPreset
        case .wizardZone: .wizardZone
        case .bookings: .bookings
        case .earnings: .earnings
        case .payouts: .payouts
        case .recordPayout: .recordPayout
        case .analytics: .analytics
        case .export: .export
        case .reviews: .reviews
        case .hideReview: .hideReview
        case .cancel: .cancel
        case .refunds: .refunds
        case .refundDone: .refundDone
        case .refundRetry: .refundRetry
        case .moneyDone: .moneyDone
        case .moneyRetry: .moneyRetry
        case .noShow: .noShow
        case .pickHost: .pickHost
        case .toggleStatus: .toggleStatus
        case .editMenu: .editMenu
        case .linkAccount: .linkAccount
        case .invite: .invite
        }
    }

    /// One value of a kind: every id field (host, booking, review, photo) is `id`, and every choice is the one
    /// that changes something (deactivate, offline, hide, confirm), so a test can aim the sample at real rows.
    public static func sample(of kind: Kind, id: Int64 = 1) -> AdminAction {
        switch kind {
        case .menu: .menu
        case .addHost: .addHost
        case .hosts: .hosts(page: 0)
        case .host: .host(HostID(id))
        case .setStatus: .setStatus(host: HostID(id), status: .offline)
        case .setActive: .setActive(host: HostID(id), active: false)
        case .edit: .edit(host: HostID(id), field: .price)
        case .gallery: .gallery(host: HostID(id))
        case .photo: .photo(host: HostID(id), photo: id, op: .remove)
        case .addPhotos: .addPhotos(host: HostID(id))
        case .wizard: .wizard(.confirm)
        case .wizardPreset: .wizardPreset(0)
        case .wizardZone: .wizardZone(0)
        case .bookings: .bookings(host: HostID(id))
        case .earnings: .earnings(period: 0)
        case .payouts: .payouts(host: HostID(id))
        case .recordPayout: .recordPayout(host: HostID(id))
        case .analytics: .analytics
        case .export: .export
        case .reviews: .reviews(page: 0)
        case .hideReview: .hideReview(review: id, hidden: true)
        case .cancel: .cancel(booking: BookingID(id), confirmed: true)
        case .refunds: .refunds
        case .refundDone: .refundDone(booking: BookingID(id), confirmed: true)
        case .refundRetry: .refundRetry(booking: BookingID(id))
        case .moneyDone: .moneyDone(row: id, confirmed: true)
        case .moneyRetry: .moneyRetry(row: id)
        case .noShow: .noShow(booking: BookingID(id), confirm: true)
        case .pickHost: .pickHost(.toggle, page: 0)
        case .toggleStatus: .toggleStatus(host: HostID(id))
        case .editMenu: .editMenu(host: HostID(id))
        case .linkAccount: .linkAccount(host: HostID(id), user: id)
        case .invite: .invite(host: HostID(id))
        }
    }

    /// One sample of every case (see `sample(of:id:)`).
    public static func samples(id: Int64 = 1) -> [AdminAction] { Kind.allCases.map { sample(of: $0, id: id) } }

    /// `CaseIterable`'s list, as far as cases with values allow: one sample of every case.
    public static var allCases: [AdminAction] { samples() }
}
