import AsyncHTTPClient
import Bot
import Domain
import FakeTelegram
import Foundation
import Hummingbird
import LocalServer
import Logging
import NIOCore
import NIOHTTP1
import Storage
import Synchronization
import Telegram
import Testing

@testable import App

/// Three real `privatecalls serve` processes on one PostgreSQL database, 100 users booking and paying with
/// Telegram Stars through the strict fake Bot API, while a random instance is SIGKILLed and restarted every
/// few seconds. In webhook mode the fake POSTs each update to a round-robin proxy in front of the instances and
/// retries on anything but 200, as Telegram does; in polling mode the leader polls and is killed as well.
///
/// Afterwards: every update handled once (its inbox row done, none failed), every paid booking confirmed once
/// (one ledger row, one confirmation notice), exactly one booking per contested slot and no overlap, every outbox
/// message sent — twice only where a kill fell between Telegram accepting it and the database recording it —,
/// and every chat's screens in the order of the user's steps.
@Suite("Chaos: three instances, SIGKILL, 100 users paying", .serialized,
       .enabled(if: BotHarness.Database.postgresURL != nil, "needs PostgreSQL"))
struct ChaosTests {
    static let users = 100
    static let hostNames = ["Anna", "Ben", "Carla", "Dmitri"]

    @Test(arguments: [ChaosRig.Mode.webhook, .polling])
    func everyUpdateOnceEveryPaymentOnceWhileInstancesDie(mode: ChaosRig.Mode) async throws {
        try await BotHarness.using(try await BotHarness.makePostgres()) { h in
            await h.fake.retryWebhookDeliveries(attempts: 200, maxBackoff: .milliseconds(500))
            for (index, name) in Self.hostNames.enumerated() {
                try await h.addHost("chaos_host_\(index)", name: name, price: 500, zone: "UTC", hours: "08:00-20:00")
            }
            let rig = try await ChaosRig.start(h, mode: mode)
            var outcomes: [ChaosUser.Outcome] = []
            let kills: ChaosRig.Kills
            do {
                let chaos = Task { await rig.killAtRandom(seed: mode == .webhook ? 11 : 12) }
                outcomes = try await withThrowingTaskGroup(of: ChaosUser.Outcome.self) { group in
                    for index in 0..<Self.users {
                        group.addTask {
                            // Users arrive over about 20 s, so the kills fall on every stage of the flow.
                            try await Task.sleep(for: .milliseconds(200 * index))
                            return try await ChaosUser(index: index, fake: h.fake, rig: rig).run()
                        }
                    }
                    var all: [ChaosUser.Outcome] = []
                    for try await outcome in group { all.append(outcome) }
                    return all
                }
                chaos.cancel()
                kills = await chaos.value
                try await rig.waitUntilQuiet()
            } catch {
                Issue.record("\(mode): \(error); logs:\n\(rig.logTail(40))")
                await rig.stopAll()
                throw error
            }
            await rig.stopAll()
            try await Self.check(h, rig: rig, outcomes: outcomes, kills: kills, mode: mode)
            try? FileManager.default.removeItem(at: rig.dir)
        }
    }

