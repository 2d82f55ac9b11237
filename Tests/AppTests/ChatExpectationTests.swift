import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// The chat as people expect it (issue 12): the time zone asked once before the first day picker and changeable
/// on every screen with times; /toggle_status and /edit_model pickers that act on the chosen host; the host's
/// own share link; no copies of a host's photo when going back and forth. Through the real server and the fake
/// Bot API, in both languages where the words change.
@Suite("What people expect of the chat", .serialized)
struct ChatExpectationTests {
    static let env = ["ADMIN_TELEGRAM_IDS": "9501", "STARS_PER_USD": "50"]

    static func labels(_ h: BotHarness, _ message: Message) -> [String] { h.fake.buttonLabels(of: message).flatMap { $0 } }

    @Test(arguments: [("en", "en-GB", "new york", "America/New_York"), ("es", "es-CO", "bogotá", "America/Bogota")])
    func theZoneIsAskedOnceBeforeTheFirstDayPickerAndChangeableOnEveryScreenWithTimes(
        language: String, code: String, city: String, zone: String
    ) async throws {
        let es = language == "es"
        let user = User(id: 9510, firstName: "Ana", languageCode: code)
        try await BotHarness.with { h in
            try await h.addHost()
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/book_private_call", from: user)
                try await h.expectLast(user.id, contains: "Anna")
                try await h.tap("🟢 Anna · $5.00/min", as: user)
                try await h.tap(es ? "📅 Reservar llamada" : "📅 Book a call", as: user)
                // The likely zones first: the host's, then the one of the language's region, then the language's.
                let question = try await h.expectLast(user.id, contains: es ? "¿en qué zona horaria estás?" : "which time zone are you in?")
                let offered = Self.labels(h, question)
                #expect(Array(offered.prefix(2)) == (es ? ["Europe/Madrid", "America/Bogota"] : ["Europe/Madrid", "Europe/London"]))
                #expect(offered.contains("UTC"), "the default and UTC are always there")
                #expect(try await h.store.user(TelegramUserID(user.id))?.zone == nil, "asking changes nothing")
                // A typed city is enough; the day picker follows, in that zone.
                await h.fake.sendText(city, from: user)
                let days = try await h.expectLast(user.id, contains: "(\(zone))")
                #expect(days.text?.hasPrefix(es ? "✅ Zona horaria cambiada a \(zone)." : "✅ Time zone set to \(zone).") == true)
                #expect(Self.labels(h, days).contains("🌍 \(zone) · \(es ? "cambiar" : "change")"))
                #expect(try await h.store.user(TelegramUserID(user.id))?.zone?.identifier == zone)
                // Times and lengths carry the button too.
                try await h.tap(try #require(h.fake.buttonLabels(of: days).first?.first), as: user)
                let times = try await h.expectLast(user.id, contains: es ? "Elige la hora de inicio" : "Pick a start time")
                #expect(Self.labels(h, times).contains("🌍 \(zone) · \(es ? "cambiar" : "change")"))
                try await h.tap(try #require(h.fake.buttonLabels(of: times).first?.first), as: user)
                let lengths = try await h.expectLast(user.id, contains: es ? "¿Cuánto debe durar" : "How long should")
                #expect(Self.labels(h, lengths).contains("🌍 \(zone) · \(es ? "cambiar" : "change")"))
                // Changing it there comes back to the day picker, in the new zone.
                try await h.tap("🌍 \(zone) · \(es ? "cambiar" : "change")", as: user)
                let picker = try await h.expectLast(user.id, contains: es ? "Elige tu zona horaria" : "Pick your time zone")
                #expect(Self.labels(h, picker).contains("✓ " + zone.replacingOccurrences(of: "_", with: " ")))
                try await h.tap("UTC", as: user)
                let again = try await h.expectLast(user.id, contains: es ? "elige un día" : "pick a day")
                #expect(again.text?.hasPrefix(es ? "✅ Zona horaria cambiada a UTC." : "✅ Time zone set to UTC.") == true)
                #expect(again.text?.contains("(UTC)") == true)
                // Asked once: the next booking goes straight to the days.
                try await h.tap(es ? "⬅️ Atrás" : "⬅️ Back", as: user)
                try await h.tap(es ? "📅 Reservar llamada" : "📅 Book a call", as: user)
                try await h.expectLast(user.id, contains: es ? "elige un día" : "pick a day")
                #expect(try await h.store.user(TelegramUserID(user.id))?.zone == .utc)
            }
        }
    }

    @Test(arguments: ["en", "es"])
    func toggleStatusAndEditModelActOnThePickedHost(language: String) async throws {
        let es = language == "es"
        let admin = User(id: 9501, firstName: "Ada", languageCode: language)
        let user = User(id: 9511, firstName: "Eve", languageCode: language)
        try await BotHarness.with { h in
            let anna = try await h.addHost()
            try await h.addHost("bea_host", name: "Bea", status: .offline)
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/toggle_status", from: user)
                try await h.expectLast(user.id, contains: es ? "solo para administradores" : "for admins only")

                await h.fake.sendText("/toggle_status", from: admin)
                let picker = try await h.expectLast(admin.id, contains: es ? "En línea / desconectado" : "Online / offline")
                #expect(Self.labels(h, picker).prefix(2) == ["🟢 Anna (@anna_host) → ⚫", "⚫ Bea (@bea_host) → 🟢"])
                try await h.tap("🟢 Anna (@anna_host) → ⚫", as: admin)
                let toggled = try await h.expectLast(admin.id, contains: es ? "✅ Anna ahora está desconectado." : "✅ Anna is now offline.")
                #expect(Self.labels(h, toggled).contains("⚫ Anna (@anna_host) → 🟢"))
                #expect(try await h.store.host(anna.id!)?.status == .offline)
                let audit = try #require(try await h.store.auditLog(limit: 1).first)
                #expect(audit.action == "host.status" && audit.before == "online" && audit.after == "offline")
                try await h.tap("⚫ Bea (@bea_host) → 🟢", as: admin)
                try await h.expectLast(admin.id, contains: es ? "✅ Bea ahora está en línea." : "✅ Bea is now online.")
                #expect(try await h.store.hosts(listedOnly: false).map(\.status) == [.offline, .online])

                await h.fake.sendText("/edit_model", from: admin)
                try await h.expectLast(admin.id, contains: es ? "Editar un anfitrión" : "Edit a host")
                try await h.tap("✏️ Bea (@bea_host)", as: admin)
                try await h.expectLast(admin.id, contains: es ? "Bea (@bea_host) — ¿qué quieres cambiar?" : "Bea (@bea_host) — what do you want to change?")
                try await h.tap(es ? "✏️ Precio" : "✏️ Price", as: admin)
                await h.fake.sendText("6", from: admin)
                try await h.expectLast(admin.id, contains: "$6.00/min")
                let bea = try #require(try await h.store.host(username: TelegramUsername(parsing: "bea_host")))
                #expect(bea.pricePerMinute.money == Money(minorUnits: 600, currency: .usd))
                #expect(try await h.store.host(anna.id!)?.pricePerMinute.money == Money(minorUnits: 500, currency: .usd), "only the picked host")
            }
        }
    }

