import AsyncHTTPClient
import Domain
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A JSON object read leniently: providers send numbers as numbers or as strings; we compare text.
struct LooseJSON {
    let object: [String: Any]

    init?(_ data: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        self.object = object
    }

    init(object: [String: Any]) { self.object = object }

    func child(_ key: String) -> LooseJSON? { (object[key] as? [String: Any]).map(LooseJSON.init(object:)) }

    /// A string, or a number written the way the provider wrote it (integers without ".0"). JSON numbers and
    /// booleans both arrive as `NSNumber` (and a 0 or 1 would even cast to `Bool`): only one whose type is a
    /// boolean is read as "true"/"false".
    func text(_ key: String) -> String? {
        switch object[key] {
        case let s as String: return s
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }
            return n.doubleValue == n.doubleValue.rounded() && abs(n.doubleValue) < 1e15 ? String(n.int64Value) : n.stringValue
        default: return nil
        }
    }

    func bool(_ key: String) -> Bool? {
        switch object[key] {
        case let b as Bool: b
        case let s as String: s.lowercased() == "true" ? true : s.lowercased() == "false" ? false : nil
        default: nil
        }
    }
}

/// One request to a provider: its status and body (at most 1 MiB); no answer at all is `PaymentError.network`.
enum ProviderHTTP {
    static func send(_ request: HTTPClientRequest, http: HTTPClient, timeout: TimeAmount, what: String) async throws(PaymentError) -> (Int, Data) {
        do {
            let response = try await http.execute(request, timeout: timeout)
            return (Int(response.status.code), Data(buffer: try await response.body.collect(upTo: 1 << 20)))
        } catch {
            throw .network("\(what): \(error)")
        }
    }
}

/// ePayco's transaction look-up: `GET <validationURL>/<x_ref_payco>` answers
/// `{"success": true, "data": {"x_ref_payco", "x_transaction_id", "x_amount", "x_currency_code",
/// "x_cod_transaction_state", "x_extra1", "x_id_invoice", …}}`, and `"success": false` for a reference it does not
/// know. What it answers is what we act on — never the fields of the confirmation we were posted.
public struct EpaycoValidationClient: Sendable {
    public struct Transaction: Sendable, Equatable {
        public var reference: String
        public var transactionID: String
        public var amountText: String
        public var currencyCode: String
        public var stateCode: String
        public var extra1: String?
        public var invoice: String?
        public var isTest: Bool?
    }

    public enum Answer: Sendable, Equatable {
        case found(Transaction)
        /// ePayco does not know this reference.
        case unknown
    }

    public let baseURL: String
    private let http: HTTPClient
    public var timeout: TimeAmount = .seconds(15)

    public init(baseURL: String, httpClient: HTTPClient = .shared) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = httpClient
    }

    /// Throws `PaymentError.network`/`.provider`/`.invalidResponse` when ePayco cannot answer: then nothing
    /// may be confirmed, and ePayco's retry asks again.
    public func lookUp(reference: String) async throws(PaymentError) -> Answer {
        guard !reference.isEmpty, reference.count <= 64, reference.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return .unknown
        }
        var request = HTTPClientRequest(url: "\(baseURL)/\(reference)")
        request.headers.add(name: "Accept", value: "application/json")
        let (status, data) = try await ProviderHTTP.send(request, http: http, timeout: timeout, what: "GET validation/\(reference)")
        guard (200..<300).contains(status) else { throw .provider(status: status, message: "ePayco validation answered HTTP \(status)") }
        guard let json = LooseJSON(data) else { throw .invalidResponse("ePayco validation answered something that is not JSON") }
        guard json.bool("success") == true, let d = json.child("data") else { return .unknown }
        guard let ref = d.text("x_ref_payco"), let tx = d.text("x_transaction_id"), let amount = d.text("x_amount"),
              let currency = d.text("x_currency_code"), let state = d.text("x_cod_transaction_state") else {
            throw .invalidResponse("ePayco validation data lacks a transaction field")
        }
        let test = d.text("x_test_request").map { $0.uppercased() == "TRUE" }
        return .found(Transaction(reference: ref, transactionID: tx, amountText: amount, currencyCode: currency, stateCode: state,
                                  extra1: d.text("x_extra1"), invoice: d.text("x_id_invoice"), isTest: test))
    }
}

/// Daimo Pay's payment look-up: `GET <api>/api/payment/<id>` with `Api-Key`. We act on a completed payment only
/// when Daimo itself says so, for our destination, chain, token, amount and booking.
public struct DaimoPaymentLookup: Sendable, Equatable {
    public var id: String
    public var status: String
    public var externalID: String?
    public var destinationAddress: String?
    public var chainID: String?
    public var tokenAddress: String?
    public var amountUnits: String?
    public var tokenSymbol: String?

    public var isCompleted: Bool { status == "payment_completed" }
}

extension DaimoClient {
    public func payment(id: String) async throws(PaymentError) -> DaimoPaymentLookup? {
        guard !id.isEmpty, id.count <= 128, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        let (status, data) = try await get("/api/payment/\(id)")
        if status == 404 { return nil }
        guard (200..<300).contains(status) else { throw .provider(status: status, message: "Daimo answered HTTP \(status)") }
        guard let top = LooseJSON(data) else { throw .invalidResponse("GET /api/payment/\(id): not JSON") }
        let p = top.child("payment") ?? top
        guard let pid = p.text("id"), let state = p.text("status") else { throw .invalidResponse("GET /api/payment/\(id): no id or status") }
        let d = p.child("destination")
        return DaimoPaymentLookup(
            id: pid, status: state, externalID: p.text("externalId"), destinationAddress: d?.text("destinationAddress"),
            chainID: d?.text("chainId"), tokenAddress: d?.text("tokenAddress"), amountUnits: d?.text("amountUnits"),
            tokenSymbol: d?.text("tokenSymbol"))
    }
}
