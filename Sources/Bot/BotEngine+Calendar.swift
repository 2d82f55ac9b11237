import Domain
import Storage
import Telegram

extension BotEngine {
    /// "📅 Add to calendar": the booking's `.ics` file for its user or linked host.
    func calendarFile(_ id: BookingID, _ session: Session) async throws -> Outcome {
        try await myBookings(session)
    }
}
