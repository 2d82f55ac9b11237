import FakeStripe
import Domain
import Foundation
import Payments
import Testing

/// A `checkout.session.completed` body with non-ASCII text and a CRLF, to prove we sign the raw bytes.
let completedEventBody = Array("""
{
  "id": "evt_1PeerTest",
  "object": "event",
  "type": "checkout.session.completed",
  "created": 1767225600,\r
  "data": {
    "object": {
      "id": "cs_test_a1B2c3",
      "object": "checkout.session",
      "amount_total": 4500,
      "currency": "usd",
      "payment_status": "paid",
      "status": "complete",
      "payment_intent": "pi_3PeerTest",
      "client_reference_id": "777000111",
      "metadata": {"booking_id": "42", "note": "Café ☕ — 1:1"},
      "expires_at": 1767229200
    }
  }
}
""".utf8)

let webhookSecret = "whsec_test_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
let signedAt: Int64 = 1_767_225_700

/// Headers made by Stripe's official Python library: `stripe.WebhookSignature.generate_signature_header`.
enum OfficialSigner {
    static let script = """
    import sys, stripe
    with open(sys.argv[1], encoding="utf-8", newline="") as f:
        payload = f.read()
    print(stripe.WebhookSignature.generate_signature_header(payload, sys.argv[2], timestamp=int(sys.argv[3])))
    """

    static func header(payload: [UInt8], secret: String, timestamp: Int64) async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stripe-payload-\(UUID().uuidString).json")
        try Data(payload).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await Peers.run(["-c", script, file.path, secret, String(timestamp)])
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `v1` value of a header from the library.
    static func v1(_ header: String) -> String {
        header.split(separator: ",").first { $0.hasPrefix("v1=") }.map { String($0.dropFirst(3)) } ?? ""
    }
}

@Suite("Stripe webhook signatures against stripe-python", .enabled(if: Peers.shouldRun, Comment(rawValue: Peers.skipMessage)))
struct OfficialSignatureTests {
    let now = Instant(epochSeconds: signedAt + 10)

    @Test func acceptsTheOfficialHeaderAndReadsTheEvent() async throws {
        let header = try await OfficialSigner.header(payload: completedEventBody, secret: webhookSecret, timestamp: signedAt)
        #expect(header.hasPrefix("t=\(signedAt),v1="))
        // Our own signer makes the very same header.
        #expect(StripeWebhook.signatureHeader(payload: completedEventBody, secret: webhookSecret, timestamp: signedAt) == header)

        let event = try StripeWebhook.verify(payload: completedEventBody, header: header, secret: webhookSecret, now: now)
        #expect(event.id == "evt_1PeerTest")
        #expect(event.type == "checkout.session.completed")
        #expect(event.created == Instant(epochSeconds: 1_767_225_600))
        #expect(event.object == StripeEventObject(
            id: "cs_test_a1B2c3", objectType: "checkout.session", paymentIntent: "pi_3PeerTest", amountTotal: 4500,
            currency: "usd", paymentStatus: "paid", status: "complete", bookingID: BookingID(42),
            clientReferenceID: "777000111", expiresAt: Instant(epochSeconds: 1_767_229_200)))
        #expect(matches(Money(minorUnits: 4500, currency: .usd), amount: event.object.amountTotal!, currency: event.object.currency!))
        // The Data overload reads the same.
        #expect(try StripeWebhook.verify(payload: Data(completedEventBody), header: header, secret: webhookSecret, now: now) == event)
    }

    @Test func tamperedBodyIsRefused() async throws {
        let header = try await OfficialSigner.header(payload: completedEventBody, secret: webhookSecret, timestamp: signedAt)
        var tampered = completedEventBody
        let index = tampered.firstIndex(of: UInt8(ascii: "4"))!  // "amount_total": 4500 → 5500
        tampered[index] = UInt8(ascii: "5")
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: tampered, header: header, secret: webhookSecret, now: now)
        }
        // One byte more (a trailing newline added by a proxy) is a different body too.
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: completedEventBody + [10], header: header, secret: webhookSecret, now: now)
        }
    }

    @Test func wrongSecretIsRefused() async throws {
        let header = try await OfficialSigner.header(payload: completedEventBody, secret: webhookSecret, timestamp: signedAt)
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: completedEventBody, header: header, secret: "whsec_other", now: now)
        }
        // The key is the whole "whsec_…" text, not the part after the prefix.
        let stripped = String(webhookSecret.dropFirst("whsec_".count))
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: completedEventBody, header: header, secret: stripped, now: now)
        }
    }

    @Test func timestampToleranceIs300SecondsBothWays() async throws {
        let header = try await OfficialSigner.header(payload: completedEventBody, secret: webhookSecret, timestamp: signedAt)
        func verify(at seconds: Int64) throws(StripeWebhookError) {
            _ = try StripeWebhook.verify(payload: completedEventBody, header: header, secret: webhookSecret, now: Instant(epochSeconds: seconds))
        }
        try verify(at: signedAt + 300)
        try verify(at: signedAt - 300)
        #expect(throws: StripeWebhookError.timestampOutOfTolerance) { try verify(at: signedAt + 301) }
        #expect(throws: StripeWebhookError.timestampOutOfTolerance) { try verify(at: signedAt - 301) }
        // A custom tolerance.
        #expect(throws: StripeWebhookError.timestampOutOfTolerance) {
            try StripeWebhook.verify(payload: completedEventBody, header: header, secret: webhookSecret, now: Instant(epochSeconds: signedAt + 61), tolerance: 60)
        }
    }

    @Test func missingHeaderIsRefused() async throws {
        _ = try Peers.requirePython()
        #expect(throws: StripeWebhookError.missingHeader) {
            try StripeWebhook.verify(payload: completedEventBody, header: nil, secret: webhookSecret, now: now)
        }
        #expect(throws: StripeWebhookError.missingHeader) {
            try StripeWebhook.verify(payload: completedEventBody, header: " ", secret: webhookSecret, now: now)
        }
    }

    @Test func onlyV0IsNotEnough() async throws {
        let official = try await OfficialSigner.header(payload: completedEventBody, secret: webhookSecret, timestamp: signedAt)
        let signature = OfficialSigner.v1(official)
        #expect(signature.count == 64)
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: completedEventBody, header: "t=\(signedAt),v0=\(signature)", secret: webhookSecret, now: now)
        }
    }

    @Test func anyV1MayMatch() async throws {
        let official = try await OfficialSigner.header(payload: completedEventBody, secret: webhookSecret, timestamp: signedAt)
        let good = OfficialSigner.v1(official)
        let other = OfficialSigner.v1(try await OfficialSigner.header(payload: completedEventBody, secret: "whsec_old", timestamp: signedAt))
        #expect(other != good)
        // While a secret is rolled Stripe signs with both: the second one is ours.
        let rolled = "t=\(signedAt),v1=\(other),v1=\(good)"
        #expect(try StripeWebhook.verify(payload: completedEventBody, header: rolled, secret: webhookSecret, now: now).id == "evt_1PeerTest")
        let withV0 = "t=\(signedAt), v1=\(good), v0=\(other)"
        #expect(try StripeWebhook.verify(payload: completedEventBody, header: withV0, secret: webhookSecret, now: now).id == "evt_1PeerTest")
        // Neither matches.
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: completedEventBody, header: "t=\(signedAt),v1=\(other),v1=\(other)", secret: webhookSecret, now: now)
        }
        // The signature is over "<t>.<body>": moving t breaks it even within tolerance.
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: completedEventBody, header: "t=\(signedAt + 1),v1=\(good)", secret: webhookSecret, now: now)
        }
    }
}

