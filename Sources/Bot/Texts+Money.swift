import Storage

/// Texts of money that must go back: to the payer, and to admins.
extension Texts {
    private func t(_ en: String, _ es: String) -> String { language == .es ? es : en }

    /// A payment we cannot keep: why, and how it comes back — through the provider's API (`automaticRefund`)
    /// or by hand.
    public func paymentNotKept(_ reason: ReturnReason, total: String, automaticRefund: Bool) -> String {
        let why = switch reason {
        case .slotTaken:
            t("⚠️ Your payment of \(total) arrived after your hold had run out, and meanwhile someone else booked that time.",
              "⚠️ Tu pago de \(total) llegó cuando tu reserva ya había caducado, y mientras tanto otra persona reservó esa hora.")
        case .alreadyPaid:
            t("⚠️ Your payment of \(total) arrived for a booking that was already paid.",
              "⚠️ Tu pago de \(total) llegó para una reserva que ya estaba pagada.")
        case .cancelled:
            t("⚠️ Your payment of \(total) arrived for a booking that had been cancelled.",
              "⚠️ Tu pago de \(total) llegó para una reserva que había sido cancelada.")
        case .wrongAmount:
            t("⚠️ Your payment of \(total) does not match the price of the booking, so it could not confirm it.",
              "⚠️ Tu pago de \(total) no coincide con el precio de la reserva, así que no pudo confirmarla.")
        case .unknownBooking:
            t("⚠️ Your payment of \(total) does not belong to this booking, so it could not confirm it.",
              "⚠️ Tu pago de \(total) no corresponde a esta reserva, así que no pudo confirmarla.")
        }
        let how = automaticRefund
            ? t("It is being refunded to you in full; you will get a message when it is done.",
                "Te lo estamos devolviendo completo; recibirás un mensaje cuando esté hecho.")
            : t("It will be returned to you in full — our team handles this refund by hand.",
                "Te lo devolveremos completo: nuestro equipo gestiona este reembolso a mano.")
        return why + " " + how
    }
    public var paymentDidNotGoThrough: String {
        t("❌ Your payment did not go through. Nothing was charged. While your hold lasts you can try again or pick another method.",
          "❌ Tu pago no se completó. No se cobró nada. Mientras dure tu reserva puedes intentarlo de nuevo o elegir otro método.")
    }
    /// The money went back.
    public func paymentReturned(total: String) -> String {
        t("✅ Your payment of \(total) was refunded in full.", "✅ Tu pago de \(total) fue reembolsado completo.")
    }
    public func adminMoneyOwed(method: String, reference: String, amount: String, booking: String) -> String {
        t("💸 <b>Money to return</b>\nA \(method) payment of \(amount) (\(reference)) for \(booking) could not be honoured. It is listed under 💸 Refunds and reports.",
          "💸 <b>Dinero por devolver</b>\nUn pago \(method) de \(amount) (\(reference)) para \(booking) no se pudo aceptar. Está en 💸 Reembolsos y reportes.")
    }
    public func adminReversal(method: String, reference: String, amount: String, booking: String) -> String {
        t("⚠️ <b>Payment reversed</b>\nThe \(method) payment of \(amount) (\(reference)) for \(booking) was taken back by the payer's bank. Look at the booking; close it under 💸 Refunds and reports.",
          "⚠️ <b>Pago reversado</b>\nEl pago \(method) de \(amount) (\(reference)) para \(booking) fue revertido por el banco del pagador. Revisa la reserva; ciérralo en 💸 Reembolsos y reportes.")
    }
    public func bookingLabel(_ id: Int64?) -> String {
        id.map { t("booking #\($0)", "la reserva #\($0)") } ?? t("no booking of ours", "ninguna reserva nuestra")
    }

    public var moneyToReturnHeader: String { t("Money to return", "Dinero por devolver") }
    public func moneyDoneButton(_ id: Int64) -> String { t("✅ r\(id) done", "✅ r\(id) hecho") }
    public func moneyRetryButton(_ id: Int64) -> String { t("🔁 r\(id) retry", "🔁 r\(id) reintentar") }
    public var reversalState: String { t("reversed: look at the booking", "reversado: revisa la reserva") }
    public func lastError(_ e: String) -> String { t("last error: \(e)", "último error: \(e)") }
    public var moneyRowGone: String { t("That item is not open any more.", "Ese elemento ya no está abierto.") }
    public func moneyRowSettled(_ id: Int64) -> String { t("✅ r\(id) is closed.", "✅ r\(id) está cerrado.") }
    public func moneyRetryFailed(_ id: Int64) -> String {
        t("⚠️ r\(id) could not be returned yet; the error is in the list.", "⚠️ r\(id) aún no se pudo devolver; el error está en la lista.")
    }
    public func moneyDonePrompt(_ line: String, reversal: Bool) -> String {
        reversal
            ? t("Close this reversal? Do it once you have looked at the booking (cancel it if the call should not happen).\n\n\(line)",
                "¿Cerrar este reverso? Hazlo cuando hayas revisado la reserva (cancélala si la llamada no debe hacerse).\n\n\(line)")
            : t("Was this money returned to the payer at the provider? The payer is told it was.\n\n\(line)",
                "¿Se devolvió este dinero al pagador en el proveedor? Se le avisará al pagador.\n\n\(line)")
    }
    public func adminRefundOwed(_ n: Int, method: String, amount: String, manual: Bool) -> String {
        manual
            ? t("💸 <b>Refund to make by hand</b>\nBooking #\(n) was cancelled with a full refund of \(amount) paid through \(method). Return it at \(method), then press “Refund done” under 💸 Refunds and reports.",
                "💸 <b>Reembolso a mano</b>\nLa reserva #\(n) se canceló con reembolso completo de \(amount) pagado con \(method). Devuélvelo en \(method) y pulsa “Reembolso hecho” en 💸 Reembolsos y reportes.")
            : t("⚠️ <b>Refund failed</b>\nThe refund of \(amount) for booking #\(n) (\(method)) failed at the provider. Retry it under 💸 Refunds and reports.",
                "⚠️ <b>Reembolso fallido</b>\nEl reembolso de \(amount) de la reserva #\(n) (\(method)) falló en el proveedor. Reinténtalo en 💸 Reembolsos y reportes.")
    }
}
