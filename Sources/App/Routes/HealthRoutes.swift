import Hummingbird
import Logging
import Storage

/// `/healthz`: the process answers. `/readyz`: the database answers too.
struct HealthRoutes {
    let store: any Store

    func register(on router: Router<some RequestContext>) {
        router.get("healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, context -> Response in
            do {
                try await store.ping()
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "ready (\(store.engineName))\n")))
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "database unavailable\n")))
            }
        }
    }
}
