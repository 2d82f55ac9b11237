import Core
import Foundation
import Domain
import Storage
import Telegram

/// `/dashboard`: the admin's one-time link to the web dashboard (`Core.AdminAccess`).
extension BotEngine {
    func dashboardLink(_ session: Session) async throws -> Outcome {
        let t = session.texts
        let admins = settings.adminIDs
        let token: String
        do {
            token = try await AdminAccess(store: store, now: now, admins: { admins }).loginLink(.admin(session.user.id))
        } catch is Refusal {
            return Outcome(screen: withPrefix(t.notAllowed, mainMenu(session)))
        }
        let url = "\(settings.webURL)/admin/login?t=\(token)"
        return Outcome(screen: Screen(text: t.dashboardLink(AdminAccess.linkMinutes), keyboard: [
            [.url(t.openDashboard, url)], [.action(t.adminTitle.replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: ""), .admin(.menu))],
        ]), newMessage: true)
    }
}

extension Texts {
    private func pick(_ en: String, _ es: String) -> String { language == .es ? es : en }

    public func dashboardLink(_ minutes: Int) -> String {
        pick("🔐 <b>Your dashboard link</b>: it opens the web dashboard once, within \(minutes) minutes. Do not forward it.",
             "🔐 <b>Tu enlace al panel</b>: abre el panel web una sola vez, en los próximos \(minutes) minutos. No lo reenvíes.")
    }
    public var openDashboard: String { pick("🖥 Open the dashboard", "🖥 Abrir el panel") }
}
