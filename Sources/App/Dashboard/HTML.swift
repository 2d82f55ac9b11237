import Telegram

/// HTML built from typed pieces: text is escaped when it becomes a node or an attribute value, so no user text
/// reaches a page unescaped (there is no way to put raw text in except `HTML.trusted`, for our own literals).
public struct HTML: Sendable, Equatable {
    public private(set) var rendered: String

    private init(rendered: String) { self.rendered = rendered }

    /// Text, escaped.
    public static func text(_ value: String) -> HTML { HTML(rendered: escape(value)) }

    /// Markup we wrote ourselves (a literal in this codebase, never data).
    public static func trusted(_ literal: StaticString) -> HTML { HTML(rendered: "\(literal)") }

    /// An element with escaped attribute values and children.
    public static func el(_ tag: StaticString, _ attributes: [(String, String)] = [], _ children: [HTML] = []) -> HTML {
        let attrs = attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
        return HTML(rendered: "<\(tag)\(attrs)>" + children.map(\.rendered).joined() + "</\(tag)>")
    }

    /// A void element (input, meta).
    public static func void(_ tag: StaticString, _ attributes: [(String, String)] = []) -> HTML {
        HTML(rendered: "<\(tag)" + attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined() + ">")
    }

    public static func join(_ parts: [HTML]) -> HTML { HTML(rendered: parts.map(\.rendered).joined()) }

    static func escape(_ value: String) -> String { Telegram.html(value) }

    /// A whole page: our head (no external resources), a title and a body.
    public static func page(title: String, _ body: [HTML]) -> HTML {
        HTML(rendered: "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>\(escape(title))</title>"
             + "<style>body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#111}"
             + "header{background:#1f2a37;color:#fff;padding:10px 16px;display:flex;gap:12px;align-items:center;flex-wrap:wrap}"
             + "header h1{font-size:17px;margin:0;flex:1}main{padding:16px;max-width:1100px;margin:auto}"
             + "table{border-collapse:collapse;background:#fff;margin:8px 0 16px;min-width:280px}"
             + "th,td{border:1px solid #dde;padding:6px 10px;text-align:left}th{background:#eef1f5}"
             + ".card{background:#fff;border-radius:10px;padding:12px 16px;margin:0 0 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}"
             + "form.inline{display:inline}button{font:inherit;padding:6px 12px;border-radius:8px;border:1px solid #99a;background:#fff;cursor:pointer}"
             + ".notice{color:#b00020}.scroll,.card{overflow-x:auto;max-width:100%}svg.chart{flex:none}.gallery{display:flex;gap:10px;flex-wrap:wrap}.gallery img{max-width:220px;max-height:220px;border-radius:8px}</style></head><body>" + body.map(\.rendered).joined() + "</body></html>")
    }
}
