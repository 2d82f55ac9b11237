import Domain
import FakeStripe
import Foundation
import Testing

@testable import VideoRooms

/// A seeded generator so room names are reproducible in tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

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
