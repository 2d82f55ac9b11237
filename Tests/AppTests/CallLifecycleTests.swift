import AsyncHTTPClient
import Domain
import FakeStripe
import FakeTelegram
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization
import Telegram
import TestDatabases
import Testing

@testable import App

/// The call itself, through the real server (`buildApplication`) on the test clock and the fake Bot API:
/// reminders 24 h and 15 min before, the start (booking active, host busy, both links), the end (completed,
/// host online, review prompt) — every message exactly once, also with two server instances on one
/// PostgreSQL database. Jitsi JWTs are verified by pyjwt, Agora tokens parsed by agoraiotools.
@Suite("The call: reminders, start, end", .serialized)
struct CallLifecycleTests {
    static let secret = "0123456789abcdef0123456789abcdef-calls"
    static let jitsi = [
        "JITSI_DOMAIN": "meet.example.org", "JITSI_APP_ID": "privatecalls", "JITSI_APP_SECRET": secret, "JITSI_AUDIENCE": "jitsi",
        "TELEGRAM_WEBHOOK_SECRET": "calls-Secret_1",
    ]
    static let agoraAppID = "970CA35de60c44645bbae8a215061b33"
    static let agoraCertificate = "5CFd2fd1755d40ecb72977518be15d3b"
    static let user = User(id: 7601, firstName: "Lucía", languageCode: "en")
    static let hostAccount = User(id: 7602, firstName: "Anna", username: "anna_host", languageCode: "es")
    /// Friday 2026-11-27 10:00 UTC (11:00 in Madrid): two days and two hours after the harness clock's start.
    static let callStart = BotHarness.start.adding(minutes: 50 * 60)
    static let minutes = 60

    // MARK: The world: a fake Bot API, N server instances (one store each, one database), one test clock

    struct World {
        let fake: FakeBotAPI
        let stores: [any Store]
        let clock: TestClock
        var store: any Store { stores[0] }

        /// Waits until `condition` holds (the scheduler ticks every second of real time).
        func until(_ what: String, _ condition: @escaping @Sendable () async -> Bool) async throws {
            do {
                try await fake.waitUntil(timeout: .seconds(15), condition)
            } catch {
                Issue.record("timed out waiting for \(what)")
                throw error
            }
        }

        /// Bot messages in `chat` whose text contains `text`.
        func messages(_ chat: Int64, containing text: String) async -> [Message] {
            await fake.messages(chat: chat).filter { ($0.text ?? "").contains(text) }
        }

        /// Waits for exactly one such message to have arrived (and fails if more did).
        @discardableResult
        func one(_ chat: Int64, _ text: String) async throws -> Message {
            try await until("“\(text)” in chat \(chat)") { await messages(chat, containing: text).count >= 1 }
            let found = await messages(chat, containing: text)
            #expect(found.count == 1, "“\(text)” arrived \(found.count) times in chat \(chat)")
            return try #require(found.first)
        }

        /// Returns once every instance has run at least two more full ticks: a hold that lapses in the next
        /// tick, then another, must both be expired (a tick expires holds first, so the second one proves the
        /// first tick finished).
        func twoMoreTicks() async throws {
            for round in 0..<2 {
                let start = CallLifecycleTests.callStart.adding(days: 3).adding(minutes: 60 * round)
                let hold = try Booking.hold(
                    hostID: HostID(1), userID: TelegramUserID(CallLifecycleTests.user.id), start: start, minutes: 15,
                    pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: clock.now, holdMinutes: 5)
                let id = try #require(try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id)
                clock.advance(minutes: 5)
                let store = self.store
                try await until("a tick expiring hold \(id)") { (try? await store.booking(id))?.status == .expired }
            }
        }

        func outboxDrained() async throws {
            let store = self.store
            try await until("the outbox to drain") { (try? await store.pendingOutboxCount()) == 0 }
        }

        /// How many outbox rows of each kind (of the booking's messages) were written.
        func outboxKinds() async throws -> [String: Int] {
            var counts: [String: Int] = [:]
            for m in try await store.outbox(status: nil) where m.kind != "hold.expired" { counts[m.kind, default: 0] += 1 }
            return counts
        }

