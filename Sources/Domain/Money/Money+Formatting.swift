extension Money {
    /// Display text, e.g. "$4.99", "€1,234.50", "COP 12,000". Grouping with commas, a dot for decimals; COP
    /// hides a zero fraction because pesos are quoted whole.
    public func formatted() -> String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        let perMajor = UInt64(currency.minorPerMajor)
        let major = magnitude / perMajor
        let minor = magnitude % perMajor

        var grouped = ""
        let digits = Array(String(major))
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(d)
        }
        var number = grouped
        let showFraction = currency.minorDigits > 0 && !(currency == .cop && minor == 0)
        if showFraction {
            var fraction = String(minor)
            while fraction.count < currency.minorDigits { fraction = "0" + fraction }
            number += "." + fraction
        }
        let sign = negative ? "-" : ""
        switch currency {
        case .usd: return "\(sign)$\(number)"
        case .eur: return "\(sign)€\(number)"
        case .cop: return "\(sign)COP \(number)"
        }
    }

    /// Plain decimal text for machines (CSV, provider APIs): "4.99", "12000.00", "-0.05".
    public var decimalString: String {
        let magnitude = minorUnits.magnitude
        let perMajor = UInt64(currency.minorPerMajor)
        var text = String(magnitude / perMajor)
        if currency.minorDigits > 0 {
            var fraction = String(magnitude % perMajor)
            while fraction.count < currency.minorDigits { fraction = "0" + fraction }
            text += "." + fraction
        }
        return minorUnits < 0 ? "-" + text : text
    }
}
