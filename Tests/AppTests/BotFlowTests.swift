import Domain
import AsyncHTTPClient
import Hummingbird
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif
import FakeTelegram
import Foundation
import HummingbirdTesting
import Storage
import Telegram
import Testing

@testable import App

@Suite("Booking through the bot, end to end", .serialized)
struct BotFlowTests {
    let maria = User(id: 5001, firstName: "María", username: "maria", languageCode: "en")
    let juan = User(id: 5002, firstName: "Juan", username: "juan", languageCode: "es")

    @Test func aUserBooksAHoldThroughEveryScreen() async throws {
        try await BotHarness.with { h in
        try await h.addHost()
        let maria = self.maria
        // Stars as the one payment method (a hold is only made when some method can pay it).
        try await h.run(["STARS_PER_USD": "50"]) { _ in
            await h.fake.sendText("/start", from: maria)
            try await h.expectLast(maria.id, contains: "Welcome to PrivateCalls")
            try await h.tap("📞 Private Calls", as: maria)
            let list = try await h.expectLast(maria.id, contains: "choose a host")
            #expect(list.text?.contains("🟢 Anna · $5.00/min · no reviews yet") == true)
            try await h.tap("🟢 Anna · $5.00/min", as: maria)
            let profile = try await h.expectLast(maria.id, contains: "Film & books <3")
            #expect(profile.text?.contains("Calls of 15–120 min") == true)
            try await h.tap("📅 Book a call", as: maria)
            // Asked once, before the first day picker: the host's zone first, then the language's, the default.
            let question = try await h.expectLast(maria.id, contains: "which time zone are you in?")
            #expect(Array(h.fake.buttonLabels(of: question).flatMap { $0 }.prefix(3)) == ["Europe/Madrid", "America/New York", "Europe/London"])
            try await h.tap("Europe/Madrid", as: maria)
            let dates = try await h.expectLast(maria.id, contains: "pick a day")
            #expect(dates.text?.hasPrefix("✅ Time zone set to Europe/Madrid.") == true)
            #expect(h.fake.buttonLabels(of: dates).first?.first == "Wed 25 Nov")
            try await h.tap("Wed 25 Nov", as: maria)
            let times = try await h.expectLast(maria.id, contains: "Pick a start time (Europe/Madrid)")
            // 09:00 Madrid now; 60 minutes' notice → first start 10:00; last 15-minute start 21:45.
            #expect(h.fake.buttonLabels(of: times).first?.first == "10:00")
            #expect(h.fake.buttonLabels(of: times).flatMap { $0 }.contains("21:45"))
            #expect(!h.fake.buttonLabels(of: times).flatMap { $0 }.contains("09:45"))
            try await h.tap("21:00", as: maria)
            let durations = try await h.expectLast(maria.id, contains: "How long should the call be?")
            // Only lengths that end by 22:00 are offered.
            #expect(h.fake.buttonLabels(of: durations).flatMap { $0 }.filter { $0.contains("min ·") } == [
                "15 min · $75.00", "30 min · $150.00", "45 min · $225.00", "60 min · $300.00",
            ])
            try await h.tap("60 min · $300.00", as: maria)
            let summary = try await h.expectLast(maria.id, contains: "Your booking")
            #expect(summary.text?.contains("Price: 60 × $5.00 = $300.00") == true)
            #expect(summary.text?.contains("Wed 25 Nov, 21:00–22:00 (Europe/Madrid)") == true)
            try await h.tap("💳 Pay $300.00", as: maria)
            let choice = try await h.expectLast(maria.id, contains: "Choose how to pay $300.00")
            #expect(h.fake.buttonLabels(of: choice).flatMap { $0 }.contains("⭐ Telegram Stars"))

            let bookings = try await h.store.bookings(userID: TelegramUserID(maria.id))
            #expect(bookings.count == 1)
            let booking = try #require(bookings.first)
            #expect(booking.status == .pending)
            #expect(booking.time == TimeRange(start: Instant(epochSeconds: 1_795_564_800 + 20 * 3600), minutes: 60))
            #expect(booking.price.total == Money(minorUnits: 30_000, currency: .usd))
            #expect(booking.holdExpiresAt == BotHarness.start.adding(minutes: 30))
            #expect(await h.fake.unansweredCallbackQueries().isEmpty)

            // /my_bookings lists it with a cancel button; cancelling releases the slot.
            await h.fake.sendText("/my_bookings", from: maria)
            try await h.expectLast(maria.id, contains: "awaiting payment")
            try await h.tap("✖️ Cancel #\(booking.id!.rawValue)", as: maria)
            try await h.expectLast(maria.id, contains: "Your booking was cancelled")
            #expect(try await h.store.booking(booking.id!)?.status == .cancelled)
        }
        }
    }

    /// Telegram answering 429 to the edit a button press makes: the update waits for `retry_after` and the
    /// edit is made then — no second message sent to the chat at once, no "something went wrong" alert.
    @Test func a429OnAnEditIsRetriedAfterRetryAfterNotTurnedIntoANewMessage() async throws {
        try await BotHarness.with { h in
        try await h.addHost()
        let maria = self.maria
        try await h.run(["STARS_PER_USD": "50"]) { _ in
            await h.fake.sendText("/start", from: maria)
            try await h.expectLast(maria.id, contains: "Welcome to PrivateCalls")
            let before = await h.fake.messages(chat: maria.id).count
            await h.fake.failNext("editMessageText", chat: maria.id, code: 429, description: "Too Many Requests: retry after 30", retryAfter: 30)
            try await h.fake.tap("📞 Private Calls", as: maria)
            let store = h.store
            try await h.fake.waitUntil {
                (try? await store.inbox(status: .pending))?.contains { $0.lastError?.contains("429") == true } == true
            }
            #expect(await h.fake.messages(chat: maria.id).count == before, "no new message in place of the edit")
            #expect(await h.fake.calls("answerCallbackQuery").isEmpty, "no alert: the retry answers the press")
            h.clock.advance(minutes: 1)
            try await h.expectLast(maria.id, contains: "choose a host")
            #expect(await h.fake.messages(chat: maria.id).count == before, "edited in place")
            let fake = h.fake
            try await fake.waitUntil { await fake.unansweredCallbackQueries().isEmpty }
        }
        }
    }

    @Test func twoUsersRacingForOneSlotGetOneHoldAndOneClearMessage() async throws {
        try await BotHarness.with { h in
        try await h.addHost()
        let (maria, juan) = (self.maria, self.juan)
        try await h.run(["STARS_PER_USD": "50"]) { _ in
            for user in [maria, juan] {
                await h.fake.sendText("/book_private_call", from: user)
                try await h.expectLast(user.id, contains: "Anna")
                try await h.tap("🟢 Anna · $5.00/min", as: user)
                try await h.tap(user.id == maria.id ? "📅 Book a call" : "📅 Reservar llamada", as: user)
                try await h.tap("Europe/Madrid", as: user)
                try await h.tap(user.id == maria.id ? "Wed 25 Nov" : "mié 25 nov", as: user)
                try await h.tap("18:00", as: user)
                try await h.tap("60 min · $300.00", as: user)
            }
            async let a = h.fake.tap("💳 Pay $300.00", as: maria)
            async let b = h.fake.tap("💳 Pagar $300.00", as: juan)
            _ = try await (a, b)
            try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
            let holds = try await h.store.bookings(hostID: HostID(1)).filter { $0.status == .pending }
            #expect(holds.count == 1)
            let winner = try #require(holds.first).userID.rawValue
            let loser = winner == maria.id ? juan : maria
            try await h.expectLast(winner, contains: winner == maria.id ? "Choose how to pay" : "Elige cómo pagar")
            try await h.expectLast(loser.id, contains: loser.id == maria.id ? "someone booked that time" : "alguien reservó esa hora")
        }
        }
    }

    @Test func staleAndForgedButtonsAreAnsweredAndChangeNothing() async throws {
        try await BotHarness.with { h in
        try await h.addHost()
        let maria = self.maria
        // Stars as the one payment method (a hold is only made when some method can pay it).
        try await h.run(["STARS_PER_USD": "50"]) { _ in
            await h.fake.sendText("/start", from: maria)
            let menu = try await h.expectLast(maria.id, contains: "Welcome")
            await h.fake.tapData("zz:1:2", messageId: menu.messageId, as: maria)
            try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
            let answers = try await h.fake.calls("answerCallbackQuery").map { try $0.decode(AnswerCallbackQuery.self) }
            #expect(answers.last?.text == "That button is out of date. Here is a fresh screen.")
            // A pay button for a time that is no longer offered (in the past) creates nothing.
            await h.fake.tapData("p:1:\(BotHarness.start.epochSeconds / 60 - 600):60", messageId: menu.messageId, as: maria)
            try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
            #expect(try await h.store.bookings(userID: TelegramUserID(maria.id)).isEmpty)
            // An unknown command gets the menu.
            await h.fake.sendText("/dance", from: maria)
            try await h.expectLast(maria.id, contains: "I don't know that command")
        }
        }
    }

    @Test func aRestartMidFlowLosesNothingAndUpdatesAreNotHandledTwice() async throws {
        try await BotHarness.with { h in
        try await h.addHost()
        let maria = self.maria
        try await h.run { _ in
            await h.fake.sendText("/book_private_call", from: maria)
            try await h.expectLast(maria.id, contains: "Anna")
            try await h.tap("🟢 Anna · $5.00/min", as: maria)
            try await h.tap("📅 Book a call", as: maria)
            try await h.tap("Europe/Madrid", as: maria)
        }
        let handledBefore = try await h.store.lastHandledUpdateID()
        try await h.run { _ in
            try await h.tap("Wed 25 Nov", as: maria)
            try await h.expectLast(maria.id, contains: "Pick a start time")
        }
        // The second server continued from the stored offset: every update was handled exactly once.
        let sends = await h.fake.calls("sendMessage").count
        #expect(sends == 1) // /book_private_call's reply; every other screen was an edit
        #expect(try await h.store.lastHandledUpdateID() == (handledBefore ?? 0) + 1)
        }
    }

    /// A city as people type it is enough to set the zone, in both languages.
    @Test(arguments: [("en", "🌍 Time zone", "new york", "Time zone set to America/New_York"),
                      ("es", "🌍 Zona horaria", "bogotá", "Zona horaria cambiada a America/Bogota")])
    func aTypedCitySetsTheZone(language: String, button: String, city: String, saved: String) async throws {
        try await BotHarness.with { h in
            let user = User(id: 7599, firstName: "Cleo", languageCode: language)
            try await h.run { _ in
                await h.fake.sendText("/settings", from: user)
                try await h.expectLast(user.id, contains: language == "en" ? "Time zone:" : "Zona horaria:")
                try await h.tap(button, as: user)
                try await h.expectLast(user.id, contains: language == "en" ? "type a city or zone" : "escribe una ciudad o zona")
                await h.fake.sendText("Atlantis", from: user)
                try await h.expectLast(user.id, contains: language == "en" ? "“Atlantis” is not a time zone I know" : "“Atlantis” no es una zona horaria")
                await h.fake.sendText(city, from: user)
                try await h.expectLast(user.id, contains: saved)
            }
        }
    }

    @Test func settingsSwitchLanguageAndTimeZone() async throws {
        try await BotHarness.with { h in
        try await h.addHost()
        let maria = self.maria
        try await h.run { _ in
            await h.fake.sendText("/settings", from: maria)
            try await h.expectLast(maria.id, contains: "Time zone: Europe/Madrid")
            try await h.tap("Español", as: maria)
            try await h.expectLast(maria.id, contains: "Idioma: Español")
            try await h.tap("🌍 Zona horaria", as: maria)
            await h.fake.sendText("Mars/Olympus", from: maria)
            try await h.expectLast(maria.id, contains: "no es una zona horaria")
            await h.fake.sendText("America/Bogota", from: maria)
            try await h.expectLast(maria.id, contains: "Zona horaria cambiada a America/Bogota")
            // Times are now shown in Bogotá: 10:00 Madrid = 04:00 Bogotá, but the host starts at 09:00 Madrid.
            await h.fake.sendText("/book_private_call", from: maria)
            try await h.expectLast(maria.id, contains: "elige un anfitrión")
            try await h.tap("🟢 Anna · $5.00/min", as: maria)
            try await h.tap("📅 Reservar llamada", as: maria)
            try await h.tap("mié 25 nov", as: maria)
            let times = try await h.expectLast(maria.id, contains: "(America/Bogota)")
            #expect(h.fake.buttonLabels(of: times).first?.first == "04:00")
        }
        }
    }
}

