import VideoRooms

/// Which video provider the calls use, and its settings. Read from `VIDEO_PROVIDER` (jitsi | agora, default
/// jitsi), `JITSI_DOMAIN`, `JITSI_APP_ID` + `JITSI_APP_SECRET` (both or neither; the secret ≥ 32 bytes),
/// `JITSI_AUDIENCE`, `AGORA_APP_ID` + `AGORA_APP_CERTIFICATE` (required for agora, with `PUBLIC_URL` for the
/// join page) and `CALL_GRACE_MINUTES` (how long after the end a link still works, default 10).
public struct VideoSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Provider: String, Sendable, CaseIterable {
        case jitsi, agora
    }

    public var provider: Provider
    public var jitsiDomain: String
    public var jitsiAppID: String?
    var jitsiAppSecret: String?
    public var jitsiAudience: String?
    public var agoraAppID: String?
    var agoraAppCertificate: String?
    /// `PUBLIC_URL`: where the Agora join page is served.
    public var publicURL: String?
    public var graceMinutes: Int

    public static let defaultGraceMinutes = 10
    public static let `default` = VideoSettings(
        provider: .jitsi, jitsiDomain: "meet.jit.si", jitsiAppID: nil, jitsiAppSecret: nil, jitsiAudience: nil, agoraAppID: nil,
        agoraAppCertificate: nil, publicURL: nil, graceMinutes: defaultGraceMinutes)

    /// The configured provider. Only fails for settings that `AppConfiguration.load` would have refused.
    public func makeProvider() throws -> any VideoRoomProvider {
        switch provider {
        case .jitsi:
            return try JitsiRooms(
                domain: jitsiDomain, appID: jitsiAppID, appSecret: jitsiAppSecret, audience: jitsiAudience, graceMinutes: graceMinutes)
        case .agora:
            return try AgoraRooms(
                appID: agoraAppID ?? "", appCertificate: agoraAppCertificate ?? "", joinPageBase: publicURL ?? "",
                graceMinutes: graceMinutes)
        }
    }

    /// Secrets redacted.
    public var description: String {
        switch provider {
        case .jitsi:
            "VideoSettings(jitsi, domain: \(jitsiDomain), tokens: \(jitsiAppID == nil ? "off" : "app \(jitsiAppID ?? ""), secret ***"), grace: \(graceMinutes) min)"
        case .agora:
            "VideoSettings(agora, app: \(agoraAppID ?? "?"), certificate: ***, join page: \(publicURL ?? "?"), grace: \(graceMinutes) min)"
        }
    }

    public var debugDescription: String { description }
}

extension AppConfiguration {
    static func video(_ env: Env) throws(ConfigurationError) -> VideoSettings {
        var settings = VideoSettings.default
        let providerText = (value(env, "VIDEO_PROVIDER") ?? "jitsi").lowercased()
        guard let provider = VideoSettings.Provider(rawValue: providerText) else {
            throw ConfigurationError(variable: "VIDEO_PROVIDER", message: "must be jitsi or agora, got “\(providerText)”")
        }
        settings.provider = provider
        if let text = value(env, "CALL_GRACE_MINUTES") {
            guard let minutes = Int(text), (0...240).contains(minutes) else {
                throw ConfigurationError(variable: "CALL_GRACE_MINUTES", message: "must be a whole number from 0 to 240, got “\(text)”")
            }
            settings.graceMinutes = minutes
        }

        // Jitsi: checked whenever something is set, so a typo never waits for the day the provider is switched.
        settings.jitsiDomain = value(env, "JITSI_DOMAIN") ?? "meet.jit.si"
        settings.jitsiAppID = value(env, "JITSI_APP_ID")
        settings.jitsiAppSecret = value(env, "JITSI_APP_SECRET")
        settings.jitsiAudience = value(env, "JITSI_AUDIENCE")
        switch (settings.jitsiAppID, settings.jitsiAppSecret) {
        case (.some, nil): throw ConfigurationError(variable: "JITSI_APP_SECRET", message: "is missing while JITSI_APP_ID is set (set both, or neither for a public Jitsi server)")
        case (nil, .some): throw ConfigurationError(variable: "JITSI_APP_ID", message: "is missing while JITSI_APP_SECRET is set (set both, or neither for a public Jitsi server)")
        default: break
        }
        do {
            _ = try JitsiRooms(
                domain: settings.jitsiDomain, appID: settings.jitsiAppID, appSecret: settings.jitsiAppSecret,
                audience: settings.jitsiAudience, graceMinutes: settings.graceMinutes)
        } catch VideoRoomError.invalidDomain(let domain) {
            throw ConfigurationError(variable: "JITSI_DOMAIN", message: "must be a bare host name such as meet.jit.si, got “\(domain)”")
        } catch VideoRoomError.jitsiSecretTooShort(let bytes) {
            throw ConfigurationError(variable: "JITSI_APP_SECRET", message: "is \(bytes) bytes; HS256 needs at least 32 (e.g. `openssl rand -hex 32`)")
        } catch {
            throw ConfigurationError(variable: "JITSI_APP_SECRET", message: "is not usable: \(error)")
        }

        // Agora: each value checked when set; all three needed when it is the provider.
        settings.agoraAppID = value(env, "AGORA_APP_ID")
        settings.agoraAppCertificate = value(env, "AGORA_APP_CERTIFICATE")
        for (name, text) in [("AGORA_APP_ID", settings.agoraAppID), ("AGORA_APP_CERTIFICATE", settings.agoraAppCertificate)] {
            if let text, !isHex32(text) {
                throw ConfigurationError(variable: name, message: "must be 32 hexadecimal characters, as shown in the Agora console")
            }
        }
        if value(env, "PUBLIC_URL") != nil { settings.publicURL = try httpURL(env, "PUBLIC_URL", default: "") }
        if provider == .agora {
            guard settings.agoraAppID != nil else {
                throw ConfigurationError(variable: "AGORA_APP_ID", message: "is required when VIDEO_PROVIDER=agora")
            }
            guard settings.agoraAppCertificate != nil else {
                throw ConfigurationError(variable: "AGORA_APP_CERTIFICATE", message: "is required when VIDEO_PROVIDER=agora")
            }
            guard settings.publicURL != nil else {
                throw ConfigurationError(variable: "PUBLIC_URL", message: "is required when VIDEO_PROVIDER=agora: the Agora join page is served at PUBLIC_URL/call/…")
            }
            do { _ = try settings.makeProvider() } catch {
                throw ConfigurationError(variable: "PUBLIC_URL", message: "is not usable for the Agora join page: \(error)")
            }
        }
        return settings
    }

    static func isHex32(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { c in (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) }
    }
}
