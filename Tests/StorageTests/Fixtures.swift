import Domain

/// 2026-11-25T00:00:00Z and helpers to name instants in tests.
let day0 = Instant(epochSeconds: 1_795_564_800)

func at(day: Int = 0, hour: Int, minute: Int = 0) -> Instant {
    day0.adding(days: day).adding(minutes: hour * 60 + minute)
}

func makeHost(
    _ username: String = "anna_host", price: Int64 = 500, currency: Currency = .usd,
    availability: String = "Mon-Fri 09:00-17:00; Sat 10:00-14:00", zone: String = "Europe/Madrid",
    status: HostStatus = .online, active: Bool = true
) throws -> Host {
    var weekly = try WeeklyAvailability(parsing: availability)
    try weekly.setOverride(.dayOff, on: LocalDate(iso: "2026-12-25")!)
    try weekly.setOverride(.hours([TimeWindow(parsing: "10:00-12:00"), TimeWindow(parsing: "13:00-15:00")]), on: LocalDate(iso: "2026-12-24")!)
    return Host(
        username: try TelegramUsername(parsing: username), displayName: try DisplayName(parsing: "Anna"),
        bio: try Bio(parsing: "Talks about books 📚 and cinema."),
        pricePerMinute: try PricePerMinute(Money(minorUnits: price, currency: currency)),
        durations: try DurationRange(min: 15, max: 120), zone: Zone(identifier: zone)!, availability: weekly,
        isActive: active, status: status)
}

func makeHold(host: HostID, user: Int64 = 1001, start: Instant, minutes: Int = 60, now: Instant = day0, holdMinutes: Int = 30, perMinute: Int64 = 500) throws -> Booking {
    try Booking.hold(
        hostID: host, userID: TelegramUserID(user), start: start, minutes: minutes,
        pricePerMinute: Money(minorUnits: perMinute, currency: .usd), commission: .standard, now: now, holdMinutes: holdMinutes)
}
