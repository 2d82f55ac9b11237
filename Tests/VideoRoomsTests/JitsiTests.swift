import Domain
import FakeStripe
import Foundation
import Testing

@testable import VideoRooms

@Suite struct JitsiTests {
    func provider(audience: String? = "jitsi-audience") throws -> JitsiRooms {
        try JitsiRooms(domain: "video.example.org", appID: "privatecalls", appSecret: Fixtures.secret, audience: audience)
    }

    @Test func roomNamesAreUniqueAndLongEnough() {
        let jitsi = try! JitsiRooms(appID: nil, appSecret: nil, audience: nil)
        var rng = SplitMix64(seed: 1)
        var names = Set<String>()
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for id in 1...1000 {
            let booking = RoomBooking(bookingID: Int64(id), start: Fixtures.start, end: Fixtures.start.adding(minutes: 30))
            let name = jitsi.roomName(for: booking, using: &rng)
            #expect(name.count >= 22)
            #expect(name.allSatisfy { allowed.contains($0) })
            #expect(name == name.lowercased(), "Jitsi folds room names to lower case")
            names.insert(name)
        }
        #expect(names.count == 1000)
        // 26 base32 characters = 130 bits of room for our 128 random bits.
        #expect(RoomNames.length * 5 >= 128)
    }

    @Test func sameSeedSameNameDifferentSeedDifferentName() {
        var a = SplitMix64(seed: 9)
        var b = SplitMix64(seed: 9)
        var c = SplitMix64(seed: 10)
        #expect(RoomNames.random(using: &a) == RoomNames.random(using: &b))
        #expect(RoomNames.random(using: &a) != RoomNames.random(using: &c))
    }

    @Test func base32OfKnownBytes() {
        // RFC 4648 test vector "foobar" → MZXW6YTBOI (lower-cased, no padding).
        #expect(RoomNames.base32(Array("foobar".utf8)) == "mzxw6ytboi")
        #expect(RoomNames.base32([UInt8](repeating: 0xFF, count: 16)).count == 26)
    }

