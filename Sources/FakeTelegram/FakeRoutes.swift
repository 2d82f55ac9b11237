import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The HTTP face of the fake: `/bot<token>/<method>` by GET or POST, parameters as JSON, form or query string.
struct FakeRoutes: Sendable {
    let state: FakeState
    let token: String

    func register(on router: Router<BasicRequestContext>) {
        router.post("**") { request, _ in await respond(to: request) }
        router.get("**") { request, _ in await respond(to: request) }
    }

    func respond(to request: Request) async -> Response {
        let segments = request.uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        guard segments.count == 2, segments[0].hasPrefix("bot") else {
            return Self.response(await state.recordStray(path: request.uri.path))
        }
        let tokenValid = segments[0].dropFirst(3) == token
        var bodyProblem: APIFailure?
        var body = Data("{}".utf8)
        do {
            let buffer = try await request.body.collect(upTo: 20 << 20)
            let raw = Data(buffer.readableBytesView)
            body = try Self.parameters(
                body: raw, contentType: request.headers[.contentType] ?? "", query: request.uri.query ?? ""
            )
        } catch let failure as APIFailure {
            bodyProblem = failure
        } catch {
            bodyProblem = .badRequest("request body is too large or unreadable")
        }
        var step = await state.begin(method: segments[1], tokenValid: tokenValid, body: body, bodyProblem: bodyProblem)
        while case .longPoll(let poll) = step {
            try? await Task.sleep(for: .milliseconds(5))
            if let next = await state.poll(poll) { step = next }
        }
        return Self.response(step)
    }

    private static func response(_ step: Step) -> Response {
        guard case .answer(let status, let body) = step else { return Response(status: .internalServerError) }
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    // MARK: Parameters

    /// The request's parameters as one JSON object: a JSON body as sent; a form body or query string converted,
    /// its values read as JSON where they look like JSON (numbers, booleans, objects, arrays), as Telegram does.
    static func parameters(body: Data, contentType: String, query: String) throws(APIFailure) -> Data {
        let type = contentType.lowercased()
        if type.contains("multipart/") { throw .badRequest("FakeBotAPI does not accept multipart/form-data; send JSON") }
        let isForm = type.contains("x-www-form-urlencoded")
        let hasBody = !body.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        if query.isEmpty && !isForm {
            guard hasBody else { return Data("{}".utf8) }
            guard (try? JSONSerialization.jsonObject(with: body)) is [String: Any] else {
                throw .badRequest("can't parse JSON object")
            }
            return body
        }
        var object: [String: Any] = [:]
        for (key, value) in formPairs(query) { object[key] = jsonValue(value, key: key) }
        if isForm {
            for (key, value) in formPairs(String(decoding: body, as: UTF8.self)) { object[key] = jsonValue(value, key: key) }
        } else if hasBody {
            guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
                throw .badRequest("can't parse JSON object")
            }
            object.merge(json) { _, new in new }
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { throw .badRequest("can't parse request parameters") }
        return data
    }

    private static func formPairs(_ string: String) -> [(String, String)] {
        string.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            guard let key = parts.first, !key.isEmpty else { return nil }
            return (decode(key), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Fields that are strings even when they look like numbers.
    private static let stringFields: Set<String> = [
        "text", "caption", "title", "description", "payload", "currency", "provider_token", "callback_query_id",
        "pre_checkout_query_id", "telegram_payment_charge_id", "secret_token", "url", "photo", "error_message",
        "language_code", "parse_mode",
    ]

    private static func jsonValue(_ value: String, key: String) -> Any {
        if stringFields.contains(key) { return value }
        if let first = value.first, "[{".contains(first), let json = try? JSONSerialization.jsonObject(with: Data(value.utf8)) {
            return json
        }
        if let integer = Int64(value) { return integer }
        if value == "true" { return true }
        if value == "false" { return false }
        return value
    }
}
