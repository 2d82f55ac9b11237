import HTTPTypes
import Hummingbird
import Logging
import Storage

/// `/healthz`: the process answers. `/readyz`: the database answers too, and the bot (when configured) has
/// checked its token and registered its commands (and webhook) with Telegram — until then 503 saying what is
/// missing ("not ready: telegram (getMe: 429 retry after 3 s)").
struct HealthRoutes {
    /// Describes the ready database ("sqlite"), or throws when it does not answer.
    let readiness: @Sendable () async throws -> String
    /// What else is not ready yet, or nil.
    let notReady: @Sendable () -> String?

    init(store: any Store, telegram: TelegramReadiness? = nil) {
        readiness = {
            try await store.ping()
            return store.engineName
        }
        notReady = { telegram?.notReady }
    }

    init(readiness: @escaping @Sendable () async throws -> String, notReady: @escaping @Sendable () -> String? = { nil }) {
        self.readiness = readiness
        self.notReady = notReady
    }

    func register(on router: Router<some RequestContext>) {
        router.get("healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, context -> Response in
            let waiting = notReady()
            let engine: String
            do {
                engine = try await readiness()
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
                return Self.text(.serviceUnavailable, waiting.map { "not ready: \($0); database unavailable" } ?? "database unavailable")
            }
            if let waiting { return Self.text(.serviceUnavailable, "not ready: \(waiting)") }
            return Self.text(.ok, "ready (\(engine))")
        }
    }

    private static func text(_ status: HTTPResponse.Status, _ line: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: line + "\n")))
    }
}
