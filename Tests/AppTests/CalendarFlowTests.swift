import Domain
import FakeStripe
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// Calendar entries through the real server and the fake Bot API: "📅 Add to calendar" under every confirmation
/// sends the booking's .ics file to its user (the user's zone) or its host (the host's zone), nobody else; hosts'
/// private feeds (CalendarFeedTests). Files are read by Python's icalendar. The harness clock starts on Wed 25 Nov
/// 2026, 09:00 in Madrid; Anna's own zone is Bogotá (Madrid 18:00 = 17:00 UTC = Bogotá 12:00).
@Suite("Calendar files, end to end", .serialized, .enabled(if: Peers.shouldRun))
struct CalendarFlowTests {
    let maria = User(id: 7801, firstName: "María", languageCode: "en")
    let juan = User(id: 7802, firstName: "Juan", languageCode: "es")
    let eve = User(id: 7803, firstName: "Eve", languageCode: "en")
    static let env = ["STARS_PER_USD": "50"]
    static let joinLink = "https://t.me/privatecalls_test_bot?start=join_1"

    static func anna(language: String) -> User { User(id: 7900, firstName: "Anna", username: "anna_host", languageCode: language) }

    /// Anna, in Bogotá, linked to her Telegram account; everyone opens the bot (Telegram delivers nothing to a chat
    /// that never started it), and the bot knows its username (getMe, then setMyCommands).
    static func setUp(_ h: BotHarness, _ users: [User]) async throws {
        try await h.addHost(zone: "America/Bogota")
        var host = try #require(try await h.store.host(HostID(1)))
        host.telegramUserID = TelegramUserID(7900)
        try await h.store.updateHost(host, at: h.clock.now)
        try await h.fake.waitUntil(timeout: .seconds(20)) { await !h.fake.calls("setMyCommands").isEmpty }
        for user in users {
            await h.fake.sendText("/start", from: user)
            try await h.expectLast(user.id, contains: "PrivateCalls")
        }
    }

