import Bot
import Domain
import Storage
import VideoRooms

/// Where room names get their randomness: the system generator in production, a seeded one in tests.
public struct RandomSource: Sendable {
    let next: @Sendable () -> UInt64

    public init(_ next: @escaping @Sendable () -> UInt64) { self.next = next }

    public static let system = RandomSource {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}

/// `RandomSource` as a `RandomNumberGenerator`, for the providers' `roomName(for:using:)`.
struct InjectedGenerator: RandomNumberGenerator {
    let source: RandomSource
    mutating func next() -> UInt64 { source.next() }
}

/// The calls' video rooms over the configured provider. A booking's room (provider and an unguessable name,
/// ≥ 128 random bits) is stored with the booking the first time it is needed — the Join button, or at the
/// latest the call's start — and every link is minted from the stored name when it is asked for, so no
/// credential is ever stored. Links are valid around the booked window only (the provider's token window:
/// Jitsi nbf = start − 5 min, both providers until end + grace).
final class AppCallRooms: CallRooms {
    let provider: any VideoRoomProvider
    let store: any Store
    let now: @Sendable () -> Instant
    let random: RandomSource
    let graceMinutes: Int

    init(provider: any VideoRoomProvider, store: any Store, now: @escaping @Sendable () -> Instant, random: RandomSource, graceMinutes: Int) {
        self.provider = provider
        self.store = store
        self.now = now
        self.random = random
        self.graceMinutes = graceMinutes
    }

    /// When links for this booking stop working.
    func linksExpire(_ booking: Booking) -> Instant { booking.time.end.adding(minutes: graceMinutes) }

    static func window(_ booking: Booking) -> RoomBooking {
        RoomBooking(bookingID: booking.id?.rawValue ?? 0, start: booking.time.start, end: booking.time.end)
    }

    /// The booking's stored room, created now when it has none (the first writer wins).
    func room(for booking: Booking) async throws -> CallRoom {
        guard let id = booking.id else { throw StoreError.notFound("Booking without an id") }
        if let room = try await store.room(of: id) { return room }
        var generator = InjectedGenerator(source: random)
        let name = provider.roomName(for: Self.window(booking), using: &generator)
        return try await store.ensureRoom(for: id, CallRoom(provider: provider.name, name: name), at: now())
    }

    /// Who joins as `participant`; nil for a host without a linked Telegram account.
    func participant(_ participant: CallParticipant, booking: Booking, host: Domain.Host) async -> RoomParticipant? {
        switch participant {
        case .host:
            guard let account = host.telegramUserID else { return nil }
            return RoomParticipant(userID: account.rawValue, displayName: host.displayName.value, isHost: true)
        case .user:
            let profile = try? await store.user(booking.userID)
            let name = profile?.firstName ?? profile?.username.map { "@" + $0 } ?? "Guest"
            return RoomParticipant(userID: booking.userID.rawValue, displayName: name, isHost: false)
        }
    }

    /// The link for one participant at `now`, or nil when the booking is not confirmed/active or its window
    /// is over.
    func link(for booking: Booking, host: Domain.Host, participant: CallParticipant, at now: Instant) async throws -> String? {
        guard booking.status == .confirmed || booking.status == .active, now < linksExpire(booking),
              let who = await self.participant(participant, booking: booking, host: host) else { return nil }
        let room = try await room(for: booking)
        return try await provider.link(room: room.name, booking: Self.window(booking), participant: who, now: now).url
    }

    func link(for booking: Booking, host: Domain.Host, participant: CallParticipant) async throws -> String? {
        try await link(for: booking, host: host, participant: participant, at: now())
    }
}
