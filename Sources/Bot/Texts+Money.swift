/// Texts of money that must go back: to the payer, and to admins.
extension Texts {
    private func t(_ en: String, _ es: String) -> String { language == .es ? es : en }

    /// A payment we cannot keep, returned through the provider's API.
    public func paymentBeingRefunded(total: String) -> String {
        t("⚠️ Your payment of \(total) arrived when this booking could no longer take it. It is being refunded to you in full; you will get a message when it is done.",
          "⚠️ Tu pago de \(total) llegó cuando esta reserva ya no podía aceptarlo. Te lo estamos devolviendo completo; recibirás un mensaje cuando esté hecho.")
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
        t("💸 <b>Money to return</b>\nA \(method) payment of \(amount) (\(reference)) for \(booking) could not be honoured. Open 💸 Refunds to follow it.",
          "💸 <b>Dinero por devolver</b>\nUn pago \(method) de \(amount) (\(reference)) para \(booking) no se pudo aceptar. Abre 💸 Reembolsos para seguirlo.")
    }
    public func adminReversal(method: String, reference: String, amount: String, booking: String) -> String {
        t("⚠️ <b>Payment reversed</b>\nThe \(method) payment of \(amount) (\(reference)) for \(booking) was taken back by the payer's bank. Look at the booking; close it in 💸 Refunds.",
          "⚠️ <b>Pago reversado</b>\nEl pago \(method) de \(amount) (\(reference)) para \(booking) fue revertido por el banco del pagador. Revisa la reserva; ciérralo en 💸 Reembolsos.")
    }
    public func bookingLabel(_ id: Int64?) -> String {
        id.map { t("booking #\($0)", "la reserva #\($0)") } ?? t("no booking of ours", "ninguna reserva nuestra")
    }
}
