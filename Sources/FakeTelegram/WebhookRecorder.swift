import Foundation
import HTTPTypes
import Hummingbird
import LocalServer
import Logging
import NIOCore
import Telegram

/// A stand-in webhook endpoint on 127.0.0.1 (port 0) that records every POST and answers scripted statuses:
/// for testing webhook delivery without the bot.
public final class WebhookRecorder: Sendable {
    /// One POST received.
    public struct Delivery: Sendable {
        public let path: String
        public let secretToken: String?
        public let body: Data

        public func update() throws -> Update { try TelegramJSON.decoder().decode(Update.self, from: body) }
    }

    private actor Log {
        var deliveries: [Delivery] = []
        var statuses: [Int] = []

        func record(_ delivery: Delivery) -> Int {
            deliveries.append(delivery)
            return statuses.isEmpty ? 200 : statuses.removeFirst()
        }

        func queue(_ status: Int) { statuses.append(status) }
    }

    private let log: Log
    private let server: LocalHTTPServer

    /// "http://127.0.0.1:<port>/webhook"
    public var url: String { server.baseURL + "/webhook" }

    private init(server: LocalHTTPServer, log: Log) {
        self.server = server
        self.log = log
    }

    public static func start(logger: Logger = FakeBotAPI.defaultLogger) async throws -> WebhookRecorder {
        let log = Log()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let delivery = Delivery(
                path: request.uri.path,
                secretToken: HTTPField.Name("X-Telegram-Bot-Api-Secret-Token").flatMap { request.headers[$0] },
                body: Data(buffer.readableBytesView)
            )
            let status = await log.record(delivery)
            return Response(status: HTTPResponse.Status(code: status))
        }
        return WebhookRecorder(server: try await LocalHTTPServer.start(router: router, logger: logger), log: log)
    }

    /// The next POST answers this status instead of 200 (queued in order).
    public func respondNext(with status: Int) async { await log.queue(status) }

    public func deliveries() async -> [Delivery] { await log.deliveries }

    public func stop() async { await server.stop() }
}
