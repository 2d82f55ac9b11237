import Foundation
import Testing

@testable import App

/// The dashboard's charts are SVG drawn by the server: every bar's height is its number ÷ the largest × the plot
/// height, and the table beside the chart holds the same numbers in the same order.
@Suite("Server-drawn charts")
struct ChartTests {
    /// (height, value) of every bar, and the numbers of the table that follows, per chart in `page`.
    static func charts(in page: String) throws -> [(bars: [(height: Int, value: Int)], table: [Int])] {
        let rect = try Regex(#"<rect [^>]*height="(\d+)"[^>]*data-value="(\d+)""#)
        let cell = try Regex(#"<td data-value="">(\d+)</td>"#)
        return page.components(separatedBy: "<svg").dropFirst().map { chunk in
            let (svg, rest) = (chunk.components(separatedBy: "</svg>").first ?? "", chunk.components(separatedBy: "</svg>").dropFirst().first ?? "")
            let bars = svg.matches(of: rect).map { match in
                (Int(String(match.output[1].substring ?? "")) ?? -1, Int(String(match.output[2].substring ?? "")) ?? -1)
            }
            let tableText = rest.components(separatedBy: "</table>").first ?? ""
            let table = tableText.matches(of: cell).map { Int(String($0.output[1].substring ?? "")) ?? -1 }
            return (bars, table)
        }
    }

    static func proportional(_ chart: (bars: [(height: Int, value: Int)], table: [Int])) -> Bool {
        let largest = chart.bars.map(\.value).max() ?? 0
        return chart.bars.allSatisfy { bar in
            bar.height == (largest == 0 ? 0 : Int((Double(bar.value) * Double(SVGBarChart.plotHeight) / Double(largest)).rounded()))
        } && chart.bars.map(\.value) == chart.table
    }

    @Test func barHeightsAreProportionalToTheTablesNumbers() throws {
        let chart = SVGBarChart(title: "Bookings <by> hour", bars: [("09", 3), ("10", 0), ("11", 7), ("12", 1)])
        let page = chart.figure.rendered
        let parsed = try Self.charts(in: page)
        #expect(parsed.count == 1)
        #expect(parsed[0].bars.map(\.height) == [69, 0, 160, 23])
        #expect(parsed[0].table == [3, 0, 7, 1])
        #expect(Self.proportional(parsed[0]))
        #expect(page.contains("Bookings &lt;by&gt; hour") && !page.contains("<by>"), "titles are escaped")
        #expect(try Self.charts(in: SVGBarChart(title: "none", bars: [("a", 0)]).figure.rendered)[0].bars.map(\.height) == [0])
    }
}
