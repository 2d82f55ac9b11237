import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

@Suite("Admins in the bot, end to end", .serialized)
struct AdminFlowTests {
    let admin = User(id: 9001, firstName: "Ada", username: "ada_admin", languageCode: "en")
    let user = User(id: 9002, firstName: "Uma", languageCode: "en")
    static let env = ["ADMIN_TELEGRAM_IDS": "9001"]

    /// Sends text and expects the reply to contain `reply`.
    func say(_ h: BotHarness, _ text: String, expect reply: String) async throws {
        await h.fake.sendText(text, from: admin)
        try await h.expectLast(admin.id, contains: reply)
    }

    enum ConfirmAgain: String, CaseIterable, CustomTestStringConvertible, Sendable {
        /// The first Confirm created the host and died before closing the wizard: the update is retried.
        case crashBeforeTheWizardClosed
        /// It died after closing the wizard, before showing the host: Confirm is pressed again.
        case crashAfterTheWizardClosed
        /// Meanwhile another admin made a different host with that username.
        case someoneElsesHost
        var testDescription: String { rawValue }
    }

    /// Confirm pressed again after the host exists says "✅ @lena_calls was added" with the host's buttons —
    /// not "out of date", not "username taken" — in both languages; a different host under that username is
    /// still refused.
    @Test(arguments: ["en", "es"], ConfirmAgain.allCases)
    func aRepeatedConfirmSaysTheHostWasAdded(language: String, again: ConfirmAgain) async throws {
        try await BotHarness.with { h in
            let es = language == "es"
            let ada = User(id: 9001, firstName: "Ada", username: "ada_admin", languageCode: language)
            try await h.run(Self.env) { _ in
                for (text, n) in [("/add_model", 1), ("@lena_calls", 2), ("Lena", 3), ("Hola", 4), ("2.50", 5), ("30-90", 6)] {
                    await h.fake.sendText(text, from: ada)
                    try await h.expectLast(ada.id, contains: es ? "paso \(n) de 7" : "step \(n) of 7")
                }
                await h.fake.sendPhoto(fileId: "AgAD-lena-again", caption: nil, from: ada)
                try await h.expectLast(ada.id, contains: es ? "paso 7 de 7" : "step 7 of 7")
                try await h.tap("09:00–22:00", as: ada)
                try await h.tap("Europe/Madrid", as: ada)
                try await h.expectLast(ada.id, contains: es ? "revisa y confirma" : "check and confirm")
                let price: Int64 = again == .someoneElsesHost ? 300 : 250
                _ = try await h.store.createHost(Domain.Host(
                    username: TelegramUsername(parsing: "lena_calls"), displayName: DisplayName(parsing: "Lena"), bio: Bio(parsing: "Hola"),
                    pricePerMinute: PricePerMinute(Money(minorUnits: price, currency: .usd)), durations: DurationRange(min: 30, max: 90),
                    zone: Zone(identifier: "Europe/Madrid")!, availability: WeeklyAvailability(parsing: "09:00-22:00")), at: h.clock.now)
                if again == .crashAfterTheWizardClosed { try await h.store.setConversationState(chatID: ada.id, nil, at: h.clock.now) }
                try await h.tap(es ? "✅ Confirmar" : "✅ Confirm", as: ada)
                if again == .someoneElsesHost {
                    try await h.expectLast(ada.id, contains: es ? "@lena_calls ya es anfitrión" : "@lena_calls is already a host")
                    return
                }
                let shown = try await h.expectLast(ada.id, contains: es ? "✅ @lena_calls fue añadido." : "✅ @lena_calls was added.")
                #expect(h.fake.buttonLabels(of: shown).flatMap { $0 }.contains(es ? "✏️ Nombre" : "✏️ Name"), "the host's buttons")
                #expect(try await h.store.hosts(listedOnly: false).count == 1)
                #expect(try await h.store.conversationState(chatID: ada.id) == nil, "the wizard is closed")
            }
        }
    }

