import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Telegram

/// `POST /telegram/webhook`: accepted only with the right `X-Telegram-Bot-Api-Secret-Token` (compared in
/// constant time); anything else is 403 and changes nothing.
struct TelegramWebhookRoutes {
    let secret: String
    let dispatcher: UpdateDispatcher

    func register(on router: Router<some RequestContext>) {
        router.post("telegram/webhook") { request, context -> Response in
            let token = request.headers[HTTPField.Name("X-Telegram-Bot-Api-Secret-Token")!] ?? ""
            guard constantTimeEquals(token, secret) else {
                context.logger.warning("telegram webhook with a wrong secret token rejected")
                return Response(status: .forbidden)
            }
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let update = try? TelegramJSON.decoder().decode(Update.self, from: Data(body.readableBytesView)) else {
                context.logger.warning("telegram webhook body unreadable")
                return Response(status: .badRequest)
            }
            try await dispatcher.dispatch(update)
            return Response(status: .ok)
        }
    }
}

/// Equal-length compare without early exit; lengths leak, contents do not.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}
