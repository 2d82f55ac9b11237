import App
import Domain
import FakeTelegram
import Foundation
import Hummingbird
import Logging
import Storage
import Telegram

/// The web chat's HTTP side: the page, a live stream of each persona's chat (Server-Sent Events), and what a
/// person does in Telegram — write, tap a button, pay an invoice, send a photo — plus the clock's jumps.
extension Playground {
    public func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.html(PlaygroundPage.html) }
        router.get("playground/personas") { [self] _, _ in
            var commands: [String: [BotCommand]] = [:]
            for language in ["en", "es"] { commands[language] = await fake.commandMenu(languageCode: language == "en" ? "" : language) }
            return Self.json(PersonasView(personas: personas, commands: commands))
        }
        router.get("playground/events") { [self] request, _ in
            guard let chat = persona(request.uri.queryParameters.get("chat")) else { return Self.refused("unknown persona") }
            return events(chat: chat.id)
        }
        router.get("playground/chat") { [self] request, _ in
            guard let chat = persona(request.uri.queryParameters.get("chat")) else { return Self.refused("unknown persona") }
            return Self.json(ChatView(entries: await fake.transcript(chat: chat.id), refusals: await fake.refusals()))
        }
        router.post("playground/send") { [self] request, context in
            let body = try await request.decode(as: SendBody.self, context: context)
            guard let persona = persona("\(body.chat)") else { return Self.refused("unknown persona") }
            let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, text.count <= 4096 else { return Self.refused("write 1–4096 characters") }
            await fake.sendText(text, from: persona.user)
            return Self.json(["ok": true])
        }
        router.post("playground/tap") { [self] request, context in
            let body = try await request.decode(as: TapBody.self, context: context)
            guard let persona = persona("\(body.chat)") else { return Self.refused("unknown persona") }
            await fake.tapData(body.data, messageId: body.messageId, as: persona.user)
            // The spinner lasts until the bot answers the press, as in Telegram (which gives up after a while).
            let answered = (try? await fake.waitUntil(timeout: .seconds(15)) { await self.fake.unansweredCallbackQueries().isEmpty }) != nil
            return Self.json(["answered": answered])
        }
        router.post("playground/pay") { [self] request, context in
            let body = try await request.decode(as: PayBody.self, context: context)
            guard let persona = persona("\(body.chat)") else { return Self.refused("unknown persona") }
            switch await fake.pay(invoice: body.messageId, as: persona.user) {
            case .paid: return Self.json(PayView(paid: true, error: nil))
            case .refused(let reason): return Self.json(PayView(paid: false, error: reason))
            case .unanswered: return Self.json(PayView(paid: false, error: "The bot did not answer the payment in time."))
            case .notAnInvoice: return Self.refused("not an invoice")
            }
        }
        router.post("playground/photo") { [self] request, context in
            let body = try await request.decode(as: PhotoBody.self, context: context)
            guard let persona = persona("\(body.chat)") else { return Self.refused("unknown persona") }
            guard ["image/png", "image/jpeg", "image/gif", "image/webp"].contains(body.contentType),
                  let data = Data(base64Encoded: body.base64), !data.isEmpty, data.count <= 10 << 20 else {
                return Self.refused("send a PNG, JPEG, GIF or WebP photo of at most 10 MB")
            }
            await fake.sendPhoto(data: Array(data), contentType: body.contentType, caption: body.caption, from: persona.user)
            return Self.json(["ok": true])
        }
        router.post("playground/block") { [self] request, context in
            let body = try await request.decode(as: BlockBody.self, context: context)
            guard let persona = persona("\(body.chat)") else { return Self.refused("unknown persona") }
            if body.blocked { await fake.blockBot(by: persona.user) } else { await fake.unblockBot(by: persona.user) }
            return Self.json(["blocked": body.blocked])
        }
        router.post("playground/reset") { [self] _, _ in
            try await reset()
            return Self.json(["ok": true])
        }
        router.get("playground/file/:id") { [self] _, context in
            guard let id = context.parameters.get("id"), let file = await fake.file(id) else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "private, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(bytes: file.data)))
        }
        router.post("playground/jump") { [self] request, context in
            let body = try await request.decode(as: JumpBody.self, context: context)
            guard let persona = persona("\(body.chat)") else { return Self.refused("unknown persona") }
            return Self.json(try await jump(for: persona, to: body.to))
        }
    }

    func persona(_ text: String?) -> Persona? {
        guard let text, let id = Int64(text) else { return nil }
        return personas.first { $0.id == id }
    }

    /// The chat, then again after every change: the whole transcript and the calls refused since the start.
    func events(chat: Int64) -> Response {
        let fake = self.fake
        let body = ResponseBody { writer in
            var seen = -1
            var lastSent = ""
            while !Task.isCancelled {
                let count = await fake.waitForChange(after: seen, timeout: .seconds(15))
                if count == seen {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    continue
                }
                seen = count
                let view = ChatView(entries: await fake.transcript(chat: chat), refusals: await fake.refusals())
                let json = String(decoding: (try? Self.sortedEncoder.encode(view)) ?? Data(), as: UTF8.self)
                guard json != lastSent else { continue }
                lastSent = json
                try await writer.write(ByteBuffer(string: "data: \(json)\n\n"))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// Moves the clock to 15 minutes before the persona's next call, to its start, or to its end (plus a few
    /// seconds, so the scheduler's next tick sees it); never backwards.
    func jump(for persona: Persona, to target: String) async throws -> JumpView {
        let now = clock.now()
        var bookings = try await store.bookings(userID: TelegramUserID(persona.id))
        if let host = try await store.hosts(listedOnly: false).first(where: { $0.telegramUserID == TelegramUserID(persona.id) }) {
            bookings += try await store.bookings(hostID: host.id!)
        }
        let calls = bookings.filter { ($0.status == .confirmed || $0.status == .active) && $0.time.end > now }.sorted { $0.time.start < $1.time.start }
        guard let next = calls.first else { return JumpView(moved: false, now: now.epochSeconds, message: "No upcoming paid call to jump to.") }
        let when: Instant
        switch target {
        case "reminder": when = next.time.start.adding(minutes: -15)
        case "start": when = next.time.start
        case "end": when = next.time.end
        default: return JumpView(moved: false, now: now.epochSeconds, message: "Jump to reminder, start or end.")
        }
        let seconds = when.epochSeconds - now.epochSeconds + 2
        guard seconds > 0 else { return JumpView(moved: false, now: now.epochSeconds, message: "That moment has passed already.") }
        jump(seconds: seconds)
        logger.notice("playground clock moved", metadata: ["seconds": "\(seconds)", "booking": "\(next.id!)"])
        return JumpView(moved: true, now: clock.now().epochSeconds, message: "Clock moved to \(target) of booking #\(next.id!.rawValue).")
    }

    /// Keys in a fixed order, so an unchanged chat encodes to the same text and is not sent again.
    static let sortedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json<T: Encodable>(_ value: T) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func refused(_ message: String) -> Response {
        let data = (try? JSONEncoder().encode(["error": message])) ?? Data()
        return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

struct PersonasView: Encodable {
    var personas: [Playground.Persona]
    var commands: [String: [BotCommand]]
}

struct ChatView: Encodable {
    var entries: [ChatEntry]
    var refusals: [CallRefusal]
}

struct PayView: Encodable {
    var paid: Bool
    var error: String?
}

struct JumpView: Encodable {
    var moved: Bool
    var now: Int64
    var message: String
}

struct SendBody: Decodable { var chat: Int64; var text: String }
struct TapBody: Decodable { var chat: Int64; var messageId: Int64; var data: String }
struct PayBody: Decodable { var chat: Int64; var messageId: Int64 }
struct PhotoBody: Decodable { var chat: Int64; var base64: String; var contentType: String; var caption: String? }
struct JumpBody: Decodable { var chat: Int64; var to: String }
struct BlockBody: Decodable { var chat: Int64; var blocked: Bool }