    /// Going from a host's photo profile to the day picker and back, again and again, leaves one copy of the photo.
    @Test func goingBackToAProfileNeverLeavesCopiesOfThePhoto() async throws {
        let user = User(id: 9512, firstName: "Ana", languageCode: "en")
        try await BotHarness.with { h in
            let host = try await h.addHost()
            await h.fake.registerFile("AgAD-anna")
            _ = try await h.store.addPhoto(hostID: host.id!, fileID: "AgAD-anna", caption: nil, at: h.clock.now)
            try await h.run(Self.env) { _ in
                await h.fake.sendText("/book_private_call", from: user)
                try await h.expectLast(user.id, contains: "Anna")
                try await h.tap("🟢 Anna · $5.00/min", as: user)
                try await h.tap("📅 Book a call", as: user)
                try await h.tap("Europe/Madrid", as: user)
                for _ in 0..<3 {
                    try await h.expectLast(user.id, contains: "pick a day")
                    try await h.tap("⬅️ Back", as: user)
                    let profile = try await h.expectLast(user.id, contains: "Film & books")
                    #expect(profile.photo?.first?.fileId == "AgAD-anna")
                    try await h.tap("📅 Book a call", as: user)
                }
                try await h.expectLast(user.id, contains: "pick a day")
                let photos = await h.fake.messages(chat: user.id).filter { $0.photo != nil }
                #expect(photos.isEmpty, "the profile's photo was replaced by the day picker, not left behind")
                try await h.tap("⬅️ Back", as: user)
                try await h.expectLast(user.id, contains: "Film & books")
                #expect(await h.fake.messages(chat: user.id).filter { $0.photo != nil }.count == 1)
                #expect(await h.fake.calls("deleteMessage").count == 4)
            }
        }
    }
}

