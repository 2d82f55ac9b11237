import Core
import Domain

/// Cancellation, refund, reschedule and no-show sentences, in English and Spanish. Arguments are HTML already
/// (names escaped by the caller).
extension Texts {
    private func t(_ en: String, _ es: String) -> String { language == .es ? es : en }

    // MARK: Buttons
    public func cancelPaid(_ n: Int) -> String { t("❌ Cancel #\(n)", "❌ Cancelar #\(n)") }
    public func rescheduleButton(_ n: Int) -> String { t("🔁 Reschedule #\(n)", "🔁 Cambiar hora #\(n)") }
    public func noShowButton(_ n: Int) -> String { t("🚫 Host didn't show #\(n)", "🚫 El anfitrión no vino #\(n)") }
    public var yesCancel: String { t("✅ Yes, cancel it", "✅ Sí, cancelarla") }
    public var keepIt: String { t("↩️ Keep it", "↩️ Mantenerla") }
    public var yesMove: String { t("✅ Move it", "✅ Cambiarla") }
    public var yesReport: String { t("🚫 Report it", "🚫 Reportarlo") }
    public var refundsButton: String { t("💸 Refunds and reports", "💸 Reembolsos y reportes") }
    public func refundDoneButton(_ n: Int) -> String { t("✅ Refund done #\(n)", "✅ Reembolso hecho #\(n)") }
    public func retryRefundButton(_ n: Int) -> String { t("🔁 Retry refund #\(n)", "🔁 Reintentar reembolso #\(n)") }
    public func confirmNoShowButton(_ n: Int) -> String { t("✅ No-show #\(n): refund", "✅ No vino #\(n): reembolsar") }
    public func rejectNoShowButton(_ n: Int) -> String { t("✖️ Reject #\(n)", "✖️ Rechazar #\(n)") }
    public var yesRefundDone: String { t("✅ Yes, the refund is done", "✅ Sí, el reembolso está hecho") }

    // MARK: The user's cancellation
    public func cancelWithRefund(_ n: Int, when: String, amount: String) -> String {
        t("❌ <b>Cancel booking #\(n)?</b>\n\(when)\nYou will get a full refund of <b>\(amount)</b>.",
          "❌ <b>¿Cancelar la reserva #\(n)?</b>\n\(when)\nRecibirás un reembolso completo de <b>\(amount)</b>.")
    }
    public func cancelWithoutRefund(_ n: Int, when: String, hours: Int) -> String {
        t("❌ <b>Cancel booking #\(n)?</b>\n\(when)\nThe call starts in less than \(hours) h: <b>no refund</b>.",
          "❌ <b>¿Cancelar la reserva #\(n)?</b>\n\(when)\nLa llamada empieza en menos de \(hours) h: <b>sin reembolso</b>.")
    }
    public func cancelledRefundComing(_ n: Int, amount: String) -> String {
        t("Booking #\(n) is cancelled. Your refund of \(amount) is on its way.", "La reserva #\(n) está cancelada. Tu reembolso de \(amount) está en camino.")
    }
    public func cancelledNoRefund(_ n: Int) -> String {
        t("Booking #\(n) is cancelled. No refund, as the policy said.", "La reserva #\(n) está cancelada. Sin reembolso, como indicaba la política.")
    }
    public var bookingUnchangeable: String {
        t("This booking can no longer be changed this way.", "Esta reserva ya no se puede cambiar así.")
    }

    // MARK: Reschedule
    public func rescheduleTooLate(_ hours: Int) -> String {
        t("The call starts in less than \(hours) h: it can no longer be moved.", "La llamada empieza en menos de \(hours) h: ya no se puede cambiar.")
    }
    public func reschedulePickDay(_ n: Int, minutes: Int, zone: String) -> String {
        t("🔁 <b>Move booking #\(n)</b> (\(minutes) min) — pick a new day.\nTimes are shown in your time zone (\(zone)).",
          "🔁 <b>Cambiar la reserva #\(n)</b> (\(minutes) min) — elige un nuevo día.\nLas horas se muestran en tu zona horaria (\(zone)).")
    }
    public func reschedulePickTime(_ n: Int, day: String, zone: String) -> String {
        t("🔁 <b>Move booking #\(n)</b> — \(day)\nPick the new start time (\(zone)):",
          "🔁 <b>Cambiar la reserva #\(n)</b> — \(day)\nElige la nueva hora de inicio (\(zone)):")
    }
    public func rescheduleConfirm(_ n: Int, from: String, to: String) -> String {
        t("🔁 <b>Move booking #\(n)?</b>\nFrom: \(from)\nTo: \(to)\nNo new payment is needed.",
          "🔁 <b>¿Cambiar la reserva #\(n)?</b>\nDe: \(from)\nA: \(to)\nNo hace falta pagar de nuevo.")
    }
    public func rescheduledDone(_ n: Int, when: String) -> String {
        t("✅ Booking #\(n) moved to \(when).", "✅ La reserva #\(n) se cambió a \(when).")
    }

