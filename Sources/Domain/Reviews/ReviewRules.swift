/// Who may review what: only the booking's own user, only once the call is completed, 1–5 stars, and an
/// optional text of at most 500 characters. (One review per booking is also a unique rule in the database.)
public enum ReviewRules {
    public static let maxTextLength = 500

    /// Why a review is refused.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case notYourBooking
        case notCompleted(BookingStatus)
        case starsOutOfRange(Int)
        case alreadyReviewed

        public var description: String {
            switch self {
            case .notYourBooking: "Only the booking's user can review it."
            case .notCompleted(let s): "Only a completed call can be reviewed (this one is \(s.rawValue))."
            case .starsOutOfRange(let n): "A rating is 1 to 5 stars, not \(n)."
            case .alreadyReviewed: "This booking has a review already."
            }
        }
    }

    /// Checks a star rating by `user` for `booking`.
    public static func check(_ booking: Booking, by user: TelegramUserID, stars: Int) throws(Refusal) {
        guard booking.userID == user else { throw .notYourBooking }
        guard booking.status == .completed else { throw .notCompleted(booking.status) }
        guard (1...5).contains(stars) else { throw .starsOutOfRange(stars) }
    }

    /// The text as stored: trimmed; nil when empty; refused (with its length) when over 500 characters.
    public static func text(_ raw: String) throws(TextTooLong) -> String? {
        let text = raw.trimmingSpaces()
        guard text.count <= maxTextLength else { throw TextTooLong(length: text.count) }
        return text.isEmpty ? nil : text
    }

    public struct TextTooLong: Error, Equatable, Sendable {
        public let length: Int
        public init(length: Int) { self.length = length }
    }
}