    /// Books Anna through the bot (`labels`: host, book, day, time, length, pay, Stars) and pays with Stars:
    /// booking #1, confirmed.
    static func bookAndPay(_ h: BotHarness, _ user: User, labels: [String], booked: String) async throws {
        await h.fake.sendText("/book_private_call", from: user)
        try await h.expectLast(user.id, contains: "Anna")
        for label in labels { try await h.tap(label, as: user) }
        await h.fake.sendPreCheckoutQuery(PreCheckoutQuery(id: "pcq-\(user.id)", from: user, currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1"))
        try await h.fake.waitUntil { await h.fake.unansweredPreCheckoutQueries().isEmpty }
        await h.fake.sendSuccessfulPayment(SuccessfulPayment(currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1",
                                                             telegramPaymentChargeId: "stx-\(user.id)", providerPaymentChargeId: ""), from: user)
        try await h.expectLast(user.id, contains: booked)
    }

    /// The newest bot message in `chat` containing `text`, once there is one.
    static func message(_ h: BotHarness, _ chat: Int64, containing text: String) async throws -> Message {
        try await CancellationFlowTests.expectMessage(h, chat, contains: text)
    }

    /// The `.ics` documents sent to `chat`, checked for name and type.
    static func files(_ h: BotHarness, _ chat: Int64, sourceLocation: SourceLocation = #_sourceLocation) async -> [[UInt8]] {
        let documents = await h.fake.documents(chat: chat)
        for document in documents {
            #expect(document.fileName == "privatecall-1.ics", sourceLocation: sourceLocation)
            #expect(document.mimeType == "text/calendar; charset=utf-8", sourceLocation: sourceLocation)
        }
        return documents.map(\.data)
    }

    @Test func confirmationsCarryTheButtonsAndEachSideGetsItsOwnFileThatFollowsAReschedule() async throws {
        try await BotHarness.with { h in
            let (maria, eve, anna) = (self.maria, self.eve, Self.anna(language: "en"))
            try await h.run(Self.env) { _ in
                try await Self.setUp(h, [maria, eve, anna])
                try await Self.bookAndPay(h, maria, labels: ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Fri 27 Nov", "18:00", "60 min · $300.00",
                                                             "💳 Pay $300.00", "⭐ Telegram Stars"], booked: "your call is booked")
                let confirmation = try await Self.message(h, maria.id, containing: "your call is booked")
                #expect(h.fake.buttonLabels(of: confirmation) == [["📅 Add to calendar", "📅 My bookings"]])
                let notice = try await Self.message(h, anna.id, containing: "New booking")
                #expect(h.fake.buttonLabels(of: notice) == [["📅 Add to calendar", "🎙 Host menu"]])

                // The user's file: the booked UTC times, her zone written out, the bot's join link.
                try await h.tap("📅 Add to calendar", as: maria)
                let screen = try await h.expectLast(maria.id, contains: "Open the file above")
                #expect(h.fake.buttonLabels(of: screen) == [["📅 My bookings", "🏠 Menu"]])
                #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
                let userFile = try #require(await Self.files(h, maria.id).first)
                let parsed = try await ICalendarPeer.parse(userFile)
                #expect(parsed.version == "2.0" && parsed.method == "PUBLISH" && parsed.calscale == "GREGORIAN" && parsed.prodid != nil)
                let event = try #require(parsed.events.first)
                #expect(parsed.events.count == 1)
                #expect(event.start == "2026-11-27T17:00:00+00:00" && event.end == "2026-11-27T18:00:00+00:00")
                #expect(event.startOffset == 0 && event.endOffset == 0)
                #expect(String(decoding: userFile, as: UTF8.self).contains("\r\nDTSTART:20261127T170000Z\r\n"))
                #expect(event.uid == "booking-1@privatecalls")
                #expect(event.status == "CONFIRMED")
                #expect(event.url == Self.joinLink)
                #expect(event.summary == "Private call with Anna")
                #expect(event.description.contains("When: Fri 27 Nov, 18:00–19:00 (Europe/Madrid)"), "\(event.description)")
                #expect(event.description.contains("Length: 60 min") && event.description.contains(Self.joinLink))

                // The host's file: the same entry (UID), in her zone.
                try await h.tap("📅 Add to calendar", as: anna)
                let hostScreen = try await h.expectLast(anna.id, contains: "Open the file above")
                #expect(h.fake.buttonLabels(of: hostScreen) == [["🎙 Host menu", "🏠 Menu"]])
                let hostFile = try #require(await Self.files(h, anna.id).first)
                let hostEvent = try #require(try await ICalendarPeer.parse(hostFile).events.first)
                #expect(hostEvent.uid == event.uid && hostEvent.start == event.start && hostEvent.end == event.end)
                #expect(hostEvent.summary == "Private call #1 (60 min)")
                #expect(hostEvent.description.contains("When: Fri 27 Nov, 12:00–13:00 (America/Bogota)"), "\(hostEvent.description)")
                // Without PUBLIC_URL the host menu has no feed to show.
                try await h.tap("🎙 Host menu", as: anna)
                let menu = try await h.expectLast(anna.id, contains: "you are")
                #expect(!(menu.text ?? "").contains("calendar feed"))

                // A stranger's forged press gets no file; nor does the join link lead anywhere for them.
                await h.fake.tapData("ic:1", messageId: 1, as: eve)
                try await h.expectLast(eve.id, contains: "That call is not yours")
                await h.fake.sendText("/start join_1", from: eve)
                try await h.fake.waitUntil { await h.messages(eve.id, containing: "That call is not yours").count == 2 }
                #expect(await h.fake.documents(chat: eve.id).isEmpty)
                // The entry's link is Join for the booking's user (its room opens 15 minutes before the start).
                await h.fake.sendText("/start join_1", from: maria)
                try await h.expectLast(maria.id, contains: "The room for this call is not open")

                // Moved: both notices carry the buttons again; the new file keeps the UID with a higher SEQUENCE.
                h.clock.advance(minutes: 5)
                await h.fake.sendText("/my_bookings", from: maria)
                try await h.expectLast(maria.id, contains: "My bookings")
                for label in ["🔁 Reschedule #1", "Sat 28 Nov", "19:00", "✅ Move it"] { try await h.tap(label, as: maria) }
                let moved = try await Self.message(h, maria.id, containing: "New time:")
                #expect(h.fake.buttonLabels(of: moved) == [["📅 Add to calendar", "📅 My bookings"]])
                // "My bookings" under a notice opens the list below it: the notice stays as it was.
                try await h.tap("📅 My bookings", as: maria)
                try await h.expectLast(maria.id, contains: "#1 ·")
                #expect(await h.fake.messages(chat: maria.id).contains { $0.messageId == moved.messageId && $0.text == moved.text })
                let hostMoved = try await Self.message(h, anna.id, containing: "moved by the user")
                #expect(h.fake.buttonLabels(of: hostMoved) == [["📅 Add to calendar", "🎙 Host menu"]])
                try await h.tap("📅 Add to calendar", as: maria)
                try await h.fake.waitUntil { await Self.files(h, maria.id).count == 2 }
                let movedFile = try #require(await Self.files(h, maria.id).last)
                let again = try #require(try await ICalendarPeer.parse(movedFile).events.first)
                #expect(again.uid == event.uid)
                #expect(again.start == "2026-11-28T18:00:00+00:00" && again.end == "2026-11-28T19:00:00+00:00")
                #expect(again.sequence > event.sequence)

                // Cancelled: the button explains and sends nothing.
                await h.fake.sendText("/my_bookings", from: maria)
                try await h.expectLast(maria.id, contains: "My bookings")
                for label in ["❌ Cancel #1", "✅ Yes, cancel it"] { try await h.tap(label, as: maria) }
                try await Self.message(h, maria.id, containing: "is cancelled")
                try await h.tap("📅 Add to calendar", as: maria)
                try await h.expectLast(maria.id, contains: "Only a confirmed call that has not ended")
                try await h.inboxIdle()
                #expect(await Self.files(h, maria.id).count == 2)
                #expect(await h.fake.calls("sendDocument").count == 3)
            }
        }
    }

    @Test func aSpanishUserAndHostGetSpanishButtonsScreensAndEntries() async throws {
        try await BotHarness.with { h in
            let (juan, anna) = (self.juan, Self.anna(language: "es"))
            try await h.run(Self.env) { _ in
                try await Self.setUp(h, [juan, anna])
                try await Self.bookAndPay(h, juan, labels: ["🟢 Anna · $5.00/min", "📅 Reservar llamada", "Europe/Madrid", "vie 27 nov", "18:00", "60 min · $300.00",
                                                            "💳 Pagar $300.00", "⭐ Telegram Stars"], booked: "tu llamada está reservada")
                let confirmation = try await Self.message(h, juan.id, containing: "tu llamada está reservada")
                #expect(h.fake.buttonLabels(of: confirmation) == [["📅 Añadir al calendario", "📅 Mis reservas"]])
                let notice = try await Self.message(h, anna.id, containing: "Nueva reserva")
                #expect(h.fake.buttonLabels(of: notice) == [["📅 Añadir al calendario", "🎙 Menú de anfitrión"]])

                try await h.tap("📅 Añadir al calendario", as: juan)
                let screen = try await h.expectLast(juan.id, contains: "Abre el archivo de arriba")
                #expect(h.fake.buttonLabels(of: screen) == [["📅 Mis reservas", "🏠 Menú"]])
                let file = try #require(await Self.files(h, juan.id).first)
                let event = try #require(try await ICalendarPeer.parse(file).events.first)
                #expect(event.summary == "Llamada privada con Anna")
                #expect(event.description.contains("Cuándo: vie 27 nov, 18:00–19:00 (Europe/Madrid)"), "\(event.description)")
                #expect(event.description.contains("Duración: 60 min") && event.description.contains("Cómo unirte"))
                #expect(event.start == "2026-11-27T17:00:00+00:00" && event.url == Self.joinLink)

                try await h.tap("📅 Añadir al calendario", as: anna)
                let hostScreen = try await h.expectLast(anna.id, contains: "Abre el archivo de arriba")
                #expect(h.fake.buttonLabels(of: hostScreen) == [["🎙 Menú de anfitrión", "🏠 Menú"]])
                let hostFile = try #require(await Self.files(h, anna.id).first)
                let hostEvent = try #require(try await ICalendarPeer.parse(hostFile).events.first)
                #expect(hostEvent.summary == "Llamada privada #1 (60 min)")
                #expect(hostEvent.description.contains("Cuándo: vie 27 nov, 12:00–13:00 (America/Bogota)"), "\(hostEvent.description)")

                // A Spanish stranger is refused in Spanish.
                let lucia = User(id: 7804, firstName: "Lucía", languageCode: "es")
                await h.fake.sendText("/start", from: lucia)
                try await h.expectLast(lucia.id, contains: "PrivateCalls")
                await h.fake.tapData("ic:1", messageId: 1, as: lucia)
                try await h.expectLast(lucia.id, contains: "Esa llamada no es tuya")
                #expect(await h.fake.documents(chat: lucia.id).isEmpty)
            }
        }
    }
}
