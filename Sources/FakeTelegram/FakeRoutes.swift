import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The HTTP face of the fake: `/bot<token>/<method>` by GET or POST, parameters as JSON, form, multipart/form-data
/// or query string.
struct FakeRoutes: Sendable {
    let state: FakeState
    let token: String

    func register(on router: Router<BasicRequestContext>) {
        router.post("**") { request, _ in await respond(to: request) }
        router.get("**") { request, _ in await respond(to: request) }
    }

    func respond(to request: Request) async -> Response {
        let segments = request.uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if segments.count >= 3, segments[0] == "file", segments[1] == "bot\(token)" {
            guard let file = await state.download(path: segments.dropFirst(2).joined(separator: "/")) else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: file.contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.data)))
        }
        guard segments.count == 2, segments[0].hasPrefix("bot") else {
            return Self.response(await state.recordStray(path: request.uri.path))
        }
        let tokenValid = segments[0].dropFirst(3) == token
        var bodyProblem: APIFailure?
        var body = Data("{}".utf8)
        var files: [UploadedFile] = []
        do {
            // Room for a 50 MB upload and its multipart framing.
            let buffer = try await request.body.collect(upTo: Validation.maxUploadSize + (1 << 20))
            let raw = Data(buffer.readableBytesView)
            (body, files) = try Self.parameters(
                body: raw, contentType: request.headers[.contentType] ?? "", query: request.uri.query ?? ""
            )
        } catch let failure as APIFailure {
            bodyProblem = failure
        } catch is NIOTooManyBytesError {
            bodyProblem = .tooLarge
        } catch {
            bodyProblem = .badRequest("request body is unreadable")
        }
        var step = await state.begin(method: segments[1], tokenValid: tokenValid, body: body, files: files, bodyProblem: bodyProblem)
        while case .longPoll(let poll) = step {
            try? await Task.sleep(for: .milliseconds(5))
            if let next = await state.poll(poll) { step = next }
        }
        if case .drop(let until) = step {
            while ContinuousClock.now < until, !(await state.isStopping) { try? await Task.sleep(for: .milliseconds(10)) }
            return Self.droppedConnection()
        }
        if case .held(let until, let status, let body) = step {
            while ContinuousClock.now < until, !(await state.isStopping) { try? await Task.sleep(for: .milliseconds(5)) }
            step = .answer(status: status, body: body)
        }
        return Self.response(step)
    }

    /// A response whose body fails before its first byte: the server closes the connection, so the client
    /// gets no answer.
    private static func droppedConnection() -> Response {
        struct Dropped: Error {}
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(contentLength: 64) { _ in throw Dropped() })
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

    /// The request's parameters as one JSON object: a JSON body as sent; a form or multipart body or query string
    /// converted, its values read as JSON where they look like JSON (numbers, booleans, objects, arrays), as Telegram
    /// does. Multipart file parts (those with a filename) come back apart, each at most 50 MB (413 otherwise).
    static func parameters(body: Data, contentType: String, query: String) throws(APIFailure) -> (json: Data, files: [UploadedFile]) {
        let type = contentType.lowercased()
        let isMultipart = type.contains("multipart/")
        let isForm = type.contains("x-www-form-urlencoded")
        let hasBody = !body.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        if query.isEmpty && !isForm && !isMultipart {
            guard hasBody else { return (Data("{}".utf8), []) }
            guard (try? JSONSerialization.jsonObject(with: body)) is [String: Any] else {
                throw .badRequest("can't parse JSON object")
            }
            return (body, [])
        }
        var object: [String: Any] = [:]
        var files: [UploadedFile] = []
        for (key, value) in formPairs(query) { object[key] = jsonValue(value, key: key) }
        if isMultipart {
            for part in try MultipartBody.parts(of: body, contentType: contentType) {
                if let fileName = part.fileName {
                    guard part.data.count <= Validation.maxUploadSize else { throw .tooLarge }
                    files.append(UploadedFile(field: part.name, fileName: fileName, contentType: part.contentType, data: part.data))
                } else {
                    guard let value = String(bytes: part.data, encoding: .utf8) else { throw .badRequest("strings must be encoded in UTF-8") }
                    object[part.name] = jsonValue(value, key: part.name)
                }
            }
        } else if isForm {
            for (key, value) in formPairs(String(decoding: body, as: UTF8.self)) { object[key] = jsonValue(value, key: key) }
        } else if hasBody {
            guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
                throw .badRequest("can't parse JSON object")
            }
            object.merge(json) { _, new in new }
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { throw .badRequest("can't parse request parameters") }
        return (data, files)
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
        "language_code", "parse_mode", "document",
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
