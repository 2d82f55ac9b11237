import Domain

/// Who a call link is for: the booking's user or its host (the host moderates).
public enum CallParticipant: String, Sendable, Hashable {
    case user, host
}

/// The video room of a booking, behind whichever provider is configured (Jitsi or Agora). The app
/// implements it; the bot asks it for a participant's link when someone presses Join.
public protocol CallRooms: Sendable {
    /// The link `participant` opens to join the booking's call, valid only around the booked window; nil when
    /// the booking has no room (not confirmed/active, or the window is over).
    func link(for booking: Booking, host: Host, participant: CallParticipant) async throws -> String?
}
