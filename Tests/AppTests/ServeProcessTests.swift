import FakeTelegram
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `privatecalls` binary as an operator would.
@Suite("privatecalls serve as a process", .serialized)
struct ServeProcessTests {
    /// The executable built next to the test bundle (`swift build --build-tests` builds both).
    static var binary: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("privatecalls")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static func run(_ arguments: [String], environment: [String: String], in dir: URL) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try #require(binary, "privatecalls binary not found next to the tests")
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.currentDirectoryURL = dir
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pc-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func serveOnAFreshCheckoutCreatesTheSQLiteFileMigratesAndAnswers() async throws {
        let dir = try Self.tempDir()
        let port = Int.random(in: 20_000...40_000)
        let (process, errors) = try Self.run(["serve"], environment: ["PORT": String(port)], in: dir)
        defer { if process.isRunning { process.terminate() } }

        var body: String?
        for _ in 0..<100 where body == nil {
            try await Task.sleep(for: .milliseconds(100))
            if let (data, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                body = String(decoding: data, as: UTF8.self)
            }
        }
        #expect(body == "ok\n")
        // Without a bot token it is the playground, on its own SQLite file; ready once its simulated Telegram answered.
        var ready = ""
        for _ in 0..<100 where ready != "ready (sqlite)\n" {
            if let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/readyz")!) {
                ready = String(decoding: data, as: UTF8.self)
            }
            if ready != "ready (sqlite)\n" { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready == "ready (sqlite)\n")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("privatecalls-playground.sqlite").path))

        process.interrupt() // SIGINT: graceful shutdown
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("migration applied"))
        try? FileManager.default.removeItem(at: dir)
    }

    @Test(arguments: [
        ("mysql://root@localhost/db", "DATABASE_URL uses “mysql://”"),
        ("postgres://app:s3cret@127.0.0.1:1/calls", "DATABASE_URL: cannot connect to PostgreSQL at postgres://app:***@127.0.0.1:1/calls"),
    ])
    func aBadDatabaseURLExitsNonZeroWithOneClearLine(url: String, expected: String) async throws {
        let dir = try Self.tempDir()
        let (process, errors) = try Self.run(["serve"], environment: ["DATABASE_URL": url], in: dir)
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1, "\(output)")
        #expect(output.contains(expected), "\(output)")
        #expect(!output.contains("s3cret"))
        try? FileManager.default.removeItem(at: dir)
    }

    /// A token Telegram rejects cannot start working by waiting: `serve` exits 1 with one line naming the
    /// variable, and the token appears nowhere in its output.
    @Test func aRejectedBotTokenExitsNonZeroWithOneClearLineAndNoToken() async throws {
        let fake = try await FakeBotAPI.start()
        do {
            try await Self.rejectedToken(fake)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    static func rejectedToken(_ fake: FakeBotAPI) async throws {
        let dir = try Self.tempDir()
        let wrongToken = "987654:Wrong-Token_xyz123"
        let environment = [
            "PORT": String(Int.random(in: 20_000...40_000)), "TELEGRAM_BOT_TOKEN": wrongToken, "TELEGRAM_API_URL": fake.baseURL,
        ]
        let (process, errors) = try Self.run(["serve"], environment: environment, in: dir)
        defer { if process.isRunning { process.terminate() } }
        for _ in 0..<300 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "serve kept running with a rejected token")
        if process.isRunning { process.terminate() }
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let fatal = output.split(separator: "\n").filter { $0.hasPrefix("privatecalls: ") }
        #expect(fatal == ["privatecalls: TELEGRAM_BOT_TOKEN was rejected by Telegram (getMe: 401 Unauthorized); check the bot token from @BotFather"], "\(output)")
        #expect(output.split(separator: "\n").last.map(String.init) == fatal.first.map(String.init))
        #expect(!output.contains(wrongToken) && !output.contains("Wrong-Token_xyz123"), "the token leaked: \(output)")
        #expect(await fake.calls("getMe").map(\.status) == [401], "a rejected token is not retried")
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func migrateCommandIsIdempotent() async throws {
        let dir = try Self.tempDir()
        for expected in ["(12 applied now)", "(0 applied now)"] {
            let process = Process()
            guard let binary = Self.binary else { Issue.record("privatecalls binary not found next to the tests"); return }
            process.executableURL = binary
            process.arguments = ["migrate", "--database-url", dir.appendingPathComponent("m.sqlite").path]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(text.contains("schema version 12 \(expected)"), "\(text)")
        }
        try? FileManager.default.removeItem(at: dir)
    }
}
