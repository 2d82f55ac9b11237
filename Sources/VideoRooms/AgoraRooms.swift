// Agora rooms: an AccessToken2 RTC token per participant, opened by the app's small join page.
import Domain

/// Agora rooms. Each participant's link is `<joinPageBase>/call/<booking>?p=<user|host>&t=<token>` with an RTC
/// token that lets them join and publish audio, video and data until `end + grace`. The app's join page checks
/// the token (`check(token:…)`) and opens the channel with Agora's Web SDK.
///
/// The uid: Agora's numeric uid is a uint32 but Telegram user ids go beyond 2^32, so we use Agora's string
/// *user account* variant with the decimal Telegram id ("123456789") — stable, collision-free, and byte-identical
/// in the token to the numeric uid when the id fits in a uint32. The join page must pass `uid` to
/// `client.join(appId, channel, token, uid)` as a STRING (do not parseInt it), so both sides use accounts.
public struct AgoraRooms: VideoRoomProvider, CustomStringConvertible {
    public let name = "agora"
    public let appID: String
    let appCertificate: String
    public let joinPageBase: String
    public let graceMinutes: Int

    /// Throws `VideoRoomError` unless app id and certificate are 32 hex characters and the join page is http(s).
    public init(appID: String, appCertificate: String, joinPageBase: String, graceMinutes: Int = 10) throws {
        guard AccessToken2.isHex32(appID) else { throw VideoRoomError.invalidAgoraCredential(field: "AGORA_APP_ID") }
        guard AccessToken2.isHex32(appCertificate) else {
            throw VideoRoomError.invalidAgoraCredential(field: "AGORA_APP_CERTIFICATE")
        }
        var base = Substring(joinPageBase)
        while base.hasSuffix("/") { base = base.dropLast() }
        guard base.hasPrefix("https://") || base.hasPrefix("http://"), base.count > 8, !base.contains("?") else {
            throw VideoRoomError.invalidJoinPage(joinPageBase)
        }
        self.appID = appID
        self.appCertificate = appCertificate
        self.joinPageBase = String(base)
        self.graceMinutes = max(0, graceMinutes)
    }

    /// Never shows the certificate.
    public var description: String { "AgoraRooms(app \(appID), join page \(joinPageBase))" }

    public func roomName<R: RandomNumberGenerator>(for booking: RoomBooking, using rng: inout R) -> String {
        RoomNames.random(using: &rng)
    }

    public func link(room: String, booking: RoomBooking, participant: RoomParticipant, now: Instant) async throws -> RoomLink {
        var salt = SystemRandomNumberGenerator()
        return try link(room: room, booking: booking, participant: participant, now: now, salt: UInt32.random(in: 1...99_999_999, using: &salt))
    }

    /// `link` with a fixed salt, for tests.
    public func link(room: String, booking: RoomBooking, participant: RoomParticipant, now: Instant, salt: UInt32) throws -> RoomLink {
        guard RoomNames.isValid(room) else { throw VideoRoomError.invalidRoomName(room) }
        guard booking.start <= booking.end else { throw VideoRoomError.invalidWindow }
        guard participant.userID > 0 else { throw VideoRoomError.invalidParticipant(participant.userID) }
        let expiresAt = booking.end.adding(minutes: graceMinutes)
        let seconds = now.seconds(until: expiresAt)
        guard seconds > 0 else { throw VideoRoomError.callAlreadyOver(expiredAt: expiresAt) }
        guard let issueTs = UInt32(exactly: now.epochSeconds), let expire = UInt32(exactly: seconds) else {
            throw VideoRoomError.invalidWindow
        }
        let account = Self.account(for: participant)
        let token = try AccessToken2.build(
            appID: appID, appCertificate: appCertificate, channel: room, account: account, issueTs: issueTs, salt: salt,
            expire: expire, privileges: Self.privileges(expire: expire))
        let url = joinPageBase + "/call/\(booking.bookingID)?p=" + Self.role(of: participant) + "&t=" + QueryEncoding.escape(token)
        return RoomLink(url: url, roomName: room, expiresAt: expiresAt)
    }

    /// The `p` query value of a participant's link.
    public static func role(of participant: RoomParticipant) -> String { participant.isHost ? "host" : "user" }

    /// What the join page makes of a link's token.
    public enum TokenCheck: Sendable, Equatable {
        /// Ours, for this channel and participant, still valid.
        case valid(AccessToken2.Parsed)
        /// Not a token we issued for this channel and participant (or damaged).
        case invalid
        /// Ours, but its time is over.
        case expired(at: Instant)
    }

    /// Checks a join link's token: parsed, re-signed with our certificate (the signatures must match), for
    /// `room` and the participant's account, with the join privilege, and not expired at `now`.
    public func check(token: String, room: String, participant: RoomParticipant, now: Instant) -> TokenCheck {
        guard let parsed = AccessToken2.parse(token), parsed.appID == appID, parsed.channel == room,
              parsed.account == Self.account(for: participant), parsed.privileges[.joinChannel] != nil else { return .invalid }
        let info = AccessToken2.signingInfo(
            appID: appID, issueTs: parsed.issueTs, expire: parsed.expire, salt: parsed.salt, channel: room,
            account: parsed.account, privileges: parsed.privileges)
        let expected = AccessToken2.sign(info, appCertificate: appCertificate, issueTs: parsed.issueTs, salt: parsed.salt)
        guard expected.count == parsed.signature.count,
              zip(expected, parsed.signature).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 else { return .invalid }
        let joinUntil = Instant(epochSeconds: Int64(parsed.issueTs) + Int64(parsed.privileges[.joinChannel] ?? 0))
        let until = min(parsed.expiresAt, joinUntil)
        guard now < until else { return .expired(at: until) }
        return .valid(parsed)
    }

    /// The Agora user account for a participant: the decimal Telegram id.
    public static func account(for participant: RoomParticipant) -> String { String(participant.userID) }

    /// Join and publish (audio, video, data), all until the same moment.
    public static func privileges(expire: UInt32) -> [AccessToken2.RtcPrivilege: UInt32] {
        Dictionary(uniqueKeysWithValues: AccessToken2.RtcPrivilege.allCases.map { ($0, expire) })
    }
}