    @Test func shortSecretIsRefusedWithAClearMessage() {
        let secret = String(repeating: "s", count: 31)
        #expect(throws: VideoRoomError.jitsiSecretTooShort(bytes: 31)) {
            try JitsiRooms(appID: "app", appSecret: secret, audience: nil)
        }
        let message = VideoRoomError.jitsiSecretTooShort(bytes: 31).description
        #expect(message.contains("JITSI_APP_SECRET") && message.contains("31") && message.contains("32"))
        #expect((try? JitsiRooms(appID: "app", appSecret: secret + "s", audience: nil)) != nil)
    }

    @Test func halfConfiguredCredentialsAreRefused() {
        #expect(throws: VideoRoomError.jitsiIncompleteCredentials) {
            try JitsiRooms(appID: "app", appSecret: nil, audience: nil)
        }
        #expect(throws: VideoRoomError.jitsiIncompleteCredentials) {
            try JitsiRooms(appID: nil, appSecret: Fixtures.secret, audience: nil)
        }
        #expect(throws: VideoRoomError.invalidDomain("meet.example.org/x y")) {
            try JitsiRooms(domain: "meet.example.org/x y", appID: nil, appSecret: nil, audience: nil)
        }
    }

    @Test func withoutSecretTheLinkIsPlain() async throws {
        let jitsi = try JitsiRooms(appID: nil, appSecret: nil, audience: nil)
        #expect(jitsi.name == "jitsi" && !jitsi.usesTokens)
        let link = try await jitsi.link(room: "abcdefghijklmnopqrstuvwxyz", booking: Fixtures.booking, participant: Fixtures.guest, now: Fixtures.start)
        #expect(link == RoomLink(url: "https://meet.jit.si/abcdefghijklmnopqrstuvwxyz", roomName: "abcdefghijklmnopqrstuvwxyz",
                                 expiresAt: Fixtures.booking.end.adding(minutes: 10)))
        #expect(!link.url.contains("jwt"))
    }

    @Test func descriptionHidesTheSecret() throws {
        let text = String(describing: try provider())
        #expect(!text.contains(Fixtures.secret) && text.contains("video.example.org"))
    }

    @Test func badRoomNameIsRefused() async throws {
        await #expect(throws: VideoRoomError.invalidRoomName("a/b")) {
            try await provider().link(room: "a/b", booking: Fixtures.booking, participant: Fixtures.guest, now: Fixtures.start)
        }
    }

    /// pyjwt, with its clock replaced by `now` values, verifies signature, algorithm, audience, issuer and window.
    static let verifier = #"""
    import sys, json, datetime as _dt, jwt, jwt.api_jwt as api
    token, secret, aud, iss = sys.argv[1:5]
    out = {"header": jwt.get_unverified_header(token), "results": []}
    for now in [int(x) for x in sys.argv[5:]]:
        class FakeClock(_dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return _dt.datetime.fromtimestamp(now, tz)
        api.datetime = FakeClock
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], audience=aud, issuer=iss,
                                options={"require": ["exp", "nbf", "iat", "aud", "iss", "sub"]})
            out["claims"] = claims
            out["results"].append("ok")
        except jwt.PyJWTError as error:
            out["results"].append(type(error).__name__)
    relaxed = {"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False}
    for name, key, algorithms in [("wrongSecret", secret + "x", ["HS256"]), ("wrongAlgorithm", secret, ["HS512"])]:
        try:
            jwt.decode(token, key, algorithms=algorithms, options=relaxed)
            out[name] = "accepted"
        except jwt.PyJWTError as error:
            out[name] = type(error).__name__
    print(json.dumps(out))
    """#

    @Test(.enabled(if: Peers.shouldRun, "\(Peers.skipMessage)"))
    func pyjwtVerifiesTheTokens() async throws {
        let jitsi = try provider()
        let booking = Fixtures.booking
        let issued = booking.start.adding(days: -1)
        let nbf = booking.start.adding(minutes: -5).epochSeconds
        let exp = booking.end.adding(minutes: 10).epochSeconds
        for participant in [Fixtures.host, Fixtures.guest] {
            let link = try await jitsi.link(room: "roomname234567abcdefghijkl", booking: booking, participant: participant, now: issued)
            #expect(link.url.hasPrefix("https://video.example.org/roomname234567abcdefghijkl?jwt="))
            #expect(link.expiresAt.epochSeconds == exp)
            let token = try #require(try queryItems(link.url)["jwt"])
            let nows = [nbf - 1, nbf, booking.start.epochSeconds, exp - 1, exp, exp + 3600]
            let output = try json(try await Peers.run(
                ["-c", Self.verifier, token, Fixtures.secret, "jitsi-audience", "privatecalls"] + nows.map { String($0) }))
            #expect(output["results"] as? [String]
                == ["ImmatureSignatureError", "ok", "ok", "ok", "ExpiredSignatureError", "ExpiredSignatureError"])
            #expect(output["wrongSecret"] as? String == "InvalidSignatureError")
            #expect(output["wrongAlgorithm"] as? String == "InvalidAlgorithmError")
            let header = try #require(output["header"] as? [String: Any])
            #expect(header["alg"] as? String == "HS256")
            let claims = try #require(output["claims"] as? [String: Any])
            #expect(claims["iss"] as? String == "privatecalls")
            #expect(claims["aud"] as? String == "jitsi-audience")
            #expect(claims["sub"] as? String == "video.example.org")
            #expect(claims["room"] as? String == "roomname234567abcdefghijkl")
            #expect((claims["nbf"] as? NSNumber)?.int64Value == nbf)
            #expect((claims["exp"] as? NSNumber)?.int64Value == exp)
            #expect((claims["iat"] as? NSNumber)?.int64Value == issued.epochSeconds)
            let context = try #require(claims["context"] as? [String: Any])
            let user = try #require(context["user"] as? [String: Any])
            #expect(user["id"] as? String == String(participant.userID))
            #expect(user["name"] as? String == participant.displayName)
            let moderator = try #require(user["moderator"] as? NSNumber)
            #expect(moderator.boolValue == participant.isHost)
        }
    }

    @Test(.enabled(if: Peers.shouldRun, "\(Peers.skipMessage)"))
    func audienceDefaultsToJitsi() async throws {
        let jitsi = try provider(audience: nil)
        let link = try await jitsi.link(room: "roomname234567abcdefghijkl", booking: Fixtures.booking, participant: Fixtures.guest, now: Fixtures.start)
        let token = try #require(try queryItems(link.url)["jwt"])
        let output = try json(try await Peers.run(
            ["-c", Self.verifier, token, Fixtures.secret, "jitsi", "privatecalls", String(Fixtures.start.epochSeconds)]))
        #expect(output["results"] as? [String] == ["ok"])
    }
}
