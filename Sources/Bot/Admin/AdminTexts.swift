import Core
import Domain
import Telegram

/// The admin's and the host's sentences, in English and Spanish, including every validation message.
extension Texts {
    private func t(_ en: String, _ es: String) -> String { language == .es ? es : en }

    // MARK: Validation messages (the domain's errors, worded for the chat)

    public func fieldError(_ error: HostFieldError) -> String {
        guard language == .es else { return error.description }
        switch error {
        case .usernameLength(let n): return "Un usuario de Telegram tiene de 5 a 32 caracteres (este tiene \(n))."
        case .usernameCharacters: return "Un usuario de Telegram solo usa letras a–z, dígitos y guiones bajos."
        case .usernameStart: return "Un usuario de Telegram empieza por una letra y no termina en guion bajo."
        case .displayNameEmpty: return "El nombre visible no puede estar vacío."
        case .displayNameTooLong(let n): return "El nombre visible puede tener como máximo \(DisplayName.maxLength) caracteres (este tiene \(n))."
        case .bioTooLong(let n): return "La biografía puede tener como máximo \(Bio.maxLength) caracteres (esta tiene \(n))."
        case .priceNotPositive: return "El precio por minuto debe ser mayor que 0."
        case .priceTooHigh(let max): return "El precio por minuto puede ser como máximo \(max.formatted())."
        case .durationStep(let m): return "\(m) minutos no es un múltiplo de 15. Usa 15, 30, 45, 60, 75, 90, 105 o 120."
        case .durationRange(let m): return "\(m) minutos está fuera de 15–120 minutos."
        case .durationOrder(let min, let max): return "La llamada más corta (\(min) min) no puede ser más larga que la más larga (\(max) min)."
        case .unknownTimeZone(let z): return "“\(html(z))” no es una zona horaria que conozca."
        }
    }

    /// A refused value for a host field (the wizard and the edits share the rules, `Core.HostInput`).
    public func inputError(_ error: HostInputError) -> String {
        switch error {
        case .field(let e): fieldError(e)
        case .amount(let e): moneyError(e)
        case .durationFormat: wizardDurationFormat
        case .needsText: wizardNeedsText
        case .availability(let e): availabilityError(e)
        case .unknownZone(let text): unknownZone(html(text))
        case .usernameTaken(let name): usernameTaken(name)
        }
    }

    public func moneyError(_ error: MoneyParseError) -> String {
        guard language == .es else { return html(error.description) }
        switch error {
        case .empty: return "Escribe un importe, por ejemplo 4.99."
        case .invalidCharacter(let c): return "“\(html(String(c)))” no se admite en un importe. Usa dígitos y un separador decimal, por ejemplo 4.99 o 4,99."
        case .negative: return "El importe no puede ser negativo."
        case .tooManyDecimals(let allowed): return "Usa como máximo \(allowed) decimales, por ejemplo 4.99."
        case .malformedGrouping: return "No pude leer ese importe. Escríbelo como 12000, 12.000, 4.99 o 4,99."
        case .tooLarge: return "Ese importe es demasiado grande."
        }
    }

    public func availabilityError(_ error: AvailabilityError) -> String {
        // The typed text is echoed: clip each piece so a pasted essay cannot make the reply too long to send.
        let clip = { (s: String) in s.count > 64 ? String(s.prefix(64)) + "…" : s }
        let error: AvailabilityError = switch error {
        case .emptyWindow(let w): .emptyWindow(clip(w))
        case .unreadableWindow(let w): .unreadableWindow(clip(w))
        case .overlappingWindows(let a, let b): .overlappingWindows(clip(a), clip(b))
        case .unknownDay(let d): .unknownDay(clip(d))
        }
        guard language == .es else { return html(error.description) }
        switch error {
        case .emptyWindow(let w): return "La franja \(html(w)) termina antes de empezar. Escríbela como 09:00-17:00."
        case .unreadableWindow(let w): return "No pude leer “\(html(w))”. Escribe horas como 09:00-17:00 (reloj de 24 horas)."
        case .overlappingWindows(let a, let b): return "Las franjas \(a) y \(b) se solapan."
        case .unknownDay(let d): return "“\(html(d))” no es un día. Usa Mon, Tue, Wed, Thu, Fri, Sat, Sun."
        }
    }

