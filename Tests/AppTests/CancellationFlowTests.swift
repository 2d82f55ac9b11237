import Domain
import FakeStripe
import FakeTelegram
import Foundation
import Storage
import Telegram
import Testing

@testable import App

/// Cancellation policy, refunds through each provider, reschedule and no-show, through the real server and the
/// fake Bot API. The harness clock starts on Wed 25 Nov 2026 at 09:00 in Madrid; the cut-off is the default 24 h.
@Suite("Cancellation, refunds, reschedule and no-show, end to end", .serialized)
struct CancellationFlowTests {
    let maria = User(id: 7601, firstName: "María", languageCode: "en")
    let juan = User(id: 7602, firstName: "Juan", languageCode: "es")
    let anna = User(id: 7700, firstName: "Anna", username: "anna_host", languageCode: "en")
    let admin = User(id: 9001, firstName: "Ada", languageCode: "en")
    static let env = ["ADMIN_TELEGRAM_IDS": "9001", "STARS_PER_USD": "50"]

    /// `hour`:00 in Madrid (UTC+1 in November) on day `day` of the harness (0 = Wed 25 Nov).
    static func madrid(day: Int, hour: Int) -> Instant {
        Instant(epochSeconds: 1_795_564_800 + Int64(day) * 86_400 + Int64(hour - 1) * 3600)
    }

    /// A booking paid through `method`, as a verified provider notification leaves it (payment, ledger row,
    /// provider reference), for 60 minutes at $5.00 a minute ($300.00: platform $90.00, host $210.00).
    @discardableResult
    static func paidBooking(_ h: BotHarness, user: Int64, start: Instant, method: String, reference: String?) async throws -> Booking {
        let hold = try Booking.hold(
            hostID: HostID(1), userID: TelegramUserID(user), start: start, minutes: 60, pricePerMinute: Money(minorUnits: 500, currency: .usd),
            commission: .standard, now: h.clock.now, holdMinutes: 30)
        let id = try #require(try await h.store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id)
        let paid = try await h.store.apply(.paymentConfirmed(method: method, at: h.clock.now), to: id)
        if let reference { try await h.store.setPaymentReference(reference, for: id, at: h.clock.now) }
        return paid
    }

    /// Anna (the host) linked to her Telegram account, so she is told about her bookings.
    func linkAnna(_ h: BotHarness) async throws {
        var host = try #require(try await h.store.host(HostID(1)))
        host.telegramUserID = TelegramUserID(anna.id)
        try await h.store.updateHost(host, at: h.clock.now)
    }

    /// The users open the bot (Telegram delivers nothing to a chat that never started it).
    func greet(_ h: BotHarness, _ users: [User]) async throws {
        for user in users {
            await h.fake.sendText("/start", from: user)
            try await h.expectLast(user.id, contains: "PrivateCalls")
        }
    }

