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
        _ = try Peers.requirePython()
        let server = try await PlaygroundTests.start()
        defer { server.stop() }
        let shots = Self.repository.appendingPathComponent(".build/playground-screenshots").path
        var arguments = [Self.repository.appendingPathComponent("Tests/Browser/playground.py").path, server.base, shots]
        if let readme = ProcessInfo.processInfo.environment["PRIVATECALLS_README_SCREENSHOT"] { arguments.append(readme) }
        let output = try await Peers.run(arguments, timeout: .seconds(240))
        #expect(output.contains("playground browser test: every step held"), "\(output)")
    }
}