    public var wizardNeedsPhoto: String { t("Please send a photo (not a file or text) for the host's profile.", "Envía una foto (no un archivo ni texto) para el perfil.") }
    public var wizardNeedsText: String { t("Please answer with text.", "Responde con un texto.") }
    public var wizardUseButtons: String { t("Please use the buttons below.", "Usa los botones de abajo.") }
    public var wizardDurationFormat: String {
        t("Write the shortest and longest call in minutes, like <code>30-90</code> (15-minute steps, 15–120).",
          "Escribe la llamada más corta y la más larga en minutos, como <code>30-90</code> (múltiplos de 15, 15–120).")
    }
    public func usernameTaken(_ u: String) -> String { t("@\(html(u)) is already a host. Send another username.", "@\(html(u)) ya es anfitrión. Envía otro usuario.") }

    // MARK: Wizard prompts

    public func wizardStep(_ step: HostDraft.Step) -> String {
        let n = step.number
        let head = step == .availability
            ? t("➕ <b>New host</b> — step 7 of 7, weekly hours\n\n", "➕ <b>Nuevo anfitrión</b> — paso 7 de 7, horario semanal\n\n")
            : t("➕ <b>New host</b> — step \(n) of 7\n\n", "➕ <b>Nuevo anfitrión</b> — paso \(n) de 7\n\n")
        switch step {
        case .username: return head + t("Send the host's Telegram username (e.g. @anna_calls).", "Envía el usuario de Telegram del anfitrión (p. ej. @anna_calls).")
        case .displayName: return head + t("Send the display name users will see.", "Envía el nombre que verán los usuarios.")
        case .bio: return head + t("Send a short bio (at most 200 characters).", "Envía una biografía corta (máximo 200 caracteres).")
        case .price: return head + t("Send the price per minute, e.g. <code>4.99</code> (USD), <code>4,50 EUR</code> or <code>12000 COP</code>.",
                                     "Envía el precio por minuto, p. ej. <code>4.99</code> (USD), <code>4,50 EUR</code> o <code>12000 COP</code>.")
        case .durations: return head + wizardDurationFormat
        case .photo: return head + t("Send a photo for the profile.", "Envía una foto para el perfil.")
        case .availability: return head + t("Pick the weekly hours, or write them like <code>Mon-Fri 09:00-17:00; Sat 10:00-14:00</code>.",
                                            "Elige el horario semanal o escríbelo como <code>Mon-Fri 09:00-17:00; Sat 10:00-14:00</code>.")
        // Part of step 7 (the hours mean nothing without their zone), so not numbered as a step of its own.
        case .zone: return t("➕ <b>New host</b> — step 7 of 7, the hours' time zone\n\n", "➕ <b>Nuevo anfitrión</b> — paso 7 de 7, la zona horaria del horario\n\n")
            + t("In which time zone are these hours? Pick one or send its name (e.g. <code>America/Bogota</code>).",
                "¿En qué zona horaria es ese horario? Elige una o envía su nombre (p. ej. <code>America/Bogota</code>).")
        case .summary: return t("➕ <b>New host</b> — check and confirm", "➕ <b>Nuevo anfitrión</b> — revisa y confirma")
        }
    }

    public var confirm: String { t("✅ Confirm", "✅ Confirmar") }
    public var cancel: String { t("✖️ Cancel", "✖️ Cancelar") }
    public var wizardCancelled: String { t("The new host was discarded.", "Se descartó el nuevo anfitrión.") }
    public func hostAlreadyAdded(_ username: String) -> String { t("✅ @\(username) was added.", "✅ @\(username) fue añadido.") }
    public func hostCreated(_ name: String) -> String { t("✅ <b>\(name)</b> is now listed for users.", "✅ <b>\(name)</b> ya aparece para los usuarios.") }
    public var notAllowed: String { t("This is for admins only.", "Esto es solo para administradores.") }

