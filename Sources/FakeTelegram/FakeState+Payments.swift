import Foundation
import Telegram

// Commands and payments: setMyCommands, getMyCommands, sendInvoice, answerPreCheckoutQuery, refundStarPayment.
extension FakeState {
    func setMyCommands(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(SetMyCommands.self, body)
        guard p.commands.count <= 100 else { throw .badRequest("too many commands specified") }
        for command in p.commands { try Validation.command(command) }
        commandsByLanguage[p.languageCode ?? ""] = p.commands
        return WireJSON.trueResult
    }

    func getMyCommands(_ body: Data) throws(APIFailure) -> Data {
        struct Params: Decodable { var languageCode: String? }
        let p = try WireJSON.decode(Params.self, body)
        return WireJSON.encode(commandsByLanguage[p.languageCode ?? ""] ?? [])
    }

    func sendInvoice(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(SendInvoice.self, body)
        try requireWritableChat(p.chatId)
        guard (1...32).contains(p.title.trimmingWhitespace().utf16.count) else { throw .badRequest("invoice title must be 1-32 characters") }
        guard (1...255).contains(p.description.trimmingWhitespace().utf16.count) else {
            throw .badRequest("invoice description must be 1-255 characters")
        }
        guard (1...128).contains(p.payload.utf8.count) else { throw .badRequest("invoice payload must be 1-128 bytes") }
        guard p.currency.count == 3, p.currency.unicodeScalars.allSatisfy({ $0 >= "A" && $0 <= "Z" }) else {
            throw .badRequest("CURRENCY_INVALID")
        }
        guard !p.prices.isEmpty, p.prices.allSatisfy({ !$0.label.trimmingWhitespace().isEmpty }) else {
            throw .badRequest("prices must be a non-empty list of labeled prices")
        }
        let total = p.prices.reduce(Int64(0)) { $0 + $1.amount }
        guard total > 0 else { throw .badRequest("CURRENCY_TOTAL_AMOUNT_INVALID") }
        if p.currency == "XTR" {
            guard (p.providerToken ?? "").isEmpty else {
                throw .badRequest("provider_token must be empty or omitted for payments in Telegram Stars")
            }
            guard p.prices.count == 1 else { throw .badRequest("exactly one price must be specified for payments in Telegram Stars") }
        } else if (p.providerToken ?? "").isEmpty {
            throw .badRequest("PAYMENT_PROVIDER_INVALID")
        }
        let invoice = try Self.invoice(title: p.title, description: p.description, currency: p.currency, total: total)
        let message = appendMessage(to: p.chatId, from: bot) { $0.invoice = invoice }
        invoicePayloads["\(p.chatId):\(message.messageId)"] = p.payload
        return WireJSON.encode(message)
    }

    /// `Invoice` has no public memberwise initializer, so it is built through its wire form.
    private static func invoice(title: String, description: String, currency: String, total: Int64) throws(APIFailure) -> Invoice {
        struct Wire: Encodable {
            let title: String
            let description: String
            let startParameter: String
            let currency: String
            let totalAmount: Int64
        }
        let wire = Wire(title: title, description: description, startParameter: "", currency: currency, totalAmount: total)
        return try WireJSON.decode(Invoice.self, WireJSON.encode(wire))
    }

    func answerPreCheckoutQuery(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(AnswerPreCheckoutQuery.self, body)
        guard preCheckoutQueryIds.contains(p.preCheckoutQueryId), !answeredPreCheckoutQueries.contains(p.preCheckoutQueryId) else {
            throw .queryInvalid
        }
        if !p.ok && (p.errorMessage ?? "").trimmingWhitespace().isEmpty {
            throw .badRequest("error_message must be specified when ok is false")
        }
        answeredPreCheckoutQueries.insert(p.preCheckoutQueryId)
        preCheckoutAnswers[p.preCheckoutQueryId] = PreCheckoutAnswer(ok: p.ok, error: p.errorMessage)
        return WireJSON.trueResult
    }

    func refundStarPayment(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(RefundStarPayment.self, body)
        guard let charge = charges[p.telegramPaymentChargeId], charge.userId == p.userId else { throw .badRequest("CHARGE_NOT_FOUND") }
        guard !charge.refunded else { throw .badRequest("CHARGE_ALREADY_REFUNDED") }
        charges[p.telegramPaymentChargeId]?.refunded = true
        return WireJSON.trueResult
    }

    func refundedChargeIds() -> [String] {
        charges.filter(\.value.refunded).map(\.key).sorted()
    }
}
