import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import Testing

@testable import App

@Suite("Health and readiness")
struct HealthRoutesTests {
    static let logger = Logger(label: "app-tests")

    @Test func healthAndReadinessOnARealSQLiteFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pc-app-\(UUID().uuidString).sqlite").path
        let store = try await StoreFactory.open(.sqlite(path: path), logger: Self.logger)
        try await store.migrate()
        let configuration = try AppConfiguration.load(environment: ["DATABASE_URL": path, "PORT": "0"])
        let app = buildApplication(configuration: configuration, store: store, logger: Self.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ready (sqlite)\n")
            }
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
        await store.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func readinessFailsWhenTheDatabaseDoesNotAnswer() async throws {
        struct Down: Error {}
        let router = Router()
        HealthRoutes(readiness: { throw Down() }).register(on: router)
        let app = Application(router: router, logger: Self.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body) == "database unavailable\n")
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