    static func check(_ h: BotHarness, rig: ChaosRig, outcomes: [ChaosUser.Outcome], kills chaos: ChaosRig.Kills, mode: ChaosRig.Mode) async throws {
        let store = h.store, fake = h.fake
        let kills = chaos.all
        #expect(kills >= 6, "\(mode): the chaos killed \(kills) instances")
        if mode == .polling { #expect(chaos.leaders >= 3, "\(mode): the poller was killed \(chaos.leaders) times") }
        // Every update the users sent was handled, once, and none given up.
        let sent = Set(outcomes.flatMap(\.updates))
        let inbox = try await store.inbox(status: nil)
        let done = Set(inbox.filter { $0.status == .done }.map(\.updateID))
        #expect(sent.subtracting(done).isEmpty, "\(mode): not handled: \(sent.subtracting(done).sorted())")
        #expect(inbox.filter { $0.status == .failed }.isEmpty, "\(mode): given up: \(inbox.filter { $0.status == .failed }.map { "\($0.updateID): \($0.lastError ?? "")" })")
        #expect(try await store.openInboxCount() == 0)
        #expect(try await store.unprocessedStarsPayments(receivedAtOrBefore: WallClock.system.now().adding(minutes: 10)).isEmpty)

        // One winner per contested slot; every payment confirmed once.
        let paid = outcomes.filter(\.paid)
        let slots = Set(outcomes.map(\.slot))
        #expect(paid.count == slots.count, "\(mode): \(paid.count) users paid for \(slots.count) slots, each wanted by one or two")
        #expect(Set(paid.map(\.slot)).count == paid.count, "\(mode): two users paid for one slot")
        var confirmed: [Booking] = []
        for host in try await store.hosts(listedOnly: false) {
            let bookings = try await store.bookings(hostID: host.id!).filter { $0.status == .confirmed }
            for (i, a) in bookings.enumerated() {
                for b in bookings[(i + 1)...] { #expect(!a.time.overlaps(b.time), "\(mode): double booking \(a.id!) / \(b.id!)") }
            }
            confirmed += bookings
        }
        #expect(confirmed.count == paid.count, "\(mode): \(confirmed.count) confirmed bookings for \(paid.count) payments")
        for booking in confirmed {
            #expect(try await store.ledger(bookingID: booking.id!).count == 1, "\(mode): booking \(booking.id!) ledger")
        }
        let outbox = try await store.outbox(status: nil)
        #expect(outbox.filter { $0.kind == "booking.confirmed" }.count == paid.count, "\(mode): confirmation notices")
        #expect(await fake.refundedCharges().isEmpty, "\(mode): nothing refunded")
        #expect(try await store.moneyToReturn(openOnly: false).isEmpty, "\(mode): no money to return")

        // Every outbox message sent; twice only for a message whose sender was killed in the moment between
        // Telegram accepting it and the database recording it (it was then claimed again: attempts > 1).
        #expect(outbox.allSatisfy { $0.status == .sent }, "\(mode): outbox \(outbox.filter { $0.status != .sent }.map { "\($0.id) \($0.status)" })")
        let accepted = await fake.calls("sendMessage").filter { $0.status == 200 }.compactMap { try? $0.decode(SendMessage.self) }
        var sends: [String: Int] = [:]
        for call in accepted { sends["\(call.chatId)\u{1}\(call.text)", default: 0] += 1 }
        var twice: [Int64] = []
        for row in outbox {
            guard let message = row.sendMessage else { continue }
            let count = sends["\(message.chatId)\u{1}\(message.text)", default: 0]
            #expect(count >= 1, "\(mode): outbox \(row.id) never reached Telegram")
            if count > 1 {
                twice.append(row.id)
                #expect(row.attempts > 1, "\(mode): outbox \(row.id) sent \(count) times in one claim")
            }
        }
        #expect(twice.count <= kills, "\(mode): \(twice.count) outbox messages sent twice with \(kills) kills")
        rig.report("\(mode): \(kills) kills (\(chaos.leaders) of the poller), \(sent.count) updates, \(paid.count) paid, \(outbox.count) outbox messages (\(twice.count) sent twice: \(twice))")

        // Each chat's screens in the order of the user's steps.
        let calls = await fake.calls()
        for outcome in outcomes {
            let stages = calls.filter { $0.status == 200 }.compactMap { ChaosUser.stage(of: $0, chat: outcome.chat) }
            #expect(stages == stages.sorted(), "\(mode): user \(outcome.chat) saw screens out of order: \(stages)")
        }
    }
}

/// One simulated user: books a given host, day and time (each wanted by two users), pays with Stars.
struct ChaosUser {
    let index: Int
    let fake: FakeBotAPI
    let rig: ChaosRig

    struct Outcome: Sendable {
        let chat: Int64
        let slot: String
        let paid: Bool
        let updates: [Int64]
    }

    var user: User { User(id: 50_000 + Int64(index), firstName: "Chaos \(index)", languageCode: "en") }
    var hostName: String { ChaosTests.hostNames[index % ChaosTests.hostNames.count] }
    /// Day 2, 3 or 4 from today (UTC): never today, whose times run out.
    var dayOffset: Int { 2 + (index / ChaosTests.hostNames.count) % 3 }
    /// Users 0–23 want 08:00, 24–47 10:00, …: each (host, day, time) by two users (but the last four).
    var timeLabel: String { String(format: "%02d:00", 8 + index / 24 * 2) }
    var slot: String { "\(hostName) +\(dayOffset) \(timeLabel)" }

    var dayLabel: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE d MMM"
        return formatter.string(from: Date().addingTimeInterval(Double(dayOffset) * 86_400))
    }

    func run() async throws -> Outcome {
        var updates: [Int64] = []
        let chat = user.id
        func lost() -> Outcome { Outcome(chat: chat, slot: slot, paid: false, updates: updates) }

        // Each answer is looked for from the pressed message on (edited in place, or sent after it): a retry of
        // an earlier update, cut short by a kill, may repeat an earlier screen below it, which is harmless.
        updates.append(await fake.sendText("/book_private_call", from: user))
        var screen = try #require(try await answer(since: 0, expecting: "Private calls"))
        screen = try #require(try await press({ $0.contains(hostName) }, on: screen, expecting: "Calls of", &updates))
        screen = try #require(try await press({ $0 == "📅 Book a call" }, on: screen, expecting: "which time zone", &updates))
        screen = try #require(try await press({ $0 == "UTC" }, on: screen, expecting: "pick a day", &updates))
        // From here on the other user who wants the same slot may take it at any step: then the bot says so.
        guard let times = try await press({ $0 == dayLabel }, on: screen, expecting: "Pick a start time", &updates),
              Self.buttons(of: times).contains(where: { $0.text == timeLabel }),
              let lengths = try await press({ $0 == timeLabel }, on: times, expecting: "How long should the call be?", &updates),
              let summary = try await press({ $0.hasPrefix("15 min") }, on: lengths, expecting: "Your booking", &updates),
              let methods = try await press({ $0 == "💳 Pay $75.00" }, on: summary, expecting: "Choose how to pay", &updates)
        else { return lost() }
        _ = try #require(try await press({ $0 == "⭐ Telegram Stars" }, on: methods, expecting: "Pay 3750 Stars with the invoice above", &updates))

        let invoice = try #require(await fake.calls("sendInvoice").compactMap { try? $0.decode(SendInvoice.self) }.last { $0.chatId == chat })
        let queryID = "chaos-pcq-\(index)"
        updates.append(await fake.sendPreCheckoutQuery(PreCheckoutQuery(id: queryID, from: user, currency: "XTR", totalAmount: 3750,
                                                                        invoicePayload: invoice.payload)))
        let fake = self.fake
        try await wait("the pre-checkout answer") { !(await fake.unansweredPreCheckoutQueries().contains(queryID)) }
        let answer = try #require(await fake.calls("answerPreCheckoutQuery").compactMap { try? $0.decode(AnswerPreCheckoutQuery.self) }
            .first { $0.preCheckoutQueryId == queryID })
        #expect(answer.ok, "user \(index): pre-checkout refused: \(answer.errorMessage ?? "")")
        updates.append(await fake.sendSuccessfulPayment(SuccessfulPayment(
            currency: "XTR", totalAmount: 3750, invoicePayload: invoice.payload, telegramPaymentChargeId: "chaos-charge-\(index)",
            providerPaymentChargeId: ""), from: user))
        try await wait("the confirmation") { await fake.messages(chat: chat).contains { $0.text?.contains("Payment received") == true } }
        return Outcome(chat: chat, slot: slot, paid: true, updates: updates)
    }

