import Testing

@testable import FakeTelegram

/// The playground shows the bot's texts as HTML rebuilt from Telegram's entities: every character of the text
/// escaped, only Telegram's formatting turned into tags, links only to http(s).
@Suite("Telegram texts as safe HTML")
struct EntityHTMLTests {
    static func render(_ html: String) throws -> String {
        let parsed = try FormattedText.parse(html, parseMode: "HTML")
        return EntityHTML.render(parsed.text, parsed.entities)
    }

    @Test func formattingBecomesTagsAndNestsInOrder() throws {
        #expect(try Self.render("<b>Anna</b> · <i>$5.00</i>") == "<b>Anna</b> · <i>$5.00</i>")
        #expect(try Self.render("<b>bold <i>both</i></b> plain") == "<b>bold <i>both</i></b> plain")
        #expect(try Self.render("<code>x &lt; y</code>") == "<code>x &lt; y</code>")
        #expect(try Self.render("<tg-spoiler>secret</tg-spoiler>") == "<span class=\"spoiler\">secret</span>")
    }

    @Test func everyCharacterOfTheTextIsEscaped() throws {
        #expect(try Self.render("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\" 'single'")
            == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;")
        // Plain text (a user's message) has no entities: all of it is text.
        #expect(EntityHTML.render("<img src=x onerror=alert(1)>", []) == "&lt;img src=x onerror=alert(1)&gt;")
    }

    @Test func onlyHTTPLinksBecomeLinks() throws {
        #expect(try Self.render("<a href=\"https://meet.jit.si/room\">Join</a>")
            == "<a href=\"https://meet.jit.si/room\" target=\"_blank\" rel=\"noopener noreferrer\">Join</a>")
        #expect(try Self.render("<a href=\"javascript:alert(1)\">x</a>") == "x")
        #expect(try Self.render("<a href=\"https://x.test/?a=1&amp;b=&quot;2&quot;\">y</a>")
            == "<a href=\"https://x.test/?a=1&amp;b=&quot;2&quot;\" target=\"_blank\" rel=\"noopener noreferrer\">y</a>")
    }

    @Test func offsetsAreUTF16AsTelegramCountsThem() throws {
        #expect(try Self.render("👩‍👩‍👧 <b>Ana</b> 🎉 <i>ok</i>") == "👩‍👩‍👧 <b>Ana</b> 🎉 <i>ok</i>")
    }
}