    /// Books Anna for 60 minutes today at 18:00 through the bot and pays with Telegram Stars (pre-checkout,
    /// successful payment with `charge`): booking #1, confirmed.
    static func bookAndPayWithStars(_ h: BotHarness, _ user: User, query: String, charge: String) async throws {
        await h.fake.sendText("/book_private_call", from: user)
        try await h.expectLast(user.id, contains: "Anna")
        for label in ["🟢 Anna · $5.00/min", "📅 Book a call", "Europe/Madrid", "Wed 25 Nov", "18:00", "60 min · $300.00", "💳 Pay $300.00", "⭐ Telegram Stars"] {
            try await h.tap(label, as: user)
        }
        await h.fake.sendPreCheckoutQuery(PreCheckoutQuery(id: query, from: user, currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1"))
        try await h.fake.waitUntil { await h.fake.unansweredPreCheckoutQueries().isEmpty }
        await h.fake.sendSuccessfulPayment(SuccessfulPayment(currency: "XTR", totalAmount: 15_000, invoicePayload: "booking:1",
                                                             telegramPaymentChargeId: charge, providerPaymentChargeId: ""), from: user)
        try await h.expectLast(user.id, contains: "your call is booked")
    }

    /// Waits until some bot message in `chat` (an outbox notice or a screen) contains `text`.
    @discardableResult
    /// Waits until the scheduler has run one whole tick at the test clock's present: a hold already lapsed is
    /// expired by the first step of the next tick; a second one, made after that, by the tick after — so the
    /// tick that expired the first has finished. (Proves "nothing happened" without sleeping.) Each call
    /// uses two sentinels, `sentinel` and `sentinel + 1`, far from the test's own bookings.
    static func schedulerTicked(_ h: BotHarness, sentinel: Int) async throws {
        for n in sentinel...(sentinel + 1) {
            let hold = try Booking.hold(
                hostID: HostID(1), userID: TelegramUserID(Int64(990_000 + n)), start: h.clock.now.adding(days: 20 + n), minutes: 15,
                pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: h.clock.now.adding(minutes: -60), holdMinutes: 30)
            let id = try #require(try await h.store.createHold(hold, bufferMinutes: 0, maxLiveHolds: .max).id)
            let store = h.store
            try await h.fake.waitUntil(timeout: .seconds(20)) { (try? await store.booking(id))?.status == .expired }
        }
    }

    static func expectMessage(_ h: BotHarness, _ chat: Int64, contains text: String) async throws -> Message {
        do {
            try await h.fake.waitUntil(timeout: .seconds(20)) { await h.fake.messages(chat: chat).contains { ($0.text ?? "").contains(text) } }
        } catch {
            let texts = await h.fake.messages(chat: chat).compactMap(\.text)
            Issue.record("chat \(chat): no message contains “\(text)”; messages: \(texts.suffix(5))")
            throw error
        }
        return await h.fake.messages(chat: chat).last { ($0.text ?? "").contains(text) }!
    }

    /// For every booking, Σ ledger rows = net paid (paid − refunded), in gross and in the platform and host
    /// columns alike; every refund row reverses the payment row exactly.
    static func expectLedgerInvariant(_ store: any Store) async throws {
        for b in try await store.allBookings(from: nil, to: nil, hostID: nil) {
            let rows = try await store.ledger(bookingID: try #require(b.id))
            let net = b.paymentState == .paid
            #expect(rows.map(\.gross.minorUnits).reduce(0, +) == (net ? b.price.total.minorUnits : 0), "gross of booking \(b.id!)")
            #expect(rows.map(\.platform.minorUnits).reduce(0, +) == (net ? b.price.split.platform.minorUnits : 0), "platform of booking \(b.id!)")
            #expect(rows.map(\.host.minorUnits).reduce(0, +) == (net ? b.price.split.host.minorUnits : 0), "host share of booking \(b.id!)")
            let payments = rows.filter { $0.kind == .payment }, refunds = rows.filter { $0.kind == .refund }
            #expect(payments.count == (b.paymentState == .unpaid ? 0 : 1))
            #expect(refunds.count == (b.paymentState == .refunded ? 1 : 0))
            for (p, r) in zip(payments, refunds) {
                #expect(r.gross.minorUnits == -p.gross.minorUnits && r.platform.minorUnits == -p.platform.minorUnits && r.host.minorUnits == -p.host.minorUnits)
            }
        }
    }

    /// A confirmed $300.00 card PaymentIntent on localstripe.
    static func paymentIntent(on peer: LocalStripe) async throws -> String {
        let (pmStatus, pm) = try await peer.request("POST", "/v1/payment_methods", form: [
            ("type", "card"), ("card[number]", "4242424242424242"), ("card[exp_month]", "12"), ("card[exp_year]", "2030"), ("card[cvc]", "123"),
        ])
        try #require(pmStatus == 200)
        let (piStatus, pi) = try await peer.request("POST", "/v1/payment_intents", form: [
            ("amount", "30000"), ("currency", "usd"), ("payment_method", pm["id"] as? String ?? ""), ("confirm", "true"),
        ])
        try #require(piStatus == 200 && pi["status"] as? String == "succeeded")
        return try #require(pi["id"] as? String)
    }

    static func refunds(on peer: LocalStripe, intent: String) async throws -> [[String: Any]] {
        let (status, list) = try await peer.request("GET", "/v1/refunds?payment_intent=\(intent)")
        try #require(status == 200)
        return list["data"] as? [[String: Any]] ?? []
    }

    static func stripeEnv(_ peer: LocalStripe) -> [String: String] {
        env.merging(["STRIPE_SECRET_KEY": peer.secretKey, "STRIPE_WEBHOOK_SECRET": "whsec_cancellation_tests_1", "STRIPE_API_URL": peer.baseURL]) { _, b in b }
    }

    // MARK: Configuration

    @Test func theCutoffIsConfiguredAndCheckedAtStartUp() throws {
        #expect(try AppConfiguration.load(environment: [:]).cancellation.cutoffHours == 24)
        #expect(try AppConfiguration.load(environment: ["CANCELLATION_CUTOFF_HOURS": "48"]).cancellation.cutoffHours == 48)
        #expect(try AppConfiguration.load(environment: ["CANCELLATION_CUTOFF_HOURS": "0"]).cancellation.cutoffHours == 0)
        for bad in ["-1", "721", "24h", "1.5"] {
            do {
                _ = try AppConfiguration.load(environment: ["CANCELLATION_CUTOFF_HOURS": bad])
                Issue.record("CANCELLATION_CUTOFF_HOURS=\(bad) was accepted")
            } catch {
                #expect(error.variable == "CANCELLATION_CUTOFF_HOURS")
                #expect(error.description.contains("from 0 to 720"))
            }
        }
    }

    // MARK: Stripe, before and after the cut-off

    @Test(.enabled(if: Peers.shouldRun))
    func aUserCancelsAStripeBookingBeforeTheCutoffAndIsRefundedOnLocalstripe() async throws {
        let peer = try await LocalStripe.start()
        defer { peer.stop() }
        let intent = try await Self.paymentIntent(on: peer)
        try await BotHarness.with { h in
            try await h.addHost()
            try await linkAnna(h)
            let (maria, juan) = (self.maria, self.juan)
            // Fri 27 Nov 18:00 Madrid: 57 hours away.
            let booking = try await Self.paidBooking(h, user: maria.id, start: Self.madrid(day: 2, hour: 18), method: "stripe", reference: intent)
            try await h.run(Self.stripeEnv(peer)) { _ in
                try await greet(h, [maria, juan, anna])
                // Forged presses by someone else change nothing.
                for data in ["kc:1:1", "ka:1:1", "kh:1:1", "kr:1", "kp:1:29529960:1", "kn:1:1"] {
                    await h.fake.tapData(data, messageId: 1, as: juan)
                    try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                }
                #expect(try await h.store.booking(BookingID(1)) == booking)
                #expect(try await Self.refunds(on: peer, intent: intent).isEmpty)

                await h.fake.sendText("/my_bookings", from: maria)
                let list = try await h.expectLast(maria.id, contains: "My bookings")
                #expect(h.fake.buttonLabels(of: list).contains(["❌ Cancel #1", "🔁 Reschedule #1"]))
                try await h.tap("❌ Cancel #1", as: maria)
                // The policy comes before the confirmation.
                try await h.expectLast(maria.id, contains: "You will get a full refund of <b>$300.00</b>".replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: ""))
                #expect(try await h.store.booking(BookingID(1))?.status == .confirmed)
                try await h.tap("✅ Yes, cancel it", as: maria)
                try await Self.expectMessage(h, maria.id, contains: "Your refund of $300.00 is on its way")

                let refunds = try await Self.refunds(on: peer, intent: intent)
                #expect(refunds.count == 1)
                #expect(refunds.first?["amount"] as? Int == 30_000)
                let b = try #require(try await h.store.booking(BookingID(1)))
                #expect(b.status == .cancelled && b.cancelledBy == .user)
                #expect(b.refundState == .refunded && b.paymentState == .refunded)
                let ledger = try await h.store.ledger(bookingID: BookingID(1))
                #expect(ledger.map(\.kind) == [.payment, .refund])
                #expect(ledger.last.map { [$0.gross.minorUnits, $0.platform.minorUnits, $0.host.minorUnits] } == [-30_000, -9_000, -21_000])
                #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).map(\.eventID) == ["refund-booking-1"])
                try await Self.expectLedgerInvariant(h.store)

                // Both sides told through the outbox.
                try await Self.expectMessage(h, maria.id, contains: "You cancelled booking #1")
                try await Self.expectMessage(h, maria.id, contains: "Refund sent")
                try await Self.expectMessage(h, anna.id, contains: "Booking #1 cancelled by the user")
                try await Self.expectMessage(h, anna.id, contains: "your share of $210.00 is reversed")
                let actions = try await h.store.auditLog(limit: 20).map(\.action)
                #expect(actions.contains("booking.cancel") && actions.contains("refund.settled"))

                // Pressing the old confirmation again refunds nothing more.
                await h.fake.tapData("kc:1:1", messageId: list.messageId, as: maria)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                try await Self.expectMessage(h, maria.id, contains: "can no longer be changed")
                #expect(try await Self.refunds(on: peer, intent: intent).count == 1)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 2)
            }
        }
    }

    @Test func aUserCancellingAfterTheCutoffIsWarnedAndGetsNoRefund() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            try await linkAnna(h)
            let maria = self.maria
            // Today 18:00 Madrid: 9 hours away.
            try await Self.paidBooking(h, user: maria.id, start: Self.madrid(day: 0, hour: 18), method: "stripe", reference: "pi_after_cutoff")
            try await h.run(Self.env) { _ in
                try await greet(h, [maria, anna])
                await h.fake.sendText("/my_bookings", from: maria)
                try await h.expectLast(maria.id, contains: "My bookings")
                try await h.tap("❌ Cancel #1", as: maria)
                try await h.expectLast(maria.id, contains: "The call starts in less than 24 h: no refund")
                try await h.tap("✅ Yes, cancel it", as: maria)
                try await Self.expectMessage(h, maria.id, contains: "Booking #1 is cancelled. No refund")
                let b = try #require(try await h.store.booking(BookingID(1)))
                #expect(b.status == .cancelled && b.refundState == .notEligible && b.paymentState == .paid)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).map(\.kind) == [.payment])
                try await Self.expectMessage(h, maria.id, contains: "No refund: it was cancelled less than 24 h before the start")
                try await Self.expectMessage(h, anna.id, contains: "Booking #1 cancelled by the user")
                try await Self.expectLedgerInvariant(h.store)
                #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).isEmpty)
            }
        }
    }