    // MARK: No-show
    public func noShowPrompt(_ n: Int, when: String) -> String {
        t("🚫 <b>Report that the host did not show up for booking #\(n)?</b>\n\(when)\nAn admin checks the report; if it is confirmed you get a full refund.",
          "🚫 <b>¿Reportar que el anfitrión no se presentó a la reserva #\(n)?</b>\n\(when)\nUn administrador revisa el reporte; si se confirma recibes un reembolso completo.")
    }
    public func noShowReported(_ n: Int) -> String {
        t("Thank you. An admin will review your report on booking #\(n).", "Gracias. Un administrador revisará tu reporte de la reserva #\(n).")
    }
    public var noShowAlreadyReported: String { t("This booking was reported already.", "Esta reserva ya fue reportada.") }
    public var noShowNotPossible: String {
        t("A no-show can be reported only for a paid call that started within the last 48 hours.",
          "Solo se puede reportar una ausencia de una llamada pagada que empezó en las últimas 48 horas.")
    }

    // MARK: Notices (outbox)
    public func noticeCancelled(_ n: Int, host: String, when: String, by: CancelledBy) -> String {
        let who: String
        switch by {
        case .user: who = t("You cancelled", "Cancelaste")
        case .host: who = t("The host cancelled", "El anfitrión canceló")
        case .admin, .system: who = t("Our team cancelled", "Nuestro equipo canceló")
        }
        return t("❌ <b>\(who) booking #\(n)</b>\nHost: \(host)\nWhen: \(when)", "❌ <b>\(who) la reserva #\(n)</b>\nAnfitrión: \(host)\nCuándo: \(when)")
    }
    public func noticeRefundComing(_ amount: String) -> String {
        t("A full refund of \(amount) is on its way.", "Un reembolso completo de \(amount) está en camino.")
    }
    public func noticeNoRefund(_ hours: Int) -> String {
        t("No refund: it was cancelled less than \(hours) h before the start.", "Sin reembolso: se canceló menos de \(hours) h antes del inicio.")
    }
    public func hostNoticeCancelled(_ n: Int, when: String, by: CancelledBy, refunded: Bool) -> String {
        let who: String
        switch by {
        case .user: who = t("by the user", "por el usuario")
        case .host: who = t("by you", "por ti")
        case .admin, .system: who = t("by our team", "por nuestro equipo")
        }
        let refund = refunded ? t("\nThe user gets a full refund.", "\nEl usuario recibe un reembolso completo.") : ""
        return t("❌ <b>Booking #\(n) cancelled \(who)</b>\nWhen: \(when)\(refund)", "❌ <b>Reserva #\(n) cancelada \(who)</b>\nCuándo: \(when)\(refund)")
    }
    public func noticeRefunded(_ n: Int, amount: String) -> String {
        t("💸 <b>Refund sent</b>: \(amount) for booking #\(n). It can take a few days to show up.",
          "💸 <b>Reembolso enviado</b>: \(amount) de la reserva #\(n). Puede tardar unos días en aparecer.")
    }
    public func hostNoticeRefunded(_ n: Int, amount: String, share: String) -> String {
        t("💸 Booking #\(n) was refunded to the user (\(amount)); your share of \(share) is reversed.",
          "💸 La reserva #\(n) se reembolsó al usuario (\(amount)); tu parte de \(share) se revierte.")
    }
    public func noticeManualRefund(_ n: Int, amount: String) -> String {
        t("💸 Your refund of \(amount) for booking #\(n) is being processed by our team. We will tell you when it is sent.",
          "💸 Nuestro equipo está procesando tu reembolso de \(amount) de la reserva #\(n). Te avisaremos cuando se envíe.")
    }
    public func noticeRescheduled(_ n: Int, host: String, when: String) -> String {
        t("🔁 <b>Booking #\(n) moved</b>\nHost: \(host)\nNew time: \(when)", "🔁 <b>Reserva #\(n) cambiada</b>\nAnfitrión: \(host)\nNueva hora: \(when)")
    }
    public func hostNoticeRescheduled(_ n: Int, from: String, to: String) -> String {
        t("🔁 <b>Booking #\(n) moved by the user</b>\nFrom: \(from)\nTo: \(to)", "🔁 <b>El usuario cambió la reserva #\(n)</b>\nDe: \(from)\nA: \(to)")
    }
    public func adminNoticeNoShow(_ n: Int, host: String, when: String, user: Int64) -> String {
        t("🚫 <b>No-show reported</b> for booking #\(n)\nHost: \(host)\nWhen: \(when)\nBy user \(user). Check it under 💸 Refunds and reports.",
          "🚫 <b>Ausencia reportada</b> en la reserva #\(n)\nAnfitrión: \(host)\nCuándo: \(when)\nPor el usuario \(user). Revísalo en 💸 Reembolsos y reportes.")
    }
    public func noticeNoShowConfirmed(_ n: Int) -> String {
        t("✅ We confirmed that the host did not show up for booking #\(n). You get a full refund.",
          "✅ Confirmamos que el anfitrión no se presentó a la reserva #\(n). Recibes un reembolso completo.")
    }
    public func noticeNoShowRejected(_ n: Int) -> String {
        t("We checked your report on booking #\(n) and could not confirm it, so no refund is due. Write to us if you disagree.",
          "Revisamos tu reporte de la reserva #\(n) y no pudimos confirmarlo, así que no corresponde reembolso. Escríbenos si no estás de acuerdo.")
    }
    public func hostNoticeNoShow(_ n: Int, when: String) -> String {
        t("⚠️ Booking #\(n) (\(when)) was confirmed as a no-show on your side; the user is refunded in full.",
          "⚠️ La reserva #\(n) (\(when)) se confirmó como ausencia tuya; el usuario recibe un reembolso completo.")
    }

