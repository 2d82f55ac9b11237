import Domain

/// Sentences of the call's end: joining, rating, reviewing, and the admin's review moderation.
extension Texts {
    private func t(_ en: String, _ es: String) -> String { language == .es ? es : en }

    public var skip: String { t("Skip", "Omitir") }
    public func stars(_ n: Int) -> String { String(repeating: "⭐", count: max(0, min(n, 5))) }
    public func askReviewText(_ stars: Int) -> String {
        t("Thank you for the \(self.stars(stars))!\nWould you add a few words about the call? Send them as a message (up to \(ReviewRules.maxTextLength) characters), or press Skip.",
          "¡Gracias por las \(self.stars(stars))!\n¿Quieres añadir unas palabras sobre la llamada? Envíalas en un mensaje (hasta \(ReviewRules.maxTextLength) caracteres) o pulsa Omitir.")
    }
    public var reviewPublished: String { t("✅ Thank you! Your review is published.", "✅ ¡Gracias! Tu reseña está publicada.") }
    public var ratingPublished: String { t("✅ Thank you! Your rating is published.", "✅ ¡Gracias! Tu valoración está publicada.") }
    public var reviewSkipped: String { t("OK, no review for this call.", "De acuerdo, sin reseña para esta llamada.") }
    public func reviewTooLong(_ n: Int) -> String {
        t("That is \(n) characters; a review can have at most \(ReviewRules.maxTextLength). Please shorten it, or press Skip.",
          "Son \(n) caracteres; una reseña puede tener como máximo \(ReviewRules.maxTextLength). Acórtala o pulsa Omitir.")
    }
    public var reviewNeedsText: String { t("Please send the review as text, or press Skip.", "Envía la reseña como texto o pulsa Omitir.") }
    public func reviewRefused(_ refusal: ReviewRules.Refusal) -> String {
        switch refusal {
        case .notYourBooking: t("Only the person who booked this call can review it.", "Solo quien reservó esta llamada puede valorarla.")
        case .notCompleted: t("You can review a call once it has ended.", "Podrás valorar la llamada cuando haya terminado.")
        case .starsOutOfRange: t("A rating is 1 to 5 stars.", "Una valoración es de 1 a 5 estrellas.")
        case .alreadyReviewed: t("You have already reviewed this call. Thank you!", "Ya valoraste esta llamada. ¡Gracias!")
        }
    }

    // Joining
    public var join: String { t("🎥 Join", "🎥 Unirse") }
    public func joinCall(_ n: Int) -> String { t("🎥 Join #\(n)", "🎥 Unirse #\(n)") }
    public func joinText(host: String, when: String) -> String {
        t("🎥 <b>Your call</b> with \(host)\n\(when)\nThe link works only during your booked time.",
          "🎥 <b>Tu llamada</b> con \(host)\n\(when)\nEl enlace solo funciona durante el horario reservado.")
    }
    public func joinTextForHost(when: String, minutes: Int) -> String {
        t("🎥 <b>Your call</b> (\(minutes) min)\n\(when)\nThe link works only during the booked time.",
          "🎥 <b>Tu llamada</b> (\(minutes) min)\n\(when)\nEl enlace solo funciona durante el horario reservado.")
    }
    public var noRoomYet: String { t("The room for this call is not open (it opens shortly before the start, and closes at the end).",
                                     "La sala de esta llamada no está abierta (se abre poco antes del inicio y se cierra al final).") }
    public var notYourCall: String { t("That call is not yours.", "Esa llamada no es tuya.") }

    // Admin moderation
    public var reviewsAdmin: String { t("⭐ Reviews", "⭐ Reseñas") }
    public var reviewsAdminTitle: String { t("⭐ <b>Reviews</b>, newest first. Hide an abusive one; it no longer counts in the host's rating.",
                                             "⭐ <b>Reseñas</b>, las más recientes primero. Oculta una abusiva; deja de contar en la valoración del anfitrión.") }
    public var noReviewsAdmin: String { t("No reviews yet.", "Aún no hay reseñas.") }
    public func hideReview(_ id: Int64) -> String { t("🙈 Hide #\(id)", "🙈 Ocultar #\(id)") }
    public func showReview(_ id: Int64) -> String { t("👁 Show #\(id)", "👁 Mostrar #\(id)") }
    public var hiddenMark: String { t("hidden", "oculta") }
    public var reviewHidden: String { t("Review hidden.", "Reseña oculta.") }
    public var reviewShown: String { t("Review visible again.", "Reseña visible de nuevo.") }
}