    // MARK: Admin menu

    public var adminTitle: String { t("🛠 <b>Admin</b>", "🛠 <b>Administración</b>") }
    public var addHost: String { t("➕ Add host", "➕ Añadir anfitrión") }
    public var allHosts: String { t("👥 Hosts", "👥 Anfitriones") }
    public var allBookings: String { t("📋 Bookings", "📋 Reservas") }
    public var earnings: String { t("💰 Earnings", "💰 Ingresos") }
    public var analytics: String { t("📊 Analytics", "📊 Analítica") }
    public var exportLedger: String { t("📄 Ledger CSV", "📄 Libro CSV") }
    public func hostCard(name: String, username: String, status: String, active: Bool, price: String, durations: String, zone: String, hours: String, bio: String) -> String {
        let state = active ? "" : t(" · <b>deactivated</b>", " · <b>desactivado</b>")
        return "<b>\(name)</b> (@\(username)) — \(status)\(state)\n\(bio)\n💰 \(price)/min · ⏱ \(durations)\n🕒 \(hours) (\(zone))"
    }
    public var editName: String { t("✏️ Name", "✏️ Nombre") }
    public var editBio: String { t("✏️ Bio", "✏️ Biografía") }
    public var editPrice: String { t("✏️ Price", "✏️ Precio") }
    public var editDurations: String { t("✏️ Durations", "✏️ Duraciones") }
    public var editHours: String { t("✏️ Hours", "✏️ Horario") }
    public var editZone: String { t("✏️ Time zone", "✏️ Zona horaria") }
    public var editUsername: String { t("✏️ Username", "✏️ Usuario") }
    public var deactivate: String { t("🚫 Deactivate", "🚫 Desactivar") }
    public var reactivate: String { t("♻️ Reactivate", "♻️ Reactivar") }
    public func setStatus(_ s: HostStatus) -> String { "\(s.dot) " + status(s) }
    public func editPrompt(_ field: String) -> String { t("Send the new \(field):", "Envía el nuevo valor de \(field):") }
    public var saved: String { t("✅ Saved.", "✅ Guardado.") }
    public func upcomingKept(_ n: Int) -> String {
        t("This host has \(n) upcoming booking(s); they are kept — see Bookings to act on them.",
          "Este anfitrión tiene \(n) reserva(s) próximas; se mantienen — revísalas en Reservas.")
    }

    // MARK: Gallery

    public func galleryTitle(_ name: String, _ n: Int) -> String { t("🖼 <b>\(name)</b> — \(n) photo(s), in the order users see them:", "🖼 <b>\(name)</b> — \(n) foto(s), en el orden que ven los usuarios:") }
    public var addPhotos: String { t("➕ Add photos", "➕ Añadir fotos") }
    public var sendPhotos: String { t("Send photos (a caption on a photo becomes its caption). Press Done when finished.", "Envía fotos (el texto de la foto será su leyenda). Pulsa Listo al terminar.") }
    public var done: String { t("✔️ Done", "✔️ Listo") }
    public func photoAdded(_ n: Int) -> String { t("Photo added (\(n) in the gallery).", "Foto añadida (\(n) en la galería).") }
    public var captionPrompt: String { t("Send the caption for this photo (or - to remove it):", "Envía la leyenda de esta foto (o - para quitarla):") }
    public func captionTooLong(_ n: Int) -> String {
        t("A caption can have at most 1024 characters (this one has \(n)).", "Una leyenda puede tener como máximo 1024 caracteres (esta tiene \(n)).")
    }
}

extension Texts {
    private func tr(_ en: String, _ es: String) -> String { language == .es ? es : en }

