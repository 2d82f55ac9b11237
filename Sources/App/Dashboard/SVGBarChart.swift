/// A bar chart drawn by the server as SVG (no script, no library): one bar per label, heights proportional to
/// the values (the largest is `plotHeight` pixels, a zero is no bar), each bar carrying its number as
/// `data-value` and a `<title>`. Always shown next to a table of the same numbers.
struct SVGBarChart {
    var title: String
    var bars: [(label: String, value: Int)]

    static let plotHeight = 160
    static let barWidth = 22
    static let gap = 6

    /// The pixel height of a bar: value ÷ largest × plot height, rounded to the nearest pixel.
    static func height(_ value: Int, largest: Int) -> Int {
        guard largest > 0, value > 0 else { return 0 }
        return Int((Double(value) * Double(plotHeight) / Double(largest)).rounded())
    }

    var html: HTML {
        let largest = bars.map(\.value).max() ?? 0
        let width = max(1, bars.count) * (Self.barWidth + Self.gap) + Self.gap
        let top = 20, labelSpace = 34
        var parts: [HTML] = [HTML.el("title", [], [.text(title)])]
        for (index, bar) in bars.enumerated() {
            let h = Self.height(bar.value, largest: largest)
            let x = Self.gap + index * (Self.barWidth + Self.gap)
            parts.append(HTML.el("rect", [
                ("x", "\(x)"), ("y", "\(top + Self.plotHeight - h)"), ("width", "\(Self.barWidth)"), ("height", "\(h)"),
                ("fill", "#3b82f6"), ("data-label", bar.label), ("data-value", "\(bar.value)"),
            ], [HTML.el("title", [], [.text("\(bar.label): \(bar.value)")])]))
            parts.append(HTML.el("text", [("x", "\(x + Self.barWidth / 2)"), ("y", "\(top + Self.plotHeight + 14)"), ("font-size", "10"),
                                          ("text-anchor", "middle")], [.text(bar.label)]))
        }
        return HTML.el("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", "\(width)"), ("height", "\(top + Self.plotHeight + labelSpace)"),
                               ("role", "img"), ("aria-label", title), ("class", "chart")], parts)
    }

    /// The same numbers as a table.
    var table: HTML {
        HTML.el("table", [("class", "chart-table"), ("aria-label", title)],
                [HTML.el("tr", [], [HTML.el("th", [], [.text(title)]), HTML.el("th", [], [.text("")])])]
                + bars.map { HTML.el("tr", [], [HTML.el("td", [], [.text($0.label)]), HTML.el("td", [("data-value", "")], [.text("\($0.value)")])]) })
    }

    /// The chart and its table side by side.
    var figure: HTML {
        HTML.el("div", [("class", "card"), ("style", "display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start")], [html, table])
    }
}