    // MARK: Telegram Stars, cancelled by the host

    @Test func theHostCancelsAStarsBookingAndTheStarsGoBack() async throws {
        try await BotHarness.with { h in
            try await h.addHost(linkedTo: self.anna.id)
            let (maria, anna) = (self.maria, self.anna)
            try await h.run(Self.env) { _ in
                try await Self.bookAndPayWithStars(h, maria, query: "pcq-c1", charge: "stxCancel1")

                // Anna (her account linked) opens her menu and cancels.
                await h.fake.sendText("/host", from: anna)
                try await h.expectLast(anna.id, contains: "Anna")
                try await h.tap("❌ Cancel #1", as: anna)
                try await h.expectLast(anna.id, contains: "The user gets a full refund of $300.00")
                try await h.tap("✅ Yes, cancel it", as: anna)
                try await Self.expectMessage(h, anna.id, contains: "Refund sent (15000 ⭐)")

                #expect(await h.fake.refundedCharges() == ["stxCancel1"])
                let b = try #require(try await h.store.booking(BookingID(1)))
                #expect(b.status == .cancelled && b.cancelledBy == .host && b.refundState == .refunded)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).map(\.kind) == [.payment, .refund])
                try await Self.expectLedgerInvariant(h.store)
                try await Self.expectMessage(h, maria.id, contains: "The host cancelled booking #1")
                try await Self.expectMessage(h, maria.id, contains: "Refund sent</b>: 15000 ⭐".replacingOccurrences(of: "</b>", with: ""))
                try await Self.expectMessage(h, anna.id, contains: "Booking #1 was refunded to the user")
            }
        }
    }

