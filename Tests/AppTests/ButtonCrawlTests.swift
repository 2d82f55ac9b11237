import Bot
import Domain
import FakeTelegram
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import Synchronization
import Telegram
import Testing

@testable import App

/// Log lines at `error` or above, kept for the crawl to assert on (the server must not log an error while users
/// click through it).
final class ErrorLogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    var count: Int { lines.withLock { $0.count } }
    func all() -> [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// A logger whose `error`/`critical` lines land here (and, with E2E_LOG set, are printed too).
    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { label in CapturingLogHandler(label: label, capture: self) }
        logger.logLevel = .error
        return logger
    }
}

/// A `LogHandler` that records every event it is given into an `ErrorLogCapture`.
struct CapturingLogHandler: LogHandler {
    let label: String
    let capture: ErrorLogCapture
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .error

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let line = "[\(event.level)] \(label): \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        capture.append(line)
        if ProcessInfo.processInfo.environment["E2E_LOG"] != nil { print(line) }
    }
}

/// Clicks through the whole bot as four kinds of people would — an English user, a Spanish user, a host with a
/// linked account and an admin — in a seeded world with hosts in three zones and currencies and bookings in every
/// status. A bounded breadth-first crawl presses every callback button it can reach (de-duplicated by
/// callback_data), and at every text-expecting state it reaches it sends wrong answers. After every step: the
/// query was answered, the strict fake accepted every call, no generic failure, no error log, no English in the
/// Spanish chat, URL buttons point at https or PUBLIC_URL, and wrong input changes nothing.
@Suite("Crawling every button as four personas", .serialized)
struct ButtonCrawlTests {
    static let alice = User(id: 6101, firstName: "Alice", username: "alice", languageCode: "en")
    static let lucia = User(id: 6102, firstName: "Lucía", username: "lucia", languageCode: "es")
    static let anna = User(id: 6200, firstName: "Anna", username: "anna_host", languageCode: "en")
    static let admin = User(id: 6900, firstName: "Ada", username: "ada_admin", languageCode: "en")
    /// Not set in `env` (it would switch the bot to a webhook on a port the test server does not listen on); URL
    /// buttons must be https or point here.
    static let publicURL = "https://calls.example.org"
    static let env = [
        "ADMIN_TELEGRAM_IDS": "6900", "STARS_PER_USD": "50",
        "JITSI_DOMAIN": "video.example.org", "JITSI_APP_ID": "privatecalls", "JITSI_APP_SECRET": "0123456789abcdef0123456789abcdef",
    ]
    /// Presses per persona.
    static let bound = 400
    /// Presses per callback tag ("kc", "ae", …; the booking flow's "t", "u", "s", "p" per host), so that long lists of
    /// times do not eat the whole budget.
    static let perTag = 16

    // MARK: The world

    /// `hour`:00 UTC on day `day` of the harness (0 = Wed 25 Nov 2026).
    static func utc(day: Int, hour: Int, minute: Int = 0) -> Instant {
        Instant(epochSeconds: 1_795_564_800 + Int64(day) * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60)
    }

    static func host(_ h: BotHarness, _ username: String, _ name: String, bio: String, price: Money, zone: String, status: HostStatus,
                     linkedTo user: User? = nil) async throws -> HostID {
        let host = try await h.store.createHost(Domain.Host(
            username: TelegramUsername(parsing: username), displayName: DisplayName(parsing: name), bio: Bio(parsing: bio),
            pricePerMinute: PricePerMinute(price), durations: DurationRange(min: 15, max: 90), zone: Zone(identifier: zone)!,
            availability: WeeklyAvailability(parsing: "09:00-22:00"), status: status,
            telegramUserID: user.map { TelegramUserID($0.id) }), at: h.clock.now)
        return try #require(host.id)
    }

