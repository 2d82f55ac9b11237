import Domain
import FakeStripe
import Foundation
import Testing

@testable import VideoRooms

@Suite struct AgoraTests {
    // The fixed inputs of Agora's AccessToken2 tests (AgoraIO/Tools, DynamicKey/AgoraDynamicKey, AccessToken2Test).
    static let appID = "970CA35de60c44645bbae8a215061b33"
    static let appCertificate = "5CFd2fd1755d40ecb72977518be15d3b"
    static let channel = "7d72365eb983485397e3e3f9d460bdda"
    static let uid: UInt32 = 2_882_341_273
    static let expire: UInt32 = 600
    static let salt: UInt32 = 1
    static let issueTs: UInt32 = 1_111_111

    /// Agora's expected tokens for those inputs: RTC join-channel privilege, for uid 2882341273 (the same token
    /// as the account "2882341273") and for uid 0.
    static let vectorUID = "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcw"
        + "Mk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj"
    static let vectorUID0 = "007eJxTYLhzZP08Lxa1Pg57+TcXb/3cZ3wi4V6kbpbOog0G2dOYk20UGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcw"
        + "Mk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiQwMADacImo="

    /// Prints, per argument, the hex of the zlib-decompressed body of a "007" token (zlib WITH header: `zlib.decompress`).
    static let inflate = #"""
    import sys, zlib, base64
    for token in sys.argv[1:]:
        assert token[:3] == "007", token[:3]
        print(zlib.decompress(base64.b64decode(token[3:])).hex())
    """#

    func ours(account: String, privileges: [AccessToken2.RtcPrivilege: UInt32] = [.joinChannel: expire]) throws -> [UInt8] {
        try AccessToken2.payload(
            appID: Self.appID, appCertificate: Self.appCertificate, channel: Self.channel, account: account,
            issueTs: Self.issueTs, salt: Self.salt, expire: Self.expire, privileges: privileges)
    }

    @Test(.enabled(if: Peers.shouldRun, "\(Peers.skipMessage)"))
    func officialVectorsReproduceByteForByte() async throws {
        let ourUID = try AccessToken2.build(
            appID: Self.appID, appCertificate: Self.appCertificate, channel: Self.channel, uid: Self.uid,
            issueTs: Self.issueTs, salt: Self.salt, expire: Self.expire, privileges: [.joinChannel: Self.expire])
        let ourUID0 = try AccessToken2.build(
            appID: Self.appID, appCertificate: Self.appCertificate, channel: Self.channel, uid: 0,
            issueTs: Self.issueTs, salt: Self.salt, expire: Self.expire, privileges: [.joinChannel: Self.expire])
        let lines = try await Peers.run(["-c", Self.inflate, Self.vectorUID, Self.vectorUID0, ourUID, ourUID0])
            .split(separator: "\n").map(String.init)
        try #require(lines.count == 4)
        // Agora's vectors, decompressed by Python's zlib, equal our uncompressed payloads…
        #expect(lines[0] == hex(try ours(account: String(Self.uid))))
        #expect(lines[1] == hex(try ours(account: "")))
        // …and our own tokens inflate (zlib with header, stored blocks) to the same bytes.
        #expect(lines[2] == lines[0])
        #expect(lines[3] == lines[1])
        #expect(ourUID.hasPrefix("007eAE"))  // "007" + base64 of 0x78 0x01: our zlib header.
    }

    /// agoraiotools builds the four-privilege RTC token (as RtcTokenBuilder2's publisher role does) from the same
    /// fixed inputs; its body must equal ours.
    static let agoraBuild = #"""
    import sys, zlib, base64
    from agoraiotools.AccessToken2 import AccessToken, ServiceRtc
    app_id, cert, channel, account, ts, salt, expire, priv = sys.argv[1:9]
    token = AccessToken(app_id, cert, issue_ts=int(ts), expire=int(expire))
    token._AccessToken__salt = int(salt)
    rtc = ServiceRtc(channel, account)
    for p in (1, 2, 3, 4):
        rtc.add_privilege(p, int(priv))
    token.add_service(rtc)
    print(zlib.decompress(base64.b64decode(token.build()[3:])).hex())
    """#

    @Test(.enabled(if: Peers.shouldRun, "\(Peers.skipMessage)"))
    func publisherTokenMatchesAgoraioTools() async throws {
        let account = "7000000001"  // beyond uint32: the string-account variant
        let output = try await Peers.run([
            "-c", Self.agoraBuild, Self.appID, Self.appCertificate, Self.channel, account, String(Self.issueTs),
            String(Self.salt), String(Self.expire), "3600",
        ])
        let payload = try ours(account: account, privileges: AgoraRooms.privileges(expire: 3600))
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == hex(payload))
    }

    /// Parses a token with agoraiotools and rebuilds it from the parsed fields plus the certificate: equal bodies
    /// mean the signature checks out.
    static let parse = #"""
    import sys, json, zlib, base64
    from agoraiotools.AccessToken2 import AccessToken2, AccessToken, ServiceRtc
    token, cert = sys.argv[1:3]
    parsed = AccessToken2()
    assert parsed.from_string(token)
    rtc = parsed._AccessToken__service[ServiceRtc.kServiceType]
    out = {
        "app_id": parsed._AccessToken__app_id.decode(), "issue_ts": parsed._AccessToken__issue_ts,
        "expire": parsed._AccessToken__expire, "salt": parsed._AccessToken__salt,
        "services": sorted(parsed._AccessToken__service.keys()),
        "channel": rtc._ServiceRtc__channel_name.decode(), "uid": rtc._ServiceRtc__uid.decode(),
        "privileges": {str(k): v for k, v in rtc._Service__privileges.items()},
    }
    again = AccessToken(out["app_id"], cert, issue_ts=out["issue_ts"], expire=out["expire"])
    again._AccessToken__salt = out["salt"]
    service = ServiceRtc(out["channel"], out["uid"])
    for k, v in rtc._Service__privileges.items():
        service.add_privilege(k, v)
    again.add_service(service)
    body = lambda t: zlib.decompress(base64.b64decode(t[3:]))
    out["signature_ok"] = body(again.build()) == body(token)
    print(json.dumps(out))
    """#

    @Test(.enabled(if: Peers.shouldRun, "\(Peers.skipMessage)"))
    func linkTokenParsedBackByAgoraioTools() async throws {
        let agora = try AgoraRooms(appID: Self.appID, appCertificate: Self.appCertificate, joinPageBase: "https://calls.example.org/")
        let now = Fixtures.start.adding(minutes: -2)
        let room = "abcdefghijklmnopqrstuvwxyz"
        for participant in [Fixtures.host, Fixtures.guest] {
            let link = try await agora.link(room: room, booking: Fixtures.booking, participant: participant, now: now)
            let role = participant.isHost ? "host" : "user"
            #expect(link.url.hasPrefix("https://calls.example.org/call/\(Fixtures.booking.bookingID)?p=\(role)&t=007"))
            #expect(link.expiresAt == Fixtures.booking.end.adding(minutes: 10))
            let items = try queryItems(link.url)
            let token = try #require(items["t"])
            #expect(items["p"] == role)
            let output = try json(try await Peers.run(["-c", Self.parse, token, Self.appCertificate]))
            let seconds = now.seconds(until: link.expiresAt)  // 30 + 2 + 10 minutes
            #expect(seconds == 42 * 60)
            #expect(output["app_id"] as? String == Self.appID)
            #expect((output["issue_ts"] as? NSNumber)?.int64Value == now.epochSeconds)
            #expect((output["expire"] as? NSNumber)?.int64Value == seconds)
            #expect(output["services"] as? [Int] == [1])
            #expect(output["channel"] as? String == room)
            #expect(output["uid"] as? String == String(participant.userID))
            let privileges = try #require(output["privileges"] as? [String: NSNumber])
            #expect(privileges.mapValues(\.int64Value) == ["1": seconds, "2": seconds, "3": seconds, "4": seconds])
            #expect(output["signature_ok"] as? Bool == true)
        }
    }

    @Test func signingChainIsTheTwoStepHMAC() throws {
        let info = AccessToken2.signingInfo(
            appID: Self.appID, issueTs: Self.issueTs, expire: Self.expire, salt: Self.salt, channel: Self.channel,
            account: "", privileges: [.joinChannel: Self.expire])
        let key = AccessToken2.signingKey(appCertificate: Self.appCertificate, issueTs: Self.issueTs, salt: Self.salt)
        let step1 = AccessToken2.hmac(key: [0x47, 0xF4, 0x10, 0x00], message: Array(Self.appCertificate.utf8))  // 1111111 LE
        #expect(key == AccessToken2.hmac(key: [1, 0, 0, 0], message: step1))
        let payload = try ours(account: "")
        #expect(Array(payload.prefix(2)) == [32, 0])
        #expect(Array(payload[2..<34]) == AccessToken2.sign(info, appCertificate: Self.appCertificate, issueTs: Self.issueTs, salt: Self.salt))
        #expect(Array(payload.dropFirst(34)) == info)
    }

    @Test func zlibStreamAndBase64() {
        #expect(Zlib.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Zlib.storedStream([]) == [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01])
        let big = [UInt8](repeating: 7, count: 70_000)
        let stream = Zlib.storedStream(big)
        #expect(stream.count == 2 + 5 + 65_535 + 5 + 4_465 + 4)
        #expect(stream[2] == 0x00 && stream[2 + 5 + 65_535] == 0x01)
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
    }

    @Test func configurationIsChecked() {
        #expect(throws: VideoRoomError.invalidAgoraCredential(field: "AGORA_APP_ID")) {
            try AgoraRooms(appID: "short", appCertificate: Self.appCertificate, joinPageBase: "https://x.example")
        }
        #expect(throws: VideoRoomError.invalidAgoraCredential(field: "AGORA_APP_CERTIFICATE")) {
            try AgoraRooms(appID: Self.appID, appCertificate: String(repeating: "z", count: 32), joinPageBase: "https://x.example")
        }
        #expect(throws: VideoRoomError.invalidJoinPage("calls.example.org")) {
            try AgoraRooms(appID: Self.appID, appCertificate: Self.appCertificate, joinPageBase: "calls.example.org")
        }
        let agora = try? AgoraRooms(appID: Self.appID, appCertificate: Self.appCertificate, joinPageBase: "https://x.example")
        #expect(agora?.name == "agora")
        #expect(!String(describing: agora!).contains(Self.appCertificate))
    }

    @Test func linksAfterTheCallAreRefused() throws {
        let agora = try AgoraRooms(appID: Self.appID, appCertificate: Self.appCertificate, joinPageBase: "https://x.example")
        let late = Fixtures.booking.end.adding(minutes: 10)
        #expect(throws: VideoRoomError.callAlreadyOver(expiredAt: late)) {
            try agora.link(room: "abc", booking: Fixtures.booking, participant: Fixtures.guest, now: late, salt: 5)
        }
        // Fixed salt: same inputs, same link; the URL escapes the token's base64.
        let a = try agora.link(room: "abc", booking: Fixtures.booking, participant: Fixtures.guest, now: Fixtures.start, salt: 5)
        let b = try agora.link(room: "abc", booking: Fixtures.booking, participant: Fixtures.guest, now: Fixtures.start, salt: 5)
        #expect(a == b)
        let token = String(a.url.split(separator: "t=").last ?? "")
        #expect(!token.contains("+") && !token.contains("/") && !token.contains("="))
    }

    @Test func roomNamesSuitAgoraChannels() {
        let agora = try! AgoraRooms(appID: Self.appID, appCertificate: Self.appCertificate, joinPageBase: "https://x.example")
        var rng = SplitMix64(seed: 3)
        let name = agora.roomName(for: Fixtures.booking, using: &rng)
        #expect(name.utf8.count >= 22 && name.utf8.count <= 64)
    }
}

/// The join page's check of a link's token: ours, for this channel and participant, not expired.
@Suite struct AgoraTokenCheckTests {
    let agora = try! AgoraRooms(appID: AgoraTests.appID, appCertificate: AgoraTests.appCertificate, joinPageBase: "https://x.example")
    let room = "abcdefghijklmnopqrstuvwxyz"

    func token(for participant: RoomParticipant, now: Instant = Fixtures.start, salt: UInt32 = 77) throws -> String {
        let url = try agora.link(room: room, booking: Fixtures.booking, participant: participant, now: now, salt: salt).url
        return try #require(try queryItems(url)["t"])
    }

    @Test func ourTokenParsesBackToItsFields() throws {
        let token = try token(for: Fixtures.guest)
        let parsed = try #require(AccessToken2.parse(token))
        #expect(parsed.appID == AgoraTests.appID && parsed.channel == room && parsed.account == String(Fixtures.guest.userID))
        #expect(parsed.salt == 77 && parsed.issueTs == UInt32(Fixtures.start.epochSeconds))
        #expect(parsed.expiresAt == Fixtures.booking.end.adding(minutes: 10))
        #expect(parsed.privileges == AgoraRooms.privileges(expire: 40 * 60))
        // Agora's own vector (compressed by Agora, not stored blocks) is not one of ours: refused, not misread.
        #expect(AccessToken2.parse(AgoraTests.vectorUID) == nil)
        #expect(AccessToken2.parse("007") == nil && AccessToken2.parse("not a token") == nil)
    }

    @Test func validForItsParticipantUntilTheEndPlusGrace() throws {
        let token = try token(for: Fixtures.guest)
        guard case .valid(let parsed) = agora.check(token: token, room: room, participant: Fixtures.guest, now: Fixtures.start) else {
            Issue.record("refused")
            return
        }
        #expect(parsed.account == String(Fixtures.guest.userID))
        let end = Fixtures.booking.end.adding(minutes: 10)
        #expect(agora.check(token: token, room: room, participant: Fixtures.guest, now: end.adding(seconds: -1)) != .invalid)
        #expect(agora.check(token: token, room: room, participant: Fixtures.guest, now: end) == .expired(at: end))
    }

    @Test func anyOtherTokenIsInvalid() throws {
        let token = try token(for: Fixtures.guest)
        // Another participant, another room.
        #expect(agora.check(token: token, room: room, participant: Fixtures.host, now: Fixtures.start) == .invalid)
        #expect(agora.check(token: token, room: "zzzzzzzzzzzzzzzzzzzzzzzzzz", participant: Fixtures.guest, now: Fixtures.start) == .invalid)
        // Signed with another certificate.
        let other = try AgoraRooms(appID: AgoraTests.appID, appCertificate: String(repeating: "a", count: 32), joinPageBase: "https://x.example")
        let foreign = try #require(try queryItems(other.link(
            room: room, booking: Fixtures.booking, participant: Fixtures.guest, now: Fixtures.start, salt: 77).url)["t"])
        #expect(agora.check(token: foreign, room: room, participant: Fixtures.guest, now: Fixtures.start) == .invalid)
        // One character changed anywhere in the body.
        var characters = Array(token)
        for index in stride(from: 3, to: characters.count - 2, by: 17) {
            let saved = characters[index]
            characters[index] = saved == "A" ? "B" : "A"
            #expect(agora.check(token: String(characters), room: room, participant: Fixtures.guest, now: Fixtures.start) == .invalid)
            characters[index] = saved
        }
        #expect(agora.check(token: "", room: room, participant: Fixtures.guest, now: Fixtures.start) == .invalid)
    }

    @Test func base64AndStoredZlibRoundTrip() {
        for n in [0, 1, 2, 3, 4, 100, 70_000] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Zlib.inflateStored(Zlib.storedStream(bytes)) == bytes)
        }
        var damaged = Zlib.storedStream([1, 2, 3])
        damaged[damaged.count - 1] ^= 1
        #expect(Zlib.inflateStored(damaged) == nil)
        #expect(Base64.decode("Zm9v!") == nil)
    }
}
