import Logging
import ServiceLifecycle
import Synchronization
import Telegram

/// What the bot still has to do with Telegram before it is ready: check the token (`getMe`), publish its
/// commands, register the webhook (webhook mode). `/readyz` answers 503 with `notReady` until every expected
/// step is done; long polling waits for `getMe` (`waitUntilTokenChecked`).
final class TelegramReadiness: Sendable {
    enum Step: String, Sendable, CaseIterable {
        case getMe, setMyCommands, setWebhook
    }

    private struct State {
        /// The steps still to do, each with the last problem ("429 retry after 3 s"), if one happened.
        var pending: [Step: String?]
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let expected: [Step]
    private let state: Mutex<State>

    init(expecting steps: [Step]) {
        expected = steps
        state = Mutex(State(pending: Dictionary(uniqueKeysWithValues: steps.map { ($0, String?.none) })))
    }

    /// The step failed for now and will be tried again.
    func failed(_ step: Step, problem: String) {
        state.withLock { state in
            if state.pending.index(forKey: step) != nil { state.pending.updateValue(problem, forKey: step) }
        }
    }

    func done(_ step: Step) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.pending[step] = nil
            guard step == .getMe else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    var tokenChecked: Bool { state.withLock { $0.pending.index(forKey: .getMe) == nil } }

    /// nil when ready; else "telegram (getMe: 429 retry after 3 s; setMyCommands: pending)".
    var notReady: String? {
        let pending = state.withLock { $0.pending }
        let parts = expected.compactMap { step -> String? in
            guard let problem = pending[step] else { return nil }
            return "\(step.rawValue): \(problem ?? "pending")"
        }
        return parts.isEmpty ? nil : "telegram (\(parts.joined(separator: "; ")))"
    }

    /// Returns once `getMe` succeeded, or at once when the task is cancelled.
    func waitUntilTokenChecked() async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.pending.index(forKey: .getMe) == nil || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Telegram refused the token (401, or 404 as it answers for a malformed one): retrying cannot help, so
/// start-up stops with this one line. Never carries the token.
enum BotStartError: Error, CustomStringConvertible {
    case tokenRejected(step: String, code: Int, description: String)

    var description: String {
        switch self {
        case .tokenRejected(let step, let code, let description):
            "TELEGRAM_BOT_TOKEN was rejected by Telegram (\(step): \(code) \(description)); check the bot token from @BotFather"
        }
    }
}

/// Runs a start-up Bot API call until it succeeds: 429 waits `retry_after`, 5xx / network / unreadable
/// answers back off (`StartupBackoff`), each problem shown by `/readyz` meanwhile; 401/404 throw
/// `BotStartError.tokenRejected`. Cancellation (graceful shutdown) throws `CancellationError`.
struct StartupCall: Sendable {
    let readiness: TelegramReadiness
    let backoff: StartupBackoff
    let logger: Logger

    func run<T: Sendable>(
        _ step: TelegramReadiness.Step, _ call: @Sendable () async throws(TelegramError) -> T
    ) async throws -> T {
        var failures = 0
        while true {
            try Task.checkCancellation()
            let error: TelegramError
            do {
                return try await call()
            } catch let e {
                error = e
            }
            try Task.checkCancellation()
            if case .api(let code, let description) = error, code == 401 || code == 404 {
                throw BotStartError.tokenRejected(step: step.rawValue, code: code, description: description)
            }
            failures += 1
            var retryAfter: Int?
            if case .tooManyRequests(let seconds, _) = error { retryAfter = seconds }
            let delay = backoff.delay(failures: failures, retryAfter: retryAfter)
            let problem = Self.problem(error, retryIn: delay)
            readiness.failed(step, problem: problem)
            logger.warning("Telegram not ready, retrying", metadata: ["step": "\(step.rawValue)", "problem": "\(problem)"])
            try await Task.sleep(for: delay)
        }
    }

    /// Short words for `/readyz` and the log: "429 retry after 3 s", "500 server error, retry in 1 s".
    static func problem(_ error: TelegramError, retryIn delay: Duration) -> String {
        let what: String
        switch error {
        case .tooManyRequests(let seconds, _): return "429 retry after \(seconds) s"
        case .api(let code, let description): what = "\(code) \(description.prefix(120))"
        case .network(let detail): what = "unreachable (\(detail.prefix(120)))"
        case .decoding: what = "unreadable answer"
        }
        return "\(what), retry in \(Self.seconds(delay))"
    }

    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(Double(ms) / 1000) s"
    }
}

/// Runs `inner` only once the bot's token is checked (long polling with a token Telegram has not accepted
/// would only collect errors); a shutdown before that ends it quietly.
struct AfterTokenCheck<Inner: Service & CustomStringConvertible>: Service, CustomStringConvertible {
    let inner: Inner
    let readiness: TelegramReadiness

    var description: String { "\(inner.description) (after getMe)" }

    func run() async throws {
        let readiness = self.readiness
        await cancelWhenGracefulShutdown { await readiness.waitUntilTokenChecked() }
        guard readiness.tokenChecked, !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        try await inner.run()
    }
}
