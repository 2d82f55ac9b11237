import Domain
import Foundation
import Hummingbird
import Logging
import Storage
import VideoRooms

/// `GET /call/<booking>?p=<user|host>&t=<token>`: the small page an Agora link opens. The token must be one we
/// issued (same signature under our certificate) for the booking's stored channel and that participant's
/// account, and not expired; then the page joins the channel with Agora's Web SDK (from Agora's CDN) and
/// shows both cameras. Anything else gets a plain page saying why, and nothing of the request is logged
/// beyond the booking id (the URL carries the token).
struct AgoraJoinRoutes {
    let agora: AgoraRooms
    let store: any Store
    let now: @Sendable () -> Instant
    let logger: Logger

    /// Agora's Web SDK 4.x, as Agora publishes it for `<script>` use.
    static let sdkURL = "https://download.agora.io/sdk/release/AgoraRTC_N-4.22.2.js"

    func register(on router: Router<some RequestContext>) {
        router.get("call/:booking") { request, context -> Response in
            let page = await page(
                bookingText: context.parameters.get("booking"), role: request.uri.queryParameters.get("p"),
                token: request.uri.queryParameters.get("t"))
            return Self.response(page)
        }
    }

    /// What the page shows.
    enum Page: Equatable {
        case join(appID: String, channel: String, uid: String, token: String, expiresAt: Instant)
        /// HTTP status and a message.
        case refused(status: HTTPResponse.Status, message: String)
    }

    static let invalidLink = "This join link is not valid. Open the latest link from the bot: My bookings → Join."

    func page(bookingText: String?, role: String?, token: String?) async -> Page {
        guard let text = bookingText, let raw = Int64(text), raw > 0, let token, !token.isEmpty,
              let role, role == "user" || role == "host" else {
            return .refused(status: .badRequest, message: Self.invalidLink)
        }
        let id = BookingID(raw)
        do {
            guard let booking = try await store.booking(id), let host = try await store.host(booking.hostID),
                  let room = try await store.room(of: id) else {
                return .refused(status: .notFound, message: Self.invalidLink)
            }
            let account: Int64? = role == "host" ? host.telegramUserID?.rawValue : booking.userID.rawValue
            guard let account else { return .refused(status: .forbidden, message: Self.invalidLink) }
            let participant = RoomParticipant(userID: account, displayName: "", isHost: role == "host")
            switch agora.check(token: token, room: room.name, participant: participant, now: now()) {
            case .invalid:
                logger.notice("agora join refused: invalid token", metadata: ["booking": "\(id)"])
                return .refused(status: .forbidden, message: Self.invalidLink)
            case .expired:
                return .refused(status: .gone, message: "This call's link has expired: the booked time is over. You can book a new call in the bot.")
            case .valid(let parsed):
                guard booking.status == .confirmed || booking.status == .active else {
                    return .refused(status: .gone, message: "This call is not open: the booking is \(booking.status.rawValue).")
                }
                return .join(appID: agora.appID, channel: room.name, uid: parsed.account, token: token, expiresAt: parsed.expiresAt)
            }
        } catch {
            logger.error("agora join page failed", metadata: ["booking": "\(id)", "error": "\(error)"])
            return .refused(status: .serviceUnavailable, message: "Something went wrong on our side. Please try again in a moment.")
        }
    }

    static func response(_ page: Page) -> Response {
        let (status, html): (HTTPResponse.Status, String)
        switch page {
        case .join(let appID, let channel, let uid, let token, let expiresAt):
            (status, html) = (.ok, joinHTML(appID: appID, channel: channel, uid: uid, token: token, expiresAt: expiresAt))
        case .refused(let s, let message):
            (status, html) = (s, messageHTML(message))
        }
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("Referrer-Policy")!: "no-referrer"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func messageHTML(_ message: String) -> String {
        """
        <!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
        <title>PrivateCalls</title></head><body style="font:18px system-ui;margin:2em"><p id="message">\(escape(message))</p></body></html>
        """
    }

    /// The join page. Values are embedded as JSON strings (with `<` escaped, so nothing closes the script).
    static func joinHTML(appID: String, channel: String, uid: String, token: String, expiresAt: Instant) -> String {
        let config = [
            "appId": appID, "channel": channel, "uid": uid, "token": token, "expiresAt": String(expiresAt.epochSeconds),
        ]
        let json = (try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let safe = json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
        return """
            <!doctype html>
            <html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>PrivateCalls · call</title>
            <style>body{font:16px system-ui;margin:0;background:#111;color:#eee}#videos{display:grid;grid-template-columns:1fr 1fr;gap:4px;height:80vh}
            #videos div{background:#222}#bar{padding:1em;display:flex;gap:1em;align-items:center}button{font:inherit;padding:.5em 1em}</style>
            <script src="\(sdkURL)"></script>
            </head><body>
            <div id="videos"><div id="local"></div><div id="remote"></div></div>
            <div id="bar"><button id="leave">Leave</button><span id="status">Connecting…</span></div>
            <script id="call-config" type="application/json">\(safe)</script>
            <script>
            (async function () {
              const config = JSON.parse(document.getElementById("call-config").textContent);
              const status = document.getElementById("status");
              if (typeof AgoraRTC === "undefined") { status.textContent = "The video library could not be loaded. Check your connection and reload."; return; }
              const client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });
              client.on("user-published", async (user, kind) => {
                await client.subscribe(user, kind);
                if (kind === "video") user.videoTrack.play("remote");
                if (kind === "audio") user.audioTrack.play();
              });
              client.on("token-privilege-did-expire", () => { status.textContent = "The call's time is over."; client.leave(); });
              try {
                // The uid is the user account (a string): the token was built for that account.
                await client.join(config.appId, config.channel, config.token, config.uid);
                const tracks = await AgoraRTC.createMicrophoneAndCameraTracks();
                tracks[1].play("local");
                await client.publish(tracks);
                status.textContent = "In the call.";
                document.getElementById("leave").onclick = async () => { tracks.forEach(t => t.close()); await client.leave(); status.textContent = "You left the call."; };
              } catch (e) {
                status.textContent = "Could not join the call: " + (e && e.message ? e.message : e);
              }
            })();
            </script>
            </body></html>
            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
