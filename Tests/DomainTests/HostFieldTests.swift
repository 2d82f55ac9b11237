import Testing
@testable import Domain

@Suite("Host fields: username, names, bio, durations, price")
struct HostFieldTests {
    @Test("usernames accepted", arguments: [
        ("@Alice_Smith", "alice_smith"),
        ("alice", "alice"),
        (" @Bob12345 ", "bob12345"),
        ("https://t.me/someone", "someone"),
        ("A1234", "a1234"),
        ("a_b_c_d", "a_b_c_d"),
        ("abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345"), // 32
    ])
    func usernameAccepted(text: String, value: String) throws {
        let u = try TelegramUsername(parsing: text)
        #expect(u.value == value)
        #expect(u.description == "@" + value)
    }

    @Test("usernames refused", arguments: [
        ("abcd", HostFieldError.usernameLength(4)),
        ("@abcd", .usernameLength(4)),
        ("", .usernameLength(0)),
        ("@", .usernameLength(0)),
        ("abcdefghijklmnopqrstuvwxyz0123456", .usernameLength(33)),
        ("alice-smith", .usernameCharacters),
        ("alice smith", .usernameCharacters),
        ("ålice1", .usernameCharacters),
        ("alice.smith", .usernameCharacters),
        ("@@alice", .usernameCharacters),
        ("1alice", .usernameStart),
        ("_alice", .usernameStart),
        ("alice_", .usernameStart),
    ])
    func usernameRefused(text: String, error: HostFieldError) {
        #expect(throws: error) { try TelegramUsername(parsing: text) }
    }

    @Test func usernamesCompareCaseInsensitively() throws {
        #expect(try TelegramUsername(parsing: "@Alice_Smith") == TelegramUsername(parsing: "alice_SMITH"))
    }

    @Test func displayName() throws {
        #expect(try DisplayName(parsing: "  Ana María  ").value == "Ana María")
        #expect(try DisplayName(parsing: String(repeating: "x", count: 64)).value.count == 64)
        #expect(throws: HostFieldError.displayNameEmpty) { try DisplayName(parsing: "   ") }
        #expect(throws: HostFieldError.displayNameEmpty) { try DisplayName(parsing: "") }
        #expect(throws: HostFieldError.displayNameTooLong(65)) { try DisplayName(parsing: String(repeating: "x", count: 65)) }
    }

    /// Bio length is what a person counts: grapheme clusters, after trimming.
    @Test("bio length", arguments: [
        ("a", 200, true),
        ("a", 201, false),
        ("👩‍👩‍👧", 200, true), // one person-visible character, five scalars
        ("👩‍👩‍👧", 201, false),
        ("🇪🇸", 200, true),
        ("e\u{301}", 200, true), // e + combining acute: one character
        ("e\u{301}", 201, false),
        ("ñ", 200, true),
    ])
    func bioLength(unit: String, count: Int, accepted: Bool) throws {
        let text = String(repeating: unit, count: count)
        if accepted {
            let bio = try Bio(parsing: text)
            #expect(bio.value.count == count)
            #expect(bio.value == text)
        } else {
            #expect(throws: HostFieldError.bioTooLong(count)) { try Bio(parsing: text) }
        }
    }

    @Test func bioIsTrimmedBeforeCounting() throws {
        let padded = "  " + String(repeating: "b", count: 200) + "\n"
        #expect(try Bio(parsing: padded).value == String(repeating: "b", count: 200))
        #expect(try Bio(parsing: "").value == "")
        #expect(Bio.maxLength == 200)
    }

    @Test("duration ranges accepted", arguments: [
        (30, 90, [30, 45, 60, 75, 90]),
        (15, 120, [15, 30, 45, 60, 75, 90, 105, 120]),
        (60, 60, [60]),
        (15, 15, [15]),
    ])
    func durationAccepted(min: Int, max: Int, options: [Int]) throws {
        let r = try DurationRange(min: min, max: max)
        #expect(r.options == options)
        #expect(r.minMinutes == min && r.maxMinutes == max)
        for m in stride(from: 0, through: 150, by: 5) {
            #expect(r.contains(m) == options.contains(m), "\(m)")
        }
    }

    @Test("duration ranges refused", arguments: [
        (20, 60, HostFieldError.durationStep(20)),
        (15, 135, .durationRange(135)),
        (15, 100, .durationStep(100)),
        (0, 60, .durationRange(0)),
        (-15, 60, .durationRange(-15)),
        (10, 60, .durationRange(10)),
        (15, 125, .durationRange(125)),
        (90, 30, .durationOrder(min: 90, max: 30)),
        (120, 15, .durationOrder(min: 120, max: 15)),
    ])
    func durationRefused(min: Int, max: Int, error: HostFieldError) {
        #expect(throws: error) { try DurationRange(min: min, max: max) }
    }

    @Test("price per minute", arguments: [
        (usd(0), HostFieldError.priceNotPositive as HostFieldError?),
        (usd(-1), .priceNotPositive),
        (cop(-100), .priceNotPositive),
        (usd(1), nil),
        (usd(100_000), nil), // 1,000.00 a minute: the ceiling
        (usd(100_001), .priceTooHigh(usd(100_000))),
        (eur(100_001), .priceTooHigh(eur(100_000))),
        (cop(500_000_000), nil), // COP 5,000,000 a minute
        (cop(500_000_001), .priceTooHigh(cop(500_000_000))),
    ])
    func pricePerMinute(money: Money, error: HostFieldError?) throws {
        if let error {
            #expect(throws: error) { try PricePerMinute(money) }
        } else {
            #expect(try PricePerMinute(money).money == money)
        }
    }

    @Test func hostListingAndCurrency() throws {
        var host = try sampleHost()
        #expect(host.isListed)
        #expect(host.currency == .usd)
        host.status = .busy
        #expect(host.isListed)
        host.status = .offline
        #expect(host.isListed, "offline hosts stay listed and bookable for later")
        host.status = .online
        host.isActive = false
        #expect(!host.isListed)
        #expect(Set(HostStatus.allCases.map(\.dot)).count == 3)
    }

    @Test func fieldErrorsReadAsSentences() {
        let errors: [HostFieldError] = [
            .usernameLength(4), .usernameCharacters, .usernameStart, .displayNameEmpty, .displayNameTooLong(65),
            .bioTooLong(201), .priceNotPositive, .priceTooHigh(usd(100_000)), .durationStep(20), .durationRange(135),
            .durationOrder(min: 90, max: 30), .unknownTimeZone("Mars/Olympus"),
        ]
        for e in errors {
            #expect(!e.description.isEmpty)
            #expect(e.description.last == ".")
        }
        #expect(HostFieldError.priceTooHigh(usd(100_000)).description.contains("$1,000.00"))
        #expect(HostFieldError.bioTooLong(201).description.contains("200"))
    }

    @Test func identifiersOrderAndPrint() {
        #expect(HostID(1) < HostID(2))
        #expect(BookingID(42).description == "42")
        #expect(TelegramUserID(-100).description == "-100")
    }
}

func sampleHost(pricePerMinute: Int64 = 250) throws -> Host {
    Host(
        id: HostID(7), username: try TelegramUsername(parsing: "@host_one"), displayName: try DisplayName(parsing: "Host One"),
        bio: try Bio(parsing: "Hello"), pricePerMinute: try PricePerMinute(usd(pricePerMinute)),
        durations: try DurationRange(min: 15, max: 120), zone: zone("America/Bogota"),
        availability: try WeeklyAvailability(parsing: "09:00-17:00"))
}
