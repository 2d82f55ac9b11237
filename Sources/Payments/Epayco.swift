import Crypto
import Domain

/// Why an ePayco confirmation was not accepted. No case carries `p_key` or a computed signature.
public enum EpaycoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `EPAYCO_CUST_ID` or `EPAYCO_P_KEY` is empty: nothing can be verified, so nothing is accepted.
    case notConfigured
    /// A field the signature or the booking needs is absent (or empty).
    case missingField(String)
    /// A field we read appears more than once: which one ePayco signed would be a guess.
    case duplicateField(String)
    /// `x_signature` is not sha256(p_cust_id_cliente^p_key^x_ref_payco^x_transaction_id^x_amount^x_currency_code).
    case badSignature
    /// `x_amount` is not a plain decimal we can turn into minor units exactly (e.g. "12000", "12000.00").
    case unreadableAmount(String)
    /// `x_currency_code` is not COP or USD.
    case unsupportedCurrency(String)
    /// `x_extra1` is not one of our booking ids, or `x_id_invoice` names another booking.
    case invalidBookingID(String)

    /// Whether the request was not shown to come from ePayco (no valid signature over the fields it signs):
    /// refuse it and change nothing. The other cases are signed by ePayco but unusable for us (record them and
    /// answer 200 so ePayco stops retrying).
    public var isAuthenticationFailure: Bool {
        switch self {
        case .notConfigured, .duplicateField, .badSignature: true
        case .missingField(let name): EpaycoConfirmation.signedFields.contains(name)
        case .unreadableAmount, .unsupportedCurrency, .invalidBookingID: false
        }
    }

    public var description: String {
        switch self {
        case .notConfigured: "ePayco customer id or p_key is not configured"
        case .missingField(let name): "ePayco confirmation without \(name)"
        case .duplicateField(let name): "ePayco confirmation with \(name) more than once"
        case .badSignature: "ePayco confirmation whose x_signature does not match"
        case .unreadableAmount(let text): "ePayco confirmation with an unreadable x_amount “\(text)”"
        case .unsupportedCurrency(let code): "ePayco confirmation in an unsupported currency “\(code)”"
        case .invalidBookingID(let detail): "ePayco confirmation for no booking of ours: \(detail)"
        }
    }
}

/// `x_cod_transaction_state` as ePayco documents it.
public enum EpaycoTransactionState: Sendable, Equatable, Hashable {
    /// 1: Aceptada.
    case approved
    /// 2 (Rechazada), 4 (Fallida), 10, 11 (abandoned / cancelled): no money moved; the booking stays unpaid.
    case rejected
    /// 3 (Pendiente), 7 (retained for review): wait for the next confirmation.
    case pending
    /// 6: Reversada — money returned to the payer after an approval.
    case reversed
    /// Any other code, kept as received: log it, change nothing.
    case unknown(String)

    public init(code: String) {
        switch code {
        case "1": self = .approved
        case "2", "4", "10", "11": self = .rejected
        case "3", "7": self = .pending
        case "6": self = .reversed
        default: self = .unknown(code)
        }
    }
}

/// A verified ePayco confirmation.
public struct EpaycoNotification: Sendable, Equatable {
    /// `x_ref_payco`: ePayco's reference of the payment.
    public var reference: String
    /// `x_transaction_id`.
    public var transactionID: String
    /// `x_amount` exactly as received (it is what was signed).
    public var amountText: String
    /// `x_amount` in minor units of `x_currency_code`.
    public var amount: Money
    /// `x_currency_code` as received.
    public var currencyCode: String
    /// `x_cod_transaction_state` as received, and what it means.
    public var stateCode: String
    public var state: EpaycoTransactionState
    /// Our booking: `x_extra1` (see `EpaycoConfirmation.verify`).
    public var bookingID: BookingID
    /// `x_id_invoice` when sent.
    public var invoice: String?
    /// `x_test_request` == "TRUE" (case-insensitive) when sent.
    public var isTest: Bool
    /// "<x_ref_payco>:<x_transaction_id>": one payment attempt; ePayco repeats confirmations, and a pending
    /// attempt is confirmed again with the same pair once it settles — so dedupe on key *and* state.
    public var idempotencyKey: String

    public init(
        reference: String, transactionID: String, amountText: String, amount: Money, currencyCode: String,
        stateCode: String, bookingID: BookingID, invoice: String?, isTest: Bool
    ) {
        self.reference = reference
        self.transactionID = transactionID
        self.amountText = amountText
        self.amount = amount
        self.currencyCode = currencyCode
        self.stateCode = stateCode
        self.state = EpaycoTransactionState(code: stateCode)
        self.bookingID = bookingID
        self.invoice = invoice
        self.isTest = isTest
        self.idempotencyKey = "\(reference):\(transactionID)"
    }
}

