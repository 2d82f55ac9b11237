import Domain

/// Every sentence the bot says, in English and Spanish. Values are HTML for Telegram's HTML parse mode;
/// arguments that come from people are escaped by the caller with `html(_:)`.
public struct Texts: Sendable {
    public let language: Language

    public init(_ language: Language) { self.language = language }

    private func t(_ en: String, _ es: String) -> String { language == .es ? es : en }

    // Menu and navigation
    public var welcome: String { t("👋 <b>Welcome to PrivateCalls</b>\nBook a private 1:1 video call with one of our hosts.", "👋 <b>Bienvenido a PrivateCalls</b>\nReserva una videollamada privada 1:1 con uno de nuestros anfitriones.") }
    public var privateCalls: String { t("📞 Private Calls", "📞 Llamadas privadas") }
    public var myBookings: String { t("📅 My bookings", "📅 Mis reservas") }
    public var settings: String { t("⚙️ Settings", "⚙️ Ajustes") }
    public var back: String { t("⬅️ Back", "⬅️ Atrás") }
    public var mainMenu: String { t("🏠 Menu", "🏠 Menú") }
    public var previous: String { t("◀️ Previous", "◀️ Anterior") }
    public var next: String { t("Next ▶️", "Siguiente ▶️") }
    public func noSuchHost(_ name: String) -> String { t("There is no host @\(name). Here are the hosts:", "No hay ningún anfitrión @\(name). Estos son los anfitriones:") }
    public var unknownCommand: String { t("I don't know that command. Here is the menu:", "No conozco ese comando. Este es el menú:") }
    public var staleButton: String { t("That button is out of date. Here is a fresh screen.", "Ese botón ya no es válido. Aquí tienes una pantalla nueva.") }
    public var somethingWentWrong: String { t("Something went wrong on our side. Please try again.", "Algo salió mal por nuestra parte. Inténtalo de nuevo.") }

    // Hosts
    public var hostListTitle: String { t("📞 <b>Private calls</b> — choose a host:", "📞 <b>Llamadas privadas</b> — elige un anfitrión:") }
    public var noHosts: String { t("No hosts are available right now. Please come back later.", "No hay anfitriones disponibles ahora. Vuelve más tarde.") }
    public func page(_ n: Int, of total: Int) -> String { t("Page \(n) of \(total)", "Página \(n) de \(total)") }
    public func perMinute(_ price: String) -> String { t("\(price)/min", "\(price)/min") }
    public var noReviews: String { t("no reviews yet", "sin reseñas aún") }
    public func reviewsCount(_ avg: String, _ n: Int) -> String { "★ \(avg) (\(n))" }
    public var latestReviews: String { t("Latest reviews", "Últimas reseñas") }
    public func durationsOffered(_ min: Int, _ max: Int) -> String {
        min == max ? t("Calls of \(min) min", "Llamadas de \(min) min") : t("Calls of \(min)–\(max) min", "Llamadas de \(min) a \(max) min")
    }
    public var bookCall: String { t("📅 Book a call", "📅 Reservar llamada") }
    public var gallery: String { t("🖼 Gallery", "🖼 Galería") }
    public var hostUnavailable: String { t("This host is not available any more.", "Este anfitrión ya no está disponible.") }
    public func status(_ s: HostStatus) -> String {
        switch s {
        case .online: t("online", "en línea")
        case .busy: t("in a call", "en una llamada")
        case .offline: t("offline", "desconectado")
        }
    }

    // Picking a time
    public func pickDate(_ host: String, _ zone: String) -> String {
        t("📅 <b>\(host)</b> — pick a day.\nTimes are shown in your time zone (\(zone)).", "📅 <b>\(host)</b> — elige un día.\nLas horas se muestran en tu zona horaria (\(zone)).")
    }
    public var noDates: String { t("No free times in the next days. Please try another host or come back later.", "No hay horarios libres en los próximos días. Prueba con otro anfitrión o vuelve más tarde.") }
    public func pickTime(_ host: String, _ day: String, _ zone: String) -> String {
        t("🕒 <b>\(host)</b> — \(day)\nPick a start time (\(zone)):", "🕒 <b>\(host)</b> — \(day)\nElige la hora de inicio (\(zone)):")
    }
    public var noTimes: String { t("No free times left on that day. Pick another day:", "No quedan horarios libres ese día. Elige otro día:") }
    public func pickDuration(_ host: String, _ when: String) -> String {
        t("⏱ <b>\(host)</b> — \(when)\nHow long should the call be?", "⏱ <b>\(host)</b> — \(when)\n¿Cuánto debe durar la llamada?")
    }
    public var timeGone: String { t("That time is no longer free. Please pick another one.", "Esa hora ya no está libre. Elige otra.") }
    public var slotTaken: String { t("⚠️ Sorry, someone booked that time a moment ago. Please pick another time.", "⚠️ Lo sentimos, alguien reservó esa hora hace un momento. Elige otra hora.") }
    public func minutes(_ m: Int) -> String { "\(m) min" }

