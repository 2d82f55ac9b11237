import FakeTelegram
import Telegram
import Testing

@Suite("Photos, media groups, commands, payments")
struct MediaAndPaymentTests {
    @Test func photosNeedAKnownFileIdAndNoTokenURL() async throws {
        try await withFake { fake, client in
            await fake.sendPhoto(fileId: "AgACphoto", caption: "me", from: alice)
            try await client.sendPhoto(SendPhoto(chatId: alice.id, photo: "AgACphoto"))
            #expect(await failure { try await client.sendPhoto(SendPhoto(chatId: alice.id, photo: "AgACnever-seen")) }
                == badRequest("wrong file identifier/HTTP URL specified"))
            let leaked = "https://api.telegram.org/file/bot123456:TEST-token/photos/file_1.jpg"
            #expect(await failure { try await client.sendPhoto(SendPhoto(chatId: alice.id, photo: leaked)) }
                == badRequest("wrong file identifier/HTTP URL specified"))
            #expect(await failure { try await client.sendPhoto(SendPhoto(chatId: alice.id, photo: "")) } != nil)
            await fake.registerFile("AgACseeded")
            try await client.sendPhoto(SendPhoto(chatId: alice.id, photo: "AgACseeded"))
        }
    }

    @Test func mediaGroupsNeed2To10Items() async throws {
        try await withFake { fake, client in
            await fake.sendPhoto(fileId: "p", caption: nil, from: alice)
            let group = { (count: Int) async throws -> [Message] in
                try await client.sendMediaGroup(SendMediaGroup(chatId: alice.id, media: (0..<count).map { InputMediaPhoto(media: "p", caption: "#\($0)") }))
            }
            #expect(await failure { try await group(1) } == badRequest("media must include 2-10 items"))
            #expect(await failure { try await group(11) } == badRequest("media must include 2-10 items"))
            let two = try await group(2)
            #expect(two.count == 2)
            #expect(two[0].mediaGroupId != nil && two[0].mediaGroupId == two[1].mediaGroupId)
            #expect(two.map(\.caption) == ["#0", "#1"])
            #expect(two[1].messageId == two[0].messageId + 1)
            let ten = try await group(10)
            #expect(Set(ten.compactMap(\.mediaGroupId)).count == 1)
            #expect(ten[0].mediaGroupId != two[0].mediaGroupId)
            #expect(await fake.messages(chat: alice.id).count == 12)
        }
    }

    @Test func commandsAreValidated() async throws {
        try await withFake { fake, client in
            let good = [BotCommand(command: "start", description: "Start"), BotCommand(command: "my_bookings2", description: "Bookings")]
            try await client.setMyCommands(SetMyCommands(commands: good))
            #expect(await fake.commands() == good)
            for bad in [BotCommand(command: "Start", description: "x"), BotCommand(command: "", description: "x"),
                        BotCommand(command: String(repeating: "a", count: 33), description: "x"), BotCommand(command: "ok", description: ""),
                        BotCommand(command: "ok", description: String(repeating: "d", count: 257))] {
                #expect(await failure { try await client.setMyCommands(SetMyCommands(commands: [bad])) } != nil, "\(bad)")
            }
            let tooMany = (0..<101).map { BotCommand(command: "c\($0)", description: "d") }
            #expect(await failure { try await client.setMyCommands(SetMyCommands(commands: tooMany)) } != nil)
        }
    }

    @Test func starsInvoiceRejectsAProviderToken() async throws {
        try await withFake { fake, client in
            await fake.sendText("pay", from: alice)
            let price = [LabeledPrice(label: "Call", amount: 500)]
            let withToken = SendInvoice(chatId: alice.id, title: "Call", description: "30 min", payload: "b:1", providerToken: "284685063:TEST", currency: "XTR", prices: price)
            guard case .api(400, _) = await failure({ try await client.sendInvoice(withToken) }) else {
                Issue.record("a Stars invoice with a provider token was accepted")
                return
            }
            let twoPrices = SendInvoice(chatId: alice.id, title: "Call", description: "30 min", payload: "b:1", currency: "XTR", prices: price + price)
            #expect(await failure { try await client.sendInvoice(twoPrices) } != nil)
            let longPayload = SendInvoice(chatId: alice.id, title: "Call", description: "30 min", payload: String(repeating: "p", count: 129), currency: "XTR", prices: price)
            #expect(await failure { try await client.sendInvoice(longPayload) } != nil)
            let longTitle = SendInvoice(chatId: alice.id, title: String(repeating: "t", count: 33), description: "30 min", payload: "b:1", currency: "XTR", prices: price)
            #expect(await failure { try await client.sendInvoice(longTitle) } != nil)

            let message = try await client.sendInvoice(SendInvoice(chatId: alice.id, title: "Call", description: "30 min", payload: "b:1", currency: "XTR", prices: price))
            #expect(message.invoice?.currency == "XTR")
            #expect(message.invoice?.totalAmount == 500)
            #expect(await fake.lastMessage(chat: alice.id)?.invoice?.title == "Call")
        }
    }

    @Test func preCheckoutQueriesAreAnsweredOnce() async throws {
        try await withFake { fake, client in
            await fake.sendPreCheckoutQuery(PreCheckoutQuery(id: "pcq-1", from: alice, currency: "XTR", totalAmount: 500, invoicePayload: "b:1"))
            #expect(await fake.unansweredPreCheckoutQueries() == ["pcq-1"])
            #expect(await failure { try await client.answerPreCheckoutQuery(AnswerPreCheckoutQuery(preCheckoutQueryId: "pcq-1", ok: false)) } != nil)
            try await client.answerPreCheckoutQuery(AnswerPreCheckoutQuery(preCheckoutQueryId: "pcq-1", ok: true))
            #expect(await fake.unansweredPreCheckoutQueries().isEmpty)
            #expect(await failure { try await client.answerPreCheckoutQuery(AnswerPreCheckoutQuery(preCheckoutQueryId: "pcq-1", ok: true)) }
                == badRequest("query is too old and response timeout expired or query ID is invalid"))
            #expect(await failure { try await client.answerPreCheckoutQuery(AnswerPreCheckoutQuery(preCheckoutQueryId: "other", ok: true)) } != nil)
        }
    }

    @Test func starPaymentsAreRefundedOnceToTheirPayer() async throws {
        try await withFake { fake, client in
            let payment = SuccessfulPayment(currency: "XTR", totalAmount: 500, invoicePayload: "b:1", telegramPaymentChargeId: "charge-1", providerPaymentChargeId: "")
            await fake.sendSuccessfulPayment(payment, from: alice)
            let updates = try await client.getUpdates(offset: nil, timeout: 0)
            #expect(updates.first?.message?.successfulPayment == payment)
            #expect(await failure { try await client.refundStarPayment(RefundStarPayment(userId: bob.id, telegramPaymentChargeId: "charge-1")) } != nil)
            #expect(await failure { try await client.refundStarPayment(RefundStarPayment(userId: alice.id, telegramPaymentChargeId: "charge-x")) } != nil)
            try await client.refundStarPayment(RefundStarPayment(userId: alice.id, telegramPaymentChargeId: "charge-1"))
            #expect(await fake.refundedCharges() == ["charge-1"])
            #expect(await failure { try await client.refundStarPayment(RefundStarPayment(userId: alice.id, telegramPaymentChargeId: "charge-1")) }
                == badRequest("CHARGE_ALREADY_REFUNDED"))
        }
    }
}
