import Domain
import Storage
import Testing

/// Reviews in storage: one per booking (a unique rule, so two presses at once cannot both win), text only by the
/// author, hiding audited in the same transaction and leaving the host's rating at once.
@Suite("Store contract: reviews")
struct ReviewStoreContractTests {
    @Test(arguments: Engine.available)
    func onePerBookingTextByTheAuthorHidingAudited(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let host = try #require(try await store.createHost(try makeHost(), at: day0).id)
            let a = try #require(try await store.createHold(try makeHold(host: host, user: 10, start: at(day: 1, hour: 8)), bufferMinutes: 0, maxLiveHolds: .max).id)
            let b = try #require(try await store.createHold(try makeHold(host: host, user: 11, start: at(day: 1, hour: 10)), bufferMinutes: 0, maxLiveHolds: .max).id)
            let first = try await store.addReview(Review(bookingID: a, hostID: host, userID: TelegramUserID(10), rating: 2, text: nil, createdAt: day0))
            _ = try await store.addReview(Review(bookingID: b, hostID: host, userID: TelegramUserID(11), rating: 5, text: nil, createdAt: day0))
            // A second review of the same booking is a duplicate, whatever it says.
            await #expect {
                _ = try await store.addReview(Review(bookingID: a, hostID: host, userID: TelegramUserID(10), rating: 5, text: "again", createdAt: day0))
            } throws: { error in
                if case StoreError.duplicate = error { return true }
                return false
            }
            #expect(try await store.review(bookingID: a)?.rating == 2)
            #expect(try await store.review(bookingID: BookingID(999)) == nil)

            // Only the author sets the text.
            await #expect(throws: StoreError.notFound("Review of booking \(a)")) {
                try await store.setReviewText(bookingID: a, userID: TelegramUserID(11), text: "not mine")
            }
            try await store.setReviewText(bookingID: a, userID: TelegramUserID(10), text: "meh")
            #expect(try await store.review(bookingID: a)?.text == "meh")

            #expect(try await store.ratingSummaries()[host] == RatingSummary(averageHundredths: 350, count: 2))
            let id = try #require(first.id)
            let hidden = try await store.setReviewHidden(id, hidden: true, by: TelegramUserID(9001), at: day0)
            #expect(hidden.hidden && hidden.text == "meh")
            #expect(try await store.ratingSummaries()[host] == RatingSummary(averageHundredths: 500, count: 1))
            #expect(try await store.reviews(hostID: host, limit: 10).map(\.rating) == [5])
            #expect(try await store.allReviews(includeHidden: true).count == 2)
            let audit = try #require(try await store.auditLog(limit: 1).first)
            #expect(audit.action == "review.hide" && audit.actor == 9001 && audit.before == "visible" && audit.after == "hidden")
            await #expect(throws: StoreError.notFound("Review 424242")) {
                _ = try await store.setReviewHidden(424242, hidden: true, by: TelegramUserID(9001), at: day0)
            }
            _ = try await store.setReviewHidden(id, hidden: false, by: TelegramUserID(9001), at: day0)
            #expect(try await store.ratingSummaries()[host]?.count == 2)
        }
    }
}
