import Domain
import Telegram
import Testing

@testable import Bot

@Suite("Button data")
struct CallbackActionTests {
    static let big = Int64.max
    static let small = Int64.min

    /// Every user action, with the largest (and most negative) values each field can hold. Admin actions are
    /// generated (`AdminAction.samples`), one per case.
    static let extremes: [CallbackAction] = [
        .mainMenu, .hosts(page: 9_999), .profile(host: HostID(big)), .profile(host: HostID(small)), .gallery(host: HostID(big)),
        .dates(host: HostID(small)), .times(host: HostID(small), day: small), .durations(host: HostID(small), startMinute: small),
        .summary(host: HostID(small), startMinute: small, minutes: 1440), .pay(host: HostID(small), startMinute: small, minutes: 1440),
        .payWith(booking: BookingID(small), method: .stars), .myBookings, .cancelHold(booking: BookingID(small)), .settings,
        .language("es"), .zoneMenu, .zone(index: 999), .noop, .hostMenu, .hostSetOnline(true),
        .join(booking: BookingID(small)), .rate(booking: BookingID(small), stars: 5), .reviewSkip(booking: BookingID(small)),
        .cancelBooking(booking: BookingID(small), confirmed: true), .reschedule(booking: BookingID(small)),
        .rescheduleDay(booking: BookingID(small), day: small), .rescheduleTo(booking: BookingID(small), startMinute: small, confirmed: true),
        .reportNoShow(booking: BookingID(small), confirmed: true), .hostCancel(booking: BookingID(small), confirmed: true),
        .calendar(booking: BookingID(small)),
        .changeZone(back: .reschedule(BookingID(small))), .setZone(name: "America/Argentina/ComodRivadavia", back: .dates(HostID(small))),
        .setZone(name: "UTC", back: .settings), .changeZone(back: .myBookings),
    ]

    /// Every admin action (one per case, generated), with the longest ids, the smallest and ordinary ones.
    static let adminSamples: [CallbackAction] = [small, big, 0, 1].flatMap { id in AdminAction.samples(id: id).map(CallbackAction.admin) }

    @Test(arguments: extremes + adminSamples)
    func fitsTelegramsSixtyFourBytesAndRoundTrips(action: CallbackAction) {
        let data = action.encoded()
        #expect(data.utf8.count <= 64, "\(data) is \(data.utf8.count) bytes")
        #expect(!data.isEmpty)
        #expect(CallbackAction(encoded: data) == action)
    }

    @Test func everyAdminKindHasItsOwnSampleAndTag() {
        // `sample(of:)` gives each kind a value of that kind, and no two admin actions share a tag.
        for kind in AdminAction.Kind.allCases { #expect(AdminAction.sample(of: kind).kind == kind) }
        let samples = AdminAction.allCases
        #expect(samples.count == AdminAction.Kind.allCases.count)
        let tags = samples.map { $0.encoded().split(separator: ":").first.map(String.init) ?? "" }
        #expect(Set(tags).count == tags.count)
        // …nor an admin action with a user action.
        let userTags = Set(Self.extremes.map { $0.encoded().split(separator: ":").first.map(String.init) ?? "" })
        #expect(userTags.isDisjoint(with: tags))
    }

    @Test func adminButtonsKeepTheDataTheyAlwaysHad() {
        // Messages already in chats carry these strings.
        #expect(CallbackAction.admin(.menu).encoded() == "a")
        #expect(CallbackAction.admin(.setStatus(host: HostID(7), status: .offline)).encoded() == "as:7:2")
        #expect(CallbackAction.admin(.host(HostID(3))).encoded() == "ax:3")
        #expect(CallbackAction.admin(.noShow(booking: BookingID(4), confirm: false)).encoded() == "kv:4:0")
        #expect(CallbackAction.admin(.hideReview(review: 5, hidden: true)).encoded() == "av:5:1")
        #expect(CallbackAction.admin(.wizard(.confirm)).encoded() == "w:3")
    }

    @Test(arguments: ["", "x", "hp", "hp:", "hp:abc", "hp:1:2", "t:1", "s:1:2:0", "s:1:2:99999", "pw:1:q", "lg:fr", "z:-1",
                      "hl:-1", "p:1:2:3:4", "m:1", "as:1:3", "aa:1:2", "ae:1:0", "ao:1:2:9", "w:0", "wp:100", "ho:2", "am:3", "hp:99999999999999999999", " hp:1", "hp:1 ", "rv:1:0", "rv:1:6", "av:1:2", "j:x", "ar:-1", "kc:1:2", "kc:1", "kp:1:2:3", "kv:1", "kl:1"])
    func rejectsAnythingWeDidNotProduce(data: String) {
        #expect(CallbackAction(encoded: data) == nil)
    }
}

@Suite("Texts and formatting")
struct TextsTests {
    @Test func spanishScreensAreSpanish() {
        let en = Texts(.en), es = Texts(.es)
        for (a, b) in [(en.welcome, es.welcome), (en.hostListTitle, es.hostListTitle), (en.slotTaken, es.slotTaken),
                       (en.staleButton, es.staleButton), (en.noPaymentMethods, es.noPaymentMethods), (en.myBookingsTitle, es.myBookingsTitle),
                       (en.tooManyHolds(limit: 1), es.tooManyHolds(limit: 1)), (en.tooManyHolds(limit: 2), es.tooManyHolds(limit: 2)),
                       (en.releaseHold(3), es.releaseHold(3)), (en.tooManyHoldsToast, es.tooManyHoldsToast)] {
            #expect(a != b)
        }
        for status in BookingStatus.allCases { #expect(en.bookingStatus(status) != es.bookingStatus(status)) }
    }

    @Test func htmlEscapesEverythingTelegramParses() {
        #expect(html(#"<b>"Tom" & Jerry</b>"#) == "&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;")
        #expect(html("O'Brien") == "O&#39;Brien")
        #expect(telegramLength(ofHTML: html("O'Brien & co")) == "O'Brien & co".utf16.count)
    }

    @Test func datesAndTimesInTheUsersZoneAndLanguage() {
        // 2026-03-29 00:30 UTC: Sunday 01:30 in Madrid (before the change), Saturday 19:30 in Bogotá.
        let instant = Instant(epochSeconds: 1_774_744_200)
        let madrid = TimeFormat(language: .es, zone: Zone(identifier: "Europe/Madrid")!)
        let bogota = TimeFormat(language: .en, zone: Zone(identifier: "America/Bogota")!)
        #expect(madrid.dateTime(instant) == "dom 29 mar, 01:30")
        #expect(bogota.dateTime(instant) == "Sat 28 Mar, 19:30")
        #expect(bogota.range(TimeRange(start: instant, minutes: 45)) == "Sat 28 Mar, 19:30–20:15 (America/Bogota)")
    }

    @Test func lengthAsTelegramCountsIt() {
        #expect(telegramLength(ofHTML: "<b>Tom &amp; Jerry</b>") == 11)
        #expect(telegramLength(ofHTML: "👩‍👩‍👧") == 8)
        #expect(telegramLength(ofHTML: "a &lt; b") == 5)
    }

    @Test func languageFromTelegram() {
        #expect(Language(telegramCode: "es-CO") == .es)
        #expect(Language(telegramCode: "ES") == .es)
        #expect(Language(telegramCode: "pt-BR") == .en)
        #expect(Language(telegramCode: nil) == .en)
    }
}
