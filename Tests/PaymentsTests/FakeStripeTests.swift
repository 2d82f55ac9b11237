import AsyncHTTPClient
import FakeStripe
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The fake refuses what Stripe refuses, in Stripe's error shape.
@Suite("FakeStripe is strict")
struct FakeStripeTests {
    struct Answer {
        var status: Int
        var error: [String: Any]
        var json: [String: Any]
    }

    func post(
        _ fake: FakeStripeServer, _ path: String = "/v1/checkout/sessions", form: [(String, String)],
        authorization: String? = "default", contentType: String = "application/x-www-form-urlencoded", key: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: fake.baseURL + path)
        request.method = .POST
        if let authorization { request.headers.add(name: "Authorization", value: authorization == "default" ? "Bearer \(fake.secretKey)" : authorization) }
        request.headers.add(name: "Content-Type", value: contentType)
        if let key { request.headers.add(name: "Idempotency-Key", value: key) }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let body = form.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), error: json["error"] as? [String: Any] ?? [:], json: json)
    }

    func validForm(expiresAt: Int64 = Int64(Date().timeIntervalSince1970) + 3600) -> [(String, String)] {
        [
            ("mode", "payment"), ("line_items[0][price_data][currency]", "usd"), ("line_items[0][price_data][unit_amount]", "2000"),
            ("line_items[0][price_data][product_data][name]", "Call"), ("line_items[0][quantity]", "1"),
            ("success_url", "https://example.com/ok"), ("expires_at", String(expiresAt)),
        ]
    }

    func replacing(_ name: String, with value: String?, in form: [(String, String)]) -> [(String, String)] {
        var out = form.filter { $0.0 != name }
        if let value { out.append((name, value)) }
        return out
    }

    @Test func aValidRequestMakesAnOpenSession() async throws {
        try await withFake { fake in
            let answer = try await post(fake, form: validForm())
            #expect(answer.status == 200)
            #expect(answer.json["object"] as? String == "checkout.session")
            #expect(answer.json["status"] as? String == "open")
            #expect(answer.json["payment_status"] as? String == "unpaid")
            #expect(answer.json["amount_total"] as? Int == 2000)
            #expect((answer.json["id"] as? String)?.hasPrefix("cs_test_") == true)
        }
    }

    @Test func authentication() async throws {
        try await withFake { fake in
            for authorization in [nil, "Bearer sk_test_other", "Token \(fake.secretKey)"] as [String?] {
                let answer = try await post(fake, form: validForm(), authorization: authorization)
                #expect(answer.status == 401)
                #expect(answer.error["type"] as? String == "invalid_request_error")
                #expect((answer.error["message"] as? String)?.isEmpty == false)
            }
            // Stripe also takes the key as the Basic-auth user name.
            let basic = "Basic " + Data("\(fake.secretKey):".utf8).base64EncodedString()
            #expect(try await post(fake, form: validForm(), authorization: basic).status == 200)
        }
    }

    @Test func formBodyOnly() async throws {
        try await withFake { fake in
            let answer = try await post(fake, form: validForm(), contentType: "application/json")
            #expect(answer.status == 400)
        }
    }

    @Test(arguments: [
        ("mode", "donation", "mode"),
        ("line_items[0][price_data][currency]", "USD", "line_items[0][price_data][currency]"),
        ("line_items[0][price_data][currency]", "dollars", "line_items[0][price_data][currency]"),
        ("line_items[0][price_data][unit_amount]", "0", "line_items[0][price_data][unit_amount]"),
        ("line_items[0][price_data][unit_amount]", "12.5", "line_items[0][price_data][unit_amount]"),
        ("line_items[0][price_data][product_data][name]", "", "line_items[0][price_data][product_data][name]"),
        ("line_items[0][quantity]", "0", "line_items[0][quantity]"),
        ("success_url", "/relative", "success_url"),
        ("success_url", "ftp://example.com", "success_url"),
        ("client_reference_id", String(repeating: "x", count: 201), "client_reference_id"),
        ("metadata[\(String(repeating: "k", count: 41))]", "v", "metadata[\(String(repeating: "k", count: 41))]"),
        ("metadata[booking_id]", String(repeating: "v", count: 501), "metadata[booking_id]"),
        ("payment_method_types[0]", "card", "payment_method_types[0]"),
    ])
    func refusedParameter(name: String, value: String, param: String) async throws {
        try await withFake { fake in
            let answer = try await post(fake, form: replacing(name, with: value, in: validForm()))
            #expect(answer.status == 400)
            #expect(answer.error["type"] as? String == "invalid_request_error")
            #expect(answer.error["param"] as? String == param)
            #expect(await fake.sessions().isEmpty)
        }
    }

    @Test(arguments: ["mode", "success_url", "line_items[0][quantity]", "line_items[0][price_data][unit_amount]"])
    func missingParameter(name: String) async throws {
        try await withFake { fake in
            let answer = try await post(fake, form: replacing(name, with: nil, in: validForm()))
            #expect(answer.status == 400)
            #expect(answer.error["message"] as? String == "Missing required param: \(name).")
        }
    }

    @Test func expiryWindowByTheRealClock() async throws {
        try await withFake { fake in
            let now = Int64(Date().timeIntervalSince1970)
            for (offset, ok) in [(29 * 60, false), (31 * 60, true), (23 * 3600, true), (24 * 3600 + 60, false), (-60, false)] {
                let answer = try await post(fake, form: validForm(expiresAt: now + Int64(offset)))
                #expect((answer.status == 200) == ok, "expires in \(offset) s")
                if !ok { #expect(answer.error["param"] as? String == "expires_at") }
            }
        }
    }

    @Test func belowStripesMinimumCharge() async throws {
        try await withFake { fake in
            let answer = try await post(fake, form: replacing("line_items[0][price_data][unit_amount]", with: "49", in: validForm()))
            #expect(answer.status == 400)
            #expect(answer.error["code"] as? String == "amount_too_small")
        }
    }

    @Test func idempotencyKeys() async throws {
        try await withFake { fake in
            let form = validForm()
            let first = try await post(fake, form: form, key: "k1")
            let replay = try await post(fake, form: form.reversed(), key: "k1")  // same parameters, other order
            #expect(first.json["id"] as? String == replay.json["id"] as? String)
            let other = try await post(fake, form: replacing("line_items[0][quantity]", with: "2", in: form), key: "k1")
            #expect(other.status == 400)
            #expect(other.error["type"] as? String == "idempotency_error")
            // A refused request is not saved under its key.
            let bad = try await post(fake, form: replacing("mode", with: nil, in: form), key: "k2")
            #expect(bad.status == 400)
            #expect(try await post(fake, form: form, key: "k2").status == 200)
            #expect(await fake.sessions().count == 2)
        }
    }

    @Test func onlyTwoEndpoints() async throws {
        try await withFake { fake in
            let answer = try await post(fake, "/v1/payment_intents", form: [("amount", "100")])
            #expect(answer.status == 404)
            #expect(answer.error["type"] as? String == "invalid_request_error")
        }
    }
}