@Suite("Telegram webhook mode", .serialized)
struct TelegramWebhookTests {
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func post(port: Int, body: String, secret: String?) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/telegram/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let secret { request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return Int(response.status.code)
    }

    @Test func updatesArriveByWebhookWithTheSecretAndAWrongSecretIsRefused() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let port = try Self.freePort()
            let maria = User(id: 6001, firstName: "Maria", languageCode: "en")
            let env = ["PORT": String(port), "PUBLIC_URL": "http://127.0.0.1:\(port)", "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_SECRET": "s3cret-Token_1"]
            try await h.serve(env) {
                try await h.fake.waitUntil { await h.fake.webhook() != nil }
                let hook = try #require(await h.fake.webhook())
                #expect(hook.url == "http://127.0.0.1:\(port)/telegram/webhook")
                #expect(hook.secretToken == "s3cret-Token_1")
                // Polling is off: getUpdates would conflict with the webhook.
                #expect(await h.fake.calls("getUpdates").isEmpty)

                await h.fake.sendText("/start", from: maria)
                try await h.expectLast(maria.id, contains: "Welcome to PrivateCalls")
                try await h.tap("📞 Private Calls", as: maria)
                try await h.expectLast(maria.id, contains: "choose a host")

                let update = #"{"update_id":999,"message":{"message_id":1,"date":0,"chat":{"id":6001,"type":"private"},"from":{"id":6001,"is_bot":false,"first_name":"M"},"text":"/start"}}"#
                for secret in [nil, "wrong", "s3cret-Token_2"] {
                    let status = try await Self.post(port: port, body: update, secret: secret)
                    #expect(status == 403)
                }
                #expect(try await h.store.markUpdateHandled(999, at: h.clock.now), "a refused update must not be recorded")
                // A redelivered update (same id) is handled once.
                let before = await h.fake.calls("sendMessage").count
                for _ in 0..<2 {
                    let again = #"{"update_id":1000,"message":{"message_id":2,"date":0,"chat":{"id":6001,"type":"private"},"from":{"id":6001,"is_bot":false,"first_name":"M"},"text":"/start"}}"#
                    let status = try await Self.post(port: port, body: again, secret: "s3cret-Token_1")
                    #expect(status == 200)
                }
                try await h.fake.waitUntil { await h.fake.calls("sendMessage").count == before + 1 }
                // Idle: the inbox holds nothing open, so a second handling would have happened by now.
                try await h.inboxIdle()
                #expect(await h.fake.calls("sendMessage").count == before + 1)
                #expect(try await h.store.inbox(status: nil).filter { $0.updateID == 1000 }.count == 1)
            }
        }
    }
}