    /// In Spanish too, the two halves of step 7 (weekly hours, then their time zone) carry different headings.
    @Test func theWizardsLastStepNamesItsTwoHalvesInSpanish() async throws {
        try await BotHarness.with { h in
            let ada = User(id: 9001, firstName: "Ada", username: "ada_admin", languageCode: "es")
            try await h.run(Self.env) { _ in
                for (text, reply) in [("/add_model", "paso 1 de 7"), ("@lena_calls", "paso 2 de 7"), ("Lena", "paso 3 de 7"),
                                      ("Hola", "paso 4 de 7"), ("2.50", "paso 5 de 7"), ("30-90", "paso 6 de 7")] {
                    await h.fake.sendText(text, from: ada)
                    try await h.expectLast(ada.id, contains: reply)
                }
                await h.fake.sendPhoto(fileId: "AgAD-lena-es", caption: nil, from: ada)
                try await h.expectLast(ada.id, contains: "paso 7 de 7, horario semanal")
                try await h.tap("09:00–22:00", as: ada)
                let zone = try await h.expectLast(ada.id, contains: "paso 7 de 7, la zona horaria del horario")
                #expect(zone.text?.contains("¿En qué zona horaria es ese horario?") == true)
                // A city is enough.
                await h.fake.sendText("bogotá", from: ada)
                let summary = try await h.expectLast(ada.id, contains: "revisa y confirma")
                #expect(summary.text?.contains("(America/Bogota)") == true)
            }
        }
    }

    @Test func anAdminAddsAHostThroughSevenStepsWithAWrongAnswerAtEachAndAUserBooksThem() async throws {
        try await BotHarness.with { h in
            let admin = self.admin, user = self.user
            try await h.run(Self.env) { _ in
                try await say(h, "/add_model", expect: "step 1 of 7")
                try await say(h, "@1badname", expect: "starts with a letter")
                try await say(h, "@lena_calls", expect: "step 2 of 7")
                try await say(h, "   ", expect: "display name cannot be empty")
                try await say(h, "Lena", expect: "step 3 of 7")
                try await say(h, String(repeating: "é", count: 201), expect: "at most 200 characters (this one has 201)")
                try await say(h, String(repeating: "👩‍👩‍👧", count: 200), expect: "step 4 of 7") // 200 characters as a person counts them
            }
            // A restart in the middle of the wizard resumes it.
            try await h.run(Self.env.merging(["STARS_PER_USD": "50"]) { _, new in new }) { _ in
                try await say(h, "abc", expect: "“a” is not allowed in an amount")
                try await say(h, "0", expect: "must be more than 0")
                try await say(h, "-5", expect: "cannot be negative")
                try await say(h, "2.50", expect: "step 5 of 7")
                try await say(h, "90-30", expect: "cannot be longer than the longest")
                try await say(h, "20-60", expect: "20 minutes is not a 15-minute step")
                try await say(h, "30-90", expect: "step 6 of 7")
                try await say(h, "here is a photo", expect: "Please send a photo")
                await h.fake.sendPhoto(fileId: "AgAD-lena-1", caption: nil, from: admin)
                let hours = try await h.expectLast(admin.id, contains: "step 7 of 7, weekly hours")
                try await say(h, "Mon-Fri 25:00-26:00", expect: "could not read")
                try await h.tap("09:00–22:00", as: admin)
                let zone = try await h.expectLast(admin.id, contains: "In which time zone")
                // The two halves of step 7 say which half they are: never the same heading twice.
                #expect(zone.text?.contains("step 7 of 7, the hours' time zone") == true)
                #expect(hours.text?.components(separatedBy: "\n").first != zone.text?.components(separatedBy: "\n").first)
                try await say(h, "Mars/Olympus", expect: "is not a time zone I know")
                try await h.tap("Europe/Madrid", as: admin)
                let summary = try await h.expectLast(admin.id, contains: "check and confirm")
                #expect(summary.text?.contains("$2.50/min · ⏱ 30–90 min") == true)
                // Back from the summary returns to the zone step, and forward again.
                try await h.tap("⬅️ Back", as: admin)
                try await h.expectLast(admin.id, contains: "In which time zone")
                try await h.tap("Europe/Madrid", as: admin)
                try await h.tap("✅ Confirm", as: admin)
                let created = try await h.expectLast(admin.id, contains: "Lena is now listed for users")
                #expect(created.text?.contains("https://t.me/privatecalls_test_bot?start=invite_") == true)

                let host = try #require(try await h.store.host(username: TelegramUsername(parsing: "lena_calls")))
                #expect(host.pricePerMinute.money == Money(minorUnits: 250, currency: .usd))
                #expect(host.durations == (try DurationRange(min: 30, max: 90)))
                #expect(try await h.store.photos(hostID: host.id!).map(\.fileID) == ["AgAD-lena-1"])
                // Created, then an invite for the host's own account (shown on the wizard's last screen).
                #expect(try await h.store.auditLog(limit: 2).map(\.action) == ["host.invite", "host.create"])

                // At once visible and bookable by a user.
                await h.fake.sendText("/book_private_call", from: user)
                try await h.expectLast(user.id, contains: "Lena · $2.50/min")
                try await h.tap("🟢 Lena · $2.50/min", as: user)
                try await h.expectLast(user.id, contains: "Calls of 30–90 min")
                try await h.tap("📅 Book a call", as: user)
                try await h.tap("Europe/Madrid", as: user)
                try await h.tap("Wed 25 Nov", as: user)
                try await h.tap("18:00", as: user)
                try await h.tap("30 min · $75.00", as: user)
                try await h.tap("💳 Pay $75.00", as: user)
                #expect(try await h.store.bookings(hostID: host.id!).count == 1)
            }
        }
    }

