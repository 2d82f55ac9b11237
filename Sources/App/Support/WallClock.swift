import Domain
import struct Foundation.Date

/// The one place the app reads the time. Tests inject a fixed or stepping clock.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Instant

    public init(_ read: @escaping @Sendable () -> Instant) { self.read = read }

    public func now() -> Instant { read() }

    public static let system = WallClock { Instant(epochSeconds: Int64(Date().timeIntervalSince1970.rounded(.down))) }

    public static func fixed(_ instant: Instant) -> WallClock { WallClock { instant } }
}