    // MARK: Reading the chat

    static let taken = ["no longer free", "someone booked that time", "No free times"]

    static func buttons(of message: Message) -> [InlineKeyboardButton] {
        message.replyMarkup?.inlineKeyboard.flatMap { $0 }.filter { $0.callbackData != nil } ?? []
    }

    /// Presses the first matching button of `message` and waits for the answer.
    func press(_ matches: (String) -> Bool, on message: Message, expecting: String, _ updates: inout [Int64]) async throws -> Message? {
        let buttons = Self.buttons(of: message)
        let button = try #require(buttons.first { matches($0.text) }, "user \(index): no such button in \(buttons.map(\.text))")
        updates.append(await fake.tapData(button.callbackData!, messageId: message.messageId, as: user))
        return try await answer(since: message.messageId, expecting: expecting)
    }

    /// Waits for a bot message from `since` on that shows `expecting` — or says the time was taken (nil).
    func answer(since: Int64, expecting: String) async throws -> Message? {
        let fake = self.fake, chat = user.id
        @Sendable func found() async -> Message? {
            await fake.messages(chat: chat).last { m in
                guard m.messageId >= since, let text = m.text else { return false }
                return text.contains(expecting) || Self.taken.contains { text.contains($0) }
            }
        }
        try await wait("“\(expecting)”") { await found() != nil }
        let message = try #require(await found())
        return Self.taken.contains { message.text?.contains($0) == true } ? nil : message
    }

