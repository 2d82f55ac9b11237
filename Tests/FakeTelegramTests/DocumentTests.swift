import FakeTelegram
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Telegram
import Testing

/// A ledger export as an admin gets it: BOM, commas and quotes inside fields, é and €, CRLF rows, a line break inside
/// a quoted field, and lines that look like multipart framing.
private let ledger: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((
    "booking,host,amount,currency,note\r\n"
    + "42,\"Zoë, PhD\",12.50,EUR,\"said \"\"hi\"\"\"\r\n"
    + "43,Renée,€9.00,EUR,\"line one\r\nline two\"\r\n"
    + "--privatecalls-notTheBoundary\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n999\r\n"
).utf8)

private func csv(_ name: String = "commissions-2025-01.csv", _ data: [UInt8] = ledger) -> InputFile {
    InputFile(filename: name, contentType: "text/csv; charset=utf-8", data: data)
}

/// POSTs a hand-made body to the fake; returns the HTTP status and Telegram's error description.
private func post(_ fake: FakeBotAPI, _ method: String, contentType: String, body: String) async throws -> (status: Int, error: String?) {
    var request = URLRequest(url: URL(string: "\(fake.baseURL)/bot\(fake.token)/\(method)")!)
    request.httpMethod = "POST"
    request.setValue(contentType, forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(body.utf8)
    let (data, response) = try await URLSession.shared.data(for: request)
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, json?["description"] as? String)
}

private let form = "multipart/form-data; boundary=XyZ"

@Suite("sendDocument: multipart uploads")
struct DocumentTests {
    @Test func aCSVArrivesByteIdenticalWithItsNameAndCaption() async throws {
        try await withFake { fake, client in
            await fake.sendText("/export", from: alice)
            let message = try await client.sendDocument(chatId: alice.id, document: csv(), caption: "<b>Commissions</b>, January — 3 rows")
            let document = try #require(message.document)
            #expect(document.fileId == "doc-1")
            #expect(document.fileName == "commissions-2025-01.csv")
            #expect(document.mimeType == "text/csv; charset=utf-8")
            #expect(document.fileSize == ledger.count)
            #expect(message.caption == "Commissions, January — 3 rows")

            let received = await fake.documents(chat: alice.id)
            #expect(received.count == 1)
            #expect(received.first?.data == ledger)
            #expect(received.first?.fileName == "commissions-2025-01.csv")
            #expect(received.first?.caption == "Commissions, January — 3 rows")
            #expect(await fake.lastMessage(chat: alice.id)?.document == document)

            let call = try #require(await fake.calls("sendDocument").first)
            #expect(call.status == 200)
            #expect(call.files.map(\.field) == ["document"])
            let json = try #require(try JSONSerialization.jsonObject(with: call.body) as? [String: Any])
            #expect(json["chat_id"] as? Int == Int(alice.id))
            #expect(json["caption"] as? String == "<b>Commissions</b>, January — 3 rows")
            #expect(json["parse_mode"] as? String == "HTML")
        }
    }

    @Test func theBodyIsWellFormedWithABoundaryFoundInNoContent() throws {
        var form = MultipartForm()
        form.add("chat_id", "1001")
        form.add("caption", nil)
        form.add("document", file: csv("a \"b\" \\ é.csv"))
        let (contentType, body) = form.encoded()
        let prefix = "multipart/form-data; boundary="
        #expect(contentType.hasPrefix(prefix + "privatecalls-"))
        let boundary = String(contentType.dropFirst(prefix.count))
        #expect((1...70).contains(boundary.utf8.count))
        let head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n1001\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a \\\"b\\\" \\\\ é.csv\"\r\n"
            + "Content-Type: text/csv; charset=utf-8\r\n\r\n"
        #expect(body == Array(head.utf8) + ledger + Array("\r\n--\(boundary)--\r\n".utf8))
        // A boundary is drawn again while it occurs in a content.
        var draws = 0
        _ = MultipartForm.boundary { _ in draws += 1; return draws < 3 }
        #expect(draws == 3)
        #expect(MultipartForm.occurs("aab", in: Array("xaaab".utf8)))
        #expect(MultipartForm.occurs("ab", in: Array("xab".utf8)))
        #expect(!MultipartForm.occurs("abc", in: Array("ababx".utf8)))
        #expect(!MultipartForm.occurs("abc", in: []))
    }

