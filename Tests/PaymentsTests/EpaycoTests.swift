import Domain
import FakeStripe
import Foundation
import Payments
import Testing

let epaycoCustomer = "1554823"
let epaycoPKey = "3f1d9c0a7b5e4d2c8f6a1b0e9d7c5a3b2e4f6a8c"

/// A confirmation body as ePayco posts it (a subset of its fields, in its order), signed with `signature`.
func epaycoBody(
    ref: String = "93241527", transaction: String = "1807562945", amount: String = "120000.00", currency: String = "COP",
    state: String = "1", booking: String = "42", invoice: String? = "42", signature: String
) -> [(String, String)] {
    var fields: [(String, String)] = [
        ("x_cust_id_cliente", epaycoCustomer),
        ("x_ref_payco", ref),
    ]
    if let invoice { fields.append(("x_id_invoice", invoice)) }
    fields += [
        ("x_description", "Llamada privada — Ana, 30 min"),
        ("x_amount", amount),
        ("x_amount_country", amount),
        ("x_tax", "0"),
        ("x_currency_code", currency),
        ("x_transaction_id", transaction),
        ("x_cod_transaction_state", state),
        ("x_transaction_state", "Aceptada"),
        ("x_signature", signature),
        ("x_test_request", "TRUE"),
        ("x_extra1", booking),
    ]
    return fields
}

@Suite(
    "ePayco confirmation signatures against epayco-django",
    .enabled(if: EpaycoDjango.shouldRun, Comment(rawValue: Peers.skipMessage + " (needs epayco-django and django)")))
struct EpaycoPeerTests {
    static let cases: [(ref: String, transaction: String, amount: String, currency: String, booking: String, minor: Int64)] = [
        ("93241527", "1807562945", "120000.00", "COP", "42", 12_000_000),
        ("93241528", "1807562946", "120000", "COP", "43", 12_000_000),
        ("5f3e2a91", "TX-77·ñ", "45.00", "USD", "7", 4_500),
        ("93241530", "1807562948", "45.5", "USD", "9001", 4_550),
    ]

    @Test("our verify accepts bodies signed by epayco-django, amounts as received")
    func acceptsPeerSignatures() async throws {
        let rows = Self.cases.map { [epaycoCustomer, epaycoPKey, $0.ref, $0.transaction, $0.amount, $0.currency] }
        let signatures = try await EpaycoDjango.signatures(rows, pKey: epaycoPKey)
        try #require(signatures.count == Self.cases.count)
        for (c, signature) in zip(Self.cases, signatures) {
            #expect(signature == EpaycoConfirmation.signature(
                customerID: epaycoCustomer, pKey: epaycoPKey, reference: c.ref, transactionID: c.transaction,
                amount: c.amount, currencyCode: c.currency))
            for sent in [signature, signature.uppercased()] {
                let body = epaycoBody(ref: c.ref, transaction: c.transaction, amount: c.amount, currency: c.currency,
                                      booking: c.booking, invoice: c.booking, signature: sent)
                let n = try EpaycoConfirmation.verify(fields: body, customerID: epaycoCustomer, pKey: epaycoPKey)
                #expect(n.reference == c.ref)
                #expect(n.transactionID == c.transaction)
                #expect(n.amountText == c.amount)
                #expect(n.amount == Money(minorUnits: c.minor, currency: Currency(code: c.currency)!))
                #expect(n.bookingID == BookingID(Int64(c.booking)!))
                #expect(n.state == .approved)
                #expect(n.isTest)
                #expect(n.idempotencyKey == "\(c.ref):\(c.transaction)")
            }
        }
    }

    @Test("tampering, wrong keys and missing fields are refused")
    func refusals() async throws {
        let signature = try #require(try await EpaycoDjango.signatures(
            [[epaycoCustomer, epaycoPKey, "93241527", "1807562945", "120000.00", "COP"]], pKey: epaycoPKey).first)
        let good = epaycoBody(signature: signature)
        _ = try EpaycoConfirmation.verify(fields: good, customerID: epaycoCustomer, pKey: epaycoPKey)

        // The same money written differently is a different signed string.
        for amount in ["120000", "120000.01", "12000.00", "120,000.00"] {
            #expect(throws: EpaycoError.badSignature) {
                try EpaycoConfirmation.verify(fields: epaycoBody(amount: amount, signature: signature),
                                              customerID: epaycoCustomer, pKey: epaycoPKey)
            }
        }
        #expect(throws: EpaycoError.badSignature) {
            try EpaycoConfirmation.verify(fields: epaycoBody(currency: "USD", signature: signature), customerID: epaycoCustomer, pKey: epaycoPKey)
        }
        #expect(throws: EpaycoError.badSignature) {
            try EpaycoConfirmation.verify(fields: epaycoBody(transaction: "1807562946", signature: signature), customerID: epaycoCustomer, pKey: epaycoPKey)
        }
        #expect(throws: EpaycoError.badSignature) {
            try EpaycoConfirmation.verify(fields: good, customerID: epaycoCustomer, pKey: epaycoPKey + "x")
        }
        #expect(throws: EpaycoError.badSignature) {
            try EpaycoConfirmation.verify(fields: good, customerID: "1554824", pKey: epaycoPKey)
        }
        // A p_key signed by the peer with another key does not pass ours.
        let otherKey = try #require(try await EpaycoDjango.signatures(
            [[epaycoCustomer, "another-p-key", "93241527", "1807562945", "120000.00", "COP"]], pKey: "another-p-key").first)
        #expect(throws: EpaycoError.badSignature) {
            try EpaycoConfirmation.verify(fields: epaycoBody(signature: otherKey), customerID: epaycoCustomer, pKey: epaycoPKey)
        }
        for name in ["x_ref_payco", "x_transaction_id", "x_amount", "x_currency_code", "x_signature", "x_cod_transaction_state", "x_extra1"] {
            #expect(throws: EpaycoError.missingField(name)) {
                try EpaycoConfirmation.verify(fields: good.filter { $0.0 != name }, customerID: epaycoCustomer, pKey: epaycoPKey)
            }
        }
        #expect(throws: EpaycoError.duplicateField("x_amount")) {
            try EpaycoConfirmation.verify(fields: good + [("x_amount", "1.00")], customerID: epaycoCustomer, pKey: epaycoPKey)
        }
        #expect(throws: EpaycoError.notConfigured) {
            try EpaycoConfirmation.verify(fields: good, customerID: epaycoCustomer, pKey: "")
        }
        #expect(throws: EpaycoError.notConfigured) {
            try EpaycoConfirmation.verify(fields: good, customerID: "", pKey: epaycoPKey)
        }
    }
}

