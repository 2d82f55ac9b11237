import Domain
import FakeStripe
import Foundation
import Testing

@testable import VideoRooms

enum Fixtures {
    /// 2026-03-08T07:00:00Z.
    static let start = Instant(epochSeconds: 1_772_953_200)
    static let booking = RoomBooking(bookingID: 42, start: start, end: start.adding(minutes: 30))
    static let host = RoomParticipant(userID: 7_000_000_001, displayName: "Ana Host", isHost: true)
    static let guest = RoomParticipant(userID: 123_456_789, displayName: "Bob «Guest»", isHost: false)
    static let secret = "0123456789abcdef0123456789abcdef-jitsi"
}

func json(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any], "not a JSON object: \(text)")
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func queryItems(_ url: String) throws -> [String: String] {
    let components = try #require(URLComponents(string: url), "bad URL \(url)")
    var items: [String: String] = [:]
    for item in components.queryItems ?? [] { items[item.name] = item.value }
    return items
}
