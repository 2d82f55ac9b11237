import FakeTelegram
import Telegram
import Testing

@Suite("parse_mode HTML")
struct HTMLTests {
    @Test(arguments: [
        "a < b",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "<i>text</b>",
        "text</i>",
        "<br>line",
        "<p>para</p>",
        "<span>plain span</span>",
        "Q&A",
        "&nbsp;",
        "&#xZZ;",
        "<a href=\"https://example.com\">unterminated",
        "<b",
    ])
    func malformedHTMLIsRejected(_ html: String) async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let error = await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: html)) }
            guard case .api(400, let description) = error else {
                Issue.record("expected a 400 for \(html), got \(String(describing: error))")
                return
            }
            #expect(description.hasPrefix("Bad Request: can't parse entities: "))
        }
    }

    @Test func errorsNameTheProblem() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let mismatched = await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "<b>x</i>")) }
            #expect(mismatched == badRequest("can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""))
            let unknown = await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "x<br>")) }
            #expect(unknown == badRequest("can't parse entities: Unsupported start tag \"br\" at byte offset 1"))
            let unclosed = await failure { try await client.sendMessage(SendMessage(chatId: alice.id, text: "<b>x")) }
            #expect(unclosed == badRequest("can't parse entities: Can't find end tag corresponding to start tag \"b\""))
        }
    }

    @Test func validHTMLIsStoredAsPlainText() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let html = """
                <b>Price</b>: 10 &lt; 20 &amp;&amp; &quot;ok&quot; &#8364;5 &#x1F600; a > b
                <a href="https://example.com/?a=1&amp;b=2">link</a> <i><u>nested</u></i> <tg-spoiler>s</tg-spoiler> \
                <span class="tg-spoiler">t</span> <s>x</s> <code>c</code> <pre><code class="language-swift">let a = 1</code></pre> \
                <blockquote expandable>q</blockquote> <STRONG>caps</STRONG>
                """
            let sent = try await client.sendMessage(SendMessage(chatId: alice.id, text: html))
            let expected = """
                Price: 10 < 20 && "ok" €5 😀 a > b
                link nested s t x c let a = 1 q caps
                """
            #expect(sent.text == expected)
            #expect(await fake.lastMessage(chat: alice.id)?.text == expected)
        }
    }

    @Test func plainTextIsNotParsedAndIsTrimmed() async throws {
        try await withFake { fake, client in
            await fake.sendText("hi", from: alice)
            let sent = try await client.sendMessage(SendMessage(chatId: alice.id, text: "  a < b & <c>  \n", parseMode: nil))
            #expect(sent.text == "a < b & <c>")
        }
    }

    @Test func captionsAreParsedAndLimitedTo1024() async throws {
        try await withFake { fake, client in
            await fake.sendPhoto(fileId: "photo-1", caption: nil, from: alice)
            let sent = try await client.sendPhoto(SendPhoto(chatId: alice.id, photo: "photo-1", caption: "<i>Nice</i> &amp; sharp"))
            #expect(sent.caption == "Nice & sharp")
            #expect(sent.photo?.last?.fileId == "photo-1")
            let long = "<b>" + String(repeating: "x", count: 1025) + "</b>"
            #expect(await failure { try await client.sendPhoto(SendPhoto(chatId: alice.id, photo: "photo-1", caption: long)) }
                == badRequest("message caption is too long"))
            #expect(await failure { try await client.sendPhoto(SendPhoto(chatId: alice.id, photo: "photo-1", caption: "<b>x")) } != nil)
        }
    }
}
