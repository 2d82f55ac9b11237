import AsyncHTTPClient
import FakeTelegram
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Telegram
import Testing

@testable import App

/// Telegram answering 429, 5xx or garbage at start-up does not end the server: the HTTP side runs, /readyz
/// says what is missing, and the bot becomes ready when Telegram recovers.
@Suite("Start-up that survives Telegram", .serialized)
struct StartupResilienceTests {
    enum Fault: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case tooManyRequests, serverError, garbage
        var testDescription: String { rawValue }

        /// How many calls in a row the fake spoils (429s wait Telegram's whole second each).
        var times: Int { self == .tooManyRequests ? 2 : 3 }

        /// What /readyz says about the step meanwhile.
        func problem(_ method: String) -> String {
            switch self {
            case .tooManyRequests: "\(method): 429 retry after 1 s"
            case .serverError: "\(method): 500 Internal Server Error, retry in "
            case .garbage: "\(method): unreadable answer, retry in "
            }
        }

        func inject(on method: String, _ fake: FakeBotAPI) async {
            for _ in 0..<times {
                switch self {
                case .tooManyRequests: await fake.failNext(method, code: 429, description: "Too Many Requests: retry after 1", retryAfter: 1)
                case .serverError: await fake.failNext(method, code: 500, description: "Internal Server Error")
                case .garbage: await fake.garbleNext(method)
                }
            }
        }
    }

    let maria = User(id: 7301, firstName: "María", languageCode: "en")

    static func get(_ port: Int, _ path: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test(arguments: ["getMe", "setMyCommands", "setWebhook"], Fault.allCases)
    func theServerStaysUpAndBecomesReadyWhenTelegramRecovers(method: String, fault: Fault) async throws {
        let maria = self.maria
        try await BotHarness.with { h in
            await fault.inject(on: method, h.fake)
            let port = try TelegramWebhookTests.freePort()
            var env = ["PORT": String(port)]
            if method == "setWebhook" { env.merge(["TELEGRAM_MODE": "webhook", "PUBLIC_URL": "http://127.0.0.1:\(port)"]) { _, b in b } }
            let backoff = StartupBackoff(first: .milliseconds(300), maximum: .milliseconds(600))
            try await h.serve(env, adjust: { $0.telegram?.startupBackoff = backoff }) {
                let expected = fault.problem(method)
                let seen = Mutex<(status: Int, body: String)?>(nil)
                // While Telegram misbehaves: alive, not ready, and saying why.
                try await h.fake.waitUntil(timeout: .seconds(10)) {
                    guard let ready = try? await Self.get(port, "/readyz"), ready.body.contains(expected) else { return false }
                    seen.withLock { $0 = ready }
                    return true
                }
                let notReady = try #require(seen.withLock { $0 })
                #expect(notReady.status == 503)
                #expect(notReady.body.hasPrefix("not ready: telegram ("), "\(notReady.body)")
                let health = try await Self.get(port, "/healthz")
                #expect(health.status == 200 && health.body == "ok\n")
                // Telegram recovers: ready, as before.
                try await h.fake.waitUntil(timeout: .seconds(15)) { (try? await Self.get(port, "/readyz"))?.status == 200 }
                #expect(try await Self.get(port, "/readyz").body == "ready (sqlite)\n")
                let calls = await h.fake.calls(method)
                // Failed: an error answer, or garbage (recorded with its 200 and an error).
                #expect(calls.filter { $0.error != nil }.count == fault.times)
                #expect(calls.contains { $0.status == 200 && $0.error == nil })
                #expect(await h.fake.calls("getMe").filter { $0.status == 200 && $0.error == nil }.count == 1)
                #expect(await h.fake.commands().count == 5)
                #expect(await h.fake.commands(languageCode: "es").count == 5)
                if method == "setWebhook" {
                    #expect(await h.fake.webhook()?.url == "http://127.0.0.1:\(port)/telegram/webhook")
                } else {
                    #expect(await h.fake.webhook() == nil)
                }
                // And the bot answers.
                await h.fake.sendText("/start", from: maria)
                try await h.expectLast(maria.id, contains: "Welcome to PrivateCalls")
            }
        }
    }

    @Test func pollingWaitsForTheTokenCheck() async throws {
        try await BotHarness.with { h in
            await h.fake.failAlways("getMe", code: 502, description: "Bad Gateway")
            let port = try TelegramWebhookTests.freePort()
            let backoff = StartupBackoff(first: .milliseconds(20), maximum: .milliseconds(50))
            try await h.serve(["PORT": String(port)], adjust: { $0.telegram?.startupBackoff = backoff }) {
                try await h.fake.waitUntil { await h.fake.calls("getMe").count >= 3 }
                let ready = try await Self.get(port, "/readyz")
                #expect(ready.status == 503)
                #expect(ready.body.hasPrefix("not ready: telegram (getMe: 502 Bad Gateway, retry in "), "\(ready.body)")
                #expect(ready.body.contains("setMyCommands: pending"), "\(ready.body)")
                // Nothing but getMe was asked while the token is unchecked (the failing getMe calls are what
                // the server did meanwhile, so this is an ordering check, not a wait for absence).
                #expect(Set(await h.fake.calls().map(\.method)) == ["getMe"])
                await h.fake.clearFaults()
                try await h.fake.waitUntil { await !h.fake.calls("getUpdates").isEmpty }
                try await h.fake.waitUntil { (try? await Self.get(port, "/readyz"))?.status == 200 }
            }
        }
    }
}