    // MARK: Host and admin
    public func staffCancelPrompt(_ n: Int, when: String, amount: String?) -> String {
        let refund = amount.map { t("The user gets a full refund of <b>\($0)</b>.", "El usuario recibe un reembolso completo de <b>\($0)</b>.") }
            ?? t("It is not paid: nothing to refund.", "No está pagada: no hay nada que reembolsar.")
        return t("❌ <b>Cancel booking #\(n)?</b>\n\(when)\n\(refund)", "❌ <b>¿Cancelar la reserva #\(n)?</b>\n\(when)\n\(refund)")
    }
    public func refundOutcome(_ outcome: RefundOutcome) -> String {
        switch outcome {
        case .refunded(let amount, _): t("Refund sent (\(amount)).", "Reembolso enviado (\(amount)).")
        case .manual: t("This provider's refund is done by hand: it is listed under 💸 Refunds and reports.",
                        "El reembolso de este proveedor se hace a mano: está en 💸 Reembolsos y reportes.")
        case .failed: t("The refund failed; it is listed under 💸 Refunds and reports to retry.",
                        "El reembolso falló; está en 💸 Reembolsos y reportes para reintentarlo.")
        case .notOwed: t("No refund is owed.", "No se debe ningún reembolso.")
        }
    }
    public var refundsTitle: String { t("💸 <b>Refunds and no-show reports</b>", "💸 <b>Reembolsos y reportes de ausencia</b>") }
    public var nothingWaiting: String { t("Nothing is waiting.", "No hay nada pendiente.") }
    public var manualRefundsHeader: String { t("Refunds to do by hand", "Reembolsos a hacer a mano") }
    public var failedRefundsHeader: String { t("Failed refunds", "Reembolsos fallidos") }
    public var noShowHeader: String { t("No-show reports", "Reportes de ausencia") }
    public func refundDonePrompt(_ n: Int, method: String, amount: String, user: Int64) -> String {
        t("Did you refund <b>\(amount)</b> to user \(user) for booking #\(n) in \(method)'s dashboard? Confirming records the refund and tells both sides.",
          "¿Reembolsaste <b>\(amount)</b> al usuario \(user) por la reserva #\(n) en el panel de \(method)? Al confirmar se registra el reembolso y se avisa a ambas partes.")
    }
    public var refundReferenceOptional: String {
        t("Optional: first send the provider's refund reference (for example its transaction id) as a message.",
          "Opcional: envía antes como mensaje la referencia del reembolso del proveedor (por ejemplo su id de transacción).")
    }
    public func refundReferenceSaved(_ reference: String) -> String {
        t("Reference: <code>\(reference)</code> (send another message to change it).", "Referencia: <code>\(reference)</code> (envía otro mensaje para cambiarla).")
    }
    public var refundReferenceInvalid: String {
        t("A reference is 1–100 characters on one line. Send it again, or confirm without one.",
          "Una referencia tiene de 1 a 100 caracteres en una línea. Envíala de nuevo o confirma sin ella.")
    }
    public func refundRecorded(_ n: Int) -> String { t("✅ Refund of #\(n) recorded.", "✅ Reembolso de #\(n) registrado.") }
    public var noShowResolved: String { t("Report resolved.", "Reporte resuelto.") }
    public var reportGone: String { t("This report was resolved already.", "Este reporte ya fue resuelto.") }
}