    /// A booking walked through the real transitions up to `status`.
    @discardableResult
    static func booking(_ h: BotHarness, host: HostID, price: Money, user: User, start: Instant, minutes: Int = 30,
                        status: BookingStatus, method: String = "epayco", refunded: Bool = false, review: Int? = nil) async throws -> BookingID {
        let now = h.clock.now
        let createdAt = status == .pending ? now : min(start, now).adding(days: -2)
        let hold = try Booking.hold(hostID: host, userID: TelegramUserID(user.id), start: start, minutes: minutes, pricePerMinute: price,
                                    commission: .standard, now: createdAt, holdMinutes: 30)
        let id = try #require(try await h.store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id)
        switch status {
        case .pending: return id
        case .expired:
            _ = try await h.store.apply(.holdLapsed(at: createdAt.adding(minutes: 31)), to: id)
            return id
        default: break
        }
        _ = try await h.store.apply(.paymentConfirmed(method: method, at: createdAt.adding(minutes: 5)), to: id)
        let reference = "\(method)-ref-\(id.rawValue)"
        try await h.store.setPaymentReference(reference, for: id, at: createdAt.adding(minutes: 5))
        if method == "stars" {
            // The charge as Telegram knows it (so a refund of it succeeds), recorded as handled already.
            _ = try await h.store.recordPaymentEvent(PaymentEventRecord(
                provider: "stars", eventID: reference, bookingID: id, providerReference: reference, kind: "successful_payment",
                amount: nil, status: "confirmed", receivedAt: createdAt.adding(minutes: 5)))
            await h.fake.sendSuccessfulPayment(SuccessfulPayment(
                currency: "XTR", totalAmount: hold.price.total.minorUnits * 50 / 100, invoicePayload: "booking:\(id.rawValue)",
                telegramPaymentChargeId: reference, providerPaymentChargeId: ""), from: user)
        }
        switch status {
        case .cancelled:
            _ = try await h.store.apply(.cancelled(by: .user, refund: true, at: createdAt.adding(minutes: 10)), to: id)
            if refunded { _ = try await h.store.apply(.refundSettled(succeeded: true, at: createdAt.adding(minutes: 20)), to: id) }
        case .active, .completed:
            _ = try await h.store.apply(.callStarted(at: start), to: id)
            if status == .completed { _ = try await h.store.apply(.callEnded(at: start.adding(minutes: minutes)), to: id) }
        default: break
        }
        if let review {
            _ = try await h.store.addReview(Review(bookingID: id, hostID: host, userID: TelegramUserID(user.id), rating: review,
                                                   text: "¡Genial! <3", createdAt: start.adding(minutes: minutes + 5)))
        }
        return id
    }