    func wait(_ what: String, _ condition: @escaping @Sendable () async -> Bool) async throws {
        do {
            try await fake.waitUntil(timeout: ChaosRig.stepTimeout, condition)
        } catch {
            let last = await fake.lastMessage(chat: user.id)
            let rows = ((try? await rig.harness.store.inbox(status: nil)) ?? []).filter { $0.chatID == user.id }
                .map { "\($0.updateID) \($0.status) attempts \($0.attempts) by \($0.claimedBy ?? "-") until \($0.claimedUntil.map { "\($0)" } ?? "-") \($0.lastError ?? "")" }
            let calls = await fake.calls().filter { String(decoding: $0.body, as: UTF8.self).contains("\(user.id)") }.suffix(6)
                .map { "\($0.method) \($0.status) \($0.error ?? "")" }
            Issue.record("""
                user \(index): waited for \(what); last message “\(last?.text ?? "none")” \(last.map(fake.buttonLabels) ?? [])
                inbox: \(rows)
                calls: \(calls)
                pending at the fake: \(await fake.pendingUpdateIds().suffix(10))
                """)
            throw error
        }
    }

    /// Which step of the flow a Bot API call to this chat shows (nil: not a screen of the flow, or another chat).
    static func stage(of call: RecordedCall, chat: Int64) -> Int? {
        let text: String
        switch call.method {
        case "sendMessage":
            guard let p = try? call.decode(SendMessage.self), p.chatId == chat else { return nil }
            text = p.text
        case "editMessageText":
            guard let p = try? call.decode(EditMessageText.self), p.chatId == chat else { return nil }
            text = p.text
        case "sendInvoice":
            guard let p = try? call.decode(SendInvoice.self), p.chatId == chat else { return nil }
            return 8
        default: return nil
        }
        let stages: [(String, Int)] = [
            ("someone booked that time", 7), ("no longer free", 7),
            ("Private calls", 1), ("📅 <b>", 3), ("Pick a start time", 4), ("How long should the call be?", 5),
            ("<b>Your booking</b>", 6), ("Choose how to pay", 7), ("with the invoice above", 8), ("Payment received", 9),
        ]
        return stages.first { text.contains($0.0) }?.1
    }
}

/// Three `privatecalls serve` processes (fixed ports, so a restarted one is found again) on one PostgreSQL
/// database; in webhook mode, a round-robin proxy in front of them is the webhook URL.
final class ChaosRig: Sendable {
    enum Mode: String, CustomTestStringConvertible, Sendable {
        case webhook, polling
        var testDescription: String { rawValue }
    }

    static let stepTimeout: Duration = .seconds(90)
    static let names = ["one", "two", "three"]

    let harness: BotHarness
    let mode: Mode
    let ports: [Int]
    let dir: URL
    let proxy: RoundRobinProxy?
    private let processes: Mutex<[String: Process]>

    private init(harness: BotHarness, mode: Mode, ports: [Int], dir: URL, proxy: RoundRobinProxy?) {
        self.harness = harness
        self.mode = mode
        self.ports = ports
        self.dir = dir
        self.proxy = proxy
        processes = Mutex([:])
    }