public enum EpaycoConfirmation {
    /// The currencies ePayco charges in for us.
    public static let currencies: Set<Currency> = [.cop, .usd]

    /// Verifies a confirmation (`POST /webhooks/epayco`, form body or query string) and reads it.
    ///
    /// - `fields`: the decoded name/value pairs exactly as received, in any order. Every field we read must
    ///   appear at most once (`duplicateField` otherwise).
    /// - The signature is sha256 over `customerID^pKey^x_ref_payco^x_transaction_id^x_amount^x_currency_code`
    ///   joined from the received strings unchanged (no reformatting of the amount), compared with
    ///   `x_signature` as bytes in constant time (hex of either case).
    /// - Booking id: `x_extra1`, which our checkout sets to the booking id (`EpaycoCheckout`), must be a
    ///   booking id; `x_id_invoice`, when present, must name the same booking. Neither is covered by the
    ///   signature, so the caller must also check amount and currency against that booking and dedupe on
    ///   `idempotencyKey` (a signed pair cannot be replayed onto a second booking).
    public static func verify(
        fields: [(String, String)], customerID: String, pKey: String
    ) throws(EpaycoError) -> EpaycoNotification {
        guard !customerID.isEmpty, !pKey.isEmpty else { throw .notConfigured }
        var values: [String: String] = [:]
        for (name, value) in fields where interesting.contains(name) {
            guard values[name] == nil else { throw .duplicateField(name) }
            values[name] = value
        }
        func required(_ name: String) throws(EpaycoError) -> String {
            guard let value = values[name], !value.isEmpty else { throw .missingField(name) }
            return value
        }
        let reference = try required("x_ref_payco")
        let transaction = try required("x_transaction_id")
        let amountText = try required("x_amount")
        let currencyCode = try required("x_currency_code")
        let signature = try required("x_signature")

        let expected = Array(SHA256.hash(data: Array(
            signatureBase(customerID: customerID, pKey: pKey, reference: reference, transactionID: transaction,
                          amount: amountText, currencyCode: currencyCode).utf8)))
        guard let received = StripeWebhook.decodeHex(signature),
            StripeWebhook.constantTimeEqual(received, expected)
        else { throw .badSignature }

        // Signed: now read it.
        let stateCode = try required("x_cod_transaction_state")
        guard let currency = Currency(rawValue: currencyCode.uppercased()), currencies.contains(currency) else {
            throw .unsupportedCurrency(currencyCode)
        }
        guard let amount = parseAmount(amountText, currency: currency) else { throw .unreadableAmount(amountText) }

        let extra = try required("x_extra1")
        guard let booking = bookingID(extra) else { throw .invalidBookingID("x_extra1 “\(extra)”") }
        let invoice = values["x_id_invoice"].flatMap { $0.isEmpty ? nil : $0 }
        if let invoice, bookingID(invoice) != booking {
            throw .invalidBookingID("x_id_invoice “\(invoice)” is not x_extra1 “\(extra)”")
        }
        return EpaycoNotification(
            reference: reference, transactionID: transaction, amountText: amountText, amount: amount,
            currencyCode: currencyCode, stateCode: stateCode, bookingID: booking, invoice: invoice,
            isTest: values["x_test_request"]?.uppercased() == "TRUE")
    }

    /// The text ePayco hashes: the six values joined with `^`.
    public static func signatureBase(
        customerID: String, pKey: String, reference: String, transactionID: String, amount: String, currencyCode: String
    ) -> String {
        [customerID, pKey, reference, transactionID, amount, currencyCode].joined(separator: "^")
    }

    /// The `x_signature` ePayco would send: lower-case hex sha256 of `signatureBase`. For tests and tools.
    public static func signature(
        customerID: String, pKey: String, reference: String, transactionID: String, amount: String, currencyCode: String
    ) -> String {
        let base = signatureBase(customerID: customerID, pKey: pKey, reference: reference, transactionID: transactionID,
                                 amount: amount, currencyCode: currencyCode)
        return StripeWebhook.hex(Array(SHA256.hash(data: Array(base.utf8))))
    }