    public var notAHost: String { tr("This menu is for hosts. If you are one, open the invite link an admin sent you.", "Este menú es para anfitriones. Si lo eres, abre el enlace de invitación que te envió un administrador.") }
    public func hostMenuTitle(_ name: String, _ status: String) -> String { tr("🎙 <b>\(name)</b> — you are \(status)", "🎙 <b>\(name)</b> — estás \(status)") }
    public var noUpcoming: String { tr("No upcoming calls.", "No hay llamadas próximas.") }
    public var goOnline: String { tr("🟢 Go online", "🟢 Conectarme") }
    public var goOffline: String { tr("⚫ Go offline", "⚫ Desconectarme") }
}

extension Texts {
    private func tm(_ en: String, _ es: String) -> String { language == .es ? es : en }

    public func paymentState(_ s: PaymentState) -> String {
        switch s {
        case .unpaid: tm("unpaid", "sin pagar")
        case .paid: tm("paid", "pagada")
        case .refunded: tm("refunded", "reembolsada")
        }
    }
    public var payouts: String { tm("💸 Payouts", "💸 Pagos al anfitrión") }
    public func period(_ p: Int) -> String { p == 1 ? tm("7 days", "7 días") : p == 2 ? tm("30 days", "30 días") : tm("All time", "Todo") }
    public func earningsTitle(_ period: String) -> String { tm("💰 <b>Earnings</b> — \(period)", "💰 <b>Ingresos</b> — \(period)") }
    public var noEarnings: String { tm("No payments yet.", "Aún no hay pagos.") }
    public func earningsLine(name: String, bookings: Int, gross: String, commission: String, share: String) -> String {
        tm("<b>\(name)</b>: \(bookings) booking(s) · revenue \(gross) · commission \(commission) · host share \(share)",
           "<b>\(name)</b>: \(bookings) reserva(s) · ingresos \(gross) · comisión \(commission) · parte del anfitrión \(share)")
    }
    public func earningsTotal(gross: String, commission: String, share: String) -> String {
        tm("<b>Total</b>: revenue \(gross) · commission \(commission) · hosts \(share)", "<b>Total</b>: ingresos \(gross) · comisión \(commission) · anfitriones \(share)")
    }
    public func payoutsTitle(_ name: String) -> String { tm("💸 <b>\(name)</b> — balance", "💸 <b>\(name)</b> — saldo") }
    public func balanceLine(earned: String, paid: String, unpaid: String) -> String {
        tm("Earned \(earned) · paid out \(paid) · <b>owed \(unpaid)</b>", "Ganado \(earned) · pagado \(paid) · <b>pendiente \(unpaid)</b>")
    }
    public var payoutHistory: String { tm("Payout history", "Historial de pagos") }
    public var recordPayout: String { tm("➕ Record a payout", "➕ Registrar un pago") }
    public var payoutPrompt: String {
        tm("Send the amount paid out (and optionally a reference), e.g. <code>150.00 transfer 42</code>.",
           "Envía el importe pagado (y opcionalmente una referencia), p. ej. <code>150.00 transferencia 42</code>.")
    }
    public func payoutTooLarge(_ balance: String) -> String {
        tm("That is more than the host is owed: the unpaid balance is \(balance).", "Es más de lo que se le debe al anfitrión: el saldo pendiente es \(balance).")
    }
    public func payoutRecorded(_ amount: String) -> String { tm("✅ Payout of \(amount) recorded.", "✅ Pago de \(amount) registrado.") }
    public func analyticsTitle(_ zone: String) -> String { tm("📊 <b>Analytics</b> (hours in \(zone))", "📊 <b>Analítica</b> (horas en \(zone))") }
    public func analyticsRates(holds: Int, paid: Int, success: String, refunded: Int, refundRate: String) -> String {
        tm("Holds \(holds) · paid \(paid) · payment success \(success)\nRefunded \(refunded) · refund rate \(refundRate)",
           "Reservas iniciadas \(holds) · pagadas \(paid) · éxito de pago \(success)\nReembolsadas \(refunded) · tasa de reembolso \(refundRate)")
    }
    public func analyticsCommission(revenue: String, commission: String, paidOut: String) -> String {
        tm("Revenue \(revenue) · commission \(commission) · paid out \(paidOut)", "Ingresos \(revenue) · comisión \(commission) · pagado \(paidOut)")
    }
    public var busiestHours: String { tm("Most booked hours:", "Horas más reservadas:") }
    public func bookingsCount(_ n: Int) -> String { tm("\(n) booking(s)", "\(n) reserva(s)") }
}