    // Summary and payment
    public func summary(host: String, when: String, hostWhen: String?, minutes: Int, perMinute: String, total: String) -> String {
        let hostLine = hostWhen.map { t("\n<i>Host's time: \($0)</i>", "\n<i>Hora del anfitrión: \($0)</i>") } ?? ""
        return t(
            "🧾 <b>Your booking</b>\nHost: <b>\(host)</b>\nWhen: \(when)\(hostLine)\nLength: \(minutes) min\nPrice: \(minutes) × \(perMinute) = <b>\(total)</b>",
            "🧾 <b>Tu reserva</b>\nAnfitrión: <b>\(host)</b>\nCuándo: \(when)\(hostLine)\nDuración: \(minutes) min\nPrecio: \(minutes) × \(perMinute) = <b>\(total)</b>")
    }
    public func payButton(_ total: String) -> String { t("💳 Pay \(total)", "💳 Pagar \(total)") }
    public func held(until: String, total: String) -> String {
        t("⏳ Your time is held for you until <b>\(until)</b>. Choose how to pay \(total):",
          "⏳ Tu hora queda reservada hasta las <b>\(until)</b>. Elige cómo pagar \(total):")
    }
    public var noPaymentMethodForPrice: String { t("Sorry — no payment method is available for this host's prices right now, so nothing was held. Please try another host or come back later.", "Lo sentimos: ahora no hay ningún método de pago para los precios de este anfitrión, así que no se ha reservado nada. Prueba con otro anfitrión o vuelve más tarde.") }
    public var noPaymentMethods: String { t("Payments are not available right now; your hold will lapse on its own.", "Los pagos no están disponibles ahora; tu reserva caducará sola.") }
    public func method(_ m: PaymentMethod) -> String {
        switch m {
        case .stripe: t("💳 Card (Stripe)", "💳 Tarjeta (Stripe)")
        case .epayco: "💳 ePayco"
        case .daimo: t("🪙 Crypto (Daimo)", "🪙 Cripto (Daimo)")
        case .stars: t("⭐ Telegram Stars", "⭐ Telegram Stars")
        }
    }
    public var cancelHold: String { t("✖️ Cancel booking", "✖️ Cancelar reserva") }
    /// More holds than allowed: nothing was held; the open ones follow, each with Pay and Release.
    public func tooManyHolds(limit: Int) -> String {
        limit == 1
            ? t("⚠️ <b>You already have a booking waiting for payment</b> — one at a time. Pay for it or release it, then pick your time again:",
                "⚠️ <b>Ya tienes una reserva esperando el pago</b>: solo una a la vez. Págala o libérala y vuelve a elegir tu hora:")
            : t("⚠️ <b>You already have \(limit) bookings waiting for payment</b> — the most at once. Pay for one or release it, then pick your time again:",
                "⚠️ <b>Ya tienes \(limit) reservas esperando el pago</b>, el máximo a la vez. Paga o libera una y vuelve a elegir tu hora:")
    }
    public func openHold(_ n: Int, host: String, when: String, total: String) -> String { "#\(n) · <b>\(host)</b> · \(when) · \(total)" }
    public var tooManyHoldsToast: String { t("Too many unpaid bookings", "Demasiadas reservas sin pagar") }
    public func payHold(_ n: Int) -> String { t("💳 Pay #\(n)", "💳 Pagar #\(n)") }
    public func releaseHold(_ n: Int) -> String { t("✖️ Release #\(n)", "✖️ Liberar #\(n)") }
    public func openCheckout(_ total: String) -> String { t("Open secure checkout · \(total)", "Abrir pago seguro · \(total)") }
    public func checkoutReady(_ until: String) -> String {
        t("🔒 Pay on Stripe's secure page. The link works until \(until); your booking is confirmed here as soon as the payment arrives.",
          "🔒 Paga en la página segura de Stripe. El enlace funciona hasta las \(until); tu reserva se confirma aquí en cuanto llegue el pago.")
    }
    /// The checkout link's screen for `method` (Stripe keeps `checkoutReady(_:)`).
    public func checkoutReady(_ until: String, method: PaymentMethod) -> String {
        switch method {
        case .epayco:
            t("🔒 Pay with ePayco (card, PSE, cash) on its secure checkout. The link works until \(until); your booking is confirmed here as soon as ePayco confirms the payment.",
              "🔒 Paga con ePayco (tarjeta, PSE, efectivo) en su pago seguro. El enlace funciona hasta las \(until); tu reserva se confirma aquí en cuanto ePayco confirme el pago.")
        case .daimo:
            t("🔒 Pay with crypto on Daimo's secure page (USDC or other tokens, on many networks). The link works until \(until); your booking is confirmed here as soon as the payment arrives.",
              "🔒 Paga con cripto en la página segura de Daimo (USDC u otros tokens, en muchas redes). El enlace funciona hasta las \(until); tu reserva se confirma aquí en cuanto llegue el pago.")
        case .stripe, .stars:
            checkoutReady(until)
        }
    }
    public var epaycoDeclined: String {
        t("❌ Your ePayco payment was declined or did not go through. Nothing was charged. While your hold lasts you can try again or pick another method.",
          "❌ Tu pago con ePayco fue rechazado o no se completó. No se cobró nada. Mientras dure tu reserva puedes intentarlo de nuevo o elegir otro método.")
    }
    public var daimoBounced: String {
        t("❌ Your crypto payment could not be delivered, so Daimo sent the funds back to your refund address. Your booking is not paid.",
          "❌ Tu pago en cripto no se pudo entregar, así que Daimo devolvió los fondos a tu dirección de reembolso. Tu reserva no está pagada.")
    }
    public var checkoutFailed: String { t("The payment page could not be opened. Please try again in a moment.", "No se pudo abrir la página de pago. Inténtalo de nuevo en un momento.") }
    public var holdGone: String { t("This booking is no longer waiting for payment.", "Esta reserva ya no está esperando el pago.") }
    public var holdCancelled: String { t("Your booking was cancelled. Nothing was charged.", "Tu reserva fue cancelada. No se cobró nada.") }
    public func confirmed(host: String, when: String, total: String) -> String {
        t("✅ <b>Payment received — your call is booked!</b>\nHost: \(host)\nWhen: \(when)\nPaid: \(total)\nYou'll get reminders and the call link here.",
          "✅ <b>Pago recibido — ¡tu llamada está reservada!</b>\nAnfitrión: \(host)\nCuándo: \(when)\nPagado: \(total)\nRecibirás recordatorios y el enlace de la llamada aquí.")
    }
    public func hostNewBooking(when: String, minutes: Int, share: String) -> String {
        t("🔔 <b>New booking</b>\nWhen: \(when)\nLength: \(minutes) min\nYour share: \(share)",
          "🔔 <b>Nueva reserva</b>\nCuándo: \(when)\nDuración: \(minutes) min\nTu parte: \(share)")
    }
    public var holdExpiredNotice: String { t("⌛ Your hold ran out before payment, so the time was released.", "⌛ Tu reserva caducó antes del pago, así que la hora quedó libre.") }