    /// Three hosts (Madrid/USD linked to Anna, Bogotá/COP, Tokyo/EUR offline) with photos, and for each user a
    /// booking in every status.
    static func seed(_ h: BotHarness) async throws {
        let usd = Money(minorUnits: 500, currency: .usd), cop = Money(minorUnits: 200_000, currency: .cop), eur = Money(minorUnits: 300, currency: .eur)
        let annaID = try await host(h, "anna_host", "Anna", bio: "Cine y libros <3", price: usd, zone: "Europe/Madrid", status: .online, linkedTo: anna)
        let camila = try await host(h, "camila_co", "Camila", bio: "Salsa & café ☕", price: cop, zone: "America/Bogota", status: .online)
        let kenji = try await host(h, "kenji_tokyo", "Kenji", bio: "Anime, 音楽", price: eur, zone: "Asia/Tokyo", status: .offline)
        for (hostID, files) in [(annaID, ["AgAD-anna-1", "AgAD-anna-2"]), (camila, ["AgAD-camila-1", "AgAD-camila-2"]), (kenji, ["AgAD-kenji-1"])] {
            for (i, file) in files.enumerated() {
                await h.fake.registerFile(file)
                _ = try await h.store.addPhoto(hostID: hostID, fileID: file, caption: i == 0 ? nil : "Foto <2>", at: h.clock.now)
            }
        }
        // Anna's (USD) bookings are paid with Stars, Camila's (COP) with ePayco (refunded by hand).
        for (o, user) in [alice, lucia].enumerated() {
            let hour = 10 + 2 * o
            try await booking(h, host: annaID, price: usd, user: user, start: utc(day: 1, hour: hour), status: .pending)
            try await booking(h, host: annaID, price: usd, user: user, start: utc(day: 3, hour: hour), minutes: 60, status: .confirmed, method: "stars")
            try await booking(h, host: camila, price: cop, user: user, start: utc(day: 0, hour: 18 + o), status: .confirmed, method: "epayco")
            try await booking(h, host: o == 0 ? camila : annaID, price: o == 0 ? cop : usd, user: user, start: utc(day: 0, hour: 7, minute: 50),
                              minutes: 60, status: .active, method: o == 0 ? "epayco" : "stars")
            try await booking(h, host: annaID, price: usd, user: user, start: utc(day: -1, hour: hour), status: .completed, method: "stars", review: 5)
            let noReview = try await booking(h, host: camila, price: cop, user: user, start: utc(day: -2, hour: hour), status: .completed, method: "epayco")
            if o == 1 { _ = try await h.store.reportNoShow(noReview, by: TelegramUserID(user.id), at: h.clock.now, messages: []) }
            // The "rate your call" notice the end of that call queued (its star buttons lead to the review text step).
            let notices = Notices(store: h.store, defaultZone: Zone(identifier: "Europe/Madrid")!)
            _ = try await h.store.enqueue(await notices.reviewPrompt(try #require(try await h.store.booking(noReview))), at: h.clock.now)
            try await booking(h, host: annaID, price: usd, user: user, start: utc(day: 4, hour: hour), status: .cancelled, method: "stars")
            try await booking(h, host: camila, price: cop, user: user, start: utc(day: 5, hour: hour), status: .cancelled, method: "epayco", refunded: true)
            try await booking(h, host: kenji, price: eur, user: user, start: utc(day: 1, hour: 15 + o), status: .expired)
        }
        // Everyone has opened the bot before (Telegram delivers nothing to a chat that never started it).
        for user in [alice, lucia, anna, admin] {
            try await h.store.saveUser(UserProfile(id: TelegramUserID(user.id), username: user.username, firstName: user.firstName,
                                                   language: user.languageCode ?? "en"), at: h.clock.now)
        }
    }

    // MARK: Checks

    /// A problem found, with the button path that leads to it.
    struct Finding: CustomStringConvertible, Sendable {
        enum Kind: String, Sendable {
            case unanswered, noReply, genericFailure, errorLog, rejectedCall, english, badURL, acceptedBadInput, stateLost
        }
        let kind: Kind
        let path: [String]
        let detail: String
        var description: String { "\(kind.rawValue) at \(path.joined(separator: " → ")): \(detail)" }
    }

    struct Persona: Sendable {
        let user: User
        let language: Language
        var name: String { user.firstName }
    }

    /// English sentences and words that must not reach the Spanish chat.
    static let englishTexts: [String] = {
        let en = Texts(.en), es = Texts(.es)
        let keys: [KeyPath<Texts, String>] = [
            \.welcome, \.privateCalls, \.myBookings, \.settings, \.back, \.mainMenu, \.previous, \.next, \.unknownCommand, \.staleButton,
            \.somethingWentWrong, \.hostListTitle, \.noHosts, \.noReviews, \.latestReviews, \.bookCall, \.gallery, \.hostUnavailable,
            \.noDates, \.noTimes, \.timeGone, \.slotTaken, \.wizardNeedsText, \.captionPrompt, \.reviewNeedsText,
        ]
        return keys.filter { en[keyPath: $0] != es[keyPath: $0] }
            .map { en[keyPath: $0].replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: "") }
    }()
    static let englishWords = try! NSRegularExpression(pattern:
        #"\b(Booking|booking|bookings|Cancel|cancel|cancelled|refund|Refund|refunded|Please|please|the|The|your|Your|Back|Menu|Confirm|Settings|Pay|Reschedule|reschedule|Review|review|minutes|available|Something went wrong|You|you|Join|Page|Gallery|host)\b"#)

    static func englishIn(_ text: String) -> String? {
        let plain = text.replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: "")
        if let sentence = englishTexts.first(where: { plain.contains($0) }) { return sentence }
        let range = NSRange(plain.startIndex..., in: plain)
        guard let match = englishWords.firstMatch(in: plain, range: range), let r = Range(match.range, in: plain) else { return nil }
        let lo = plain.index(r.lowerBound, offsetBy: -min(30, plain.distance(from: plain.startIndex, to: r.lowerBound)))
        let hi = plain.index(r.upperBound, offsetBy: min(30, plain.distance(from: r.upperBound, to: plain.endIndex)))
        return "“\(plain[r])” in “…\(plain[lo..<hi])…”"
    }

    /// What the bot sent in the calls since `from`: checks every call and returns problems.
    static func check(_ calls: ArraySlice<RecordedCall>, persona: Persona, path: [String]) -> [Finding] {
        var found: [Finding] = []
        let generic = [Texts(.en).somethingWentWrong, Texts(.es).somethingWentWrong]
        for call in calls where call.method != "getUpdates" {
            if let error = call.error, !error.contains("message is not modified") {
                let body = String(decoding: call.body, as: UTF8.self)
                found.append(Finding(kind: .rejectedCall, path: path, detail: "\(call.method) rejected: \(error) — \(body.prefix(300))"))
            }
            guard let json = (try? JSONSerialization.jsonObject(with: call.body)) as? [String: Any] else { continue }
            var texts: [String] = []
            for key in ["text", "caption", "title", "description"] { if let s = json[key] as? String { texts.append(s) } }
            if generic.contains(where: { g in texts.contains { $0.contains(g) } }) {
                found.append(Finding(kind: .genericFailure, path: path, detail: "\(call.method): \(texts.joined(separator: " | ").prefix(200))"))
            }
            var labels: [String] = []
            if let markup = json["reply_markup"] as? [String: Any], let rows = markup["inline_keyboard"] as? [[[String: Any]]] {
                for button in rows.joined() {
                    if let label = button["text"] as? String { labels.append(label) }
                    if let url = button["url"] as? String, !(url.hasPrefix("https://") || url.hasPrefix(publicURL)) {
                        found.append(Finding(kind: .badURL, path: path, detail: "\(button["text"] ?? "?") → \(url)"))
                    }
                }
            }
            let chat = (json["chat_id"] as? NSNumber)?.int64Value ?? Int64(json["chat_id"] as? String ?? "")
            // A toast has no chat: in a persona's own world every query answered is the persona's.
            if persona.language == .es, chat == persona.user.id || (chat == nil && call.method == "answerCallbackQuery") {
                for text in texts + labels {
                    if let english = englishIn(text) {
                        found.append(Finding(kind: .english, path: path, detail: "\(call.method): \(english)"))
                    }
                }
            }
        }
        return found
    }

    /// Everything a wrong answer must not change.
    struct World: Equatable {
        var hosts: [Domain.Host] = []
        var photos: [[HostPhoto]] = []
        var bookings: [Booking] = []
        var reviews: [Review] = []
        var payouts: [Payout] = []

        /// The names of the parts that differ from `other`.
        func differences(from other: World) -> [String] {
            [("hosts", hosts == other.hosts), ("photos", photos == other.photos), ("bookings", bookings == other.bookings),
             ("reviews", reviews == other.reviews), ("payouts", payouts == other.payouts)].filter { !$0.1 }.map(\.0)
        }
    }

    static func world(_ store: any Store) async throws -> World {
        var world = World()
        world.hosts = try await store.hosts(listedOnly: false)
        for host in world.hosts { world.photos.append(try await store.photos(hostID: try #require(host.id))) }
        world.bookings = try await store.allBookings(from: nil, to: nil, hostID: nil)
        world.reviews = try await store.allReviews(includeHidden: true)
        world.payouts = try await store.payouts(hostID: nil)
        return world
    }

    // MARK: The crawl

    /// Whether a button ends or removes something, so that the crawl presses it only after the rest.
    static func isFinal(_ data: String) -> Bool {
        let parts = data.split(separator: ":").map(String.init)
        guard let tag = parts.first else { return false }
        switch tag {
        case "kc", "kh", "ka", "kp", "kn", "kd": return parts.last == "1"
        case "kv", "kg", "as", "av", "cx", "pw": return true
        case "aa", "ho": return parts.last == "0"
        case "ao": return parts.last == "\(PhotoOp.remove.rawValue)"
        default: return false
        }
    }


    /// One crawl: pushes buttons breadth-first and records what breaks.
    final class Crawler: @unchecked Sendable {
        let h: BotHarness
        let persona: Persona
        let logs: ErrorLogCapture
        var findings: [Finding] = []
        var presses = 0
        var seen: Set<String> = []
        var tagCount: [String: Int] = [:]
        /// (callback data, message id, path of labels to it)
        var queue: [(data: String, message: Int64, path: [String])] = []
        /// Buttons that end something (confirmed cancels, removals, going offline): pressed after everything else.
        var deferred: [(data: String, message: Int64, path: [String])] = []
        var fuzzed: Set<String> = []

        init(_ h: BotHarness, _ persona: Persona, logs: ErrorLogCapture) {
            self.h = h
            self.persona = persona
            self.logs = logs
        }

        var user: User { persona.user }

        func record(_ new: [Finding]) { findings.append(contentsOf: new) }

        /// Runs `step`, then checks the calls and the logs it caused.
        func observe(_ path: [String], _ step: () async throws -> Void) async throws {
            let callsBefore = await h.fake.calls().count
            let logsBefore = logs.count
            try await step()
            let calls = await h.fake.calls()
            record(ButtonCrawlTests.check(calls[callsBefore...], persona: persona, path: path))
            let newLogs = logs.all().dropFirst(logsBefore)
            for line in newLogs { record([Finding(kind: .errorLog, path: path, detail: String(line.prefix(400)))]) }
        }

        /// Queues the callback buttons of the chat's messages not seen yet.
        func discover(from path: [String]) async {
            for message in await h.fake.messages(chat: user.id) {
                for button in (message.replyMarkup?.inlineKeyboard ?? []).joined() {
                    guard let data = button.callbackData, !seen.contains(data) else { continue }
                    seen.insert(data)
                    // Switching the language away would make the rest of the crawl a different persona.
                    if data.hasPrefix("lg:"), data != "lg:\(persona.language.rawValue)" { continue }
                    let item = (data: data, message: message.messageId, path: path + [button.text])
                    if ButtonCrawlTests.isFinal(data) { deferred.append(item) } else { queue.append(item) }
                }
            }
        }

        /// Sends a command or text and waits for the bot's reply.
        func say(_ text: String, path: [String]) async throws {
            let before = await h.fake.messages(chat: user.id).count
            try await observe(path) {
                await h.fake.sendText(text, from: user)
                await waitForReply(after: before, path: path)
            }
        }

        func waitForReply(after count: Int, path: [String]) async {
            let fake = h.fake, id = user.id
            do {
                let store = h.store
                // A bound, not a speed claim: the whole suite runs at once on two cores.
                try await fake.waitUntil(timeout: .seconds(30)) {
                    // Idle means handled, not only fetched: the inbox holds nothing open (a notice arriving
                    // meanwhile must not pass for the reply while the input still waits to be handled).
                    let idle = await fake.pendingUpdateIds().isEmpty
                    let handled = (try? await store.openInboxCount()) == 0
                    let replies = await fake.messages(chat: id).count
                    return idle && handled && replies > count
                }
            } catch {
                record([Finding(kind: .noReply, path: path, detail: "no reply in the chat")])
            }
        }

        func press(_ data: String, message: Int64, path: [String]) async throws {
            presses += 1
            try await observe(path) {
                await h.fake.tapData(data, messageId: message, as: user)
                let fake = h.fake
                do {
                    let store = h.store
                    try await fake.waitUntil {
                        let answered = await fake.unansweredCallbackQueries().isEmpty
                        let idle = await fake.pendingUpdateIds().isEmpty
                        let handled = (try? await store.openInboxCount()) == 0
                        return answered && idle && handled
                    }
                } catch {
                    record([Finding(kind: .unanswered, path: path, detail: "callback \(data) not answered")])
                }
            }
        }

        func run(starts: [String]) async throws {
            for command in starts {
                try await say(command, path: [command])
                await discover(from: [command])
                try await fuzzIfAsked(path: [command])
            }
            while !(queue.isEmpty && deferred.isEmpty), presses < ButtonCrawlTests.bound {
                let next = queue.isEmpty ? deferred.removeFirst() : queue.removeFirst()
                // Booking-flow buttons are counted per host, so every host's flow is walked down to payment; zone
                // buttons per screen they return to (the day pickers behind a new user's zone question included).
                let fields = next.data.split(separator: ":")
                let tag = ["d", "t", "u", "s", "p", "zs"].contains(String(fields[0])) && fields.count > 1 ? "\(fields[0]):\(fields[1])" : String(fields[0])
                guard tagCount[tag, default: 0] < ButtonCrawlTests.perTag else { continue }
                tagCount[tag, default: 0] += 1
                try await press(next.data, message: next.message, path: next.path)
                if ProcessInfo.processInfo.environment["CRAWL_TRACE"] != nil {
                    let screen = await h.fake.messages(chat: user.id).first { $0.messageId == next.message }
                    let last = await h.fake.lastMessage(chat: user.id)
                    print("[\(persona.name)] \(next.path.joined(separator: " → ")) [\(next.data)]\n   = \((screen?.text ?? screen?.caption ?? "").prefix(160).replacingOccurrences(of: "\n", with: " ⏎ "))\n   last \((last?.text ?? last?.caption ?? "").prefix(160).replacingOccurrences(of: "\n", with: " ⏎ ")) \(last.map(h.fake.buttonLabels) ?? [])")
                }
                await discover(from: next.path)
                try await fuzzIfAsked(path: next.path)
            }
        }

        /// At a state that waits for typed text (or a photo): wrong answers get a clear reply and change nothing.
        func fuzzIfAsked(path: [String]) async throws {
            guard let state = try await h.store.conversationState(chatID: user.id), !fuzzed.contains(state) else { return }
            fuzzed.insert(state)
            let json = (try? JSONSerialization.jsonObject(with: Data(state.utf8))) as? [String: Any]
            let mode = json?["mode"] as? String ?? "?"
            let field = json?["field"] as? Int
            let step = (json?["draft"] as? [String: Any])?["step"] as? Int
            // What a right answer is here: a photo (the gallery, wizard step 6), a bio (may be blank), or text.
            let wantsPhoto = mode == "photos" || (mode == "wizard" && step == HostDraft.Step.photo.rawValue)
            let isBio = (mode == "edit" && field == HostField.bio.rawValue) || (mode == "wizard" && step == HostDraft.Step.bio.rawValue)
            let atSummary = mode == "wizard" && step == HostDraft.Step.summary.rawValue
            enum Input { case text(String, mustFail: Bool), photo(mustFail: Bool) }
            let inputs: [Input] = [
                .text("   ", mustFail: !isBio), .text(String(repeating: "ñ", count: 5000), mustFail: true),
                .text("<b>x", mustFail: wantsPhoto || atSummary), .text("🙂🎉", mustFail: wantsPhoto || atSummary), .photo(mustFail: !wantsPhoto),
            ] + (wantsPhoto ? [.text("not a photo", mustFail: true)] : [])
            for (i, input) in inputs.enumerated() {
                let label: String
                switch input {
                case .text(let s, _): label = s.count > 20 ? "\(s.count) × “\(s.prefix(1))”" : "“\(s)”"
                case .photo: label = "a photo"
                }
                let stepPath = path + ["[\(mode)] types \(label)"]
                let worldBefore = try await ButtonCrawlTests.world(h.store)
                let before = await h.fake.messages(chat: user.id).count
                try await observe(stepPath) {
                    switch input {
                    case .text(let s, _): await h.fake.sendText(s, from: user)
                    case .photo:
                        await h.fake.sendPhoto(fileId: "AgAD-crawl-\(user.id)-\(fuzzed.count)-\(i)", caption: nil, from: user)
                    }
                    await waitForReply(after: before, path: stepPath)
                }
                let stateAfter = try await h.store.conversationState(chatID: user.id)
                let worldAfter = try await ButtonCrawlTests.world(h.store)
                let unchanged = stateAfter == state && worldAfter == worldBefore
                let mustFail: Bool
                switch input {
                case .text(_, let f): mustFail = f
                case .photo(let f): mustFail = f
                }
                if mustFail && !unchanged {
                    let reply = await h.fake.lastMessage(chat: user.id)
                    record([Finding(kind: stateAfter == nil && worldAfter == worldBefore ? .stateLost : .acceptedBadInput, path: stepPath,
                                    detail: "state \(state) → \(stateAfter ?? "nil"); world \(worldAfter == worldBefore ? "unchanged" : "changed: \(worldAfter.differences(from: worldBefore))"); reply “\((reply?.text ?? reply?.caption ?? "").prefix(200))”")])
                }
                // Back to the same step for the next wrong answer.
                if stateAfter != state { try await h.store.setConversationState(chatID: user.id, state, at: h.clock.now) }
            }
            await discover(from: path)
        }
    }

    /// Runs the server with a logger that captures error lines.
    static func serve(_ h: BotHarness, logs: ErrorLogCapture, _ body: @Sendable () async throws -> Void) async throws {
        let configuration = try AppConfiguration.load(environment: h.environment(env))
        let app = buildApplication(configuration: configuration, store: h.store, clock: h.clock.wall, logger: logs.logger(label: "crawl"))
        try await app.test(.live) { _ in try await body() }
    }

    static let personas = [Persona(user: alice, language: .en), Persona(user: lucia, language: .es),
                           Persona(user: anna, language: .en), Persona(user: admin, language: .en)]

    /// Each persona in a world of its own (what one persona cancels, another still sees as it was seeded).
    @Test(arguments: ["Alice", "Lucía", "Anna", "Ada"])
    func clicksEveryReachableButtonAndTypesWrongAnswers(as name: String) async throws {
        let persona = try #require(Self.personas.first { $0.name == name })
        try await BotHarness.with { h in
            try await Self.seed(h)
            let logs = ErrorLogCapture()
            let crawler = Crawler(h, persona, logs: logs)
            // Everyone has opened the bot before the server starts (Telegram delivers nothing to a chat that never
            // started it, and the scheduler sends reminders at once).
            for persona in Self.personas { await h.fake.sendText("/start", from: persona.user) }
            try await Self.serve(h, logs: logs) {
                // The seeded world's notices go out at Telegram's pace (one a second per chat): wait for all of them.
                try await h.fake.waitUntil(timeout: .seconds(60)) {
                    let idle = await h.fake.pendingUpdateIds().isEmpty
                    let sent = (try? await h.store.pendingOutboxCount()) == 0
                    return idle && sent
                }
                try await crawler.run(starts: ["/start", "/my_bookings", "/host", "/admin_models", "/toggle_status", "/edit_model"])
            }
            print("crawl \(name): \(crawler.presses) presses, \(crawler.findings.count) findings; per tag: \(crawler.tagCount.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")); wrong answers at \(crawler.fuzzed.sorted())")
            #expect(crawler.presses > 100, "\(name) reached only \(crawler.presses) buttons")
            // Every text-expecting state of the persona was reached (so the wrong-answer checks above keep running).
            let modes = Set(crawler.fuzzed.compactMap { ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["mode"] as? String })
            let expected: Set<String> = switch name {
            case "Ada": ["zone", "wizard", "edit", "photos", "caption", "payout", "refundReference"]
            case "Anna": ["zone"]
            default: ["zone", "review"]
            }
            #expect(modes.isSuperset(of: expected), "\(name) typed at \(modes.sorted()) only")
            for finding in crawler.findings { Issue.record("\(name): \(finding)") }
        }
    }

    /// The add-host wizard step by step: wrong answers at every step (then the right one), down to a listed host.
    @Test func theWizardRefusesWrongAnswersAtEveryStep() async throws {
        try await BotHarness.with { h in
            try await Self.seed(h)
            let logs = ErrorLogCapture()
            let crawler = Crawler(h, Self.personas[3], logs: logs)
            let admin = Self.admin
            // Everyone has opened the bot, so the scheduler's notices (it retries the seeded world's owed Stars
            // refunds, telling user and host) find their chats.
            for persona in Self.personas { await h.fake.sendText("/start", from: persona.user) }
            try await Self.serve(h, logs: logs) {
                // Wait for the seeded world's notices too (admins are told of its owed refunds), so none of them
                // lands between a wizard step and its reply.
                try await h.fake.waitUntil(timeout: .seconds(60)) {
                    let idle = await h.fake.pendingUpdateIds().isEmpty
                    let sent = (try? await h.store.pendingOutboxCount()) == 0
                    return idle && sent
                }
                try await crawler.say("/add_model", path: ["/add_model"])
                let answers = ["@crawl_host", "Crawl <3", "Bio & more", "2.50", "30-90", nil, "Mon-Fri 09:00-17:00", "America/Bogota"]
                for (i, answer) in answers.enumerated() {
                    let path = ["/add_model"] + answers.prefix(i).map { $0 ?? "a photo" }
                    try await crawler.fuzzIfAsked(path: path)
                    if let answer {
                        try await crawler.say(answer, path: path + [answer])
                    } else {
                        let before = await h.fake.messages(chat: admin.id).count
                        await h.fake.registerFile("AgAD-wizard-1")
                        await h.fake.sendPhoto(fileId: "AgAD-wizard-1", caption: nil, from: admin)
                        await crawler.waitForReply(after: before, path: path + ["a photo"])
                    }
                }
                try await crawler.fuzzIfAsked(path: ["/add_model", "… summary"])
                try await h.expectLast(admin.id, contains: "check and confirm")
                try await h.tap("✅ Confirm", as: admin)
                try await h.expectLast(admin.id, contains: "is now listed")
            }
            let host = try #require(try await h.store.host(username: TelegramUsername(parsing: "crawl_host")))
            #expect(host.displayName.value == "Crawl <3" && host.bio.value == "Bio & more")
            #expect(host.availability == (try WeeklyAvailability(parsing: "Mon-Fri 09:00-17:00")))
            #expect(crawler.fuzzed.count == 9, "wrong answers at \(crawler.fuzzed.count) of 9 states: \(crawler.fuzzed.sorted())")
            for finding in crawler.findings { Issue.record("Ada: \(finding)") }
        }
    }

    /// The checks themselves can fail: English is found in a text, a Spanish screen passes.
    @Test func theLanguageCheckFindsEnglish() {
        #expect(Self.englishIn(Texts(.en).welcome) != nil)
        #expect(Self.englishIn("⚠️ Please answer with text.") != nil)
        #expect(Self.englishIn(Texts(.es).welcome) == nil)
        #expect(Self.englishIn(Texts(.es).somethingWentWrong) == nil)
        #expect(Self.isFinal("kc:3:1") && !Self.isFinal("kc:3:0") && Self.isFinal("ao:1:2:3") && !Self.isFinal("ao:1:2:1"))
    }

    /// Found by the crawl: pressing the same 💳 Pay again (a double tap, a resent query) answered "someone booked
    /// that time a moment ago" — the user's own hold blocked them. Now it shows that hold's payment screen again.
    @Test func pressingPayTwiceShowsTheSameHoldNotSomeoneBookedIt() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let user = Self.alice
            try await h.run(["STARS_PER_USD": "50"]) { _ in
                await h.fake.sendText("/book_private_call", from: user)
                try await h.expectLast(user.id, contains: "Anna")
                for label in ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "60 min · $300.00"] { try await h.tap(label, as: user) }
                let summary = try await h.expectLast(user.id, contains: "Your booking")
                let pay = try #require(summary.replyMarkup?.inlineKeyboard.joined().first { $0.text == "💳 Pay $300.00" }?.callbackData)
                for _ in 0..<2 {
                    await h.fake.tapData(pay, messageId: summary.messageId, as: user)
                    try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                    let screen = try #require(await h.fake.messages(chat: user.id).first { $0.messageId == summary.messageId })
                    #expect(screen.text?.contains("someone booked") == false)
                    #expect(h.fake.buttonLabels(of: screen).joined().contains("⭐ Telegram Stars"))
                }
                #expect(try await h.store.bookings(userID: TelegramUserID(user.id)).count == 1)
            }
        }
    }