    // MARK: ePayco and Daimo: manual refunds an admin records

    @Test(arguments: ["epayco", "daimo"])
    func anAdminCancelsAndRecordsTheManualRefund(method: String) async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            try await linkAnna(h)
            let (maria, juan, admin) = (self.maria, self.juan, self.admin)
            try await Self.paidBooking(h, user: maria.id, start: Self.madrid(day: 2, hour: 18), method: method, reference: "\(method):1")
            try await h.run(Self.env) { _ in
                try await greet(h, [maria, anna, admin])
                await h.fake.sendText("/admin_models", from: admin)
                try await h.expectLast(admin.id, contains: "🛠 Admin")
                try await h.tap("📋 Bookings", as: admin)
                try await h.tap("❌ Cancel #1", as: admin)
                try await h.expectLast(admin.id, contains: "The user gets a full refund of $300.00")
                try await h.tap("✅ Yes, cancel it", as: admin)
                // The reply, not necessarily the last message: the outbox's "Refund to make by hand" may come after it.
                try await Self.expectMessage(h, admin.id, contains: "refund is done by hand")

                var b = try #require(try await h.store.booking(BookingID(1)))
                #expect(b.status == .cancelled && b.cancelledBy == .admin && b.refundState == .pending && b.paymentState == .paid)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1, "nothing is reversed before the money is back")
                let record = try #require(try await h.store.paymentEvents(bookingID: BookingID(1)).first)
                #expect(record.provider == method && record.kind == "refund" && record.status == "manual refund pending")
                #expect(record.amount == Money(minorUnits: 30_000, currency: .usd))
                try await Self.expectMessage(h, maria.id, contains: "Our team cancelled booking #1")
                try await Self.expectMessage(h, maria.id, contains: "is being processed by our team")
                try await Self.expectMessage(h, admin.id, contains: "Refund to make by hand")
                try await Self.expectLedgerInvariant(h.store)

                // A non-admin pressing the admin's buttons changes nothing.
                await h.fake.tapData("kd:1:1", messageId: 1, as: juan)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                #expect(try await h.store.booking(BookingID(1))?.refundState == .pending)

                await h.fake.sendText("/admin_models", from: admin)
                try await h.expectLast(admin.id, contains: "🛠 Admin")
                try await h.tap("💸 Refunds and reports", as: admin)
                try await h.expectLast(admin.id, contains: "Refunds to do by hand")
                try await h.tap("✅ Refund done #1", as: admin)
                try await h.expectLast(admin.id, contains: "Did you refund")
                let reference = method == "epayco" ? "EP-REF-77" : nil
                if let reference {
                    // The reference is optional; a bad one is refused with the reason and changes nothing.
                    await h.fake.sendText(String(repeating: "x", count: 101), from: admin)
                    try await h.expectLast(admin.id, contains: "A reference is 1–100 characters")
                    await h.fake.sendText(reference, from: admin)
                    try await h.expectLast(admin.id, contains: "Reference: \(reference)")
                    #expect(try await h.store.booking(BookingID(1))?.refundState == .pending)
                }
                try await h.tap("✅ Yes, the refund is done", as: admin)
                try await h.expectLast(admin.id, contains: "Refund of #1 recorded")

                b = try #require(try await h.store.booking(BookingID(1)))
                #expect(b.refundState == .refunded && b.paymentState == .refunded)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).map(\.kind) == [.payment, .refund])
                #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).first?.status
                        == "refunded by hand (admin 9001\(reference.map { ", reference \($0)" } ?? ""))")
                let audit = try await h.store.auditLog(limit: 20)
                #expect(audit.contains { $0.action == "refund.manual_done" && $0.actor == 9001 })
                #expect(audit.contains { $0.action == "refund.manual_pending" })
                try await Self.expectMessage(h, maria.id, contains: "Refund sent")
                try await Self.expectMessage(h, anna.id, contains: "Booking #1 was refunded to the user")
                try await Self.expectLedgerInvariant(h.store)