@Suite("ePayco confirmation parsing")
struct EpaycoParsingTests {
    func signed(amount: String = "120000.00", currency: String = "COP", state: String = "1", booking: String = "42",
                invoice: String? = "42") -> [(String, String)] {
        let sig = EpaycoConfirmation.signature(customerID: epaycoCustomer, pKey: epaycoPKey, reference: "93241527",
                                               transactionID: "1807562945", amount: amount, currencyCode: currency)
        return epaycoBody(amount: amount, currency: currency, state: state, booking: booking, invoice: invoice, signature: sig)
    }

    @Test("every state code maps as documented")
    func states() throws {
        let expected: [String: EpaycoTransactionState] = [
            "1": .approved, "2": .rejected, "4": .rejected, "10": .rejected, "11": .rejected,
            "3": .pending, "7": .pending, "6": .reversed, "5": .unknown("5"), "8": .unknown("8"), "9": .unknown("9"),
            "12": .unknown("12"), "01": .unknown("01"), "x": .unknown("x"),
        ]
        for (code, state) in expected {
            let n = try EpaycoConfirmation.verify(fields: signed(state: code), customerID: epaycoCustomer, pKey: epaycoPKey)
            #expect(n.state == state, "code \(code)")
            #expect(n.stateCode == code)
        }
    }

