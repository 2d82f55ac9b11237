/// The parameters of `POST /v1/checkout/sessions` checked as Stripe documents them. The fake knows only the
/// parameters listed in `allowed`; anything else is refused as Stripe refuses unknown parameters.
struct CheckoutParameters: Sendable {
    var mode: String
    var lineItems: [RecordedSession.LineItem]
    var successURL: String
    var cancelURL: String?
    var expiresAt: Int64
    var clientReferenceID: String?
    var metadata: [String: String]
    var paymentIntentMetadata: [String: String]

    var currency: String { lineItems.first?.currency ?? "" }
    var amountTotal: Int64 { lineItems.reduce(0) { $0 + $1.unitAmount * $1.quantity } }

    /// Minimum charge amounts Stripe documents for the currencies we use (docs.stripe.com/currencies).
    static let minimumCharge: [String: (amount: Int64, text: String)] = ["usd": (50, "$0.50 usd"), "eur": (50, "€0.50 eur")]

    static func parse(_ form: [FormField], receivedAt: Int64) throws(StripeAPIError) -> CheckoutParameters {
        var values: [String: String] = [:]
        var items: [Int: [String: String]] = [:]
        var metadata: [String: String] = [:]
        var intentMetadata: [String: String] = [:]

        for field in form {
            guard let path = FormBody.path(field.name) else { throw .invalid("Invalid parameter name: \(field.name)", param: field.name) }
            switch path.count {
            case 1 where topLevel.contains(path[0]):
                values[path[0]] = field.value
            case 2 where path[0] == "expand":
                continue
            case 2 where path[0] == "metadata":
                metadata[path[1]] = field.value
            case 3 where path[0] == "payment_intent_data" && path[1] == "metadata":
                intentMetadata[path[2]] = field.value
            case 2 where path[0] == "payment_intent_data" && path[1] == "description":
                continue
            case _ where path[0] == "line_items" && path.count >= 3:
                guard let index = Int(path[1]), index >= 0, index < 100, String(index) == path[1] else {
                    throw .invalid("Invalid array", param: "line_items")
                }
                let rest = path.dropFirst(2).joined(separator: ".")
                guard lineItemFields.contains(rest) else { throw .unknown(field.name) }
                items[index, default: [:]][rest] = field.value
            default:
                throw .unknown(field.name)
            }
        }

        guard let mode = values["mode"] else { throw .missing("mode") }
        guard ["payment", "setup", "subscription"].contains(mode) else {
            throw .invalid("Invalid mode: must be one of payment, setup, or subscription", param: "mode")
        }
        guard mode == "payment" else {
            throw .invalid("FakeStripe implements only mode=payment (got \(mode))", param: "mode")
        }

        guard !items.isEmpty else { throw .invalid("`line_items` is required in `payment` mode.", param: "line_items") }
        var lineItems: [RecordedSession.LineItem] = []
        for index in 0..<items.count {
            guard let item = items[index] else { throw .invalid("Invalid array", param: "line_items") }
            lineItems.append(try lineItem(item, index: index))
        }
        guard Set(lineItems.map(\.currency)).count == 1 else {
            throw .invalid("All line items must be in the same currency.", param: "line_items")
        }

        guard let success = values["success_url"] else { throw .missing("success_url") }
        guard isAbsoluteURL(success) else { throw .invalid("Not a valid URL", param: "success_url", code: "url_invalid") }
        if let cancel = values["cancel_url"], !isAbsoluteURL(cancel) {
            throw .invalid("Not a valid URL", param: "cancel_url", code: "url_invalid")
        }

        var expiresAt = receivedAt + 24 * 3600
        if let text = values["expires_at"] {
            guard let value = Int64(text), String(value) == text else { throw .invalid("Invalid integer: \(text)", param: "expires_at") }
            guard value >= receivedAt + 30 * 60 else {
                throw .invalid("The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.", param: "expires_at")
            }
            guard value <= receivedAt + 24 * 3600 else {
                throw .invalid("The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.", param: "expires_at")
            }
            expiresAt = value
        }

        if let reference = values["client_reference_id"] {
            guard !reference.isEmpty, reference.count <= 200 else {
                throw .invalid("client_reference_id must be 1–200 characters.", param: "client_reference_id")
            }
        }
        try checkMetadata(metadata, prefix: "metadata")
        try checkMetadata(intentMetadata, prefix: "payment_intent_data[metadata]")

        let parameters = CheckoutParameters(
            mode: mode, lineItems: lineItems, successURL: success, cancelURL: values["cancel_url"], expiresAt: expiresAt,
            clientReferenceID: values["client_reference_id"], metadata: metadata, paymentIntentMetadata: intentMetadata)
        if let minimum = minimumCharge[parameters.currency], parameters.amountTotal < minimum.amount {
            throw .invalid(
                "The Checkout Session's total amount due must add up to at least \(minimum.text)", param: "line_items",
                code: "amount_too_small")
        }
        return parameters
    }

