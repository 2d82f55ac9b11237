import FakeStripe
import Foundation
import Testing

/// The playground page in real Chromium (Debian's `chromium` and `chromium-driver`, driven by selenium from PyPI):
/// `Tests/Browser/playground.py` books, pays with Stars, watches the host's notice, jumps to the call's start and
/// end, reviews, and adds a host through the wizard with a photo uploaded from the page — failing if the page
/// ever shows a Telegram refusal. Screenshots of each step go to `.build/playground-screenshots` (not committed);
/// with `PRIVATECALLS_README_SCREENSHOT=<path>` the README's picture is taken too.
@Suite("The playground in Chromium", .serialized)
struct PlaygroundBrowserTests {
    static var chromiumInstalled: Bool {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains { FileManager.default.isExecutableFile(atPath: $0) }
            && ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var required: Bool { ProcessInfo.processInfo.environment["PRIVATECALLS_REQUIRE_BROWSER"] == "1" }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func aNewcomerUsesThePlaygroundPageInChromium() async throws {
        guard Self.chromiumInstalled else {
            if Self.required { Issue.record("Chromium and chromedriver are required (scripts/test installs them)") }
            return
        }
        let python = try Peers.requirePython()
        let server = try await PlaygroundTests.start()
        defer { server.stop() }
        let shots = Self.repository.appendingPathComponent(".build/playground-screenshots").path
        var arguments = [Self.repository.appendingPathComponent("Tests/Browser/playground.py").path, server.base, shots]
        if let readme = ProcessInfo.processInfo.environment["PRIVATECALLS_README_SCREENSHOT"] { arguments.append(readme) }
        let (status, output, errors) = try await Self.run(python, arguments)
        #expect(status == 0, "\(errors)")
        #expect(output.contains("playground browser test: every step held"), "\(output)\n\(errors)")
    }

    /// Runs a process to its end without holding a thread of Swift's cooperative pool (which has only as many
    /// threads as cores: a blocking read there for the test's half minute would stall every other test).
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let collected = Collected()
        output.fileHandleForReading.readabilityHandler = { collected.append(out: $0.availableData) }
        errors.fileHandleForReading.readabilityHandler = { collected.append(err: $0.availableData) }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        collected.append(out: output.fileHandleForReading.readDataToEndOfFile())
        collected.append(err: errors.fileHandleForReading.readDataToEndOfFile())
        return (status, collected.out, collected.err)
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var stdout = Data(), stderr = Data()
        func append(out data: Data) { lock.withLock { stdout.append(data) } }
        func append(err data: Data) { lock.withLock { stderr.append(data) } }
        var out: String { lock.withLock { String(decoding: stdout, as: UTF8.self) } }
        var err: String { lock.withLock { String(decoding: stderr, as: UTF8.self) } }
    }
}
