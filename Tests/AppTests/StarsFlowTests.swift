import Domain
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

@Suite("Paying with Telegram Stars, end to end", .serialized)
struct StarsFlowTests {
    let maria = User(id: 7501, firstName: "María", languageCode: "en")
    static let env = ["STARS_PER_USD": "50"]

    func bookToInvoice(_ h: BotHarness) async throws {
        await h.fake.sendText("/book_private_call", from: maria)
        try await h.expectLast(maria.id, contains: "Anna")
        for label in ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "60 min · $300.00", "💳 Pay $300.00"] {
            try await h.tap(label, as: maria)
        }
        try await h.expectLast(maria.id, contains: "Choose how to pay")
        try await h.tap("⭐ Telegram Stars", as: maria)
        try await h.expectLast(maria.id, contains: "Pay 15000 Stars with the invoice above")
    }

    @Test func invoicePreCheckoutAndPaymentConfirmOnceEvenIfDeliveredTwice() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let maria = self.maria
            try await h.run(Self.env) { _ in
                try await bookToInvoice(h)
                let invoice = try #require(try await h.fake.calls("sendInvoice").last?.decode(SendInvoice.self))
                #expect(invoice.currency == "XTR")
                #expect(invoice.providerToken == "")
                #expect(invoice.prices.map(\.amount) == [15_000]) // $300.00 × 50 Stars per dollar
                #expect(invoice.payload == "booking:1")

                await h.fake.sendPreCheckoutQuery(PreCheckoutQuery(id: "pcq-1", from: maria, currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1"))
                try await h.fake.waitUntil { await h.fake.unansweredPreCheckoutQueries().isEmpty }
                let answer = try #require(try await h.fake.calls("answerPreCheckoutQuery").last?.decode(AnswerPreCheckoutQuery.self))
                #expect(answer.ok)

                let payment = SuccessfulPayment(currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1",
                                                telegramPaymentChargeId: "stxCharge1", providerPaymentChargeId: "")
                await h.fake.sendSuccessfulPayment(payment, from: maria)
                try await h.expectLast(maria.id, contains: "your call is booked")
                await h.fake.sendSuccessfulPayment(payment, from: maria)
                // Idle: fetched, handled (the inbox holds nothing open) and every notice sent.
                try await h.fake.waitUntil { await h.fake.pendingUpdateIds().isEmpty }
                try await h.inboxIdle()
                try await h.outboxIdle()

                let booking = try #require(try await h.store.booking(BookingID(1)))
                #expect(booking.status == .confirmed)
                #expect(booking.paymentMethod == "stars")
                #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
                let confirmations = await h.fake.messages(chat: maria.id).filter { $0.text?.contains("your call is booked") == true }
                #expect(confirmations.count == 1)
                #expect(await h.fake.refundedCharges().isEmpty)
            }
        }
    }

    @Test func aPreCheckoutForAnExpiredHoldIsRefusedAndALatePaymentForATakenSlotIsRefunded() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let maria = self.maria
            try await h.run(Self.env) { _ in
                try await bookToInvoice(h)
                h.clock.advance(minutes: 31)
                try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.status == .expired }
                await h.fake.sendPreCheckoutQuery(PreCheckoutQuery(id: "pcq-late", from: maria, currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1"))
                try await h.fake.waitUntil { await h.fake.unansweredPreCheckoutQueries().isEmpty }
                let answer = try #require(try await h.fake.calls("answerPreCheckoutQuery").last?.decode(AnswerPreCheckoutQuery.self))
                #expect(!answer.ok)
                #expect(answer.errorMessage == "This booking is no longer waiting for payment.")

                // Someone else holds the time now; a payment that still arrives is refunded.
                _ = try await h.store.createHold(
                    try Booking.hold(hostID: HostID(1), userID: TelegramUserID(99), start: Instant(epochSeconds: 1_795_564_800 + 17 * 3600),
                                     minutes: 60, pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard,
                                     now: h.clock.now, holdMinutes: 30), bufferMinutes: 0, maxLiveHolds: .max)
                let payment = SuccessfulPayment(currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1",
                                                telegramPaymentChargeId: "stxLate", providerPaymentChargeId: "")
                await h.fake.sendSuccessfulPayment(payment, from: maria)
                try await h.expectLast(maria.id, contains: "15000 ⭐ was refunded in full")
                #expect(await h.fake.refundedCharges() == ["stxLate"])
                #expect(try await h.store.booking(BookingID(1))?.status == .expired)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).isEmpty)
                let owed = try await h.store.moneyToReturn(openOnly: false)
                #expect(owed.map(\.state) == [.settled])
                #expect(owed.first?.reason == "slot taken after the hold lapsed")
            }
        }
    }

    /// What a crash leaves behind: a Stars payment kept in the inbox (its update acknowledged) but never
    /// processed. The scheduler's sweep confirms it — once, however often it runs.
    @Test func aKeptButUnprocessedStarsPaymentIsConfirmedOnceAfterARestart() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let maria = self.maria
            try await h.run(Self.env) { _ in
                try await bookToInvoice(h)
            }
            // The "crash": the payment was kept by the dispatcher, nothing else happened.
            #expect(try await h.store.recordStarsPayment(IncomingStarsPayment(
                chargeID: "stxKept", userID: TelegramUserID(maria.id), chatID: maria.id, invoicePayload: "booking:1", totalAmount: 15_000,
                currency: "XTR", receivedAt: h.clock.now)))
            #expect(try await h.store.booking(BookingID(1))?.status == .pending)
            try await h.run(Self.env) { _ in
                try await h.expectLast(maria.id, contains: "Payment received")
                try await h.fake.waitUntil { (try? await h.store.unprocessedStarsPayments(receivedAtOrBefore: h.clock.now))?.isEmpty == true }
                try await h.outboxIdle()
            }
            #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
            #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
            #expect(await h.messages(maria.id, containing: "Payment received").count == 1)
            #expect(await h.fake.refundedCharges().isEmpty)
            #expect(try await h.store.paymentReference(of: BookingID(1)) == "stxKept")
        }
    }
}