@Suite("Profiles, galleries and polling", .serialized)
struct BotProfileTests {
    let maria = User(id: 8001, firstName: "María", languageCode: "en")

    @Test func theProfileShowsTheFirstPhotoAndTheGalleryIsAnAlbumInOrder() async throws {
        try await BotHarness.with { h in
            let host = try await h.addHost()
            let id = try #require(host.id)
            for (file, caption) in [("AgAD-first", "One"), ("AgAD-second", "Two & <three>"), ("AgAD-third", nil)] {
                await h.fake.registerFile(file)
                _ = try await h.store.addPhoto(hostID: id, fileID: file, caption: caption, at: h.clock.now)
            }
            let photos = try await h.store.photos(hostID: id)
            try await h.store.reorderPhotos(hostID: id, order: [photos[2].id, photos[0].id, photos[1].id])
            let maria = self.maria
            try await h.run { _ in
                await h.fake.sendText("/book_private_call", from: maria)
                try await h.expectLast(maria.id, contains: "Anna")
                try await h.tap("🟢 Anna · $5.00/min", as: maria)
                let profile = try await h.expectLast(maria.id, contains: "Film & books <3")
                #expect(profile.photo?.first?.fileId == "AgAD-third")
                try await h.tap("🖼 Gallery", as: maria)
                try await h.expectLast(maria.id, contains: "🖼 Anna")
                let album = try #require(try await h.fake.calls("sendMediaGroup").last?.decode(SendMediaGroup.self))
                #expect(album.media.map(\.media) == ["AgAD-third", "AgAD-first", "AgAD-second"])
                #expect(album.media.map(\.caption) == [nil, "One", "Two &amp; &lt;three&gt;"])
                // A button on the photo message sends a new message (a photo caption cannot become a text).
                try await h.tap("📅 Book a call", as: maria)
                try await h.tap("Europe/Madrid", as: maria)
                try await h.expectLast(maria.id, contains: "pick a day")
            }
        }
    }

