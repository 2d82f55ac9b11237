import Hummingbird
import Logging
import ServiceLifecycle
import Storage

/// Builds the server the same way for `privatecalls serve` and for tests: routes, middleware and the
/// long-running services, over a store that is already open and migrated.
public func buildApplication(
    configuration: AppConfiguration, store: any Store, clock: WallClock = .system, logger: Logger
) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: LogRequestsMiddleware(.debug))
    HealthRoutes(store: store).register(on: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "privatecalls"),
        logger: logger)
}

/// Runs the server until SIGTERM or SIGINT, then shuts down gracefully.
public func runServer(configuration: AppConfiguration, store: any Store, clock: WallClock = .system, logger: Logger) async throws {
    let app = buildApplication(configuration: configuration, store: store, clock: clock, logger: logger)
    try await app.runService()
}