                // The list is empty now; the old button changes nothing.
                let screen = try await h.expectLast(admin.id, contains: "Nothing is waiting")
                await h.fake.tapData("kd:1:1", messageId: screen.messageId, as: admin)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                try await h.expectLast(admin.id, contains: "Nothing is waiting")
                #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 2)
            }
        }
    }

    // MARK: Reschedule

    @Test func aUserReschedulesBeforeTheCutoffButNotIntoATakenTimeNorAfterIt() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            try await linkAnna(h)
            let maria = self.maria
            let mine = try await Self.paidBooking(h, user: maria.id, start: Self.madrid(day: 2, hour: 18), method: "stripe", reference: "pi_move")
            try await Self.paidBooking(h, user: 8001, start: Self.madrid(day: 2, hour: 20), method: "stripe", reference: "pi_other")
            try await Self.paidBooking(h, user: maria.id, start: Self.madrid(day: 0, hour: 18), method: "stripe", reference: "pi_today")
            try await h.run(Self.env) { _ in
                try await greet(h, [maria, anna])
                await h.fake.sendText("/my_bookings", from: maria)
                try await h.expectLast(maria.id, contains: "My bookings")
                try await h.tap("🔁 Reschedule #1", as: maria)
                try await h.expectLast(maria.id, contains: "Move booking #1")
                try await h.tap("Fri 27 Nov", as: maria)
                let picker = try await h.expectLast(maria.id, contains: "Pick the new start time")
                let times = h.fake.buttonLabels(of: picker).joined()
                #expect(times.contains("19:00") && times.contains("18:30") && times.contains("21:00"))
                #expect(!times.contains("18:00"), "its own time is not a move")
                #expect(!times.contains("20:00") && !times.contains("19:15"), "the other call's time is busy")

                // Someone holds 21:00 meanwhile: the stale button is refused and nothing changes.
                _ = try await h.store.createHold(try Booking.hold(
                    hostID: HostID(1), userID: TelegramUserID(8002), start: Self.madrid(day: 2, hour: 21), minutes: 60,
                    pricePerMinute: Money(minorUnits: 500, currency: .usd), commission: .standard, now: h.clock.now, holdMinutes: 30), bufferMinutes: 0, maxLiveHolds: .max)
                try await h.tap("21:00", as: maria)
                try await h.expectLast(maria.id, contains: "That time is no longer free")
                #expect(try await h.store.booking(BookingID(1)) == mine)

                try await h.tap("19:00", as: maria)
                try await h.expectLast(maria.id, contains: "No new payment is needed")
                try await h.tap("✅ Move it", as: maria)
                try await Self.expectMessage(h, maria.id, contains: "Booking #1 moved to")
                let moved = try #require(try await h.store.booking(BookingID(1)))
                #expect(moved.time == TimeRange(start: Self.madrid(day: 2, hour: 19), minutes: 60))
                #expect(moved.status == .confirmed && moved.price == mine.price && moved.paymentState == .paid)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
                #expect(try await h.store.paymentEvents(bookingID: BookingID(1)).isEmpty, "no new payment")
                #expect(try await h.store.busyRanges(hostID: HostID(1), overlapping: mine.time, at: h.clock.now).isEmpty, "the old time is free")
                try await Self.expectMessage(h, maria.id, contains: "New time:")
                try await Self.expectMessage(h, anna.id, contains: "Booking #1 moved by the user")
                try await Self.expectLedgerInvariant(h.store)

                // Today's call is inside the cut-off: it cannot move.
                await h.fake.sendText("/my_bookings", from: maria)
                try await h.expectLast(maria.id, contains: "My bookings")
                try await h.tap("🔁 Reschedule #3", as: maria)
                try await Self.expectMessage(h, maria.id, contains: "less than 24 h: it can no longer be moved")
                #expect(try await h.store.booking(BookingID(3))?.time.start == Self.madrid(day: 0, hour: 18))
            }
        }
    }

    // MARK: No-show

    @Test(.enabled(if: Peers.shouldRun))
    func aNoShowReportedByTheUserAndConfirmedByAnAdminIsRefunded() async throws {
        let peer = try await LocalStripe.start()
        defer { peer.stop() }
        let intent = try await Self.paymentIntent(on: peer)
        try await BotHarness.with { h in
            try await h.addHost()
            try await linkAnna(h)
            let (maria, juan, admin) = (self.maria, self.juan, self.admin)
            // Today 11:00–12:00 Madrid; then the clock passes the end.
            try await Self.paidBooking(h, user: maria.id, start: Self.madrid(day: 0, hour: 11), method: "stripe", reference: intent)
            h.clock.advance(minutes: 4 * 60)
            try await h.run(Self.stripeEnv(peer)) { _ in
                try await greet(h, [maria, juan, anna, admin])
                // The call has ended: the scheduler's review prompt comes first, so it cannot land between a
                // press and its reply below.
                try await Self.expectMessage(h, maria.id, contains: "How was your call with Anna?")
                try await h.outboxIdle()
                await h.fake.sendText("/my_bookings", from: maria)
                try await h.expectLast(maria.id, contains: "My bookings")
                try await h.tap("🚫 Host didn't show #1", as: maria)
                try await h.expectLast(maria.id, contains: "Report that the host did not show up")
                try await h.tap("🚫 Report it", as: maria)
                try await h.expectLast(maria.id, contains: "An admin will review your report on booking #1")
                try await Self.expectMessage(h, admin.id, contains: "No-show reported")
                #expect(try await h.store.booking(BookingID(1))?.paymentState == .paid)

                // A second report, and someone else's, change nothing.
                await h.fake.tapData("kn:1:1", messageId: 1, as: juan)
                await h.fake.tapData("kv:1:1", messageId: 1, as: juan)
                try await h.fake.waitUntil { await h.fake.unansweredCallbackQueries().isEmpty }
                #expect(try await h.store.openNoShowReports().map(\.reportedBy) == [TelegramUserID(maria.id)])
                #expect(try await h.store.booking(BookingID(1))?.paymentState == .paid)

                await h.fake.sendText("/admin_models", from: admin)
                try await h.expectLast(admin.id, contains: "🛠 Admin")
                try await h.tap("💸 Refunds and reports", as: admin)
                try await h.expectLast(admin.id, contains: "No-show reports")
                try await h.tap("✅ No-show #1: refund", as: admin)
                try await h.expectLast(admin.id, contains: "Refund sent ($300.00)")

                #expect(try await Self.refunds(on: peer, intent: intent).count == 1)
                let b = try #require(try await h.store.booking(BookingID(1)))
                #expect(b.status == .cancelled && b.cancelledBy == .host && b.refundState == .refunded)
                #expect(try await h.store.openNoShowReports().isEmpty)
                try await Self.expectLedgerInvariant(h.store)
                try await Self.expectMessage(h, maria.id, contains: "We confirmed that the host did not show up")
                try await Self.expectMessage(h, maria.id, contains: "Refund sent")
                try await Self.expectMessage(h, anna.id, contains: "confirmed as a no-show")
                try await Self.expectMessage(h, anna.id, contains: "Booking #1 was refunded to the user")
            }
        }
    }

    @Test func aRejectedNoShowReportChangesNothingButTellsTheUser() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            try await linkAnna(h)
            let (maria, admin) = (self.maria, self.admin)
            let booking = try await Self.paidBooking(h, user: maria.id, start: Self.madrid(day: 0, hour: 11), method: "epayco", reference: "epayco:1")
            h.clock.advance(minutes: 4 * 60)
            try await h.run(Self.env) { _ in
                try await greet(h, [maria, anna, admin])
                // The scheduler's review prompt first (the call has ended), so it cannot land between a press and its reply.
                try await Self.expectMessage(h, maria.id, contains: "How was your call with Anna?")
                try await h.outboxIdle()
                await h.fake.sendText("/my_bookings", from: maria)
                try await h.expectLast(maria.id, contains: "My bookings")
                try await h.tap("🚫 Host didn't show #1", as: maria)
                try await h.tap("🚫 Report it", as: maria)
                try await Self.expectMessage(h, admin.id, contains: "No-show reported")
                // Reported once: the button is gone from the list.
                await h.fake.sendText("/my_bookings", from: maria)
                let list = try await h.expectLast(maria.id, contains: "My bookings")
                #expect(!h.fake.buttonLabels(of: list).joined().contains("🚫 Host didn't show #1"))

                await h.fake.sendText("/admin_models", from: admin)
                try await h.expectLast(admin.id, contains: "🛠 Admin")
                try await h.tap("💸 Refunds and reports", as: admin)
                try await h.tap("✖️ Reject #1", as: admin)
                try await h.expectLast(admin.id, contains: "Report resolved")
                try await Self.expectMessage(h, maria.id, contains: "could not confirm it, so no refund is due")
                let after = try #require(try await h.store.booking(BookingID(1)))
                // (The call scheduler may have moved it on to active or completed meanwhile; it is not cancelled.)
                #expect(after.status != .cancelled && after.paymentState == .paid && after.refundState == .none && after.price == booking.price)
                #expect(try await h.store.ledger(bookingID: BookingID(1)).count == 1)
                #expect(try await h.store.openNoShowReports().isEmpty)
                #expect(try await h.store.auditLog(limit: 10).contains { $0.action == "booking.no_show_reject" && $0.actor == 9001 })
                try await Self.expectLedgerInvariant(h.store)
            }
        }
    }

    @Test func aRefundThatFailsIsMarkedAndAnAdminRetriesIt() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let (maria, admin) = (self.maria, self.admin)
            try await h.run(Self.env) { _ in
                // A Stars booking whose charge Telegram does not know: the refund fails, then works once it does.
                try await Self.bookAndPayWithStars(h, maria, query: "pcq-f", charge: "stxRetry")
                await h.fake.failNext("refundStarPayment", code: 500, description: "Internal Server Error")

                await h.fake.sendText("/admin_models", from: admin)
                try await h.expectLast(admin.id, contains: "🛠 Admin")
                try await h.tap("📋 Bookings", as: admin)
                try await h.tap("❌ Cancel #1", as: admin)
                try await h.tap("✅ Yes, cancel it", as: admin)
                try await h.expectLast(admin.id, contains: "The refund failed")
                #expect(try await h.store.booking(BookingID(1))?.refundState == .failed)
                #expect(try await h.store.auditLog(limit: 10).contains { $0.action == "refund.failed" })
                try await Self.expectMessage(h, admin.id, contains: "Refund failed")
                try await Self.expectLedgerInvariant(h.store)

                await h.fake.sendText("/admin_models", from: admin)
                try await h.expectLast(admin.id, contains: "🛠 Admin")
                try await h.tap("💸 Refunds and reports", as: admin)
                try await h.expectLast(admin.id, contains: "Failed refunds")
                try await h.tap("🔁 Retry refund #1", as: admin)
                try await h.expectLast(admin.id, contains: "Refund sent (15000 ⭐)")
                #expect(await h.fake.refundedCharges() == ["stxRetry"])
                #expect(try await h.store.booking(BookingID(1))?.refundState == .refunded)
                try await Self.expectLedgerInvariant(h.store)
            }
        }
    }

    /// A refund interrupted after the cancellation committed (the process died before calling the provider)
    /// stays owed; the scheduler sends it again once it has been pending a few minutes — Stars here — and
    /// leaves a manual (ePayco) refund to the admin.
    @Test func anInterruptedRefundIsRetriedByTheScheduler() async throws {
        try await BotHarness.with { h in
            try await h.addHost()
            let maria = self.maria
            try await h.run(Self.env) { _ in
                try await Self.bookAndPayWithStars(h, maria, query: "pcq-r1", charge: "stxInterrupted")
                // An ePayco booking whose manual refund is owed too: never retried automatically.
                let manual = try await Self.paidBooking(h, user: maria.id, start: Self.madrid(day: 2, hour: 12), method: "epayco", reference: "ref-1")
                // The host's cancellation commits, and then the process "dies": no provider call was made.
                _ = try await h.store.apply(.cancelled(by: .host, refund: true, at: h.clock.now), to: BookingID(1))
                _ = try await h.store.apply(.cancelled(by: .admin, refund: true, at: h.clock.now), to: manual.id!)
                // Within the grace period nothing happens (a refund in flight must not be doubled)…
                h.clock.advance(minutes: 2)
                try await Self.schedulerTicked(h, sentinel: 1)
                #expect(await h.fake.refundedCharges().isEmpty)
                // …after it, the scheduler sends it once, settles it and reverses the ledger.
                h.clock.advance(minutes: 4)
                try await h.fake.waitUntil { (try? await h.store.booking(BookingID(1)))?.refundState == .refunded }
                #expect(await h.fake.refundedCharges() == ["stxInterrupted"])
                #expect(try await h.store.ledger(bookingID: BookingID(1)).map(\.kind) == [.payment, .refund])
                try await Self.expectLedgerInvariant(h.store)
                try await Self.expectMessage(h, maria.id, contains: "15000 ⭐")
                // More ticks change nothing; the manual refund still waits for an admin.
                h.clock.advance(minutes: 10)
                try await Self.schedulerTicked(h, sentinel: 3)
                #expect(await h.fake.refundedCharges() == ["stxInterrupted"])
                #expect(try await h.store.booking(manual.id!)?.refundState == .pending)
            }
        }
    }
}
