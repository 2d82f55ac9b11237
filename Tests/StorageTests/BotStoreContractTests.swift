import Domain
import Storage
import Testing

/// The parts of the contract the bot leans on: update dedupe, payment references, ratings.
@Suite("Store contract: bot support")
struct BotStoreContractTests {
    @Test(arguments: Engine.available)
    func updatesAreHandledOnceAndTheOffsetSurvives(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let none = try await store.lastHandledUpdateID()
            #expect(none == nil)
            let first = try await store.markUpdateHandled(41, at: day0)
            let again = try await store.markUpdateHandled(41, at: day0)
            let next = try await store.markUpdateHandled(42, at: day0)
            #expect(first && !again && next)
            let last = try await store.lastHandledUpdateID()
            #expect(last == 42)
        }
    }

    @Test(arguments: Engine.available)
    func paymentReferenceFindsTheBooking(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let hold = try await store.createHold(try makeHold(host: host, start: at(day: 1, hour: 10)), bufferMinutes: 0, maxLiveHolds: .max)
            let id = try #require(hold.id)
            try await store.setPaymentReference("cs_test_abc", for: id, at: day0)
            #expect(try await store.booking(paymentReference: "cs_test_abc")?.id == id)
            #expect(try await store.booking(paymentReference: "cs_other") == nil)
            #expect(try await store.paymentReference(of: id) == "cs_test_abc")
            await #expect(throws: StoreError.notFound("Booking 999")) { try await store.setPaymentReference("x", for: BookingID(999), at: day0) }
        }
    }

    @Test(arguments: Engine.available)
    func ratingsAverageVisibleReviewsAndAreOnePerBooking(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            var bookings: [BookingID] = []
            for i in 0..<4 {
                let b = try await store.createHold(try makeHold(host: host, user: Int64(10 + i), start: at(day: 1, hour: 8 + i)), bufferMinutes: 0, maxLiveHolds: .max)
                bookings.append(try #require(b.id))
            }
            for (i, rating) in [5, 4, 4].enumerated() {
                _ = try await store.addReview(Review(bookingID: bookings[i], hostID: host, userID: TelegramUserID(Int64(10 + i)), rating: rating,
                                                     text: "r\(i)", createdAt: day0.adding(minutes: i)))
            }
            _ = try await store.addReview(Review(bookingID: bookings[3], hostID: host, userID: TelegramUserID(13), rating: 1, text: "abusive",
                                                 hidden: true, createdAt: day0.adding(minutes: 9)))
            await #expect(throws: StoreError.self) {
                _ = try await store.addReview(Review(bookingID: bookings[0], hostID: host, userID: TelegramUserID(10), rating: 3, text: nil, createdAt: day0))
            }
            await #expect(throws: StoreError.self) {
                _ = try await store.addReview(Review(bookingID: BookingID(bookings[3].rawValue), hostID: host, userID: TelegramUserID(13), rating: 6, text: nil, createdAt: day0))
            }
            let summary = try #require(try await store.ratingSummaries()[host])
            #expect(summary == RatingSummary(averageHundredths: 433, count: 3))
            #expect(summary.averageText == "4.3")
            #expect(try await store.reviews(hostID: host, limit: 2).map(\.text) == ["r2", "r1"])
        }
    }
}
