import Core
import Domain
import Foundation
import Logging
import Storage
import Telegram

extension BotEngine {
    /// Starts the add-host wizard, or resumes the one in progress.
    func startWizard(_ session: Session) async throws -> Outcome {
        if let state = try await loadState(session.chatID), state.mode == .wizard, let draft = state.draft {
            return Outcome(screen: wizardScreen(draft, session), newMessage: true)
        }
        let draft = HostDraft()
        try await saveState(session.chatID, ConversationState(mode: .wizard, draft: draft))
        return Outcome(screen: wizardScreen(draft, session))
    }

    /// An answer to the current step: saved and the next step asked, or the same step asked again with why.
    func wizardAnswer(_ draft: HostDraft, _ input: HostDraft.Input, _ session: Session) async throws -> Outcome {
        let t = session.texts
        switch draft.answering(input, texts: t) {
        case .failure(let refusal):
            return Outcome(screen: withPrefix("⚠️ " + refusal.message, wizardScreen(draft, session)), toast: nil, newMessage: true)
        case .success(let next):
            if draft.step == .username, let username = next.username, let u = try? TelegramUsername(parsing: username),
               try await store.host(username: u) != nil {
                return Outcome(screen: withPrefix("⚠️ " + t.usernameTaken(username), wizardScreen(draft, session)), newMessage: true)
            }
            try await saveState(session.chatID, ConversationState(mode: .wizard, draft: next))
            return Outcome(screen: wizardScreen(next, session), newMessage: true)
        }
    }

    func wizardOp(_ op: WizardOp, _ session: Session) async throws -> Outcome {
        let t = session.texts
        let state = try await loadState(session.chatID)
        switch (op, state?.mode) {
        case (.done, .photos?), (.done, .caption?):
            try await saveState(session.chatID, nil)
            return try await adminGallery(HostID(state?.host ?? 0), session)
        case (.cancel, .edit?), (.cancel, .photos?), (.cancel, .caption?):
            try await saveState(session.chatID, nil)
            return try await adminHost(HostID(state?.host ?? 0), session)
        default: break
        }
        guard let state, state.mode == .wizard, let draft = state.draft else {
            // Confirm pressed again after the host was created (a double tap, or a retry after a crash between
            // creating the host and showing it): say it was added, with the host's buttons.
            if op == .confirm, let added = try await hostOfPressedSummary(session) {
                return Outcome(screen: withPrefix(t.hostAlreadyAdded(added.username.value) + "\n\n" + (try await inviteLine(added, session)),
                                                  try await adminHostScreen(added, session)), toast: t.saved)
            }
            return Outcome(screen: adminMenu(session), toast: t.staleButton)
        }
        switch op {
        case .back:
            let previous = draft.back()
            try await saveState(session.chatID, ConversationState(mode: .wizard, draft: previous))
            return Outcome(screen: wizardScreen(previous, session))
        case .cancel:
            try await saveState(session.chatID, nil)
            return Outcome(screen: withPrefix(t.wizardCancelled, adminMenu(session)), toast: t.wizardCancelled)
        case .confirm:
            guard draft.step == .summary, let host = draft.host() else { return Outcome(screen: wizardScreen(draft, session)) }
            let saved: Domain.Host
            do {
                switch try await catalogue.create(.admin(session.user.id), host, photo: draft.photoFileID) {
                case .created(let host): saved = host
                case .alreadyExists(let existing):
                    // This Confirm was handled before (the update is retried after a crash): done, not "username taken".
                    try await saveState(session.chatID, nil)
                    return Outcome(screen: withPrefix(t.hostAlreadyAdded(existing.username.value) + "\n\n" + (try await inviteLine(existing, session)),
                                                      try await adminHostScreen(existing, session)),
                                   toast: t.saved)
                }
            } catch HostInputError.usernameTaken {
                var back = draft
                back.step = .username
                try await saveState(session.chatID, ConversationState(mode: .wizard, draft: back))
                return Outcome(screen: withPrefix("⚠️ " + t.usernameTaken(draft.username ?? ""), wizardScreen(back, session)))
            } catch Refusal.notAllowed {
                throw AdminOnly()
            }
            try await saveState(session.chatID, nil)
            logger.info("host created by admin", metadata: ["host": "\(saved.id!)", "admin": "\(session.user.id)"])
            return Outcome(screen: withPrefix(t.hostCreated(html(saved.displayName.value)) + "\n\n" + (try await inviteLine(saved, session)),
                                              try await adminHostScreen(saved, session)), toast: t.saved)
        case .done:
            return Outcome(screen: wizardScreen(draft, session))
        }
    }

    func wizardChoice(_ input: HostDraft.Input, _ session: Session) async throws -> Outcome {
        guard let state = try await loadState(session.chatID), state.mode == .wizard, let draft = state.draft else {
            return Outcome(screen: adminMenu(session), toast: session.texts.staleButton)
        }
        var outcome = try await wizardAnswer(draft, input, session)
        outcome.newMessage = false
        return outcome
    }

    /// The question of the current step with its buttons (presets, zones, Back, Cancel), or the summary.
    func wizardScreen(_ draft: HostDraft, _ session: Session) -> Screen {
        let t = session.texts
        var keyboard: [[Screen.Button]] = []
        switch draft.step {
        case .availability:
            keyboard = HostDraft.availabilityPresets.enumerated().map { [.action($1.replacingOccurrences(of: "-", with: "–"), .admin(.wizardPreset($0)))] }
        case .zone:
            keyboard = BotSettings.commonZones.enumerated().map { Screen.Button.action($1.replacingOccurrences(of: "_", with: " "), .admin(.wizardZone($0))) }.rows(of: 2)
        case .summary:
            keyboard = [[.action(t.confirm, .admin(.wizard(.confirm)))]]
        default: break
        }
        var nav: [Screen.Button] = []
        if draft.step != .username { nav.append(.action(t.back, .admin(.wizard(.back)))) }
        nav.append(.action(t.cancel, .admin(.wizard(.cancel))))
        keyboard.append(nav)
        var text = t.wizardStep(draft.step)
        if draft.step == .summary, let host = draft.host() {
            text += "\n\n" + t.hostCard(
                name: html(host.displayName.value), username: host.username.value, status: t.status(host.status), active: true,
                price: host.pricePerMinute.money.formatted(), durations: "\(host.durations.minMinutes)–\(host.durations.maxMinutes) min",
                zone: host.zone.identifier, hours: host.availability.summary, bio: html(host.bio.value))
        }
        return Screen(text: text, keyboard: keyboard)
    }

    /// The host a wizard summary names (its "(@username)", the first @ in the pressed message), if it exists.
    func hostOfPressedSummary(_ session: Session) async throws -> Domain.Host? {
        let heading = session.texts.wizardStep(.summary).replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: "")
        guard let text = session.pressedText, text.hasPrefix(heading) else { return nil }
        let word = text.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" }).first { $0.hasPrefix("@") }
        guard let word, let username = try? TelegramUsername(parsing: String(word)) else { return nil }
        return try await store.host(username: username)
    }

    /// One line per field, for the audit log.
    func describe(_ h: Domain.Host) -> String { HostCatalogue.describe(h) }

    func audit(_ session: Session, _ action: String, _ entity: String, _ id: String, before: String?, after: String?) async throws {
        try await store.appendAudit(AuditEntry(actor: session.user.id.rawValue, role: isAdmin(session) ? "admin" : "host", action: action,
                                               entity: entity, entityID: id, before: before, after: after, at: now()))
    }
}
