/// The knobs of slot finding, from configuration.
public struct SlotRules: Hashable, Sendable {
    /// How far ahead a start may be offered, in days from `now`.
    public var horizonDays: Int
    /// A start must be at least this far after `now`.
    public var minimumNoticeMinutes: Int
    /// Free time kept before and after every existing booking.
    public var bufferMinutes: Int
    /// Starts sit on this grid of the host's local clock (15 → :00, :15, :30, :45).
    public var gridMinutes: Int

    public init(horizonDays: Int = 14, minimumNoticeMinutes: Int = 0, bufferMinutes: Int = 0, gridMinutes: Int = 15) {
        precondition(horizonDays > 0 && minimumNoticeMinutes >= 0 && bufferMinutes >= 0 && gridMinutes > 0)
        self.horizonDays = horizonDays
        self.minimumNoticeMinutes = minimumNoticeMinutes
        self.bufferMinutes = bufferMinutes
        self.gridMinutes = gridMinutes
    }
}