    @Test func pollingHonoursRetryAfterAndRecoversFromErrors() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let maria = self.maria
            await h.fake.failNext("getUpdates", code: 429, description: "Too Many Requests: retry after 1", retryAfter: 1)
            try await h.run { _ in
                try await h.fake.waitUntil { await h.fake.calls("getUpdates").count >= 2 }
                let polls = await h.fake.calls("getUpdates")
                #expect(polls[0].status == 429)
                let gap = polls[0].at.duration(to: polls[1].at)
                #expect(gap >= .milliseconds(950), "the next getUpdates came \(gap) after a 429 with retry_after 1")
                await h.fake.failNext("getUpdates", code: 502, description: "Bad Gateway")
                await h.fake.sendText("/start", from: maria)
                try await h.expectLast(maria.id, contains: "Welcome to PrivateCalls")
            }
        }
    }
}

@Suite("Host list", .serialized)
struct HostListTests {
    @Test func onlineFirstThenInACallThenOfflinePagedWithRatings() async throws {
        try await BotHarness.with { h in
            let names = ["Bea", "Carla", "Dana", "Eva", "Fina", "Gala"]
            for (i, name) in names.enumerated() {
                try await h.addHost("host_\(name.lowercased())", name: name, price: 100 + Int64(i), status: i == 0 ? .busy : .online)
            }
            try await h.addHost("host_away", name: "Away", status: .offline)
            // Two reviews for Carla (host 2): 5 and 4 → ★ 4.5 (2).
            for (i, rating) in [5, 4].enumerated() {
                var b = try Booking.hold(hostID: HostID(2), userID: TelegramUserID(Int64(90 + i)), start: BotHarness.start.adding(days: -3 + i),
                                         minutes: 30, pricePerMinute: Money(minorUnits: 101, currency: .usd), commission: .standard,
                                         now: BotHarness.start.adding(days: -4), holdMinutes: 30)
                b = try await h.store.createHold(b, bufferMinutes: 0, maxLiveHolds: .max)
                _ = try await h.store.addReview(Review(bookingID: b.id!, hostID: HostID(2), userID: b.userID, rating: rating, text: "great \(i)",
                                                       createdAt: BotHarness.start.adding(minutes: -60 + i)))
            }
            let user = User(id: 8101, firstName: "Ana", languageCode: "en")
            try await h.run { _ in
                await h.fake.sendText("/book_private_call", from: user)
                let page1 = try await h.expectLast(user.id, contains: "Page 1 of 2")
                let labels = h.fake.buttonLabels(of: page1).flatMap { $0 }
                #expect(labels.prefix(5) == ["🟢 Carla · $1.01/min", "🟢 Dana · $1.02/min", "🟢 Eva · $1.03/min", "🟢 Fina · $1.04/min", "🟢 Gala · $1.05/min"])
                #expect(page1.text?.contains("Carla</b>") == false) // parsed text has no tags
                #expect(page1.text?.contains("Carla · $1.01/min · ★ 4.5 (2) · online") == true)
                try await h.tap("Next ▶️", as: user)
                let page2 = try await h.expectLast(user.id, contains: "Page 2 of 2")
                #expect(h.fake.buttonLabels(of: page2).prefix(2) == [["🟡 Bea · $1.00/min"], ["⚫ Away · $5.00/min"]])
                #expect(page2.text?.contains("🟡 Bea · $1.00/min · no reviews yet · in a call") == true)
                #expect(page2.text?.contains("⚫ Away · $5.00/min · no reviews yet · offline") == true)
                try await h.tap("◀️ Previous", as: user)
                try await h.expectLast(user.id, contains: "Page 1 of 2")
                try await h.tap("🟢 Carla · $1.01/min", as: user)
                let profile = try await h.expectLast(user.id, contains: "Latest reviews")
                #expect(profile.text?.contains("★★★★☆ great 1") == true)
                #expect(profile.text?.contains("★★★★★ great 0") == true)
            }
        }
    }

