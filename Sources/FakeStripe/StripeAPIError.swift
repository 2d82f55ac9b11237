import Foundation

/// An error answer in Stripe's shape: `{"error": {"type": …, "message": …, "param": …, "code": …}}`.
struct StripeAPIError: Error, Sendable, Equatable {
    var status: Int
    var type: String
    var message: String
    var param: String?
    var code: String?

    static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> StripeAPIError {
        StripeAPIError(status: 400, type: "invalid_request_error", message: message, param: param, code: code)
    }

    static func missing(_ param: String) -> StripeAPIError {
        .invalid("Missing required param: \(param).", param: param, code: "parameter_missing")
    }

    static func unknown(_ param: String) -> StripeAPIError {
        .invalid("Received unknown parameter: \(param)", param: param, code: "parameter_unknown")
    }

    var body: [UInt8] {
        var error: [String: Any] = ["type": type, "message": message]
        if let param { error["param"] = param }
        if let code { error["code"] = code }
        return FakeJSON.encode(["error": error])
    }
}

enum FakeJSON {
    /// Pretty, key-sorted JSON like Stripe's; `nil` values must be passed as `NSNull()`.
    static func encode(_ object: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }
}
