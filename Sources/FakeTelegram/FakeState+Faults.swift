import Foundation
import Logging
import Telegram

/// A scripted fault beyond `failNext`: limited to one chat, lasting until cleared, or a dropped connection.
struct ScriptedFault: Sendable {
    enum Action: Sendable {
        /// Answer this error.
        case fail(APIFailure)
        /// Do nothing with the request and close the connection without an answer, after holding it this long.
        case drop(after: Duration)
        /// Carry the request out, but hold its answer this long (a slow Telegram).
        case hold(Duration)
        /// Do nothing with the request and answer these bytes with this status, not Telegram's JSON envelope.
        case garble(status: Int, body: Data)
    }

    /// The canonical method name.
    let method: String
    /// Only calls addressing this `chat_id`; nil for every call of the method.
    let chat: Int64?
    let action: Action
    /// Applies to every matching call until `clearFaults`; otherwise to the next one only.
    let persistent: Bool
}

extension FakeState {
    func addFault(_ method: String, chat: Int64?, action: ScriptedFault.Action, persistent: Bool) {
        let method = Self.canonicalMethods[method.lowercased()] ?? method
        scriptedFaults.append(ScriptedFault(method: method, chat: chat, action: action, persistent: persistent))
    }

    func clearFaults() {
        scriptedFaults.removeAll()
        faults.removeAll()
    }

    /// The scripted fault for this call, if one matches (one-shot faults are used up, in the order queued).
    func takeScriptedFault(_ method: String, body: Data) -> ScriptedFault.Action? {
        let chat = Self.chatID(in: body)
        guard let index = scriptedFaults.firstIndex(where: { $0.method == method && ($0.chat == nil || $0.chat == chat) }) else {
            return nil
        }
        let fault = scriptedFaults[index]
        if !fault.persistent { scriptedFaults.remove(at: index) }
        return fault.action
    }

    /// Records call `index` as dropped: no answer (status 0), nothing done.
    func drop(_ index: Int, after delay: Duration) -> Step {
        callLog[index].error = "connection dropped (scripted)"
        logger.debug("FakeBotAPI dropped a call", metadata: ["method": "\(callLog[index].method)"])
        return .drop(until: .now + delay)
    }

    /// Records call `index` as answered with unreadable bytes: nothing done.
    func garble(_ index: Int, status: Int, body: Data) -> Step {
        callLog[index].status = status
        callLog[index].error = "unreadable answer (scripted)"
        logger.debug("FakeBotAPI garbled a call", metadata: ["method": "\(callLog[index].method)"])
        return .answer(status: status, body: body)
    }

    var isStopping: Bool { stopping }

    /// The numeric `chat_id` of a JSON request body, if it has one.
    static func chatID(in body: Data) -> Int64? {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return nil }
        switch object["chat_id"] {
        case let number as NSNumber: return number.int64Value
        case let text as String: return Int64(text)
        default: return nil
        }
    }
}
