import Foundation
import Domain
import HTTPTypes
import Hummingbird
import LocalServer
import Logging
import NIOCore
import SQLKit
import Synchronization
import Testing

@testable import Storage

/// ePayco's transaction look-up as a local HTTP server: `GET /validation/v1/reference/<x_ref_payco>` answers
/// what the test registered for that reference (`knows`), `{"success": false}` for a reference it does not know,
/// and can be made to fail (`fail(status:)`, `answerGarbage()`) and come back (`recover()`). Every reference
/// asked is recorded, so a test can see whether the server asked at all.
final class FakeEpaycoValidation: Sendable {
    struct Transaction: Sendable, Equatable {
        var ref: String
        var transaction: String
        var amount: String
        var currency: String = "COP"
        var state: String = "1"
        var extra1: String? = "1"
        var invoice: String? = "1"
        var test: String = "TRUE"
        /// Reference, state and amount as JSON numbers (as ePayco's own API writes them) instead of strings.
        var numeric: Bool = false
    }

    enum Mode: Sendable, Equatable {
        case answering
        /// Answers this HTTP status with an error page.
        case status(Int)
        /// Answers 200 with something that is not JSON.
        case garbage
    }

    struct State {
        var known: [String: Transaction] = [:]
        var mode: Mode = .answering
        var asked: [String] = []
    }

    private let shared: Shared
    private let server: LocalHTTPServer
    /// What EPAYCO_VALIDATION_URL is set to.
    var url: String { server.baseURL + "/validation/v1/reference" }

    private init(shared: Shared, server: LocalHTTPServer) {
        self.shared = shared
        self.server = server
    }

    static func start() async throws -> FakeEpaycoValidation {
        let shared = Shared()
        let router = Router()
        router.get("validation/v1/reference/:ref") { _, context -> Response in
            shared.answer(context.parameters.get("ref") ?? "")
        }
        var logger = Logger(label: "fake-epayco-validation")
        logger.logLevel = .error
        let server = try await LocalHTTPServer.start(router: router, logger: logger)
        return FakeEpaycoValidation(shared: shared, server: server)
    }

    /// The state, shared with the router.
    private final class Shared: Sendable {
        let state = Mutex(State())

        func answer(_ ref: String) -> Response {
            let (mode, known) = state.withLock { s in
                s.asked.append(ref)
                return (s.mode, s.known[ref])
            }
            switch mode {
            case .status(let code):
                return Response(status: HTTPResponse.Status(code: code), body: .init(byteBuffer: ByteBuffer(string: "<html>upstream error</html>")))
            case .garbage:
                return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>maintenance</html>")))
            case .answering:
                break
            }
            var object: [String: Any] = ["success": false, "title_response": "Error", "text_response": "No se encontraron datos"]
            if let t = known {
                func number(_ text: String) -> Any {
                    guard t.numeric else { return text }
                    return Int(text).map { $0 as Any } ?? Double(text).map { $0 as Any } ?? text
                }
                var data: [String: Any] = [
                    "x_ref_payco": number(t.ref), "x_transaction_id": t.transaction, "x_amount": number(t.amount),
                    "x_currency_code": t.currency, "x_cod_transaction_state": number(t.state), "x_cod_response": number(t.state),
                    "x_transaction_state": ["1": "Aceptada", "2": "Rechazada", "3": "Pendiente", "6": "Reversada"][t.state] ?? "Otro",
                    "x_test_request": t.test, "x_bank_name": "Banco de Pruebas",
                ]
                if let e = t.extra1 { data["x_extra1"] = e }
                if let i = t.invoice { data["x_id_invoice"] = i }
                object = ["success": true, "title_response": "Ok", "data": data]
            }
            let body = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(body))))
        }
    }

    /// What ePayco knows of a reference (replaces what it knew).
    func knows(_ t: Transaction) { shared.state.withLock { $0.known[t.ref] = t } }
    func forget(_ ref: String) { _ = shared.state.withLock { $0.known.removeValue(forKey: ref) } }
    func fail(status: Int = 503) { shared.state.withLock { $0.mode = .status(status) } }
    func answerGarbage() { shared.state.withLock { $0.mode = .garbage } }
    func recover() { shared.state.withLock { $0.mode = .answering } }
    /// The references asked, in order.
    func asked() -> [String] { shared.state.withLock { $0.asked } }

    func stop() async { await server.stop() }
}