    public func starsTitle(_ host: String, _ minutes: Int) -> String { t("Call with \(host), \(minutes) min", "Llamada con \(host), \(minutes) min") }
    public func starsDescription(_ when: String, _ price: String) -> String {
        t("Private video call \(when) (\(price)).", "Videollamada privada \(when) (\(price)).")
    }
    public func starsInvoiceSent(_ stars: Int64) -> String {
        t("⭐ Pay \(stars) Stars with the invoice above. Your booking is confirmed here as soon as Telegram reports the payment.",
          "⭐ Paga \(stars) Stars con la factura de arriba. Tu reserva se confirma aquí en cuanto Telegram informe del pago.")
    }
    public var starsAmountChanged: String { t("The price of this booking is different now. Please start again.", "El precio de esta reserva ha cambiado. Vuelve a empezar.") }

    // My bookings
    public var myBookingsTitle: String { t("📅 <b>My bookings</b>", "📅 <b>Mis reservas</b>") }
    public var upcoming: String { t("Upcoming", "Próximas") }
    public var past: String { t("Past", "Pasadas") }
    public var noBookings: String { t("You have no bookings yet.", "Aún no tienes reservas.") }
    public func bookingStatus(_ s: BookingStatus) -> String {
        switch s {
        case .pending: t("awaiting payment", "pendiente de pago")
        case .confirmed: t("confirmed", "confirmada")
        case .active: t("in progress", "en curso")
        case .completed: t("completed", "completada")
        case .cancelled: t("cancelled", "cancelada")
        case .expired: t("expired", "caducada")
        }
    }
    public func cancelBooking(_ n: Int) -> String { t("✖️ Cancel #\(n)", "✖️ Cancelar #\(n)") }
    public func payBooking(_ n: Int) -> String { t("💳 Pay #\(n)", "💳 Pagar #\(n)") }