    @Test func everyByteValueSurvives() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let bytes = (0..<4).flatMap { _ in (0...255).map(UInt8.init) } + Array("\r\n--".utf8)
            let message = try await client.sendDocument(chatId: alice.id, document: InputFile(filename: "raw.bin", data: bytes))
            #expect(message.document?.mimeType == "application/octet-stream")
            #expect(message.caption == nil)
            #expect(await fake.documents(chat: alice.id).first?.data == bytes)
        }
    }

    @Test func filenamesWithQuotesBackslashesSemicolonsAndNonASCIISurvive() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let names = ["Q1 \"final\"; é€ \\ report.csv", "Résumé – 2025 €.csv", "commissions \"2025\".csv", "a;b=c.csv"]
            for name in names {
                let message = try await client.sendDocument(chatId: alice.id, document: csv(name))
                #expect(message.document?.fileName == name)
            }
            #expect(await fake.documents(chat: alice.id).map(\.fileName) == names)
            #expect(await fake.documents(chat: alice.id).allSatisfy { $0.data == ledger })
            // A header cannot carry line breaks: they become spaces rather than new headers.
            let injected = try await client.sendDocument(chatId: alice.id, document: csv("x.csv\r\nContent-Type: text/html"))
            #expect(injected.document?.fileName == "x.csv  Content-Type: text/html")
            #expect(injected.document?.mimeType == "text/csv; charset=utf-8")
        }
    }

    @Test func badUploadsAreRefused() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            guard case .api(400, let emptyName) = await failure({ try await client.sendDocument(chatId: alice.id, document: csv("")) }) else {
                Issue.record("a document with an empty file name was accepted")
                return
            }
            #expect(emptyName.hasPrefix("Bad Request: the uploaded document has an empty file name"))
            #expect(await failure { try await client.sendDocument(chatId: alice.id, document: csv("empty.csv", [])) }
                == badRequest("file must be non-empty"))
            #expect(await failure { try await client.sendDocument(chatId: 999, document: csv()) } == badRequest("chat not found"))
            await fake.blockBot(by: alice)
            #expect(await failure { try await client.sendDocument(chatId: alice.id, document: csv()) }
                == .api(code: 403, description: "Forbidden: bot was blocked by the user"))
            #expect(await fake.documents(chat: alice.id).isEmpty)
            #expect(await fake.calls("sendDocument").map(\.status) == [400, 400, 400, 403])
        }
    }

    @Test func captionsFollowTheHTMLRulesWithin1024Characters() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let send = { (caption: String) async throws -> Message in
                try await client.sendDocument(chatId: alice.id, document: csv(), caption: caption)
            }
            #expect(await failure { try await send(String(repeating: "x", count: 1025)) } == badRequest("message caption is too long"))
            #expect(try await send(String(repeating: "€", count: 1024)).caption?.count == 1024)
            // The limit counts the text after entity parsing: tags are free.
            #expect(try await send("<b>" + String(repeating: "x", count: 1024) + "</b>").caption?.count == 1024)
            guard case .api(400, let description) = await failure({ try await send("<b>unclosed") }) else {
                Issue.record("malformed caption HTML was accepted")
                return
            }
            #expect(description.hasPrefix("Bad Request: can't parse entities:"))
            #expect(try await send("   ").caption == nil)
            let plain = try await client.sendDocument(chatId: alice.id, document: csv(), caption: "<b>as is</b>", parseMode: nil)
            #expect(plain.caption == "<b>as is</b>")
        }
    }

    @Test func replyMarkupRoundTrips() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let markup = InlineKeyboardMarkup(inlineKeyboard: [
                [InlineKeyboardButton(text: "Resend", callbackData: "export:2025-01"), InlineKeyboardButton(text: "Guide", url: "https://example.com/a?b=1&c=\"2\"")],
            ])
            let message = try await client.sendDocument(chatId: alice.id, document: csv(), caption: "Ledger", replyMarkup: markup)
            #expect(message.replyMarkup == markup)
            #expect(await fake.lastMessage(chat: alice.id)?.replyMarkup == markup)
            try await fake.tap("Resend", as: alice)
            #expect(try await client.getUpdates(offset: nil, timeout: 0).last?.callbackQuery?.data == "export:2025-01")
            #expect(await failure { try await client.sendDocument(chatId: alice.id, document: csv(), replyMarkup: keyboard(String(repeating: "d", count: 65))) }
                == badRequest("BUTTON_DATA_INVALID"))
        }
    }

    @Test func aDocumentStringMustBeAKnownFileId() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            try await client.sendDocument(chatId: alice.id, document: csv())
            let resend = { (document: String) in
                try await post(fake, "sendDocument", contentType: form, body: "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n\(alice.id)\r\n"
                    + "--XyZ\r\nContent-Disposition: form-data; name=\"document\"\r\n\r\n\(document)\r\n--XyZ--\r\n")
            }
            #expect(try await resend("doc-1").status == 200)
            #expect(await fake.documents(chat: alice.id).map(\.data) == [ledger, ledger])
            #expect(try await resend("doc-99") == (400, "Bad Request: wrong file identifier/HTTP URL specified"))
            // A file's content sent without a filename is just a string, so not a file.
            #expect(try await resend("booking,host\r\n42,Zoë") == (400, "Bad Request: wrong file identifier/HTTP URL specified"))
            #expect(try await resend("https://example.com/ledger.csv") == (400, "Bad Request: wrong type of the web page content"))
            #expect(try await resend("https://example.com/ledger.pdf").status == 200)
            await fake.registerFile("BQACAgIAAxkBAAIBseeded")
            #expect(try await resend("BQACAgIAAxkBAAIBseeded").status == 200)
        }
    }

    @Test func aMissingDocumentOrMalformedBodyIs400() async throws {
        try await withFake { fake, _ in
            await fake.sendText("hi", from: alice)
            let chat = "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n\(alice.id)\r\n"
            #expect(try await post(fake, "sendDocument", contentType: form, body: chat + "--XyZ--\r\n")
                == (400, "Bad Request: there is no document in the request"))
            let attached = chat + "--XyZ\r\nContent-Disposition: form-data; name=\"document\"\r\n\r\nattach://ledger\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"ledger\"; filename=\"l.csv\"\r\n\r\na,b\r\n--XyZ--\r\n"
            #expect(try await post(fake, "sendDocument", contentType: form, body: attached).status == 200)
            #expect(await fake.documents(chat: alice.id).first?.fileName == "l.csv")

            let file = "--XyZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.csv\"\r\n\r\na,b\r\n"
            let malformed: [(contentType: String, body: String, error: String)] = [
                ("multipart/form-data", chat + file + "--XyZ--\r\n", "Bad Request: boundary not found"),
                ("multipart/form-data; boundary=\"\"", chat + file + "--XyZ--\r\n", "Bad Request: boundary too big or empty"),
                (form, chat + file, "Bad Request: can't parse multipart/form-data: the closing boundary is missing"),
                (form, chat + "--XyZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.csv\"\r\n\r\na,b", "Bad Request: can't parse multipart/form-data: the closing boundary is missing"),
                (form, "no boundary here", "Bad Request: can't parse multipart/form-data: no boundary line"),
                (form, chat + "--XyZ\r\nContent-Type: text/csv\r\n\r\na,b\r\n--XyZ--\r\n", "Bad Request: field name in multipart/form-data not found"),
                (form, chat + "--XyZ\r\nContent-Disposition: form-data; filename=\"a.csv\"\r\n\r\na,b\r\n--XyZ--\r\n", "Bad Request: field name in multipart/form-data not found"),
                (form, chat + "--XyZ\r\nContent-Disposition: attachment; name=\"document\"\r\n\r\na,b\r\n--XyZ--\r\n", "Bad Request: expected form-data content disposition"),
                (form, chat + "--XyZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.csv\r\n\r\na,b\r\n--XyZ--\r\n", "Bad Request: can't parse form data headers"),
                (form, chat + "--XyZ\r\n\r\na,b\r\n--XyZ--\r\n", "Bad Request: headers in multipart/form-data are empty"),
                (form, chat + "--XyZ garbage\r\n" + file + "--XyZ--\r\n", "Bad Request: can't parse multipart/form-data: a boundary line must end with CRLF"),
            ]
            for bad in malformed {
                let answer = try await post(fake, "sendDocument", contentType: bad.contentType, body: bad.body)
                #expect(answer == (400, bad.error), "\(bad.body)")
            }
            #expect(await fake.documents(chat: alice.id).count == 1)
        }
    }

    @Test func multipartWorksForOtherMethodsButUploadsOnlyForSendDocument() async throws {
        try await withFake { fake, _ in
            await fake.sendText("hi", from: alice)
            let body = "preamble is ignored\r\n--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n\(alice.id)\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n007 <b>bold</b>\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"reply_markup\"\r\n\r\n{\"inline_keyboard\":[[{\"text\":\"A\",\"callback_data\":\"a\"}]]}\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"parse_mode\"\r\n\r\nHTML\r\n--XyZ--\r\nepilogue too"
            #expect(try await post(fake, "sendMessage", contentType: form, body: body).status == 200)
            let message = try #require(await fake.lastMessage(chat: alice.id))
            #expect(message.text == "007 bold")
            #expect(fake.buttonLabels(of: message) == [["A"]])
            #expect(try await fake.calls("sendMessage").first?.decode(SendMessage.self).chatId == alice.id)

            let photo = "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n\(alice.id)\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n\r\n\u{FF}\r\n--XyZ--\r\n"
            #expect(try await post(fake, "sendPhoto", contentType: form, body: photo)
                == (400, "Bad Request: FakeBotAPI implements file uploads only for sendDocument; send sendPhoto files by file_id"))
        }
    }

    @Test func uploadsAreLimitedTo50MB() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            var big = [UInt8](repeating: UInt8(ascii: "x"), count: 50 << 20)
            try await client.sendDocument(chatId: alice.id, document: InputFile(filename: "big.csv", data: big))
            #expect(await fake.documents(chat: alice.id).first?.data.count == 50 << 20)
            big.append(UInt8(ascii: "y"))
            #expect(await failure { try await client.sendDocument(chatId: alice.id, document: InputFile(filename: "big.csv", data: big)) }
                == .api(code: 413, description: "Request Entity Too Large"))
        }
    }
}