        func hostStatus() async throws -> HostStatus? { try await store.host(HostID(1))?.status }
    }

    static let logger: Logger = {
        var l = Logger(label: "calls-e2e")
        l.logLevel = ProcessInfo.processInfo.environment["E2E_LOG"] == nil ? .error : .debug
        return l
    }()

    /// Runs `instances` servers over `stores` (one each) with the same environment, in webhook mode (the Bot
    /// API delivers updates to the first, like a load balancer would), until `body` returns. The user and
    /// the host write /start first, so their chats exist.
    static func run(_ world: World, env: [String: String], _ body: @Sendable (World) async throws -> Void) async throws {
        var ports: [Int] = []
        for _ in world.stores { ports.append(try TelegramWebhookTests.freePort()) }
        var services: [any Service] = []
        for (index, store) in world.stores.enumerated() {
            let environment = [
                "DATABASE_URL": "unused.sqlite", "PORT": String(ports[index]), "PUBLIC_URL": "http://127.0.0.1:\(ports[0])",
                "TELEGRAM_MODE": "webhook",
                "TELEGRAM_BOT_TOKEN": world.fake.token, "TELEGRAM_API_URL": world.fake.baseURL, "DEFAULT_TIMEZONE": "Europe/Madrid",
                "SCHEDULER_INTERVAL_SECONDS": "1", "INSTANCE_NAME": "instance-\(index)",
            ].merging(env) { _, new in new }
            let configuration = try AppConfiguration.load(environment: environment)
            let random = Mutex(SplitMix64(seed: UInt64(100 + index)))
            services.append(buildApplication(
                configuration: configuration, store: store, clock: world.clock.wall,
                random: RandomSource { random.withLock { $0.next() } }, logger: logger))
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let running = Task { try await group.run() }
        do {
            try await world.until("the webhook") { await world.fake.webhook() != nil }
            await world.fake.sendText("/start", from: user)
            await world.fake.sendText("/start", from: hostAccount)
            try await world.until("both chats") {
                let userChat = await world.fake.messages(chat: user.id), hostChat = await world.fake.messages(chat: hostAccount.id)
                return !userChat.isEmpty && !hostChat.isEmpty
            }
            try await body(world)
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// The host (linked to its Telegram account) and a booking of `minutes` at `start`, held at `heldAt` and
    /// confirmed (paid with Stars, through the store API) at `confirmedAt`.
    @discardableResult
    static func seed(_ store: any Store, start: Instant = callStart, heldAt: Instant, confirmedAt: Instant) async throws -> Booking {
        if try await store.host(HostID(1)) == nil {
            _ = try await store.createHost(Domain.Host(
                username: TelegramUsername(parsing: "anna_host"), displayName: DisplayName(parsing: "Anna"), bio: Bio(parsing: "Films"),
                pricePerMinute: PricePerMinute(Money(minorUnits: 500, currency: .usd)), durations: DurationRange(min: 15, max: 120),
                zone: Zone(identifier: "Europe/Madrid")!, availability: WeeklyAvailability(parsing: "00:00-24:00"),
                telegramUserID: TelegramUserID(hostAccount.id)), at: heldAt)
        }
        let hold = try Booking.hold(
            hostID: HostID(1), userID: TelegramUserID(user.id), start: start, minutes: minutes,
            pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: heldAt, holdMinutes: 30)
        let id = try #require(try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id)
        return try await store.apply(.paymentConfirmed(method: "stars", at: confirmedAt), to: id)
    }

    static func withSQLite(_ body: (World) async throws -> Void) async throws {
        try await BotHarness.with { h in
            try await body(World(fake: h.fake, stores: [h.store], clock: h.clock))
        }
    }

    /// Two stores (two connection pools, as two servers would have) on one fresh PostgreSQL database.
    static func withPostgres(instances: Int, _ body: (World) async throws -> Void) async throws {
        guard let text = ProcessInfo.processInfo.environment["PRIVATECALLS_TEST_POSTGRES_URL"], !text.isEmpty else { return }
        let admin = try PostgresURL(parsing: text)
        let name = "pc_calls_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await adminQuery(admin, "CREATE DATABASE \(name)")
        ThrowawayPostgres.recordMarker(name)
        var url = admin
        url.database = name
        let fake = try await FakeBotAPI.start()
        var stores: [any Store] = []
        do {
            for _ in 0..<instances { stores.append(try await StoreFactory.open(.postgres(url), logger: logger)) }
            for store in stores { try await store.migrate() }
            try await body(World(fake: fake, stores: stores, clock: TestClock(BotHarness.start)))
        } catch {
            for store in stores { await store.close() }
            await fake.stop()
            try? await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
        for store in stores { await store.close() }
        await fake.stop()
        try await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    static func adminQuery(_ url: PostgresURL, _ sql: String) async throws {
        try await ThrowawayPostgres.execute(sql, on: url, logger: logger)
    }

    // MARK: The walk

    /// pyjwt (its clock replaced) checks each token at several moments, with our secret and audience.
    static let verifier = #"""
    import sys, json, datetime as _dt, jwt, jwt.api_jwt as api
    token, secret = sys.argv[1:3]
    out = {"results": []}
    for now in [int(x) for x in sys.argv[3:]]:
        class FakeClock(_dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return _dt.datetime.fromtimestamp(now, tz)
        api.datetime = FakeClock
        try:
            out["claims"] = jwt.decode(token, secret, algorithms=["HS256"], audience="jitsi", issuer="privatecalls",
                                       options={"require": ["exp", "nbf", "aud", "iss", "sub"]})
            out["results"].append("ok")
        except jwt.PyJWTError as error:
            out["results"].append(type(error).__name__)
    try:
        jwt.decode(token, secret + "x", algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False, "verify_aud": False})
        out["wrongSecret"] = "accepted"
    except jwt.PyJWTError as error:
        out["wrongSecret"] = type(error).__name__
    print(json.dumps(out))
    """#

    /// The Jitsi link in a start message, verified by pyjwt: signature, room, nbf = start − 5 min,
    /// exp = end + 10 min grace, moderator only for the host.
    static func checkJitsiLink(_ message: Message, room: String, isHost: Bool, displayName: String) async throws {
        let button = try #require(message.replyMarkup?.inlineKeyboard.first?.first)
        #expect(button.text == (isHost ? "🎥 Unirse" : "🎥 Join"))
        let url = try #require(button.url)
        #expect(url.hasPrefix("https://meet.example.org/\(room)?jwt="))
        let token = String(url.dropFirst("https://meet.example.org/\(room)?jwt=".count))
        guard Peers.shouldRun else { return }
        let nbf = callStart.adding(minutes: -5).epochSeconds
        let exp = callStart.adding(minutes: minutes + 10).epochSeconds
        // (At nbf itself pyjwt would still refuse: the token was issued at the start, and pyjwt refuses an iat
        // in the future; the nbf claim is checked by value below.)
        let output = try await Peers.run(["-c", verifier, token, secret] + [nbf - 1, callStart.epochSeconds, exp - 1, exp].map { String($0) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(object["results"] as? [String] == ["ImmatureSignatureError", "ok", "ok", "ExpiredSignatureError"])
        #expect(object["wrongSecret"] as? String == "InvalidSignatureError")
        let claims = try #require(object["claims"] as? [String: Any])
        #expect(claims["room"] as? String == room)
        #expect(claims["sub"] as? String == "meet.example.org")
        #expect((claims["nbf"] as? NSNumber)?.int64Value == nbf)
        #expect((claims["exp"] as? NSNumber)?.int64Value == exp)
        let context = try #require(claims["context"] as? [String: Any])
        let who = try #require(context["user"] as? [String: Any])
        #expect((who["moderator"] as? NSNumber)?.boolValue == isHost)
        #expect(who["name"] as? String == displayName)
    }

    /// Confirmed two days ahead → 24 h reminder → 15 min reminder → start → end, each message exactly once.
    static func walk(_ world: World) async throws {
        let booking = try await seed(world.store, heldAt: world.clock.now, confirmedAt: world.clock.now)
        let id = try #require(booking.id)
        try await run(world, env: jitsi) { w in
            let user = Self.user.id, host = Self.hostAccount.id
            #expect(try await w.hostStatus() == .online)

            // 24 hours before (the user's reminder in English and Madrid time, the host's in Spanish).
            w.clock.advance(minutes: 26 * 60)
            let day = try await w.one(user, "is in 24 hours")
            #expect(day.text?.contains("Fri 27 Nov, 11:00–12:00 (Europe/Madrid)") == true)
            try await w.one(host, "dentro de 24 horas")
            #expect(await w.messages(user, containing: "starts in 15 minutes").isEmpty)

            // 15 minutes before.
            w.clock.advance(minutes: 24 * 60 - 15)
            try await w.one(user, "starts in 15 minutes")
            try await w.one(host, "empieza en 15 minutos")
            #expect(try await w.store.booking(id)?.status == .confirmed)

            // The start: active, host busy, both links (in one transaction with the transition).
            w.clock.advance(minutes: 15)
            let userLink = try await w.one(user, "is starting now")
            let hostLink = try await w.one(host, "Tu llamada empieza ahora")
            #expect(try await w.store.booking(id)?.status == .active)
            #expect(try await w.hostStatus() == .busy)
            let room = try #require(try await w.store.room(of: id))
            #expect(room.provider == "jitsi" && room.name.count == 26)
            try await checkJitsiLink(userLink, room: room.name, isHost: false, displayName: "Lucía")
            try await checkJitsiLink(hostLink, room: room.name, isHost: true, displayName: "Anna")

            // The end: completed, host online, the review prompt with five star buttons and Skip.
            w.clock.advance(minutes: minutes)
            let prompt = try await w.one(user, "How was your call with Anna?")
            #expect(try await w.store.booking(id)?.status == .completed)
            #expect(try await w.hostStatus() == .online)
            let buttons = w.fake.buttonLabels(of: prompt).flatMap { $0 }
            #expect(buttons == ["⭐", "⭐⭐", "⭐⭐⭐", "⭐⭐⭐⭐", "⭐⭐⭐⭐⭐", "Skip"])
            let data = prompt.replyMarkup?.inlineKeyboard.flatMap { $0 }.compactMap(\.callbackData)
            #expect(data == ["rv:\(id):1", "rv:\(id):2", "rv:\(id):3", "rv:\(id):4", "rv:\(id):5", "rk:\(id)"])

            // More ticks change nothing: every message exactly once, in the Bot API and in the outbox.
            try await w.twoMoreTicks()
            try await w.outboxDrained()
            for (chat, text) in [(user, "is in 24 hours"), (user, "starts in 15 minutes"), (user, "is starting now"),
                                 (user, "How was your call"), (host, "dentro de 24 horas"), (host, "empieza en 15 minutos"),
                                 (host, "Tu llamada empieza ahora")] {
                #expect(await w.messages(chat, containing: text).count == 1, "“\(text)” in chat \(chat)")
            }
            #expect(await w.messages(host, containing: "How was your call").isEmpty)
            #expect(try await w.outboxKinds() == [
                "reminder.24h": 1, "host.reminder.24h": 1, "reminder.15m": 1, "host.reminder.15m": 1,
                "call.link": 1, "host.call.link": 1, "review.prompt": 1,
            ])

            // The review, pressed on the prompt: four stars and a few words; the host's average changes at once.
            #expect(try await w.store.ratingSummaries()[booking.hostID] == nil)
            try await w.fake.tap("⭐⭐⭐⭐", as: Self.user)
            try await w.one(user, "Thank you for the ⭐⭐⭐⭐")
            #expect(try await w.store.ratingSummaries()[booking.hostID] == RatingSummary(averageHundredths: 400, count: 1))
            await w.fake.sendText("Lovely talk", from: Self.user)
            try await w.one(user, "Your review is published")
            #expect(try await w.store.review(bookingID: id)?.text == "Lovely talk")
            await w.fake.sendText("/book_private_call", from: Self.user)
            try await w.one(user, "★ 4.0 (1)")
            // A second press on the (edited) prompt's old data is refused and changes nothing.
            #expect(await w.messages(host, containing: "Thank you").isEmpty)
        }
    }

    @Test func aConfirmedBookingIsRemindedStartedAndEndedWithEveryMessageOnce() async throws {
        try await Self.withSQLite { try await Self.walk($0) }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["PRIVATECALLS_TEST_POSTGRES_URL"]?.isEmpty == false, "needs PostgreSQL"))
    func twoInstancesOnOnePostgreSQLStillSendEveryMessageOnce() async throws {
        try await Self.withPostgres(instances: 2) { try await Self.walk($0) }
    }

    @Test func aCallCaughtUpAfterItsEndIsCompletedWithoutLinksAndPromptedOnce() async throws {
        try await Self.withSQLite { world in
            let id = try #require(try await Self.seed(world.store, heldAt: world.clock.now, confirmedAt: world.clock.now).id)
            try await Self.run(world, env: Self.jitsi) { w in
                // Down from now until after the end: no tick sees the reminders or the start.
                w.clock.advance(minutes: 50 * 60 + Self.minutes + 30)
                try await w.one(Self.user.id, "How was your call with Anna?")
                #expect(try await w.store.booking(id)?.status == .completed)
                #expect(try await w.hostStatus() == .online)
                try await w.twoMoreTicks()
                try await w.outboxDrained()
                #expect(try await w.outboxKinds() == ["review.prompt": 1])
                #expect(await w.messages(Self.user.id, containing: "is starting now").isEmpty)
                #expect(await w.messages(Self.hostAccount.id, containing: "empieza ahora").isEmpty)
            }
        }
    }

    @Test func aReminderMissedDuringDowntimeIsSentOnlyWhileItsNextMilestoneIsAhead() async throws {
        try await Self.withSQLite { world in
            try await Self.seed(world.store, heldAt: world.clock.now, confirmedAt: world.clock.now)
            try await Self.run(world, env: Self.jitsi) { w in
                // Down across the 24 h moment, back 20 minutes before the start: only the 24 h one is due…
                w.clock.advance(minutes: 50 * 60 - 20)
                try await w.one(Self.user.id, "is in 24 hours")
                // …and 15 minutes before, the 15 min one.
                w.clock.advance(minutes: 5)
                try await w.one(Self.user.id, "starts in 15 minutes")
                // Down again across the start: the start is caught up with its links.
                w.clock.advance(minutes: 20)
                try await w.one(Self.user.id, "is starting now")
                try await w.outboxDrained()
                #expect(try await w.outboxKinds()["reminder.24h"] == 1)
            }
        }
    }

    @Test func aReminderWhoseNextMilestonePassedIsSkipped() async throws {
        try await Self.withSQLite { world in
            let id = try #require(try await Self.seed(world.store, heldAt: world.clock.now, confirmedAt: world.clock.now).id)
            try await Self.run(world, env: Self.jitsi) { w in
                // Back 10 minutes before the start: the 24 h reminder is stale, the 15 min one is sent.
                w.clock.advance(minutes: 50 * 60 - 10)
                try await w.one(Self.user.id, "starts in 15 minutes")
                try await w.twoMoreTicks()  // now at the start: the tick that proved itself starts the call after expiring
                let store = w.store
                try await w.until("the call to start") { (try? await store.booking(id))?.status == .active }
                try await w.outboxDrained()
                #expect(await w.messages(Self.user.id, containing: "is in 24 hours").isEmpty)
                #expect(try await w.outboxKinds()["reminder.24h"] == nil)
            }
        }
    }

    @Test func aHostWhoGoesOfflineDuringTheCallStaysOffline() async throws {
        try await Self.withSQLite { world in
            let id = try #require(try await Self.seed(world.store, heldAt: world.clock.now, confirmedAt: world.clock.now).id)
            try await Self.run(world, env: Self.jitsi) { w in
                w.clock.advance(minutes: 50 * 60)
                try await w.one(Self.hostAccount.id, "Tu llamada empieza ahora")
                #expect(try await w.hostStatus() == .busy)
                try await w.store.setHostStatus(HostID(1), .offline, at: w.clock.now)
                w.clock.advance(minutes: Self.minutes)
                try await w.one(Self.user.id, "How was your call with Anna?")
                #expect(try await w.store.booking(id)?.status == .completed)
                #expect(try await w.hostStatus() == .offline)
            }
        }
    }

    @Test func anOfflineHostIsNotMadeBusyAtTheStart() async throws {
        try await Self.withSQLite { world in
            try await Self.seed(world.store, heldAt: world.clock.now, confirmedAt: world.clock.now)
            try await world.store.setHostStatus(HostID(1), .offline, at: world.clock.now)
            try await Self.run(world, env: Self.jitsi) { w in
                w.clock.advance(minutes: 50 * 60)
                try await w.one(Self.user.id, "is starting now")
                #expect(try await w.hostStatus() == .offline)
                w.clock.advance(minutes: Self.minutes)
                try await w.one(Self.user.id, "How was your call with Anna?")
                #expect(try await w.hostStatus() == .offline)
            }
        }
    }

    @Test func aBookingMadeTenMinutesBeforeTheStartGetsNoReminders() async throws {
        try await Self.withSQLite { world in
            let start = world.clock.now.adding(minutes: 10)
            let id = try #require(try await Self.seed(
                world.store, start: start, heldAt: world.clock.now.adding(minutes: -2), confirmedAt: world.clock.now).id)
            try await Self.run(world, env: Self.jitsi) { w in
                try await w.twoMoreTicks()  // 10 minutes pass: the call starts
                try await w.one(Self.user.id, "is starting now")
                #expect(try await w.store.booking(id)?.status == .active)
                try await w.outboxDrained()
                let kinds = try await w.outboxKinds()
                #expect(kinds.keys.filter { $0.contains("reminder") }.isEmpty, "\(kinds)")
                #expect(await w.messages(Self.user.id, containing: "starts in 15 minutes").isEmpty)
            }
        }
    }

    // MARK: Agora

    /// agoraiotools parses the token and re-signs it with the certificate.
    static let agoraParse = #"""
    import sys, json, zlib, base64
    from agoraiotools.AccessToken2 import AccessToken2, AccessToken, ServiceRtc
    token, cert = sys.argv[1:3]
    parsed = AccessToken2()
    assert parsed.from_string(token)
    rtc = parsed._AccessToken__service[ServiceRtc.kServiceType]
    out = {"app_id": parsed._AccessToken__app_id.decode(), "issue_ts": parsed._AccessToken__issue_ts,
           "expire": parsed._AccessToken__expire, "channel": rtc._ServiceRtc__channel_name.decode(),
           "uid": rtc._ServiceRtc__uid.decode(), "privileges": {str(k): v for k, v in rtc._Service__privileges.items()}}
    again = AccessToken(out["app_id"], cert, issue_ts=out["issue_ts"], expire=out["expire"])
    again._AccessToken__salt = parsed._AccessToken__salt
    service = ServiceRtc(out["channel"], out["uid"])
    for k, v in rtc._Service__privileges.items():
        service.add_privilege(k, v)
    again.add_service(service)
    body = lambda t: zlib.decompress(base64.b64decode(t[3:]))
    out["signature_ok"] = body(again.build()) == body(token)
    print(json.dumps(out))
    """#

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// The JSON the join page hands to its script.
    static func pageConfig(_ html: String) throws -> [String: String] {
        let open = #"<script id="call-config" type="application/json">"#
        let start = try #require(html.range(of: open)).upperBound
        let end = try #require(html.range(of: "</script>", range: start..<html.endIndex)).lowerBound
        let object = try JSONSerialization.jsonObject(with: Data(html[start..<end].utf8))
        return try #require(object as? [String: String])
    }

    /// The link with one character of its token changed (still well-formed base64 and URL).
    static func forging(_ url: String) throws -> String {
        let marker = try #require(url.range(of: "&t="))
        let token = try #require(String(url[marker.upperBound...]).removingPercentEncoding)
        var characters = Array(token)
        characters[40] = characters[40] == "A" ? "B" : "A"
        let forged = try #require(String(characters).addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        return String(url[..<marker.upperBound]) + forged
    }

    @Test(.enabled(if: Peers.shouldRun, "\(Peers.skipMessage)"))
    func agoraLinksOpenAJoinPageWithATokenAgoraioToolsAccepts() async throws {
        try await Self.withSQLite { world in
            let id = try #require(try await Self.seed(world.store, heldAt: world.clock.now, confirmedAt: world.clock.now).id)
            let env = ["VIDEO_PROVIDER": "agora", "AGORA_APP_ID": Self.agoraAppID, "AGORA_APP_CERTIFICATE": Self.agoraCertificate,
                       "TELEGRAM_WEBHOOK_SECRET": "calls-Secret_1"]
            try await Self.run(world, env: env) { w in
                w.clock.advance(minutes: 50 * 60 + 2)
                let startedAt = w.clock.now
                try await w.until("the room") { (try? await w.store.room(of: id)) != nil }
                let room = try #require(try await w.store.room(of: id))
                #expect(room.provider == "agora")
                for (chat, role, text) in [(Self.user.id, "user", "is starting now"), (Self.hostAccount.id, "host", "Tu llamada empieza ahora")] {
                    let message = try await w.one(chat, text)
                    let url = try #require(message.replyMarkup?.inlineKeyboard.first?.first?.url)
                    #expect(url.hasPrefix("http://127.0.0.1:") && url.contains("/call/\(id)?p=\(role)&t=007"))
                    let page = try await Self.get(url)
                    #expect(page.status == 200)
                    #expect(page.body.contains("https://download.agora.io/sdk/release/AgoraRTC_N-"))
                    let config = try Self.pageConfig(page.body)
                    #expect(config["appId"] == Self.agoraAppID && config["channel"] == room.name && config["uid"] == String(chat))
                    let token = try #require(config["token"])
                    let parsed = try #require(try JSONSerialization.jsonObject(
                        with: Data(try await Peers.run(["-c", Self.agoraParse, token, Self.agoraCertificate]).utf8)) as? [String: Any])
                    let seconds = startedAt.seconds(until: Self.callStart.adding(minutes: Self.minutes + 10))
                    #expect(parsed["channel"] as? String == room.name)
                    #expect(parsed["uid"] as? String == String(chat))
                    #expect((parsed["issue_ts"] as? NSNumber)?.int64Value == startedAt.epochSeconds)
                    #expect((parsed["expire"] as? NSNumber)?.int64Value == seconds)
                    #expect((parsed["privileges"] as? [String: NSNumber])?.mapValues(\.int64Value) == ["1": seconds, "2": seconds, "3": seconds, "4": seconds])
                    #expect(parsed["signature_ok"] as? Bool == true)

                    // Someone else's role, a forged token: refused with a clear message.
                    let other = role == "user" ? "host" : "user"
                    let wrongRole = try await Self.get(url.replacingOccurrences(of: "p=\(role)", with: "p=\(other)"))
                    #expect(wrongRole.status == 403 && wrongRole.body.contains("This join link is not valid"))
                    let forged = try await Self.get(try Self.forging(url))
                    #expect(forged.status == 403 && forged.body.contains("This join link is not valid"))
                    #expect(!forged.body.contains("call-config"))
                }
                // After the end and the grace, the same link has expired.
                let url = try #require(try await w.one(Self.user.id, "is starting now").replyMarkup?.inlineKeyboard.first?.first?.url)
                w.clock.advance(minutes: Self.minutes + 10)
                let late = try await Self.get(url)
                #expect(late.status == 410 && late.body.contains("expired"))
            }
        }
    }
}