    @Test func aNonAdminPressingAnAdminButtonChangesNothing() async throws {
        try await BotHarness.with { h in
            let host = try await h.addHost()
            let user = self.user
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/admin_models", from: user)
                try await h.expectLast(user.id, contains: "This is for admins only")
                let message = try #require(await h.fake.lastMessage(chat: user.id))
                for data in ["as:\(host.id!.rawValue):2", "aa:\(host.id!.rawValue):0", "aw", "ae:\(host.id!.rawValue):4"] {
                    await h.fake.tapData(data, messageId: message.messageId, as: user)
                    try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                }
                let stored = try #require(try await h.store.host(host.id!))
                #expect(stored == host)
                #expect(try await h.store.auditLog(limit: 10).isEmpty)
                #expect(try await h.store.conversationState(chatID: user.id) == nil)
                let answers = try await h.fake.calls("answerCallbackQuery").map { try $0.decode(AnswerCallbackQuery.self) }
                #expect(answers.suffix(4).allSatisfy { $0.text == "This is for admins only." })
            }
        }
    }

    @Test func aPriceChangeLeavesAnExistingBookingsPriceAlone() async throws {
        try await BotHarness.with { h in
            let host = try await h.addHost()
            let admin = self.admin
            let booking = try await h.store.createHold(
                try Booking.hold(hostID: host.id!, userID: TelegramUserID(5), start: BotHarness.start.adding(days: 2), minutes: 60,
                                 pricePerMinute: host.pricePerMinute.money, commission: .standard, now: h.clock.now, holdMinutes: 30),
                bufferMinutes: 0, maxLiveHolds: .max)
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/view_models_list", from: admin)
                try await h.expectLast(admin.id, contains: "Hosts")
                try await h.tap("🟢 Anna (@anna_host)", as: admin)
                try await h.tap("✏️ Price", as: admin)
                try await say(h, "seven", expect: "is not allowed in an amount")
                try await say(h, "7.25", expect: "$7.25/min")
            }
            #expect(try await h.store.host(host.id!)?.pricePerMinute.money == Money(minorUnits: 725, currency: .usd))
            let stored = try #require(try await h.store.booking(booking.id!))
            #expect(stored.price.total == Money(minorUnits: 30_000, currency: .usd))
            #expect(stored.price.pricePerMinute == Money(minorUnits: 500, currency: .usd))
            let audit = try #require(try await h.store.auditLog(limit: 1).first)
            #expect(audit.action == "host.edit.price")
            #expect(audit.before?.contains("$5.00/min") == true)
            #expect(audit.after?.contains("$7.25/min") == true)
            #expect(audit.actor == admin.id)
        }
    }

    @Test func reorderingAThreePhotoGalleryShowsInTheUsersAlbum() async throws {
        try await BotHarness.with { h in
            _ = try await h.addHost()
            let admin = self.admin, user = self.user
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/edit_model", from: admin)
                try await h.expectLast(admin.id, contains: "Edit a host")
                try await h.tap("✏️ Anna (@anna_host)", as: admin)
                try await h.tap("🖼 Gallery", as: admin)
                try await h.tap("➕ Add photos", as: admin)
                for (i, caption) in ["first", "second", "third"].enumerated() {
                    await h.fake.sendPhoto(fileId: "AgAD-\(caption)", caption: caption, from: admin)
                    try await h.expectLast(admin.id, contains: "Photo added (\(i + 1) in the gallery)")
                }
                try await h.tap("✔️ Done", as: admin)
                try await h.expectLast(admin.id, contains: "3 photo(s)")
                // Move "third" to the top: ⬆️ twice on it.
                let photos = try await h.store.photos(hostID: HostID(1))
                let third = photos[2].id
                for _ in 0..<2 {
                    let message = try #require(await h.fake.lastMessage(chat: admin.id))
                    await h.fake.tapData("ao:1:\(third):1", messageId: message.messageId, as: admin)
                    try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                }
                #expect(try await h.store.photos(hostID: HostID(1)).map(\.caption) == ["third", "first", "second"])

                await h.fake.sendText("/book_private_call", from: user)
                try await h.expectLast(user.id, contains: "choose a host")
                try await h.tap("🟢 Anna · $5.00/min", as: user)
                try await h.tap("🖼 Gallery", as: user)
                try await h.expectLast(user.id, contains: "🖼 Anna")
                let album = try #require(try await h.fake.calls("sendMediaGroup").last?.decode(SendMediaGroup.self))
                #expect(album.media.map(\.media) == ["AgAD-third", "AgAD-first", "AgAD-second"])
            }
        }
    }

    /// Having the host's username is not enough to become the host: the account seen with it is only suggested
    /// on the admin's host card, and linked when the admin confirms. Then the host sees and toggles their own menu.
    @Test func theAccountWithTheHostsUsernameIsLinkedOnlyWhenTheAdminConfirmsIt() async throws {
        try await BotHarness.with { h in
            let host = try await h.addHost()
            let anna = User(id: 9100, firstName: "Anna", username: "Anna_Host", languageCode: "es")
            let stranger = User(id: 9101, firstName: "Sam", username: "sam_nobody", languageCode: "en")
            let admin = self.admin
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/host", from: stranger)
                try await h.expectLast(stranger.id, contains: "This menu is for hosts")
                await h.fake.sendText("/start", from: anna)
                try await h.expectLast(anna.id, contains: "Bienvenido")
                await h.fake.sendText("/host", from: anna)
                try await h.expectLast(anna.id, contains: "Este menú es para anfitriones")
                #expect(try await h.store.host(host.id!)?.telegramUserID == nil, "a username alone links nothing")
                await h.fake.sendText("/view_models_list", from: admin)
                try await h.expectLast(admin.id, contains: "Hosts")
                try await h.tap("🟢 Anna (@anna_host)", as: admin)
                let card = try await h.expectLast(admin.id, contains: "Telegram account: not linked yet")
                #expect(h.fake.buttonLabels(of: card).flatMap { $0 }.contains("🔗 Link the account @Anna_Host"))
                try await h.tap("🔗 Link the account @Anna_Host", as: admin)
                try await h.expectLast(admin.id, contains: "Telegram account: linked (id 9100)")
                #expect(try await h.store.host(host.id!)?.telegramUserID == TelegramUserID(anna.id))
                #expect(try await h.store.auditLog(limit: 1).first?.action == "host.link")
                // A paid booking and a payout show in the host's own menu.
                let hold = try await h.store.createHold(
                    try Booking.hold(hostID: host.id!, userID: TelegramUserID(77), start: BotHarness.start.adding(days: 1), minutes: 30,
                                     pricePerMinute: host.pricePerMinute.money, commission: .standard, now: h.clock.now, holdMinutes: 30),
                    bufferMinutes: 0, maxLiveHolds: .max)
                _ = try await h.store.apply(.paymentConfirmed(method: "stripe", at: h.clock.now), to: hold.id!)
                _ = try await h.store.recordPayout(hostID: host.id!, amount: Money(minorUnits: 5_000, currency: .usd), reference: nil,
                                                   recordedBy: TelegramUserID(9001), at: h.clock.now)
                await h.fake.sendText("/host", from: anna)
                let menu = try await h.expectLast(anna.id, contains: "estás en línea")
                #expect(menu.text?.contains("Ganado $105.00 · pagado $50.00 · pendiente $55.00") == true)
                #expect(menu.text?.contains("jue 26 nov, 09:00–09:30 (Europe/Madrid) · $105.00") == true)
                try await h.tap("⚫ Desconectarme", as: anna)
                try await h.expectLast(anna.id, contains: "estás desconectado")
                #expect(try await h.store.hosts(listedOnly: true).map(\.status) == [.offline], "still listed, shown offline")
                let audit = try #require(try await h.store.auditLog(limit: 1).first)
                #expect(audit.role == "host")
                #expect(audit.before == "online")
                #expect(audit.after == "offline")
            }
        }
    }
}
