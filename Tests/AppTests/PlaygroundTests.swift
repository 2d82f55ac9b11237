import FakeTelegram
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `privatecalls serve` with no bot token, as a newcomer runs it: the playground over HTTP — what the web page
/// does, done by a script (the page itself is driven in Chromium by the browser test).
@Suite("The playground (serve without a token)", .serialized)
struct PlaygroundTests {
    static let maria: Int64 = 7_000_101
    static let anna: Int64 = 7_000_010
    static let admin: Int64 = 7_000_001

    struct Entry: Decodable {
        struct Button: Decodable { var text: String; var data: String?; var url: String? }
        struct Invoice: Decodable { var currency: String; var totalAmount: Int64 }
        struct Document: Decodable { var fileId: String; var fileName: String }
        var messageId: Int64
        var fromBot: Bool
        var html: String?
        var photo: String?
        var invoice: Invoice?
        var document: Document?
        var buttons: [[Button]]
    }

    struct Chat: Decodable {
        struct Refusal: Decodable { var method: String; var status: Int; var error: String }
        var entries: [Entry]
        var refusals: [Refusal]
    }

    /// The server process and its address.
    struct Server {
        let process: Process
        let errors: Pipe
        let base: String
        let dir: URL

        func get(_ path: String) async throws -> (Int, Data) {
            let (data, response) = try await URLSession.shared.data(from: URL(string: base + path)!)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        }

        @discardableResult
        func post(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            let (data, response) = try await URLSession.shared.data(for: request)
            let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(path) \(body): \(json)")
            return json
        }

        func chat(_ id: Int64) async throws -> Chat {
            try JSONDecoder().decode(Chat.self, from: try await get("/playground/chat?chat=\(id)").1)
        }

        /// Waits until the chat's newest message from the bot contains `text`.
        @discardableResult
        func expect(_ id: Int64, _ text: String, anywhere: Bool = false) async throws -> Entry {
            for _ in 0..<200 {
                let entries = try await chat(id).entries.filter(\.fromBot)
                let candidates = anywhere ? entries.reversed() : Array(entries.suffix(1))
                if let found = candidates.first(where: { ($0.html ?? "").contains(text) }) { return found }
                try await Task.sleep(for: .milliseconds(100))
            }
            let last = try await chat(id).entries.last
            Issue.record("chat \(id): no message containing “\(text)”; last: \(last?.html ?? "none")")
            throw CancellationError()
        }

        /// Presses the newest button labelled `label` (or starting with it, for `prefix`).
        func tap(_ id: Int64, _ label: String, prefix: Bool = false) async throws {
            for entry in try await chat(id).entries.reversed() {
                for button in entry.buttons.joined() where button.data != nil && (prefix ? button.text.hasPrefix(label) : button.text == label) {
                    let answer = try await post("/playground/tap", ["chat": id, "messageId": entry.messageId, "data": button.data!])
                    #expect(answer["answered"] as? Bool == true, "\(label) was not answered")
                    return
                }
            }
            Issue.record("no button “\(label)” in chat \(id)")
            throw CancellationError()
        }

