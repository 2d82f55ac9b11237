import Domain
import Storage

/// Signing in to the web dashboard: an admin asks the bot for a one-time link (10 minutes, single use); opening
/// it starts a session (12 hours) whose cookie holds a token only its hash is stored for, with a CSRF token for
/// every form. `ADMIN_TELEGRAM_IDS` is checked again on every request: an admin removed from it is out at once.
public struct AdminAccess: Sendable {
    let store: any Store
    let now: @Sendable () -> Instant
    public let admins: @Sendable () -> Set<TelegramUserID>

    public static let linkMinutes = 10
    public static let sessionHours = 12

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>) {
        self.store = store
        self.now = now
        self.admins = admins
    }

    /// A new login link's token for this admin.
    public func loginLink(_ actor: Actor) async throws -> String {
        guard case .admin(let account) = actor, admins().contains(account) else { throw Refusal.notAllowed }
        let token = Secrets.token(bytes: 32)
        let at = now()
        try await store.createAdminLoginLink(tokenHash: Secrets.hash(token), admin: account, at: at, expiresAt: at.adding(minutes: Self.linkMinutes))
        try await store.appendAudit(AuditEntry(actor: account.rawValue, role: "admin", action: "dashboard.link", entity: "admin",
                                               entityID: "\(account)", before: nil, after: "login link for \(Self.linkMinutes) min", at: at))
        return token
    }

    public struct SignedIn: Sendable, Equatable {
        /// The cookie's value (never stored).
        public let sessionToken: String
        public let session: AdminSession
    }

    /// Opens a login link: once, before it expires, for an admin who is still one.
    public func signIn(linkToken: String) async throws -> SignedIn {
        guard Secrets.wellFormed(linkToken) else { throw Refusal.linkUsedOrExpired }
        let at = now()
        guard let admin = try await store.useAdminLoginLink(tokenHash: Secrets.hash(linkToken), at: at) else { throw Refusal.linkUsedOrExpired }
        guard admins().contains(admin) else { throw Refusal.notAllowed }
        let token = Secrets.token(bytes: 32)
        let session = AdminSession(sessionHash: Secrets.hash(token), admin: admin, csrfToken: Secrets.token(bytes: 24), createdAt: at,
                                   expiresAt: at.adding(seconds: Int64(Self.sessionHours) * 3600))
        try await store.createAdminSession(session)
        try await store.appendAudit(AuditEntry(actor: admin.rawValue, role: "admin", action: "dashboard.sign_in", entity: "admin",
                                               entityID: "\(admin)", before: nil, after: nil, at: at))
        return SignedIn(sessionToken: token, session: session)
    }

    /// The session behind a cookie: nil when there is none, it ended or expired, or its admin is no longer one.
    public func session(_ cookie: String?) async throws -> AdminSession? {
        guard let cookie, Secrets.wellFormed(cookie),
              let session = try await store.adminSession(sessionHash: Secrets.hash(cookie), at: now()),
              admins().contains(session.admin) else { return nil }
        return session
    }

    /// Checks a form's CSRF token against the session's (constant time).
    public static func checkCSRF(_ presented: String?, _ session: AdminSession) throws {
        guard let presented, presented.utf8.count == session.csrfToken.utf8.count else { throw Refusal.badCSRFToken }
        var difference: UInt8 = 0
        for (a, b) in zip(presented.utf8, session.csrfToken.utf8) { difference |= a ^ b }
        guard difference == 0 else { throw Refusal.badCSRFToken }
    }

    /// Ends the session (its cookie is worthless afterwards).
    public func signOut(_ session: AdminSession, csrf: String?) async throws {
        try Self.checkCSRF(csrf, session)
        try await store.endAdminSession(sessionHash: session.sessionHash, at: now())
    }
}