    /// Offline means "not around now", not "hidden": an offline host is listed and can be booked for a later
    /// time, in both languages; a host an admin deactivated is neither listed nor bookable.
    @Test(arguments: [("en", "📅 Book a call", "pick a day"), ("es", "📅 Reservar llamada", "elige un día")])
    func anOfflineHostCanBeBookedForLaterButADeactivatedOneIsGone(language: String, book: String, pickDay: String) async throws {
        try await BotHarness.with { h in
            try await h.addHost("away_host", name: "Away", status: .offline)
            var gone = try await h.addHost("gone_host", name: "Gone")
            gone.isActive = false
            try await h.store.updateHost(gone, at: h.clock.now)
            let user = User(id: 8102, firstName: "Ana", languageCode: language)
            try await h.run(["STARS_PER_USD": "50"]) { _ in
                await h.fake.sendText("/book_private_call", from: user)
                let list = try await h.expectLast(user.id, contains: "Away")
                #expect(!(list.text ?? "").contains("Gone"))
                #expect(list.text?.contains(language == "en" ? "· offline" : "· desconectado") == true)
                try await h.tap("⚫ Away · $5.00/min", as: user)
                try await h.expectLast(user.id, contains: "Film & books")
                try await h.tap(book, as: user)
                try await h.tap("Europe/Madrid", as: user)
                let days = try await h.expectLast(user.id, contains: pickDay)
                #expect(h.fake.buttonLabels(of: days).flatMap { $0 }.count > 2, "days to pick from")
            }
        }
    }