    static let topLevel: Set<String> = ["mode", "success_url", "cancel_url", "expires_at", "client_reference_id", "customer_email", "locale"]
    static let lineItemFields: Set<String> = [
        "price", "quantity", "price_data.currency", "price_data.unit_amount", "price_data.product_data.name",
        "price_data.product_data.description",
    ]

    private static func lineItem(_ item: [String: String], index: Int) throws(StripeAPIError) -> RecordedSession.LineItem {
        let prefix = "line_items[\(index)]"
        if let price = item["price"] { throw .invalid("No such price: '\(price)'", param: "\(prefix)[price]", code: "resource_missing") }
        guard let currency = item["price_data.currency"] else { throw .missing("\(prefix)[price_data][currency]") }
        guard currency.count == 3, currency.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) else {
            throw .invalid("Invalid currency: \(currency). Stripe currently supports these currencies: usd, eur, cop, …", param: "\(prefix)[price_data][currency]")
        }
        guard let amountText = item["price_data.unit_amount"] else { throw .missing("\(prefix)[price_data][unit_amount]") }
        guard let amount = Int64(amountText), String(amount) == amountText, amount >= 0 else {
            throw .invalid("Invalid non-negative integer", param: "\(prefix)[price_data][unit_amount]")
        }
        guard amount > 0 else {
            throw .invalid("This value must be greater than or equal to 1.", param: "\(prefix)[price_data][unit_amount]")
        }
        guard let name = item["price_data.product_data.name"] else { throw .missing("\(prefix)[price_data][product_data][name]") }
        guard !name.allSatisfy(\.isWhitespace) else {
            throw .invalid("You passed an empty string for '\(prefix)[price_data][product_data][name]'. We assume empty values are an attempt to unset a parameter; however '\(prefix)[price_data][product_data][name]' cannot be unset. You should remove '\(prefix)[price_data][product_data][name]' from your request or supply a non-empty value.", param: "\(prefix)[price_data][product_data][name]")
        }
        guard let quantityText = item["quantity"] else { throw .missing("\(prefix)[quantity]") }
        guard let quantity = Int64(quantityText), String(quantity) == quantityText else {
            throw .invalid("Invalid integer: \(quantityText)", param: "\(prefix)[quantity]")
        }
        guard quantity >= 1 else { throw .invalid("This value must be greater than or equal to 1.", param: "\(prefix)[quantity]") }
        return RecordedSession.LineItem(name: name, unitAmount: amount, currency: currency, quantity: quantity)
    }

    private static func checkMetadata(_ metadata: [String: String], prefix: String) throws(StripeAPIError) {
        guard metadata.count <= 50 else { throw .invalid("Metadata can have at most 50 keys.", param: prefix) }
        for (key, value) in metadata {
            guard !key.isEmpty, key.count <= 40 else {
                throw .invalid("Metadata keys can be at most 40 characters long (\(key)).", param: "\(prefix)[\(key)]")
            }
            guard value.count <= 500 else {
                throw .invalid("Metadata values can have up to 500 characters, but you passed in a value that is \(value.count) characters.", param: "\(prefix)[\(key)]")
            }
        }
    }

    /// http(s), a host, no spaces; `{CHECKOUT_SESSION_ID}` is allowed (Stripe fills it in).
    static func isAbsoluteURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = text.dropFirst(8) } else if lower.hasPrefix("http://") { rest = text.dropFirst(7) } else { return false }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != ":" }
        return !host.isEmpty && !text.contains(where: \.isWhitespace) && text.count <= 5000
    }
}