    /// Found by the crawl (/start → 📞 Private Calls → Camila → 📅 Book a call → Wed 25 Nov → 19:30 → 15 min → 💳 Pay,
    /// then back and 30 min → 💳 Pay): another length at the same start was refused with "someone booked that time a
    /// moment ago", though the only booking there was the user's own unpaid hold. Now the new hold replaces it.
    @Test func anotherLengthAtTheSameStartIsNotBlockedByTheUsersOwnHold() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let user = Self.alice
            try await h.run(["STARS_PER_USD": "50"]) { _ in
                await h.fake.sendText("/book_private_call", from: user)
                try await h.expectLast(user.id, contains: "Anna")
                for label in ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "30 min · $150.00", "💳 Pay $150.00"] {
                    try await h.tap(label, as: user)
                }
                try await h.expectLast(user.id, contains: "Choose how to pay")
                // Back in the chat's history: the durations screen's 60-minute summary, then Pay.
                let start = Self.utc(day: 0, hour: 17).epochSeconds / 60
                let message = try #require(await h.fake.lastMessage(chat: user.id)).messageId
                await h.fake.tapData("p:1:\(start):60", messageId: message, as: user)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                let screen = try #require(await h.fake.messages(chat: user.id).first { $0.messageId == message })
                #expect(screen.text?.contains("someone booked") == false)
                #expect(h.fake.buttonLabels(of: screen).joined().contains("⭐ Telegram Stars"))
                // One live hold: the 60-minute one; the 30-minute one was cancelled (nothing was paid).
                let bookings = try await h.store.bookings(userID: TelegramUserID(user.id))
                #expect(bookings.filter { $0.status == .pending }.map(\.price.minutes) == [60])
                #expect(bookings.filter { $0.status == .cancelled }.map(\.price.minutes) == [30])
            }
        }
    }

    /// Replacing applies only to the user's own unpaid holds: a new time that overlaps someone else's booking is
    /// refused and the user's hold stays; a price no configured method can take holds nothing at all.
    @Test func replacingNeverCostsTheUserTheirHoldAndNoHoldWithoutAWayToPay() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let cop = try await Self.host(h, "camila_host", "Camila", bio: "Hola", price: Money(minorUnits: 200_000, currency: .cop),
                                          zone: "America/Bogota", status: .online)
            let user = Self.alice
            let other = try Booking.hold(hostID: HostID(1), userID: TelegramUserID(4242), start: Self.utc(day: 0, hour: 17, minute: 30), minutes: 30,
                                         pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                         now: BotHarness.start, holdMinutes: 30)
            _ = try await h.store.createHold(other, bufferMinutes: 0, maxLiveHolds: .max)
            try await h.run(["STARS_PER_USD": "50"]) { _ in
                let menu = try await { () async throws -> Int64 in
                    await h.fake.sendText("/start", from: user)
                    return try await h.expectLast(user.id, contains: "PrivateCalls").messageId
                }()
                let start = Self.utc(day: 0, hour: 17).epochSeconds / 60
                await h.fake.tapData("p:1:\(start):30", messageId: menu, as: user)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                let mine = try await h.store.bookings(userID: TelegramUserID(user.id))
                #expect(mine.map(\.status) == [.pending])
                // 60 minutes at the same start would run into the other user's 17:30 booking: refused, hold kept.
                await h.fake.tapData("p:1:\(start):60", messageId: menu, as: user)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                #expect(try await h.store.bookings(userID: TelegramUserID(user.id)) == mine)
                // A COP host with only Stars configured: nothing to pay with, so nothing is held.
                let copStart = Self.utc(day: 0, hour: 20).epochSeconds / 60
                await h.fake.tapData("p:\(cop.rawValue):\(copStart):30", messageId: menu, as: user)
                try await h.expectLast(user.id, contains: "no payment method is available")
                #expect(try await h.store.bookings(userID: TelegramUserID(user.id)) == mine)
            }
        }
    }
}
