import AsyncHTTPClient
import Domain
import FakeStripe
import FakeTelegram
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Storage
import Telegram
import Testing

@testable import App

/// A host's private feed, `PUBLIC_URL/calendar/<token>.ics`, fetched over HTTP from the running server and read by
/// Python's icalendar: only paid calls; a reschedule keeps the UID with a new time and a higher SEQUENCE; a
/// cancellation stays as STATUS:CANCELLED; a wrong token is a bare 404; the token reaches no log line, at trace.
@Suite("Hosts' calendar feeds, end to end", .serialized, .enabled(if: Peers.shouldRun))
struct CalendarFeedTests {
    let anna = User(id: 7900, firstName: "Anna", username: "anna_host", languageCode: "en")

    struct Fetched {
        var status: Int
        var contentType: String?
        var body: [UInt8]
    }

    static func get(_ url: String) async throws -> Fetched {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Fetched(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"), body: Array(buffer: body))
    }

    /// A harness whose store, like the server, logs into `logs` at trace.
    static func harness(logs: LogCapture) async throws -> BotHarness {
        let fake = try await FakeBotAPI.start()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pc-feed-\(UUID().uuidString).sqlite").path
        let store = try await StoreFactory.open(.sqlite(path: path), logger: logs.logger)
        try await store.migrate()
        return BotHarness(fake: fake, store: store, clock: TestClock(BotHarness.start), path: path)
    }

    /// The server on `port` with PUBLIC_URL pointing at it, logging into `logs`.
    static func serve(_ h: BotHarness, port: Int, logs: LogCapture, _ body: @Sendable () async throws -> Void) async throws {
        try await h.serve(["PORT": String(port), "PUBLIC_URL": "http://127.0.0.1:\(port)", "STARS_PER_USD": "50"], logger: logs.logger, body)
    }

    @Test func theFeedShowsPaidCallsFollowsAMoveAndACancellationAndKeepsItsTokenOutOfLogs() async throws {
        let logs = LogCapture()
        try await BotHarness.using(try await Self.harness(logs: logs)) { h in
            let anna = self.anna
            try await h.addHost(zone: "America/Bogota")
            var host = try #require(try await h.store.host(HostID(1)))
            host.telegramUserID = TelegramUserID(anna.id)
            try await h.store.updateHost(host, at: h.clock.now)
            // #1 paid (Fri 27 Nov 18:00 Madrid = 17:00 UTC); #2 an unpaid hold; #3 a hold released unpaid.
            try await CancellationFlowTests.paidBooking(h, user: 7801, start: CancellationFlowTests.madrid(day: 2, hour: 18), method: "stars", reference: nil)
            for day in [3, 4] {
                let hold = try Booking.hold(hostID: HostID(1), userID: TelegramUserID(7802), start: CancellationFlowTests.madrid(day: day, hour: 18),
                                            minutes: 30, pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                            now: h.clock.now, holdMinutes: 30)
                let id = try #require(try await h.store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id)
                if day == 4 { _ = try await h.store.apply(.cancelled(by: .user, refund: false, at: h.clock.now), to: id) }
            }
            let port = try TelegramWebhookTests.freePort()
            try await Self.serve(h, port: port, logs: logs) {
                try await h.fake.waitUntil(timeout: .seconds(20)) { await !h.fake.calls("setMyCommands").isEmpty }
                await h.fake.sendText("/host", from: anna)
                let menu = try await h.expectLast(anna.id, contains: "Your private calendar feed")
                let text = menu.text ?? ""
                let pattern = try Regex("http://127\\.0\\.0\\.1:\(port)/calendar/([A-Za-z0-9_-]{43})\\.ics")
                let match = try #require(text.firstMatch(of: pattern))
                let url = String(text[match.range])
                let token = String(url.dropFirst("http://127.0.0.1:\(port)/calendar/".count).dropLast(".ics".count))
                #expect(try await h.store.host(calendarFeedToken: token)?.id == HostID(1))
                await h.fake.sendText("/host", from: anna)
                try await h.fake.waitUntil { await h.messages(anna.id, containing: url).count == 2 }

                // Only the paid call; UTC times; the host's zone and the bot's join link in the entry.
                let first = try await Self.get(url)
                #expect(first.status == 200)
                #expect(first.contentType == "text/calendar; charset=utf-8")
                let feed = try await ICalendarPeer.parse(first.body)
                #expect(feed.name == "PrivateCalls — Anna" && feed.method == "PUBLISH" && feed.version == "2.0")
                #expect(feed.events.count == 1)
                let event = try #require(feed.events.first)
                #expect(event.uid == "booking-1@privatecalls" && event.status == "CONFIRMED")
                #expect(event.start == "2026-11-27T17:00:00+00:00" && event.end == "2026-11-27T18:00:00+00:00" && event.startOffset == 0)
                #expect(event.description.contains("When: Fri 27 Nov, 12:00–13:00 (America/Bogota)"), "\(event.description)")
                #expect(event.url == "https://t.me/privatecalls_test_bot?start=join_1")

                // Moved to Sat 28 Nov 19:00 Madrid: the same entry, its new time, a higher SEQUENCE.
                h.clock.advance(minutes: 10)
                _ = try await h.store.reschedule(BookingID(1), to: TimeRange(start: CancellationFlowTests.madrid(day: 3, hour: 19), minutes: 60),
                                                 bufferMinutes: 0, at: h.clock.now, messages: [])
                let moved = try #require(try await ICalendarPeer.parse(try await Self.get(url).body).events.first)
                #expect(moved.uid == event.uid)
                #expect(moved.start == "2026-11-28T18:00:00+00:00" && moved.end == "2026-11-28T19:00:00+00:00")
                #expect(moved.sequence > event.sequence)

                // Cancelled by the host (refund owed, then settled): still there, as CANCELLED, without a link.
                h.clock.advance(minutes: 10)
                _ = try await h.store.apply(.cancelled(by: .host, refund: true, at: h.clock.now), to: BookingID(1))
                let cancelled = try await ICalendarPeer.parse(try await Self.get(url).body)
                let gone = try #require(cancelled.events.first)
                #expect(cancelled.events.count == 1)
                #expect(gone.uid == event.uid && gone.status == "CANCELLED" && gone.sequence > moved.sequence)
                #expect(gone.start == moved.start && gone.url == nil && gone.summary.hasPrefix("Cancelled:"))
                h.clock.advance(minutes: 10)
                _ = try await h.store.apply(.refundSettled(succeeded: true, at: h.clock.now), to: BookingID(1))
                let refunded = try #require(try await ICalendarPeer.parse(try await Self.get(url).body).events.first)
                #expect(refunded.status == "CANCELLED" && refunded.sequence > gone.sequence)

                // Anything but the token: a bare 404.
                var wrong = Array(token)
                wrong[0] = wrong[0] == "A" ? "B" : "A"
                for path in ["/calendar/\(String(wrong)).ics", "/calendar/\(token)", "/calendar/\(token).ics.ics", "/calendar/short.ics", "/calendar/"] {
                    let answer = try await Self.get("http://127.0.0.1:\(port)\(path)")
                    #expect(answer.status == 404, "\(path)")
                    #expect(answer.body.isEmpty, "\(path)")
                }
            }
            let lines = logs.lines
            #expect(lines.contains { $0.contains("path=/calendar/<token>.ics") && $0.contains("status=200") }, "the feed's requests are logged")
            let stored = try await h.store.calendarFeedToken(hostID: HostID(1), candidate: "unused", at: h.clock.now)
            #expect(stored.count == 43)
            #expect(!lines.contains { $0.contains(stored) }, "the feed token reached a log line")
        }
    }
}
