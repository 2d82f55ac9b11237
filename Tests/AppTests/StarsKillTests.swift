import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// A real `privatecalls serve` killed with SIGKILL right after the fake Bot API delivered a Telegram Stars
/// payment — at a random moment, half of the time while an earlier reply in the same chat is held by the fake
/// (the payment then waits behind it: that is when it used to be lost). After a restart on the same database:
/// exactly one confirmation, one ledger row, no refund, never a paid booking left waiting.
@Suite("Telegram Stars: SIGKILL after delivery", .serialized)
struct StarsKillTests {
    static let maria: Int64 = 7601

    @Test func aStarsPaymentSurvivesSIGKILLAtAnyMoment() async throws {
        var generator = SplitMix64(seed: 20_261_203)
        for round in 0..<20 {
            let held = round % 2 == 1
            let delayMs = Int(generator.next() % 250)
            try await ServeRig.with { rig in try await Self.round(rig, round: round, held: held, killAfterMs: delayMs) }
        }
    }

    static func round(_ rig: ServeRig, round: Int, held: Bool, killAfterMs: Int) async throws {
        let store = rig.store, fake = rig.fake
        let now = WallClock.system.now()
        let host = try #require(try await store.createHost(Domain.Host(
            username: TelegramUsername(parsing: "kill_host"), displayName: DisplayName(parsing: "Anna"), bio: Bio(parsing: "Hi"),
            pricePerMinute: PricePerMinute(Money(minorUnits: 500, currency: .usd)), durations: DurationRange(min: 15, max: 120),
            zone: Zone(identifier: "Europe/Madrid")!, availability: WeeklyAvailability(parsing: "09:00-22:00"), status: .online), at: now).id)
        let start = Instant(epochSeconds: (now.epochSeconds / 3600 + 48) * 3600)
        let booking = try #require(try await store.createHold(
            try Booking.hold(hostID: host, userID: TelegramUserID(maria), start: start, minutes: 60,
                             pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: now, holdMinutes: 30),
            bufferMinutes: 0, maxLiveHolds: .max).id)
        let user = User(id: maria, firstName: "María", languageCode: "en")
        let known = await fake.sendText("/settings", from: user)
        _ = try await store.markUpdateHandled(known, at: now)
        let env = ["STARS_PER_USD": "50", "SCHEDULER_INTERVAL_SECONDS": "1"]

        let first = try rig.start("stars-\(round)", extra: env)
        if held {
            // An earlier update of the same chat whose reply Telegram is slow to answer.
            await fake.holdNext("sendMessage", chat: maria, for: .milliseconds(150))
            await fake.sendText("/start", from: user)
        }
        let charge = "stxKill\(round)"
        await fake.sendSuccessfulPayment(SuccessfulPayment(currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:\(booking.rawValue)",
                                                           telegramPaymentChargeId: charge, providerPaymentChargeId: ""), from: user)
        // Delivered: the process fetched it.
        try await fake.waitUntil(timeout: .seconds(30)) { await fake.pendingUpdateIds().isEmpty }
        try await Task.sleep(for: .milliseconds(killAfterMs))
        first.kill()

        let second = try rig.start("stars-\(round)", extra: env)
        do {
            try await fake.waitUntil(timeout: .seconds(30)) {
                guard (try? await store.booking(booking))?.status == .confirmed else { return false }
                guard (try? await store.pendingOutboxCount()) == 0 else { return false }
                let kept = try? await store.unprocessedStarsPayments(receivedAtOrBefore: WallClock.system.now().adding(minutes: 5))
                return kept?.isEmpty == true
            }
        } catch {
            Issue.record("round \(round) (held \(held), kill after \(killAfterMs) ms): booking \(String(describing: try? await store.booking(booking)?.status)); logs:\n\(rig.logs.suffix(20).joined(separator: "\n"))")
            second.stop()
            throw error
        }
        second.stop()
        let label = "round \(round) (held \(held), kill after \(killAfterMs) ms)"
        #expect(try await store.ledger(bookingID: booking).count == 1, "\(label)")
        #expect(try await store.paymentEvents(bookingID: booking).map(\.status) == ["confirmed"], "\(label)")
        #expect(try await store.outbox(status: nil).filter { $0.kind == "booking.confirmed" }.count == 1, "\(label)")
        #expect(await fake.messages(chat: maria).filter { $0.text?.contains("Payment received") == true }.count >= 1, "\(label)")
        #expect(await fake.refundedCharges().isEmpty, "\(label)")
        #expect(try await store.moneyToReturn(openOnly: false).isEmpty, "\(label)")
    }
}
