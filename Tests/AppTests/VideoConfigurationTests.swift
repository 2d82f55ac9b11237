import Testing
import VideoRooms

@testable import App

/// VIDEO_PROVIDER, JITSI_*, AGORA_*, CALL_GRACE_MINUTES: defaults, every variable read, and one clear line
/// naming the variable for each bad value — never showing a secret.
@Suite("Configuration: video rooms")
struct VideoConfigurationTests {
    static let secret = "0123456789abcdef0123456789abcdef"
    static let agoraID = "970CA35de60c44645bbae8a215061b33"
    static let agoraCertificate = "5CFd2fd1755d40ecb72977518be15d3b"

    @Test func defaultsArePublicJitsi() throws {
        let video = try AppConfiguration.load(environment: [:]).video
        #expect(video.provider == .jitsi && video.jitsiDomain == "meet.jit.si" && video.graceMinutes == 10)
        #expect(video.jitsiAppID == nil && video.jitsiAudience == nil)
        let provider = try #require(try video.makeProvider() as? JitsiRooms)
        #expect(!provider.usesTokens && provider.domain == "meet.jit.si")
    }

    @Test func jitsiWithTokens() throws {
        let video = try AppConfiguration.load(environment: [
            "JITSI_DOMAIN": "video.example.org", "JITSI_APP_ID": "privatecalls", "JITSI_APP_SECRET": Self.secret,
            "JITSI_AUDIENCE": "calls", "CALL_GRACE_MINUTES": "5",
        ]).video
        let provider = try #require(try video.makeProvider() as? JitsiRooms)
        #expect(provider.usesTokens && provider.domain == "video.example.org" && provider.graceMinutes == 5)
        #expect(video.jitsiAudience == "calls")
        #expect(!String(describing: video).contains(Self.secret))
    }

    @Test func agoraWithItsJoinPage() throws {
        let video = try AppConfiguration.load(environment: [
            "VIDEO_PROVIDER": "Agora", "AGORA_APP_ID": Self.agoraID, "AGORA_APP_CERTIFICATE": Self.agoraCertificate,
            "PUBLIC_URL": "https://calls.example.org/",
        ]).video
        #expect(video.provider == .agora && video.publicURL == "https://calls.example.org")
        let provider = try #require(try video.makeProvider() as? AgoraRooms)
        #expect(provider.joinPageBase == "https://calls.example.org" && provider.appID == Self.agoraID)
        #expect(!String(describing: video).contains(Self.agoraCertificate))
    }

    static let agora = ["VIDEO_PROVIDER": "agora", "AGORA_APP_ID": agoraID, "AGORA_APP_CERTIFICATE": agoraCertificate, "PUBLIC_URL": "https://x.example"]

    @Test(arguments: [
        ("VIDEO_PROVIDER", ["VIDEO_PROVIDER": "zoom"]),
        ("JITSI_DOMAIN", ["JITSI_DOMAIN": "meet example org"]),
        ("JITSI_APP_SECRET", ["JITSI_APP_ID": "privatecalls"]),
        ("JITSI_APP_ID", ["JITSI_APP_SECRET": secret]),
        ("JITSI_APP_SECRET", ["JITSI_APP_ID": "privatecalls", "JITSI_APP_SECRET": "short-secret-31-bytes-long-abcd"]),
        ("AGORA_APP_ID", agora.merging(["AGORA_APP_ID": "not-hex"]) { _, b in b }),
        ("AGORA_APP_CERTIFICATE", agora.merging(["AGORA_APP_CERTIFICATE": String(repeating: "z", count: 32)]) { _, b in b }),
        ("AGORA_APP_ID", agora.filter { $0.key != "AGORA_APP_ID" }),
        ("AGORA_APP_CERTIFICATE", agora.filter { $0.key != "AGORA_APP_CERTIFICATE" }),
        ("PUBLIC_URL", agora.filter { $0.key != "PUBLIC_URL" }),
        ("PUBLIC_URL", agora.merging(["PUBLIC_URL": "calls.example.org"]) { _, b in b }),
        ("CALL_GRACE_MINUTES", ["CALL_GRACE_MINUTES": "-1"]),
        ("CALL_GRACE_MINUTES", ["CALL_GRACE_MINUTES": "ten"]),
    ])
    func aBadValueNamesItsVariableInOneLine(variable: String, environment: [String: String]) {
        do {
            _ = try AppConfiguration.load(environment: environment)
            Issue.record("\(environment) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix("configuration error: \(variable) "))
            #expect(!error.description.contains("\n"))
            for secret in [Self.secret, "short-secret-31-bytes-long-abcd", Self.agoraCertificate] {
                #expect(!error.description.contains(secret))
            }
        }
    }
}
