import Foundation

// Fault injection beyond `failNext`: faults for one chat, lasting faults (a chat that cannot be reached until
// the test says so), dropped connections (the network failing: the client gets no answer at all), slow
// answers and unreadable (non-JSON) answers.
extension FakeBotAPI {
    /// The next call of `method` addressing `chat` (its `chat_id`) answers this error; calls to other chats
    /// are served normally. Several calls queue several faults, used in order.
    public func failNext(_ method: String, chat: Int64, code: Int, description: String, retryAfter: Int? = nil) async {
        let failure = APIFailure(code: code, description: description, retryAfter: retryAfter)
        await state.addFault(method, chat: chat, action: .fail(failure), persistent: false)
    }

    /// Every call of `method` (addressing `chat`, if given) answers this error until `clearFaults()`.
    public func failAlways(_ method: String, chat: Int64? = nil, code: Int, description: String, retryAfter: Int? = nil) async {
        let failure = APIFailure(code: code, description: description, retryAfter: retryAfter)
        await state.addFault(method, chat: chat, action: .fail(failure), persistent: true)
    }

    /// The next call of `method` (addressing `chat`, if given) is not carried out: the fake holds the request
    /// for `after`, then closes the connection without answering, so the client sees a network error. The
    /// call is recorded with status 0 and the error "connection dropped (scripted)".
    public func dropNext(_ method: String, chat: Int64? = nil, after: Duration = .zero) async {
        await state.addFault(method, chat: chat, action: .drop(after: after), persistent: false)
    }

    /// The next call of `method` (addressing `chat`, if given) is not carried out and is answered with `body`
    /// as it is, not in Telegram's JSON envelope — what a proxy's error page or a truncated answer looks like.
    /// The call is recorded with `status` and the error "unreadable answer (scripted)".
    public func garbleNext(_ method: String, chat: Int64? = nil, status: Int = 200, body: String = "<html><body>Bad Gateway</body></html>") async {
        await state.addFault(method, chat: chat, action: .garble(status: status, body: Data(body.utf8)), persistent: false)
    }

    /// The next matching call is carried out at once but answered only after `duration` (a slow Telegram).
    public func holdNext(_ method: String, chat: Int64? = nil, for duration: Duration) async {
        await state.addFault(method, chat: chat, action: .hold(duration), persistent: false)
    }

    /// Removes every queued or lasting fault (those of `failNext` too).
    public func clearFaults() async { await state.clearFaults() }
}