/// Header parsing and payload reading, without the peer.
@Suite("Stripe webhook parsing")
struct WebhookParsingTests {
    let now = Instant(epochSeconds: signedAt)

    func header(_ payload: [UInt8], secret: String = webhookSecret) -> String {
        StripeWebhook.signatureHeader(payload: payload, secret: secret, timestamp: signedAt)
    }

    @Test(arguments: ["garbage", "v1=abc", "t=,v1=abc", "t=12x,v1=abc", "t=1,t=2,v1=abc", "t=-5,v1=abc", "t=99999999999999999999,v1=ab"])
    func malformedHeaders(_ value: String) {
        #expect(throws: StripeWebhookError.malformedHeader) {
            try StripeWebhook.verify(payload: completedEventBody, header: value, secret: webhookSecret, now: now)
        }
    }

    @Test func noV1AndBadHexDoNotMatch() {
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: completedEventBody, header: "t=\(signedAt)", secret: webhookSecret, now: now)
        }
        let good = header(completedEventBody).components(separatedBy: "v1=")[1]
        // Upper-case hex of the right bytes is accepted; a truncated signature is not.
        #expect(throws: Never.self) {
            try StripeWebhook.verify(payload: completedEventBody, header: "t=\(signedAt),v1=\(good.uppercased())", secret: webhookSecret, now: now)
        }
        #expect(throws: StripeWebhookError.noMatchingSignature) {
            try StripeWebhook.verify(payload: completedEventBody, header: "t=\(signedAt),v1=\(good.dropLast(2))", secret: webhookSecret, now: now)
        }
    }

    @Test func emptySecretVerifiesNothing() {
        let forged = header(completedEventBody, secret: "")
        #expect(throws: StripeWebhookError.missingSecret) {
            try StripeWebhook.verify(payload: completedEventBody, header: forged, secret: "", now: now)
        }
    }

    @Test func signedButUnreadableBody() {
        for body in ["not json", "[1,2]", #"{"id":"evt_1","type":"x","created":1}"#] {
            let bytes = Array(body.utf8)
            #expect(throws: StripeWebhookError.self) {
                try StripeWebhook.verify(payload: bytes, header: header(bytes), secret: webhookSecret, now: now)
            }
        }
    }

    @Test func otherEventShapesStillRead() throws {
        // A balance event: its object has no id; an expanded payment_intent; a fractional amount reads as absent.
        let body = Array(#"""
        {"id":"evt_2","type":"charge.refunded","created":1767225601,"data":{"object":{"object":"charge",
         "id":"ch_1","amount":"oops","payment_intent":{"id":"pi_9","object":"payment_intent"},"currency":"eur",
         "metadata":{"booking_id":"not-a-number"}}}}
        """#.utf8)
        let event = try StripeWebhook.verify(payload: body, header: header(body), secret: webhookSecret, now: now)
        #expect(event.object == StripeEventObject(id: "ch_1", objectType: "charge", paymentIntent: "pi_9", currency: "eur"))

        let balance = Array(#"{"id":"evt_3","type":"balance.available","created":1,"data":{"object":{"object":"balance","available":[]}}}"#.utf8)
        let read = try StripeWebhook.verify(payload: balance, header: header(balance), secret: webhookSecret, now: now)
        #expect(read.object.id == "")
        #expect(read.object.bookingID == nil)
    }
}