/// The retry rule itself, without a network.
@Suite("Start-up calls")
struct StartupCallTests {
    final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [TelegramError]
        private(set) var calls = 0
        init(_ errors: [TelegramError]) { self.errors = errors }
        func next() throws(TelegramError) -> Int {
            lock.lock()
            defer { lock.unlock() }
            calls += 1
            if !errors.isEmpty { throw errors.removeFirst() }
            return calls
        }
    }

    static let quick = StartupBackoff(first: .milliseconds(1), maximum: .milliseconds(4))

    @Test func retriesUntilTelegramAnswersAndTellsReadinessWhy() async throws {
        let readiness = TelegramReadiness(expecting: [.getMe, .setMyCommands])
        #expect(readiness.notReady == "telegram (getMe: pending; setMyCommands: pending)")
        let script = Script([.network("connection refused"), .api(code: 503, description: "Service Unavailable"), .decoding("x")])
        let call = StartupCall(readiness: readiness, backoff: Self.quick, logger: .init(label: "test"))
        let result = try await call.run(.getMe) { () throws(TelegramError) in try script.next() }
        #expect(result == 4)
        #expect(readiness.notReady == "telegram (getMe: unreadable answer, retry in 0.004 s; setMyCommands: pending)")
        #expect(!readiness.tokenChecked)
        readiness.done(.getMe)
        #expect(readiness.tokenChecked)
        readiness.done(.setMyCommands)
        #expect(readiness.notReady == nil)
    }

    @Test(arguments: [401, 404])
    func aRejectedTokenIsFatalAtOnce(code: Int) async throws {
        let readiness = TelegramReadiness(expecting: [.getMe])
        let script = Script([.api(code: code, description: code == 401 ? "Unauthorized" : "Not Found")])
        let call = StartupCall(readiness: readiness, backoff: Self.quick, logger: .init(label: "test"))
        do {
            _ = try await call.run(.getMe) { () throws(TelegramError) in try script.next() }
            Issue.record("a \(code) was retried")
        } catch let error as BotStartError {
            #expect(error.description.hasPrefix("TELEGRAM_BOT_TOKEN was rejected by Telegram (getMe: \(code) "))
        }
        #expect(script.calls == 1)
    }

    @Test func waitingForTheTokenCheckEndsWhenItSucceedsOrWhenCancelled() async throws {
        let readiness = TelegramReadiness(expecting: [.getMe])
        let waiter = Task { await readiness.waitUntilTokenChecked(); return readiness.tokenChecked }
        readiness.done(.getMe)
        #expect(await waiter.value)
        let other = TelegramReadiness(expecting: [.getMe])
        let cancelled = Task { await other.waitUntilTokenChecked(); return other.tokenChecked }
        cancelled.cancel()
        #expect(await cancelled.value == false)
    }

    @Test func readinessRoutesSayWhatIsMissing() async throws {
        let router = Router()
        let readiness = TelegramReadiness(expecting: [.getMe])
        readiness.failed(.getMe, problem: "429 retry after 3 s")
        HealthRoutes(readiness: { "sqlite" }, notReady: { readiness.notReady }).register(on: router)
        let app = Application(router: router, logger: .init(label: "test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == "not ready: telegram (getMe: 429 retry after 3 s)\n")
            }
            readiness.done(.getMe)
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ready (sqlite)\n")
            }
        }
    }
}