    /// `/model_profile @username` and the deep link `t.me/<bot>?start=host_<username>` open that host's profile;
    /// an unknown or deactivated name says so and shows the list. Both languages.
    @Test(arguments: ["en", "es"])
    func aProfileOpensByUsernameAndByDeepLink(language: String) async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            var gone = try await h.addHost("gone_host", name: "Gone")
            gone.isActive = false
            try await h.store.updateHost(gone, at: h.clock.now)
            let es = language == "es"
            let user = User(id: 8103, firstName: "Ana", languageCode: language)
            try await h.run { _ in
                for command in ["/model_profile @anna_host", "/model_profile anna_host", "/start host_anna_host"] {
                    await h.fake.sendText(command, from: user)
                    let profile = try await h.expectLast(user.id, contains: "Film & books")
                    #expect(h.fake.buttonLabels(of: profile).flatMap { $0 }.contains(es ? "📅 Reservar llamada" : "📅 Book a call"), "\(command)")
                }
                for (command, name) in [("/model_profile @nobody_here", "nobody_here"), ("/start host_gone_host", "gone_host"),
                                        ("/model_profile <b>x</b>", "<b>x</b>")] {
                    await h.fake.sendText(command, from: user)
                    let list = try await h.expectLast(user.id, contains: es ? "No hay ningún anfitrión @\(name)" : "There is no host @\(name)")
                    #expect(h.fake.buttonLabels(of: list).flatMap { $0 }.contains("🟢 Anna · $5.00/min"), "\(command): the list follows")
                }
                await h.fake.sendText("/model_profile", from: user)
                try await h.expectLast(user.id, contains: es ? "elige un anfitrión" : "choose a host")
            }
        }
    }
}