// MARK: Host pickers and invites
extension Texts {
    private func pick(_ en: String, _ es: String) -> String { language == .es ? es : en }

    public var pickHostToToggle: String {
        pick("🔀 <b>Online / offline</b> — tap a host to switch them:", "🔀 <b>En línea / desconectado</b> — toca un anfitrión para cambiarlo:")
    }
    public var pickHostToEdit: String { pick("✏️ <b>Edit a host</b> — pick one:", "✏️ <b>Editar un anfitrión</b> — elige uno:") }
    public func statusSwitched(_ name: String, _ status: String) -> String {
        pick("\(name) is now \(status).", "\(name) ahora está \(status).")
    }
    public func editMenuTitle(_ name: String, _ username: String) -> String {
        pick("✏️ <b>\(name)</b> (@\(username)) — what do you want to change?", "✏️ <b>\(name)</b> (@\(username)) — ¿qué quieres cambiar?")
    }
    public var hostCardButton: String { pick("🗂 Host card", "🗂 Ficha del anfitrión") }
    public var inviteButton: String { pick("🔗 Invite link for the host", "🔗 Enlace de invitación") }
    public func linkSuggestion(_ username: String) -> String {
        pick("🔗 Link the account @\(username)", "🔗 Vincular la cuenta @\(username)")
    }
    public func accountLine(_ linked: Int64?) -> String {
        guard let linked else {
            return pick("Telegram account: not linked yet — send the host an invite link.", "Cuenta de Telegram: aún sin vincular — envía al anfitrión un enlace de invitación.")
        }
        return pick("Telegram account: linked (id \(linked)).", "Cuenta de Telegram: vinculada (id \(linked)).")
    }
    public func inviteCreated(link: String, username: String, days: Int) -> String {
        pick("🔗 <b>Invite for @\(username)</b>: forward this link to the host. It works once, for \(days) days; only the account that opens it becomes the host's account.\n\(link)",
          "🔗 <b>Invitación para @\(username)</b>: reenvía este enlace al anfitrión. Sirve una sola vez, durante \(days) días; solo la cuenta que lo abra será la cuenta del anfitrión.\n\(link)")
    }
    public func inviteAccepted(_ name: String) -> String {
        pick("✅ Welcome! This account is now the host account of <b>\(name)</b>.", "✅ ¡Bienvenido! Esta cuenta es ahora la cuenta de anfitrión de <b>\(name)</b>.")
    }
    public var inviteUsed: String {
        pick("⚠️ This invite link was already used by another account. Ask the admin for a new one.",
          "⚠️ Otra cuenta ya usó este enlace de invitación. Pide uno nuevo al administrador.")
    }
    public var inviteExpired: String {
        pick("⚠️ This invite link has expired or was replaced by a newer one. Ask the admin for a new one.",
          "⚠️ Este enlace de invitación caducó o fue sustituido por otro más reciente. Pide uno nuevo al administrador.")
    }
    public var inviteUnknown: String {
        pick("⚠️ This invite link is not valid. Ask the admin for a new one.", "⚠️ Este enlace de invitación no es válido. Pide uno nuevo al administrador.")
    }
    public func inviteAccountTaken(_ name: String) -> String {
        pick("⚠️ This Telegram account is already the host account of <b>\(name)</b>; one account can be one host.",
          "⚠️ Esta cuenta de Telegram ya es la cuenta de anfitrión de <b>\(name)</b>; una cuenta solo puede ser un anfitrión.")
    }
    public func hostShareLine(_ link: String) -> String {
        pick("🔗 Your link to share (opens your profile): \(link)", "🔗 Tu enlace para compartir (abre tu perfil): \(link)")
    }
}