/// Host accounts are linked by a one-time invite the admin forwards: the first account that opens it becomes the
/// host's; the same link forwarded on and opened by another account is refused, as is an expired, replaced or
/// made-up one.
@Suite("Host invites", .serialized)
struct HostInviteTests {
    static let admin = User(id: 9501, firstName: "Ada", languageCode: "en")

    /// The token of the newest invite link shown to the admin.
    static func inviteToken(_ h: BotHarness) async throws -> String {
        let shown = try await h.expectLast(admin.id, contains: "start=invite_")
        let text = try #require(shown.text)
        let start = try #require(text.range(of: "https://t.me/privatecalls_test_bot?start=invite_"))
        return String(text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test(arguments: ["en", "es"])
    func theFirstAccountToOpenTheInviteBecomesTheHostAndNoOtherCan(language: String) async throws {
        let es = language == "es"
        let anna = User(id: 9520, firstName: "Anna", username: "someone_else", languageCode: language)
        let eve = User(id: 9521, firstName: "Eve", username: "anna_host", languageCode: language)
        try await BotHarness.with { h in
            let host = try await h.addHost()
            try await h.addHost("bea_host", name: "Bea")
            try await h.run(ChatExpectationTests.env) { _ in
                await h.fake.sendText("/view_models_list", from: Self.admin)
                try await h.expectLast(Self.admin.id, contains: "Hosts")
                try await h.tap("🟢 Anna (@anna_host)", as: Self.admin)
                try await h.tap("🔗 Invite link for the host", as: Self.admin)
                let first = try await Self.inviteToken(h)
                // A second link for the same host replaces the first.
                try await h.tap("🔗 Invite link for the host", as: Self.admin)
                let token = try await Self.inviteToken(h)
                #expect(token != first && token.count >= 32)

                await h.fake.sendText("/start invite_\(first)", from: anna)
                try await h.expectLast(anna.id, contains: es ? "caducó o fue sustituido" : "has expired or was replaced")
                // Having the host's username is not enough either.
                await h.fake.sendText("/host", from: eve)
                try await h.expectLast(eve.id, contains: es ? "Este menú es para anfitriones" : "This menu is for hosts")

                await h.fake.sendText("/start invite_\(token)", from: anna)
                let welcome = try await h.expectLast(anna.id, contains: es ? "es ahora la cuenta de anfitrión de Anna" : "is now the host account of Anna")
                #expect(welcome.text?.contains("https://t.me/privatecalls_test_bot?start=host_anna_host") == true, "the host's share link")
                #expect(try await h.store.host(host.id!)?.telegramUserID == TelegramUserID(anna.id))
                // Opened again by the same account: still theirs, their menu.
                await h.fake.sendText("/start invite_\(token)", from: anna)
                try await h.expectLast(anna.id, contains: "🎙 Anna")

                // Forwarded and opened by someone else: refused, nothing changes.
                await h.fake.sendText("/start invite_\(token)", from: eve)
                try await h.expectLast(eve.id, contains: es ? "Otra cuenta ya usó este enlace" : "already used by another account")
                await h.fake.sendText("/host", from: eve)
                try await h.expectLast(eve.id, contains: es ? "Este menú es para anfitriones" : "This menu is for hosts")
                #expect(try await h.store.host(host.id!)?.telegramUserID == TelegramUserID(anna.id))

                // Made up: not valid. Anna cannot also become Bea.
                await h.fake.sendText("/start invite_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", from: eve)
                try await h.expectLast(eve.id, contains: es ? "no es válido" : "is not valid")
                await h.fake.sendText("/view_models_list", from: Self.admin)
                try await h.expectLast(Self.admin.id, contains: "Hosts")
                try await h.tap("🟢 Bea (@bea_host)", as: Self.admin)
                try await h.tap("🔗 Invite link for the host", as: Self.admin)
                let bea = try await Self.inviteToken(h)
                await h.fake.sendText("/start invite_\(bea)", from: anna)
                try await h.expectLast(anna.id, contains: es ? "ya es la cuenta de anfitrión de <b>Anna</b>".replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: "")
                                                             : "already the host account of Anna")
                // Seven days later the unused invite has expired.
                h.clock.advance(minutes: 7 * 24 * 60 + 1)
                await h.fake.sendText("/start invite_\(bea)", from: eve)
                try await h.expectLast(eve.id, contains: es ? "caducó o fue sustituido" : "has expired or was replaced")
                #expect(try await h.store.host(username: TelegramUsername(parsing: "bea_host"))?.telegramUserID == nil)
                let links = try await h.store.auditLog(limit: 20).filter { $0.action == "host.link" }
                #expect(links.count == 1)
            }
        }
    }
}
