import Hummingbird
import Logging
import Storage

/// `/healthz`: the process answers. `/readyz`: the database answers too.
struct HealthRoutes {
    /// Describes the ready database ("sqlite"), or throws when it does not answer.
    let readiness: @Sendable () async throws -> String

    init(store: any Store) {
        readiness = {
            try await store.ping()
            return store.engineName
        }
    }

    init(readiness: @escaping @Sendable () async throws -> String) { self.readiness = readiness }

    func register(on router: Router<some RequestContext>) {
        router.get("healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, context -> Response in
            do {
                let engine = try await readiness()
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "ready (\(engine))\n")))
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "database unavailable\n")))
            }
        }
    }
}
