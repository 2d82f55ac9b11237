// Test support shared by the payment and app tests: the Python peers and a localstripe process.
import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOHTTP1

/// The Python test peers (`scripts/peers` installs them): Stripe's official library and localstripe.
///
/// Found through `PRIVATECALLS_PYTHON`, else `<repo>/.venv-peers/bin/python`. When neither exists the peer tests
/// are skipped with a message — unless `PRIVATECALLS_REQUIRE_PEERS=1`, when they run and fail.
public enum Peers {
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static var python: String? {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["PRIVATECALLS_PYTHON"], !configured.isEmpty {
            return FileManager.default.isExecutableFile(atPath: configured) ? configured : nil
        }
        let venv = repoRoot.appendingPathComponent(".venv-peers/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    public static var required: Bool { ProcessInfo.processInfo.environment["PRIVATECALLS_REQUIRE_PEERS"] == "1" }

    /// For `.enabled(if:)`: run when the peers are there, or when they are required (and then fail if missing).
    public static var shouldRun: Bool { python != nil || required }

    public static let skipMessage =
        "Python peers not found: run scripts/peers (or set PRIVATECALLS_PYTHON); PRIVATECALLS_REQUIRE_PEERS=1 makes this a failure"

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    public static func requirePython() throws -> String {
        guard let python else {
            throw Missing(description: "PRIVATECALLS_REQUIRE_PEERS=1 but no Python peers: run scripts/peers or set PRIVATECALLS_PYTHON")
        }
        return python
    }

    /// Runs the peer Python with `arguments`; returns standard output, throws on a non-zero exit.
    public static func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try requirePython())
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read while it runs, so a full pipe cannot block it.
        async let out = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        async let err = Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }.value
        let (stdout, stderr) = await (out, err)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Missing(description: "python \(arguments.first ?? "") exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self))")
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// A free TCP port on the IPv6 wildcard (localstripe listens on `::`).
    public static func freePort() async throws -> Int {
        let text = try await run([
            "-c", "import socket; s = socket.socket(socket.AF_INET6); s.bind(('::', 0)); print(s.getsockname()[1]); s.close()",
        ])
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw Missing(description: "no free port: \(text)") }
        return port
    }
}

/// A `localstripe --from-scratch` process for one test; stopped by `stop()`.
public final class LocalStripe: @unchecked Sendable {
    public let baseURL: String
    public let secretKey = "sk_test_localstripe_peer"
    private let process: Process
    public let logURL: URL

    private init(baseURL: String, process: Process, logURL: URL) {
        self.baseURL = baseURL
        self.process = process
        self.logURL = logURL
    }

    /// Starts one, trying again on a fresh port when the process ends before answering (seen rarely under a
    /// fully loaded test run: a port taken between our probe and localstripe's bind, or an early exit that
    /// left nothing in the log).
    public static func start() async throws -> LocalStripe {
        var lastError: (any Error)?
        for _ in 0..<3 {
            do {
                return try await startOnce()
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    private static func startOnce() async throws -> LocalStripe {
        let python = try Peers.requirePython()
        let port = try await Peers.freePort()
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("localstripe-\(port).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", launcher, String(port)]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let peer = LocalStripe(baseURL: "http://127.0.0.1:\(port)", process: process, logURL: logURL)
        // Wait until it answers an authenticated GET.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning { break }
            if let (status, _) = try? await peer.request("GET", "/v1/balance"), status == 200 { return peer }
            try await Task.sleep(for: .milliseconds(100))
        }
        peer.stop()
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        throw Peers.Missing(description: "localstripe did not answer on port \(port): \(text.suffix(2000))")
    }

    /// Runs `localstripe --port <argv[1]> --from-scratch` after two fixes for life under a test runner:
    /// Foundation's `Process` hands the child the runner's blocked-signal mask (SIGTERM included), so the mask is
    /// cleared; and a watchdog ends localstripe when the test process dies without stopping it.
    static let launcher = """
    import os, signal, sys, threading, time, runpy
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parent = os.getppid()
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()
    sys.argv = ["localstripe", "--port", sys.argv[1], "--from-scratch"]
    runpy.run_module("localstripe", run_name="__main__")
    """

    public func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: logURL)
    }

    /// A plain request to localstripe with form fields; returns the status and the JSON body.
    public func request(_ method: String, _ path: String, form: [(String, String)] = []) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method == "GET" ? .GET : .POST
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        if !form.isEmpty {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let body = form.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }

    private func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }
}