    // Settings
    public func settingsTitle(language: String, zone: String) -> String {
        t("⚙️ <b>Settings</b>\nLanguage: \(language)\nTime zone: \(zone)", "⚙️ <b>Ajustes</b>\nIdioma: \(language)\nZona horaria: \(zone)")
    }
    public var changeZone: String { t("🌍 Time zone", "🌍 Zona horaria") }
    public var pickZone: String {
        t("🌍 Pick your time zone, or type a city or zone (for example <code>Bogota</code> or <code>America/Bogota</code>):",
          "🌍 Elige tu zona horaria o escribe una ciudad o zona (por ejemplo <code>Bogotá</code> o <code>America/Bogota</code>):")
    }
    public var firstZoneQuestion: String {
        t("🌍 <b>One question first: which time zone are you in?</b>\nDays and times are shown in it. Tap yours, or type a city or zone (for example <code>Bogota</code> or <code>America/Bogota</code>).",
          "🌍 <b>Antes de nada: ¿en qué zona horaria estás?</b>\nLos días y las horas se muestran en ella. Toca la tuya o escribe una ciudad o zona (por ejemplo <code>Bogotá</code> o <code>America/Bogota</code>).")
    }
    /// The button on every screen with times: the zone in use, and that it can be changed.
    public func zoneButton(_ zone: String) -> String { t("🌍 \(zone) · change", "🌍 \(zone) · cambiar") }
    public func zoneSaved(_ zone: String) -> String { t("✅ Time zone set to \(zone).", "✅ Zona horaria cambiada a \(zone).") }
    public func unknownZone(_ text: String) -> String {
        t("“\(text)” is not a time zone I know. Type a city like <code>Madrid</code>, a name like <code>Europe/Madrid</code>, or pick one:",
          "“\(text)” no es una zona horaria que conozca. Escribe una ciudad como <code>Madrid</code>, un nombre como <code>Europe/Madrid</code> o elige una:")
    }
    public var languageSaved: String { t("✅ Language set to English.", "✅ Idioma cambiado a español.") }

    // The call: reminders, links, review prompt (Notices; times in the recipient's zone)
    public func reminderDayBefore(host: String, when: String) -> String {
        t("⏰ <b>Reminder:</b> your call with \(host) is in 24 hours — \(when).\nThe link to join arrives here when the call starts.",
          "⏰ <b>Recordatorio:</b> tu llamada con \(host) es dentro de 24 horas — \(when).\nEl enlace para unirte llegará aquí cuando empiece la llamada.")
    }
    public func reminderQuarterHour(host: String, when: String) -> String {
        t("⏰ <b>Your call with \(host) starts in 15 minutes</b> — \(when).\nThe link to join arrives here at the start.",
          "⏰ <b>Tu llamada con \(host) empieza en 15 minutos</b> — \(when).\nEl enlace para unirte llegará aquí al empezar.")
    }
    public func hostReminderDayBefore(when: String, minutes: Int) -> String {
        t("⏰ <b>Reminder:</b> you have a \(minutes)-minute call in 24 hours — \(when).",
          "⏰ <b>Recordatorio:</b> tienes una llamada de \(minutes) minutos dentro de 24 horas — \(when).")
    }
    public func hostReminderQuarterHour(when: String, minutes: Int) -> String {
        t("⏰ <b>Your \(minutes)-minute call starts in 15 minutes</b> — \(when).",
          "⏰ <b>Tu llamada de \(minutes) minutos empieza en 15 minutos</b> — \(when).")
    }
    public func callStarting(host: String, when: String, until: String) -> String {
        t("🎥 <b>Your call with \(host) is starting now</b>\n\(when)\nTap Join to open the video room. The link works until \(until).",
          "🎥 <b>Tu llamada con \(host) empieza ahora</b>\n\(when)\nPulsa Unirse para abrir la sala de video. El enlace funciona hasta las \(until).")
    }
    public func hostCallStarting(when: String, until: String) -> String {
        t("🎥 <b>Your call is starting now</b>\n\(when)\nTap Join to open the video room; you are its moderator. The link works until \(until).",
          "🎥 <b>Tu llamada empieza ahora</b>\n\(when)\nPulsa Unirse para abrir la sala de video; tú la moderas. El enlace funciona hasta las \(until).")
    }
    public func reviewPrompt(host: String) -> String {
        t("⭐ <b>How was your call with \(host)?</b>\nRate it from 1 to 5 stars. Your review helps other people choose.",
          "⭐ <b>¿Qué tal tu llamada con \(host)?</b>\nPuntúala de 1 a 5 estrellas. Tu reseña ayuda a otras personas a elegir.")
    }

    // Commands (setMyCommands)
    public var commandStart: String { t("Main menu", "Menú principal") }
    public var commandBook: String { t("Book a private call", "Reservar una llamada privada") }
    public var commandBookings: String { t("My bookings", "Mis reservas") }
    public var commandProfile: String { t("Host profiles", "Perfiles de anfitriones") }
    public var commandSettings: String { t("Language and time zone", "Idioma y zona horaria") }
}