        func stop() {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: dir)
        }
    }

    static func start(_ environment: [String: String] = [:]) async throws -> Server {
        let dir = try ServeProcessTests.tempDir()
        let port = Int.random(in: 20_000...40_000)
        // Notices and above only: the log goes to a pipe read at the end, which must not fill up meanwhile.
        let (process, errors) = try ServeProcessTests.run(
            ["serve"], environment: ["PORT": String(port), "LOG_LEVEL": "notice"].merging(environment) { _, b in b }, in: dir)
        let server = Server(process: process, errors: errors, base: "http://127.0.0.1:\(port)", dir: dir)
        for _ in 0..<150 {
            if let (status, _) = try? await server.get("/readyz"), status == 200 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        Issue.record("the playground did not become ready")
        throw CancellationError()
    }

    @Test func aNewcomerBooksPaysWithStarsJoinsAndReviewsAndTheHostSeesIt() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let page = String(decoding: try await server.get("/").1, as: UTF8.self)
        #expect(page.contains("PrivateCalls playground"))
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http"), "no external scripts, styles or fonts")

        try await server.post("/playground/send", ["chat": Self.maria, "text": "/book_private_call"])
        let list = try await server.expect(Self.maria, "choose a host")
        #expect(list.html?.contains("★ 4.5 (2)") == true, "the demo host with reviews")
        try await server.tap(Self.maria, "🟢 Anna · $5.00/min")
        let profile = try await server.expect(Self.maria, "Film, books")
        let photo = try #require(profile.photo)
        let (status, image) = try await server.get("/playground/file/\(photo)")
        #expect(status == 200 && String(decoding: image, as: UTF8.self).hasPrefix("<svg"))
        try await server.tap(Self.maria, "📅 Book a call")
        try await server.expect(Self.maria, "which time zone are you in?")
        try await server.tap(Self.maria, "Europe/Madrid")
        let days = try await server.expect(Self.maria, "pick a day")
        // Tomorrow (the second day offered): today may have only a last quarter hour left, whatever the time of day.
        try await server.tap(Self.maria, try #require(days.buttons.joined().dropFirst().first?.text))
        let times = try await server.expect(Self.maria, "Pick a start time")
        try await server.tap(Self.maria, try #require(times.buttons.first?.first?.text))
        try await server.tap(Self.maria, "30 min", prefix: true)
        try await server.tap(Self.maria, "💳 Pay", prefix: true)
        try await server.tap(Self.maria, "⭐ Telegram Stars")
        try await server.expect(Self.maria, "Pay 7500 Stars with the invoice above")
        let invoice = try #require(try await server.chat(Self.maria).entries.last { $0.invoice != nil })
        #expect(invoice.invoice?.currency == "XTR" && invoice.invoice?.totalAmount == 7500)
        let paid = try await server.post("/playground/pay", ["chat": Self.maria, "messageId": invoice.messageId])
        #expect(paid["paid"] as? Bool == true)
        try await server.expect(Self.maria, "Payment received — your call is booked!")
        // Paying the same invoice again: the bot refuses the pre-checkout query, and the page gets its words.
        let again = try await server.post("/playground/pay", ["chat": Self.maria, "messageId": invoice.messageId])
        #expect(again["paid"] as? Bool == false)
        #expect(!((again["error"] as? String) ?? "").isEmpty, "\(again)")
        try await server.expect(Self.anna, "New booking", anywhere: true)

        // The clock jumps to the call's start: both sides get their Join link; to its end: the review prompt.
        let jump = try await server.post("/playground/jump", ["chat": Self.maria, "to": "start"])
        #expect(jump["moved"] as? Bool == true)
        let start = try await server.expect(Self.maria, "is starting now", anywhere: true)
        let join = try #require(start.buttons.joined().first { $0.text == "🎥 Join" }?.url)
        #expect(join.hasPrefix("https://meet.jit.si/"))
        try await server.post("/playground/jump", ["chat": Self.maria, "to": "end"])
        try await server.expect(Self.maria, "How was your call with Anna?", anywhere: true)
        try await server.tap(Self.maria, "⭐⭐⭐⭐")
        try await server.expect(Self.maria, "Thank you for the ⭐⭐⭐⭐")
        try await server.tap(Self.maria, "Skip")
        try await server.post("/playground/send", ["chat": Self.maria, "text": "/book_private_call"])
        let after = try await server.expect(Self.maria, "choose a host")
        #expect(after.html?.contains("★ 4.3 (3)") == true, "\(after.html ?? "")")

        #expect(try await server.chat(Self.maria).refusals.isEmpty, "Telegram would have refused nothing")

        // The admin's ledger CSV is a document the page downloads.
        try await server.post("/playground/send", ["chat": Self.admin, "text": "/admin_models"])
        try await server.expect(Self.admin, "Admin")
        try await server.tap(Self.admin, "📄 Ledger CSV")
        var document: Entry.Document?
        for _ in 0..<100 where document == nil {
            document = try await server.chat(Self.admin).entries.compactMap(\.document).last
            if document == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let csv = try #require(document)
        #expect(csv.fileName.hasSuffix(".csv"))
        let (csvStatus, bytes) = try await server.get("/playground/file/\(csv.fileId)")
        #expect(csvStatus == 200 && String(decoding: bytes, as: UTF8.self).contains("booking"), "\(String(decoding: bytes, as: UTF8.self).prefix(200))")

        // Starting over: chats empty, the booking and the review gone, the demo world as it was.
        try await server.post("/playground/reset", [:])
        #expect(try await server.chat(Self.maria).entries.isEmpty)
        try await server.post("/playground/send", ["chat": Self.maria, "text": "/book_private_call"])
        let fresh = try await server.expect(Self.maria, "choose a host")
        #expect(fresh.html?.contains("★ 4.5 (2)") == true, "\(fresh.html ?? "")")
        #expect(FileManager.default.fileExists(atPath: server.dir.appendingPathComponent("privatecalls-playground.sqlite").path))
        server.process.interrupt()
        server.process.waitUntilExit()
        let log = String(decoding: server.errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("no TELEGRAM_BOT_TOKEN: playground at \(server.base)/"))
    }

    @Test func thePlaygroundRefusesANonLoopbackAddressUnlessAskedTo() async throws {
        let dir = try ServeProcessTests.tempDir()
        let (process, errors) = try ServeProcessTests.run(["serve", "--hostname", "0.0.0.0"], environment: ["PORT": "0"], in: dir)
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(output.contains("the playground only listens on a loopback HOST"), "\(output)")
        #expect(output.contains("PLAYGROUND_PUBLIC=1"))
        try? FileManager.default.removeItem(at: dir)
        // Asked to: it serves on every address (reached here through the loopback one).
        let server = try await Self.start(["HOST": "0.0.0.0", "PLAYGROUND_PUBLIC": "1"])
        defer { server.stop() }
        #expect(String(decoding: try await server.get("/").1, as: UTF8.self).contains("PrivateCalls playground"))
    }

    @Test func unknownPersonasAndBadInputChangeNothing() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        var request = URLRequest(url: URL(string: server.base + "/playground/send")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["chat": 42, "text": "/start"])
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 400)
        #expect(try await server.get("/playground/chat?chat=42").0 == 400)
        #expect(try await server.get("/playground/file/nope").0 == 404)
        #expect(try await server.chat(Self.maria).entries.isEmpty)
    }
}