    static func start(_ h: BotHarness, mode: Mode) async throws -> ChaosRig {
        let ports = try names.map { _ in try TelegramWebhookTests.freePort() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pc-chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let proxy = mode == .webhook ? try await RoundRobinProxy.start(backends: ports) : nil
        let rig = ChaosRig(harness: h, mode: mode, ports: ports, dir: dir, proxy: proxy)
        for name in names { try rig.launch(name) }
        return rig
    }

    func environment(_ name: String) -> [String: String] {
        let index = Self.names.firstIndex(of: name)!
        var env = [
            "PATH": "/usr/bin:/bin", "DATABASE_URL": harness.path, "PORT": String(ports[index]), "TELEGRAM_BOT_TOKEN": harness.fake.token,
            "TELEGRAM_API_URL": harness.fake.baseURL, "TELEGRAM_POLL_TIMEOUT": "1", "INSTANCE_NAME": name, "LOG_LEVEL": "debug",
            "STARS_PER_USD": "50", "SCHEDULER_INTERVAL_SECONDS": "1",
        ]
        if let proxy { env.merge(["TELEGRAM_MODE": "webhook", "PUBLIC_URL": proxy.baseURL]) { _, new in new } }
        return env
    }

    func launch(_ name: String) throws {
        let process = Process()
        guard let binary = ServeProcessTests.binary else { throw ChaosError.noBinary }
        process.executableURL = binary
        process.arguments = ["serve"]
        process.environment = environment(name)
        process.currentDirectoryURL = dir
        let log = dir.appendingPathComponent("\(name).log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        processes.withLock { $0[name] = process }
    }

    struct Kills: Sendable {
        var all = 0
        /// Kills of the instance that held the poller's lease.
        var leaders = 0
    }

    /// Kills an instance every 1–2.5 s and starts it again 0.2–1 s later, until cancelled; in polling mode
    /// every other kill is the current poller.
    func killAtRandom(seed: UInt64) async -> Kills {
        var generator = SplitMix64(seed: seed)
        var kills = Kills()
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(1_000 + Int(generator.next() % 1_500)))
            if Task.isCancelled { break }
            var victim = Self.names[Int(generator.next() % 3)]
            let leader = try? await harness.store.leaseHolder("telegram-poller", at: WallClock.system.now())
            if mode == .polling, kills.all % 2 == 0, let leader { victim = leader }
            guard let process = processes.withLock({ $0[victim] }) else { continue }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills.all += 1
            if victim == leader { kills.leaders += 1 }
            report("killed \(victim)\(victim == leader ? " (the poller)" : "")")
            try? await Task.sleep(for: .milliseconds(200 + Int(generator.next() % 800)))
            do { try launch(victim) } catch { Issue.record("could not restart \(victim): \(error)") }
        }
        return kills
    }

    /// Waits until nothing is left to do: no update open, no message unsent, no Stars payment unprocessed.
    func waitUntilQuiet() async throws {
        let store = harness.store
        try await harness.fake.waitUntil(timeout: .seconds(120)) {
            guard (try? await store.openInboxCount()) == 0, (try? await store.pendingOutboxCount()) == 0 else { return false }
            let kept = try? await store.unprocessedStarsPayments(receivedAtOrBefore: WallClock.system.now().adding(minutes: 10))
            return kept?.isEmpty == true
        }
    }

    /// SIGTERM to every instance, then the proxy.
    func stopAll() async {
        let all = processes.withLock { Array($0.values) }
        for process in all where process.isRunning { process.terminate() }
        for process in all { process.waitUntilExit() }
        await proxy?.stop()
    }

    func report(_ line: String) {
        let url = dir.appendingPathComponent("chaos.txt")
        let data = Data((line + "\n").utf8)
        if let handle = try? FileHandle(forWritingTo: url) {
            handle.seekToEndOfFile()
            handle.write(data)
            try? handle.close()
        } else {
            try? data.write(to: url)
        }
        print("[chaos] \(line)")
    }

    func logTail(_ lines: Int) -> String {
        Self.names.map { name in
            let text = (try? String(contentsOf: dir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
            return "== \(name)\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

enum ChaosError: Error { case noBinary }

/// A small load balancer: each POST goes to the next backend in turn; a backend that refuses the connection
/// (killed, restarting) is skipped for the next one, as nginx does; a request that reached a backend and got
/// no answer is answered 502, and the sender (Telegram) tries again.
final class RoundRobinProxy: Sendable {
    let server: LocalHTTPServer
    var baseURL: String { server.baseURL }

    private init(server: LocalHTTPServer) { self.server = server }

    static func start(backends: [Int]) async throws -> RoundRobinProxy {
        let next = Mutex(0)
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let first = next.withLock { value in
                defer { value += 1 }
                return value
            }
            for offset in 0..<backends.count {
                let port = backends[(first + offset) % backends.count]
                var forward = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(request.uri.path)")
                forward.method = .POST
                for field in request.headers where field.name.canonicalName != "host" && field.name != .contentLength {
                    forward.headers.add(name: field.name.rawName, value: field.value)
                }
                forward.body = .bytes(body)
                do {
                    let response = try await HTTPClient.shared.execute(forward, timeout: .seconds(10))
                    let answer = try await response.body.collect(upTo: 1 << 20)
                    return Response(status: .init(code: Int(response.status.code)), body: .init(byteBuffer: answer))
                } catch {
                    if "\(error)".lowercased().contains("connect") { continue }
                    return Response(status: .badGateway)
                }
            }
            return Response(status: .badGateway)
        }
        return RoundRobinProxy(server: try await LocalHTTPServer.start(router: router, logger: FakeBotAPI.defaultLogger))
    }

    func stop() async { await server.stop() }
}
