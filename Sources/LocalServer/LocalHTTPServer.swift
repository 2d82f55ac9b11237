import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The fake could not start its HTTP server.
public struct LocalServerStartError: Error, CustomStringConvertible {
    public let description: String
}

/// A Hummingbird application on 127.0.0.1, port 0, run in its own ServiceGroup: the HTTP side of the test
/// doubles (fake Bot API, Stripe Checkout double).
public struct LocalHTTPServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public static func start(router: Router<BasicRequestContext>, logger: Logger) async throws -> LocalHTTPServer {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                logger.error("fake HTTP server stopped with an error", metadata: ["error": "\(error)"])
            }
            portContinuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            await group.triggerGracefulShutdown()
            await task.value
            throw LocalServerStartError(description: "the fake HTTP server did not start listening on 127.0.0.1")
        }
        return LocalHTTPServer(port: port, group: group, task: task)
    }

    /// Graceful shutdown: stops accepting, lets open requests finish.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}