    @Test("amounts: as received and in minor units")
    func amounts() throws {
        let cases: [(String, String, Int64?)] = [
            ("120000.00", "COP", 12_000_000), ("120000", "COP", 12_000_000), ("120000.0", "COP", 12_000_000),
            ("45.5", "USD", 4_550), ("0.01", "USD", 1), ("45.000", "USD", 4_500),
            ("45.001", "USD", nil), ("-45.00", "USD", nil), ("45.", "USD", nil), (".5", "USD", nil), ("1,200.00", "USD", nil),
            ("1e3", "USD", nil), (" 45.00", "USD", nil), ("99999999999999999", "COP", nil),
        ]
        for (text, currency, minor) in cases {
            let body = signed(amount: text, currency: currency)
            if let minor {
                let n = try EpaycoConfirmation.verify(fields: body, customerID: epaycoCustomer, pKey: epaycoPKey)
                #expect(n.amount == Money(minorUnits: minor, currency: Currency(code: currency)!), "\(text)")
                #expect(n.amountText == text)
            } else {
                #expect(throws: EpaycoError.unreadableAmount(text), "\(text)") {
                    try EpaycoConfirmation.verify(fields: body, customerID: epaycoCustomer, pKey: epaycoPKey)
                }
            }
        }
        #expect(throws: EpaycoError.unsupportedCurrency("EUR")) {
            try EpaycoConfirmation.verify(fields: signed(amount: "10.00", currency: "EUR"), customerID: epaycoCustomer, pKey: epaycoPKey)
        }
    }

    @Test("which refusals mean “not from ePayco” (refuse) and which are signed but unusable (record, 200)")
    func authenticationFailures() {
        #expect(EpaycoError.notConfigured.isAuthenticationFailure)
        #expect(EpaycoError.badSignature.isAuthenticationFailure)
        #expect(EpaycoError.duplicateField("x_amount").isAuthenticationFailure)
        for name in ["x_ref_payco", "x_transaction_id", "x_amount", "x_currency_code", "x_signature"] {
            #expect(EpaycoError.missingField(name).isAuthenticationFailure, "\(name)")
        }
        #expect(!EpaycoError.missingField("x_cod_transaction_state").isAuthenticationFailure)
        #expect(!EpaycoError.missingField("x_extra1").isAuthenticationFailure)
        #expect(!EpaycoError.unsupportedCurrency("EUR").isAuthenticationFailure)
        #expect(!EpaycoError.unreadableAmount("1,5").isAuthenticationFailure)
        #expect(!EpaycoError.invalidBookingID("x").isAuthenticationFailure)
    }

    @Test("booking id from x_extra1; x_id_invoice must agree")
    func bookingID() throws {
        let n = try EpaycoConfirmation.verify(fields: signed(booking: "77", invoice: nil), customerID: epaycoCustomer, pKey: epaycoPKey)
        #expect(n.bookingID == BookingID(77))
        #expect(n.invoice == nil)
        #expect(throws: EpaycoError.self) {
            try EpaycoConfirmation.verify(fields: signed(booking: "77", invoice: "78"), customerID: epaycoCustomer, pKey: epaycoPKey)
        }
        for bad in ["abc", "-1", "0", "4 2"] {
            #expect(throws: EpaycoError.invalidBookingID("x_extra1 “\(bad)”")) {
                try EpaycoConfirmation.verify(fields: signed(booking: bad, invoice: nil), customerID: epaycoCustomer, pKey: epaycoPKey)
            }
        }
    }

    @Test("checkout data for our page")
    func checkout() throws {
        let checkout = try EpaycoCheckout(
            publicKey: "pub_491d6a0b6e992cf924edd8d3d088aff1", test: true, bookingID: BookingID(42),
            amount: Money(minorUnits: 12_000_000, currency: .cop), name: "Llamada privada", description: "Ana, 30 min",
            confirmationURL: "https://calls.example/webhooks/epayco", responseURL: "https://calls.example/pay/epayco/return")
        let data = Dictionary(uniqueKeysWithValues: checkout.data)
        #expect(data["invoice"] == "42")
        #expect(data["extra1"] == "42")
        #expect(data["amount"] == "120000.00")
        #expect(data["currency"] == "cop")
        #expect(data["tax"] == "0")
        #expect(data["tax_base"] == "0")
        #expect(data["test"] == "true")
        #expect(data["confirmation"] == "https://calls.example/webhooks/epayco")
        #expect(data["response"] == "https://calls.example/pay/epayco/return")
        #expect(throws: PaymentError.self) {
            try EpaycoCheckout(publicKey: "pub", test: false, bookingID: BookingID(1), amount: Money(minorUnits: 100, currency: .eur),
                               name: "x", description: "", confirmationURL: "https://a.b/c", responseURL: "https://a.b/d")
        }
        #expect(throws: PaymentError.self) {
            try EpaycoCheckout(publicKey: "pub", test: false, bookingID: BookingID(1), amount: Money(minorUnits: 100, currency: .usd),
                               name: "x", description: "", confirmationURL: "/webhooks/epayco", responseURL: "https://a.b/d")
        }
        #expect(throws: PaymentError.notConfigured("EPAYCO_PUBLIC_KEY is empty")) {
            try EpaycoCheckout(publicKey: "", test: false, bookingID: BookingID(1), amount: Money(minorUnits: 100, currency: .usd),
                               name: "x", description: "", confirmationURL: "https://a.b/c", responseURL: "https://a.b/d")
        }
    }
}
