import Domain
import Storage
import Testing

/// The playground's reset: every row goes, the schema stays, and the store works as new afterwards.
@Suite("Erasing all data")
struct EraseTests {
    @Test(arguments: Engine.available)
    func everyRowGoesAndTheStoreStartsOver(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try await store.createHost(try makeHost(), at: day0)
            _ = try await store.addPhoto(hostID: host.id!, fileID: "AgAD-1", caption: nil, at: day0)
            var booking = try Booking.hold(hostID: host.id!, userID: TelegramUserID(5), start: day0.adding(days: 1), minutes: 30,
                                           pricePerMinute: host.pricePerMinute.money, commission: .standard, now: day0, holdMinutes: 30)
            booking = try await store.createHold(booking, bufferMinutes: 0, maxLiveHolds: .max)
            _ = try await store.apply(.paymentConfirmed(method: "stars", at: day0), to: booking.id!)
            try await store.saveUser(UserProfile(id: TelegramUserID(5), language: "es"), at: day0)
            try await store.setConversationState(chatID: 5, "{}", at: day0)
            _ = try await store.calendarFeedToken(hostID: host.id!, candidate: "token", at: day0)

            try await store.eraseAllData()
            #expect(try await store.hosts(listedOnly: false).isEmpty)
            #expect(try await store.booking(booking.id!) == nil)
            #expect(try await store.user(TelegramUserID(5)) == nil)
            #expect(try await store.conversationState(chatID: 5) == nil)
            #expect(try await store.ledger(hostID: host.id!).isEmpty)
            #expect(try await store.host(calendarFeedToken: "token") == nil)
            #expect(try await store.appliedMigrations() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
            // And it works as new.
            #expect(try await store.createHost(try makeHost(), at: day0).id != nil)
        }
    }
}
