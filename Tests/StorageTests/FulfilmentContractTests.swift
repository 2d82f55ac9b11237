import Domain
import Foundation
import Storage
import Testing

/// `Store.fulfil` on both engines: once per event, bound to one booking, all or nothing.
@Suite("Store contract: fulfilment and money to return")
struct FulfilmentContractTests {
    static let price = Money(minorUnits: 30_000, currency: .usd)

    func hold(_ store: any Store, user: Int64 = 1001, hour: Int = 9) async throws -> Booking {
        var hostID = try await store.host(username: try TelegramUsername(parsing: "fulfil_host"))?.id
        if hostID == nil { hostID = try await store.createHost(try makeHost("fulfil_host", availability: "09:00-22:00"), at: day0).id }
        let host = try #require(hostID)
        let hold = try Booking.hold(hostID: host, userID: TelegramUserID(user), start: at(day: 1, hour: hour), minutes: 60,
                                    pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: day0, holdMinutes: 30)
        return try await store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max)
    }

    func payment(_ booking: BookingID?, event: String, reference: String, binding: PaymentBinding = .checkout, amount: Money = price,
                 outcome: ProviderOutcome = .paid) -> ProviderPayment {
        ProviderPayment(provider: "stripe", eventID: event, kind: "test", bookingID: booking, reference: reference, binding: binding,
                        refundHandle: "pi_\(reference)", amount: .money(amount), outcome: outcome)
    }

    func notices(_ tag: String) -> FulfilmentNotices {
        FulfilmentNotices(
            confirmed: [NewOutboxMessage(chatID: 1001, kind: "booking.confirmed", payload: "{}", dedupeKey: "\(tag):confirmed", notBefore: nil)],
            owed: Dictionary(uniqueKeysWithValues: ReturnReason.allCases.map { reason in
                (reason, [NewOutboxMessage(chatID: 1001, kind: "payment.refund_owed", payload: "{\"reason\":\"\(reason.rawValue)\"}",
                                           dedupeKey: "\(tag):owed", notBefore: nil)])
            }),
            admins: [NewOutboxMessage(chatID: 42, kind: "admin.money_to_return", payload: "{}", dedupeKey: "\(tag):admin", notBefore: nil)])
    }

    @Test(arguments: Engine.available)
    func twentyConcurrentDeliveriesOfOneEventConfirmOnce(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try #require(try await hold(store).id)
            try await store.recordCheckout(provider: "stripe", reference: "cs_1", for: id, at: day0)
            let p = payment(id, event: "evt_1", reference: "cs_1")
            let n = notices("b1")
            let results = try await withThrowingTaskGroup(of: FulfilmentResult.self) { group in
                for _ in 0..<20 { group.addTask { try await store.fulfil(p, notices: n, starsPerUSD: nil, at: at(hour: 1)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { if case .confirmed = $0 { true } else { false } }.count == 1)
            #expect(results.filter { $0 == .duplicate(status: "confirmed") }.count == 19)
            #expect(try await store.ledger(bookingID: id).count == 1)
            #expect(try await store.outbox(status: nil).filter { $0.kind == "booking.confirmed" }.count == 1)
            #expect(try await store.booking(id)?.status == .confirmed)
            #expect(try await store.paymentReference(of: id) == "pi_cs_1")
        }
    }

    @Test(arguments: Engine.available)
    func aReferenceConfirmsOnlyItsOwnBookingAndStatesNeverMoveBack(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let a = try #require(try await hold(store, user: 1001, hour: 9).id)
            let b = try #require(try await hold(store, user: 1002, hour: 11).id)
            try await store.recordCheckout(provider: "stripe", reference: "cs_a", for: a, at: day0)
            // A's session naming B, and a session we never created: money to return, nobody confirmed.
            let swapped = try await store.fulfil(payment(b, event: "e1", reference: "cs_a"), notices: notices("x1"), starsPerUSD: nil, at: at(hour: 1))
            guard case .owed(let row) = swapped else { Issue.record("expected owed, got \(swapped)"); return }
            #expect(row.bookingID == nil)
            let invented = try await store.fulfil(payment(a, event: "e2", reference: "cs_zzz"), notices: notices("x2"), starsPerUSD: nil, at: at(hour: 1))
            guard case .owed = invented else { Issue.record("expected owed, got \(invented)"); return }
            #expect(try await store.booking(a)?.status == .pending)
            #expect(try await store.booking(b)?.status == .pending)
            // First use binds a reference to its booking forever (ePayco's ref:transaction).
            let first = try await store.fulfil(payment(a, event: "e3:1", reference: "ref:tx", binding: .firstUse), notices: notices("a"),
                                               starsPerUSD: nil, at: at(hour: 1))
            guard case .confirmed = first else { Issue.record("expected confirmed, got \(first)"); return }
            let other = try await store.fulfil(payment(b, event: "e3:1b", reference: "ref:tx", binding: .firstUse), notices: notices("b"),
                                               starsPerUSD: nil, at: at(hour: 1))
            guard case .owed = other else { Issue.record("expected owed, got \(other)"); return }
            #expect(try await store.booking(b)?.status == .pending)
            // paid → failed / pending is ignored; paid → reversed is kept for an admin.
            let back = try await store.fulfil(payment(a, event: "e3:2", reference: "ref:tx", binding: .firstUse, outcome: .failed),
                                              notices: notices("a2"), starsPerUSD: nil, at: at(hour: 2))
            #expect(back == .recorded(status: "ignored: paid → failed"))
            let reversed = try await store.fulfil(payment(a, event: "e3:6", reference: "ref:tx", binding: .firstUse, outcome: .reversed),
                                                  notices: notices("a6"), starsPerUSD: nil, at: at(hour: 3))
            guard case .owed(let reversal) = reversed else { Issue.record("expected a reversal row, got \(reversed)"); return }
            #expect(reversal.kind == .reversal)
            #expect(try await store.booking(a)?.status == .confirmed)
            #expect(try await store.ledger(bookingID: a).count == 1)
            #expect(try await store.ledger(bookingID: b).isEmpty)
            #expect(try await store.moneyToReturn(openOnly: true).count == 4)
        }
    }

    @Test(arguments: Engine.available)
    func wrongAmountsLateAndCancelledBookingsOweTheMoneyAndTheListCloses(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let a = try #require(try await hold(store).id)
            try await store.recordCheckout(provider: "stripe", reference: "cs_a", for: a, at: day0)
            let cheap = try await store.fulfil(payment(a, event: "e1", reference: "cs_a", amount: Money(minorUnits: 100, currency: .usd)),
                                               notices: notices("c"), starsPerUSD: nil, at: at(hour: 1))
            guard case .owed(let row) = cheap else { Issue.record("expected owed, got \(cheap)"); return }
            #expect(row.reason == "paid $1.00, the price is $300.00")
            #expect(row.state == .owed && row.bookingID == a && row.userID == TelegramUserID(1001))
            #expect(try await store.booking(a)?.status == .pending)
            #expect(try await store.outbox(status: nil).map(\.kind).sorted() == ["admin.money_to_return", "payment.refund_owed"])
            // Only one claimer gets it; settling writes the audit row and the messages; a second settle is refused.
            #expect(try await store.claimRefund(row.id, at: at(hour: 2), staleAfterSeconds: 300)?.state == .requested)
            #expect(try await store.claimRefund(row.id, at: at(hour: 2), staleAfterSeconds: 300) == nil)
            try await store.releaseRefundClaim(row.id, error: "card_declined", at: at(hour: 2))
            #expect(try await store.moneyToReturn(id: row.id)?.lastError == "card_declined")
            let settled = try await store.settleMoneyToReturn(row.id, by: TelegramUserID(42), note: "done at the bank", messages: [], at: at(hour: 3))
            #expect(settled.state == .settled && settled.settledBy == TelegramUserID(42))
            await #expect(throws: StoreError.self) {
                _ = try await store.settleMoneyToReturn(row.id, by: TelegramUserID(42), note: nil, messages: [], at: at(hour: 4))
            }
            #expect(try await store.moneyToReturn(openOnly: true).isEmpty)
            #expect(try await store.auditLog(limit: 10).contains { $0.action == "refund.settled" && $0.actor == 42 })
        }
    }
}
