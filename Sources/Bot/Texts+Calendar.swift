import Domain

/// Calendar sentences, in English and Spanish: the buttons and screens (HTML, like every screen) and the entries
/// of `.ics` files and feeds (plain text: a calendar shows them as they are; names are not HTML-escaped here).
extension Texts {
    private func t(_ en: String, _ es: String) -> String { language == .es ? es : en }

    // MARK: Buttons and screens
    public var addToCalendar: String { t("📅 Add to calendar", "📅 Añadir al calendario") }
    public var hostMenuButton: String { t("🎙 Host menu", "🎙 Menú de anfitrión") }
    public var calendarFileSent: String {
        t("📅 Open the file above to add this call to your calendar. If the call is moved or cancelled, I'll tell you here.",
          "📅 Abre el archivo de arriba para añadir esta llamada a tu calendario. Si la llamada cambia de hora o se cancela, te avisaré aquí.")
    }
    public var calendarUnavailable: String {
        t("📅 Only a confirmed call that has not ended can be added to a calendar.",
          "📅 Solo se puede añadir al calendario una llamada confirmada que no haya terminado.")
    }
    /// The /host line with the host's private feed URL (HTML: the URL in <code> so a tap copies it).
    public func calendarFeedLine(_ url: String) -> String {
        t("📅 Your private calendar feed (subscribe in Google/Apple Calendar): <code>\(url)</code>\nKeep it to yourself: anyone with this link sees your calls.",
          "📅 Tu calendario privado (suscríbete en Google/Apple Calendar): <code>\(url)</code>\nNo lo compartas: quien tenga este enlace ve tus llamadas.")
    }

    // MARK: Calendar entries (plain text)
    public func calendarName(host: String) -> String { "PrivateCalls — \(host)" }
    public func calendarSummary(host: String) -> String { t("Private call with \(host)", "Llamada privada con \(host)") }
    public func calendarHostSummary(_ n: Int, minutes: Int) -> String { t("Private call #\(n) (\(minutes) min)", "Llamada privada #\(n) (\(minutes) min)") }
    public func calendarCancelled(_ summary: String) -> String { t("Cancelled: \(summary)", "Cancelada: \(summary)") }

    /// The user's entry: who, how long, when (in the user's zone, with its name).
    public func calendarDescription(host: String, minutes: Int, when: String) -> String {
        t("Private 1:1 video call with \(host) on PrivateCalls.\nLength: \(minutes) min\nWhen: \(when)",
          "Videollamada privada 1:1 con \(host) en PrivateCalls.\nDuración: \(minutes) min\nCuándo: \(when)")
    }

    /// The host's entry: the booking number instead of a person (as in the host's other notices).
    public func calendarHostDescription(_ n: Int, minutes: Int, when: String) -> String {
        t("Private 1:1 video call, booking #\(n), on PrivateCalls.\nLength: \(minutes) min\nWhen: \(when)",
          "Videollamada privada 1:1, reserva #\(n), en PrivateCalls.\nDuración: \(minutes) min\nCuándo: \(when)")
    }

    /// How to join: the deep link, or (while the bot's username is unknown) where to press Join.
    public func calendarJoinHint(_ link: String?, forHost: Bool, leadMinutes lead: Int) -> String {
        guard let link else {
            let place = forHost ? "/host" : myBookings
            return t("How to join: from \(lead) minutes before the start, press 🎥 Join in \(place) in the PrivateCalls bot.",
                     "Cómo unirte: desde \(lead) minutos antes del inicio, pulsa 🎥 Unirse en \(place) en el bot de PrivateCalls.")
        }
        return t("How to join: from \(lead) minutes before the start, open \(link) — the bot sends your video link.",
                 "Cómo unirte: desde \(lead) minutos antes del inicio, abre \(link): el bot te envía tu enlace de video.")
    }
    public var calendarCancelledLine: String { t("This call was cancelled.", "Esta llamada fue cancelada.") }
}