/// A small Daimo Pay API double:
/// - `POST /api/payment` records the request and answers like Daimo (one payment per Idempotency-Key, echoing
///   externalId and the destination amount);
/// - `GET /api/payment/<id>` (with Api-Key) answers what was created, status `payment_unpaid` until the test
///   says otherwise (`complete`, `update`); payments created elsewhere can be added (`register`); unknown ids
///   are 404; `failLookUps` makes it answer an error status.
final class FakeDaimoAPI: Sendable {
    struct Created: Sendable {
        var apiKey: String?
        var idempotencyKey: String?
        var contentType: String?
        /// Top-level JSON fields, nested objects as their description.
        var body: [String: String]
        var id: String
    }

    /// A payment as Daimo's GET shows it.
    struct Payment: Sendable, Equatable {
        var id: String
        var status: String = "payment_unpaid"
        var externalId: String?
        var destinationAddress: String
        var chainId: String
        var tokenAddress: String
        var amountUnits: String
        var tokenSymbol: String = "USDC"
    }

    struct State {
        var created: [Created] = []
        var payments: [String: Payment] = [:]
        var lookUpFailure: Int?
        var lookedUp: [String] = []
    }

    final class Recorder: Sendable {
        let state = Mutex(State())

        func create(_ headers: HTTPFields, _ json: [String: Any]) -> Response {
            let key = headers[HTTPField.Name("Idempotency-Key")!]
            guard let apiKey = headers[HTTPField.Name("Api-Key")!] else {
                return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"missing Api-Key"}"#)))
            }
            let externalID = json["externalId"] as? String ?? ""
            let destination = json["destination"] as? [String: Any] ?? [:]
            func text(_ value: Any?) -> String { value.map { "\($0)" } ?? "" }
            let units = text(destination["amountUnits"])
            let id: String = state.withLock { s in
                if let key, let same = s.created.first(where: { $0.idempotencyKey == key }) { return same.id }
                let id = "pay_\(s.created.count + 1)"
                s.created.append(Created(apiKey: apiKey, idempotencyKey: key, contentType: headers[.contentType],
                                         body: json.mapValues { "\($0)" }, id: id))
                s.payments[id] = Payment(
                    id: id, externalId: externalID, destinationAddress: text(destination["destinationAddress"]),
                    chainId: text(destination["chainId"]), tokenAddress: text(destination["tokenAddress"]), amountUnits: units)
                return id
            }
            let answer = """
                {"id":"\(id)","url":"https://pay.daimo.com/checkout?id=\(id)","payment":{"id":"\(id)","status":"payment_unpaid",\
                "externalId":"\(externalID)","destination":{"amountUnits":"\(units)","tokenSymbol":"USDC"}}}
                """
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }

        func lookUp(_ headers: HTTPFields, id: String) -> Response {
            guard headers[HTTPField.Name("Api-Key")!] != nil else {
                return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"missing Api-Key"}"#)))
            }
            let (failure, found) = state.withLock { s in
                s.lookedUp.append(id)
                return (s.lookUpFailure, s.payments[id])
            }
            if let failure { return Response(status: HTTPResponse.Status(code: failure)) }
            guard let p = found else {
                return Response(status: .notFound, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"error":"payment not found"}"#)))
            }
            var destination: [String: Any] = [
                "destinationAddress": p.destinationAddress, "tokenAddress": p.tokenAddress, "amountUnits": p.amountUnits,
                "tokenSymbol": p.tokenSymbol,
            ]
            destination["chainId"] = Int(p.chainId).map { $0 as Any } ?? p.chainId
            var payment: [String: Any] = ["id": p.id, "status": p.status, "destination": destination, "createdAt": "1795593600"]
            payment["externalId"] = p.externalId ?? NSNull()
            let body = (try? JSONSerialization.data(withJSONObject: ["payment": payment])) ?? Data("{}".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(body))))
        }
    }

    private let recorder: Recorder
    private let server: LocalHTTPServer
    var baseURL: String { server.baseURL }

    private init(recorder: Recorder, server: LocalHTTPServer) {
        self.recorder = recorder
        self.server = server
    }

    static func start() async throws -> FakeDaimoAPI {
        let recorder = Recorder()
        let router = Router()
        router.post("api/payment") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            guard let json = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] else {
                return Response(status: .badRequest)
            }
            return recorder.create(request.headers, json)
        }
        router.get("api/payment/:id") { request, context -> Response in
            recorder.lookUp(request.headers, id: context.parameters.get("id") ?? "")
        }
        var logger = Logger(label: "fake-daimo")
        logger.logLevel = .error
        return FakeDaimoAPI(recorder: recorder, server: try await LocalHTTPServer.start(router: router, logger: logger))
    }

    func stop() async { await server.stop() }

    func created() -> [Created] { recorder.state.withLock { $0.created } }
    func payment(_ id: String) -> Payment? { recorder.state.withLock { $0.payments[id] } }
    /// Daimo now says the payment is completed.
    func complete(_ id: String) { update(id) { $0.status = "payment_completed" } }
    func update(_ id: String, _ change: (inout Payment) -> Void) {
        recorder.state.withLock { s in if var p = s.payments[id] { change(&p); s.payments[id] = p } }
    }
    /// A payment Daimo knows that we did not create through a checkout.
    func register(_ payment: Payment) { recorder.state.withLock { $0.payments[payment.id] = payment } }
    /// Every look-up answers this status (nil: answer normally).
    func failLookUps(_ status: Int?) { recorder.state.withLock { $0.lookUpFailure = status } }
    /// The payment ids asked with GET, in order.
    func lookedUp() -> [String] { recorder.state.withLock { $0.lookedUp } }
}

/// A row of the payments table, whatever booking it names (`Store.paymentEvents` shows only rows of a booking).
struct PaymentRow: Sendable, Equatable {
    var provider: String
    var eventID: String
    var bookingID: Int64?
    var status: String
}

extension BotHarness {
    /// Every row of the payments table, in the order written.
    func allPaymentRows() async throws -> [PaymentRow] {
        let sql = try #require(store as? SQLStore)
        return try await sql.read { db in
            try await db.raw("SELECT provider, event_id, booking_id, status FROM payments ORDER BY id").all().map {
                PaymentRow(provider: try $0.decode(column: "provider", as: String.self), eventID: try $0.decode(column: "event_id", as: String.self),
                           bookingID: try $0.decode(column: "booking_id", as: Int64?.self), status: try $0.decode(column: "status", as: String.self))
            }
        }
    }

    /// Audit rows whose action starts with "payment".
    func paymentAudit() async throws -> [AuditEntry] {
        try await store.auditLog(limit: 200).filter { $0.action.hasPrefix("payment") }
    }
}

extension BotHarness {
    /// The booking was confirmed exactly once: one confirmation to its user, one ledger row, one payment row.
    func expectConfirmedOnce(_ booking: BookingID, user: Int64, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await expectLast(user, contains: "your call is booked")
        try await outboxIdle()
        #expect(await messages(user, containing: "Payment received").count == 1, sourceLocation: sourceLocation)
        #expect(try await store.booking(booking)?.status == .confirmed, sourceLocation: sourceLocation)
        #expect(try await store.ledger(bookingID: booking).count == 1, sourceLocation: sourceLocation)
        #expect(try await allPaymentRows().map(\.status) == ["confirmed"], sourceLocation: sourceLocation)
    }
}
