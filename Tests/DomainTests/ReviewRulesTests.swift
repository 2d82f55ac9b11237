import Domain
import Testing

@Suite("Review rules")
struct ReviewRulesTests {
    static func booking(_ status: BookingStatus, user: Int64 = 7) -> Booking {
        var b = try! Booking.hold(hostID: HostID(1), userID: TelegramUserID(user), start: Instant(epochSeconds: 1_800_000_000), minutes: 30,
                                  pricePerMinute: Money(minorUnits: 100, currency: .usd), commission: .standard,
                                  now: Instant(epochSeconds: 1_799_000_000), holdMinutes: 30)
        b.status = status
        return b
    }

    @Test(arguments: BookingStatus.allCases)
    func onlyACompletedCallCanBeRated(status: BookingStatus) {
        let result = Result { () throws(ReviewRules.Refusal) in try ReviewRules.check(Self.booking(status), by: TelegramUserID(7), stars: 3) }
        if status == .completed {
            #expect((try? result.get()) != nil)
        } else {
            #expect(throws: ReviewRules.Refusal.notCompleted(status)) { try result.get() }
        }
    }

    @Test func onlyTheBookingsUserAndOneToFiveStars() {
        #expect(throws: ReviewRules.Refusal.notYourBooking) { try ReviewRules.check(Self.booking(.completed), by: TelegramUserID(8), stars: 5) }
        for stars in [0, 6, -1] {
            #expect(throws: ReviewRules.Refusal.starsOutOfRange(stars)) { try ReviewRules.check(Self.booking(.completed), by: TelegramUserID(7), stars: stars) }
        }
        for stars in 1...5 { #expect(throws: Never.self) { try ReviewRules.check(Self.booking(.completed), by: TelegramUserID(7), stars: stars) } }
    }

    @Test func textIsTrimmedEmptyIsNoneAndAtMostFiveHundredCharacters() throws {
        #expect(try ReviewRules.text("  nice  ") == "nice")
        #expect(try ReviewRules.text(" \n ") == nil)
        #expect(try ReviewRules.text(String(repeating: "é", count: 500))?.count == 500)
        // Characters, not bytes or UTF-16 units: 500 emoji are fine, 501 are not.
        #expect(try ReviewRules.text(String(repeating: "👍🏽", count: 500))?.count == 500)
        #expect(throws: ReviewRules.TextTooLong(length: 501)) { try ReviewRules.text(String(repeating: "a", count: 501)) }
    }
}