    /// "12000", "12000.0", "12000.00" → minor units. Digits, at most one ".", at most the currency's minor
    /// digits after it (further digits only if they are zeros: "12000.000"). No signs, spaces, grouping.
    public static func parseAmount(_ text: String, currency: Currency) -> Money? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 13,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }), let major = Int64(whole)
        else { return nil }
        var fraction = parts.count == 2 ? Array(parts[1]) : []
        if parts.count == 2 && fraction.isEmpty { return nil }
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        while fraction.count > currency.minorDigits {
            guard fraction.last == "0" else { return nil }
            fraction.removeLast()
        }
        fraction += Array(repeating: "0", count: currency.minorDigits - fraction.count)
        let minor = fraction.isEmpty ? 0 : Int64(String(fraction))!
        let (scaled, overflow) = major.multipliedReportingOverflow(by: currency.minorPerMajor)
        guard !overflow else { return nil }
        return Money(minorUnits: scaled + minor, currency: currency)
    }

    /// The fields `x_signature` covers (with `x_signature` itself): without them nothing is authentic.
    public static let signedFields: Set<String> = ["x_ref_payco", "x_transaction_id", "x_amount", "x_currency_code", "x_signature"]

    static let interesting: Set<String> = [
        "x_ref_payco", "x_transaction_id", "x_amount", "x_currency_code", "x_signature", "x_cod_transaction_state",
        "x_extra1", "x_id_invoice", "x_test_request",
    ]

    public static func bookingID(_ text: String) -> BookingID? {
        guard !text.isEmpty, text.count <= 19, text.allSatisfy({ $0.isASCII && $0.isNumber }), let raw = Int64(text), raw > 0
        else { return nil }
        return BookingID(raw)
    }
}

/// What our own checkout page needs to open ePayco's standard checkout for one booking (no HTML here: the
/// page renders these values into ePayco's checkout script). `invoice` and `extra1` are the booking id, which
/// `EpaycoConfirmation.verify` reads back; the amount is the booking's price as a plain decimal string.
public struct EpaycoCheckout: Sendable, Equatable {
    /// `EPAYCO_PUBLIC_KEY` (public by design: it is served to the browser).
    public var publicKey: String
    public var test: Bool
    public var bookingID: BookingID
    public var amount: Money
    /// Shown to the payer, e.g. "Private call with Ana".
    public var name: String
    public var description: String
    /// `…/webhooks/epayco`: ePayco's server-to-server confirmation.
    public var confirmationURL: String
    /// The browser comes back here; it only shows a friendly page and never confirms anything.
    public var responseURL: String
    /// ePayco's checkout language, "es" or "en".
    public var language: String

    public init(
        publicKey: String, test: Bool, bookingID: BookingID, amount: Money, name: String, description: String,
        confirmationURL: String, responseURL: String, language: String = "es"
    ) throws(PaymentError) {
        guard !publicKey.isEmpty else { throw .notConfigured("EPAYCO_PUBLIC_KEY is empty") }
        guard amount.isPositive else { throw .invalidRequest("the amount must be positive, not \(amount)") }
        guard EpaycoConfirmation.currencies.contains(amount.currency) else {
            throw .invalidRequest("ePayco charges in COP or USD, not \(amount.currency.code)")
        }
        guard !name.allSatisfy(\.isWhitespace) else { throw .invalidRequest("the checkout needs a name") }
        for (label, url) in [("confirmation URL", confirmationURL), ("response URL", responseURL)]
        where !StripeClient.isAbsoluteHTTPURL(url) {
            throw .invalidRequest("the \(label) must be an absolute http(s) URL, not “\(url)”")
        }
        self.publicKey = publicKey
        self.test = test
        self.bookingID = bookingID
        self.amount = amount
        self.name = name
        self.description = description
        self.confirmationURL = confirmationURL
        self.responseURL = responseURL
        self.language = language
    }

    public var invoice: String { bookingID.description }
    /// "12000.00", "45.00".
    public var amountText: String { amount.decimalString }
    /// Lower case, as ePayco's checkout examples write it: "cop", "usd".
    public var currency: String { amount.currency.code.lowercased() }
    public var tax: String { "0" }
    public var taxBase: String { "0" }

    /// The checkout's data, in a stable order, with ePayco's names (`ePayco.checkout.configure({key, test})`
    /// takes `publicKey`/`test`; `handler.open(data)` takes these). Amounts carry no tax: price is final.
    public var data: [(String, String)] {
        [
            ("name", name),
            ("description", description),
            ("invoice", invoice),
            ("currency", currency),
            ("amount", amountText),
            ("tax_base", taxBase),
            ("tax", tax),
            ("country", "co"),
            ("lang", language),
            ("external", "false"),
            ("confirmation", confirmationURL),
            ("response", responseURL),
            ("extra1", bookingID.description),
            ("test", test ? "true" : "false"),
        ]
    }
}
