import Domain
import SQLKit

extension SQLStore {
    public func createHost(_ host: Host, at now: Instant) async throws -> Host {
        let existing = try await self.host(username: host.username)
        if existing != nil { throw StoreError.duplicate("A host with username \(host.username)") }
        return try await write { db in
            let row = try await db.raw("""
                INSERT INTO hosts (username, display_name, bio, price_per_minute, currency, min_minutes, max_minutes,
                                   time_zone, is_active, telegram_user_id, created_at, updated_at)
                VALUES (\(bind: host.username.value), \(bind: host.displayName.value), \(bind: host.bio.value),
                        \(bind: host.pricePerMinute.money.minorUnits), \(bind: host.currency.code),
                        \(bind: host.durations.minMinutes), \(bind: host.durations.maxMinutes), \(bind: host.zone.identifier),
                        \(bind: host.isActive), \(bind: host.telegramUserID?.rawValue), \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                RETURNING id
                """).first()
            guard let id = try row?.int64("id") else { throw StoreError.invalidData("no id returned for a new host") }
            var saved = host
            saved.id = HostID(id)
            try await db.raw("""
                INSERT INTO host_status (host_id, status, updated_at) VALUES (\(bind: id), \(bind: host.status.rawValue), \(bind: now.epochSeconds))
                """).run()
            try await Self.saveAvailability(host.availability, hostID: id, db)
            return saved
        }
    }

    public func updateHost(_ host: Host, at now: Instant) async throws {
        guard let id = host.id?.rawValue else { throw StoreError.notFound("A host without an id") }
        try await write { db in
            let changed = try await db.raw("""
                UPDATE hosts SET username = \(bind: host.username.value), display_name = \(bind: host.displayName.value),
                    bio = \(bind: host.bio.value), price_per_minute = \(bind: host.pricePerMinute.money.minorUnits),
                    currency = \(bind: host.currency.code), min_minutes = \(bind: host.durations.minMinutes),
                    max_minutes = \(bind: host.durations.maxMinutes), time_zone = \(bind: host.zone.identifier),
                    is_active = \(bind: host.isActive), telegram_user_id = \(bind: host.telegramUserID?.rawValue),
                    updated_at = \(bind: now.epochSeconds)
                WHERE id = \(bind: id) RETURNING id
                """).all()
            guard !changed.isEmpty else { throw StoreError.notFound("Host \(id)") }
            try await db.raw("""
                UPDATE host_status SET status = \(bind: host.status.rawValue), updated_at = \(bind: now.epochSeconds) WHERE host_id = \(bind: id)
                """).run()
            try await db.raw("DELETE FROM availability_windows WHERE host_id = \(bind: id)").run()
            try await db.raw("DELETE FROM availability_overrides WHERE host_id = \(bind: id)").run()
            try await Self.saveAvailability(host.availability, hostID: id, db)
        }
    }

    public func setHostStatus(_ id: HostID, _ status: HostStatus, at now: Instant) async throws {
        try await write { db in
            let changed = try await db.raw("""
                UPDATE host_status SET status = \(bind: status.rawValue), updated_at = \(bind: now.epochSeconds)
                WHERE host_id = \(bind: id.rawValue) RETURNING host_id
                """).all()
            guard !changed.isEmpty else { throw StoreError.notFound("Host \(id)") }
        }
    }

    public func host(_ id: HostID) async throws -> Host? {
        try await read { db in try await Self.loadHosts(db, where: "h.id = \(bind: id.rawValue)").first }
    }

    public func host(username: TelegramUsername) async throws -> Host? {
        try await read { db in try await Self.loadHosts(db, where: "h.username = \(bind: username.value)").first }
    }

    public func hosts(listedOnly: Bool) async throws -> [Host] {
        let flavor = self.flavor
        return try await read { db in
            let listed: SQLQueryString = flavor == .postgres ? "h.is_active" : "h.is_active = 1"
            return try await Self.loadHosts(db, where: listedOnly ? listed : "1 = 1")
        }
    }

    static func saveAvailability(_ availability: WeeklyAvailability, hostID: Int64, _ db: any SQLDatabase) async throws {
        for (day, windows) in availability.days.sorted(by: { $0.key < $1.key }) {
            for w in windows {
                try await db.raw("""
                    INSERT INTO availability_windows (host_id, weekday, start_minute, end_minute)
                    VALUES (\(bind: hostID), \(bind: day.rawValue), \(bind: w.start.minuteOfDay), \(bind: w.end.minuteOfDay))
                    """).run()
            }
        }
        for (date, o) in availability.overrides.sorted(by: { $0.key < $1.key }) {
            switch o {
            case .dayOff:
                try await db.raw("""
                    INSERT INTO availability_overrides (host_id, local_date, day_off) VALUES (\(bind: hostID), \(bind: date.description), \(bind: true))
                    """).run()
            case .hours(let windows):
                for w in windows {
                    try await db.raw("""
                        INSERT INTO availability_overrides (host_id, local_date, day_off, start_minute, end_minute)
                        VALUES (\(bind: hostID), \(bind: date.description), \(bind: false), \(bind: w.start.minuteOfDay), \(bind: w.end.minuteOfDay))
                        """).run()
                }
            }
        }
    }

    /// Hosts matching `condition` (over `h` = hosts, `s` = host_status) with their availability, three queries.
    static func loadHosts(_ db: any SQLDatabase, where condition: SQLQueryString) async throws -> [Host] {
        let query: SQLQueryString = "SELECT h.*, s.status FROM hosts h JOIN host_status s ON s.host_id = h.id WHERE "
        let rows = try await db.raw(query + condition + " ORDER BY h.id").all()
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.int64("id") }
        var windows: [Int64: [Weekday: [TimeWindow]]] = [:]
        var overrides: [Int64: [LocalDate: DayOverride]] = [:]
        let idList = SQLQueryString(ids.map(String.init).joined(separator: ","))
        for row in try await db.raw("SELECT * FROM availability_windows WHERE host_id IN (\(idList)) ORDER BY id").all() {
            let hostID = try row.int64("host_id")
            guard let day = Weekday(rawValue: try row.int("weekday")),
                  let s = LocalTime(minuteOfDay: try row.int("start_minute")), let e = LocalTime(minuteOfDay: try row.int("end_minute")),
                  let window = try? TimeWindow(start: s, end: e) else { throw StoreError.invalidData("availability of host \(hostID)") }
            windows[hostID, default: [:]][day, default: []].append(window)
        }
        for row in try await db.raw("SELECT * FROM availability_overrides WHERE host_id IN (\(idList)) ORDER BY id").all() {
            let hostID = try row.int64("host_id")
            guard let date = LocalDate(iso: try row.string("local_date")) else { throw StoreError.invalidData("override date of host \(hostID)") }
            if try row.bool("day_off") {
                overrides[hostID, default: [:]][date] = .dayOff
            } else {
                guard let s = LocalTime(minuteOfDay: try row.int("start_minute")), let e = LocalTime(minuteOfDay: try row.int("end_minute")),
                      let window = try? TimeWindow(start: s, end: e) else { throw StoreError.invalidData("override of host \(hostID)") }
                var existing: [TimeWindow] = []
                if case .hours(let w)? = overrides[hostID]?[date] { existing = w }
                overrides[hostID, default: [:]][date] = .hours(existing + [window])
            }
        }
        return try rows.map { row in
            let id = try row.int64("id")
            func field<T>(_ make: () throws -> T) throws -> T {
                do { return try make() } catch { throw StoreError.invalidData("host \(id): \(error)") }
            }
            guard let currency = Currency(code: try row.string("currency")) else { throw StoreError.invalidData("currency of host \(id)") }
            guard let zone = Zone(identifier: try row.string("time_zone")) else { throw StoreError.invalidData("time zone of host \(id)") }
            guard let status = HostStatus(rawValue: try row.string("status")) else { throw StoreError.invalidData("status of host \(id)") }
            return Host(
                id: HostID(id),
                username: try field { try TelegramUsername(parsing: try row.string("username")) },
                displayName: try field { try DisplayName(parsing: try row.string("display_name")) },
                bio: try field { try Bio(parsing: try row.string("bio")) },
                pricePerMinute: try field { try PricePerMinute(Money(minorUnits: try row.int64("price_per_minute"), currency: currency)) },
                durations: try field { try DurationRange(min: try row.int("min_minutes"), max: try row.int("max_minutes")) },
                zone: zone,
                availability: try field { try WeeklyAvailability(days: windows[id] ?? [:], overrides: overrides[id] ?? [:]) },
                isActive: try row.bool("is_active"),
                status: status,
                telegramUserID: try row.optional("telegram_user_id", Int64.self).map(TelegramUserID.init))
        }
    }

    // MARK: Gallery

    public func addPhoto(hostID: HostID, fileID: String, caption: String?, at now: Instant) async throws -> HostPhoto {
        try await write { db in
            let next = try await db.raw("""
                SELECT COALESCE(MAX(position), -1) + 1 AS next FROM host_photos WHERE host_id = \(bind: hostID.rawValue)
                """).first()?.int("next") ?? 0
            guard let row = try await db.raw("""
                INSERT INTO host_photos (host_id, file_id, caption, position, created_at)
                VALUES (\(bind: hostID.rawValue), \(bind: fileID), \(bind: caption), \(bind: next), \(bind: now.epochSeconds))
                RETURNING id
                """).first() else { throw StoreError.invalidData("no id returned for a new photo") }
            return HostPhoto(id: try row.int64("id"), hostID: hostID, fileID: fileID, caption: caption, position: next)
        }
    }

    public func photos(hostID: HostID) async throws -> [HostPhoto] {
        try await read { db in
            try await db.raw("SELECT * FROM host_photos WHERE host_id = \(bind: hostID.rawValue) ORDER BY position, id").all().map { row in
                HostPhoto(id: try row.int64("id"), hostID: hostID, fileID: try row.string("file_id"),
                          caption: try row.optional("caption", String.self), position: try row.int("position"))
            }
        }
    }

    public func reorderPhotos(hostID: HostID, order: [Int64]) async throws {
        try await write { db in
            let current = try await db.raw("SELECT id FROM host_photos WHERE host_id = \(bind: hostID.rawValue)").all().map { try $0.int64("id") }
            guard Set(current) == Set(order), current.count == order.count else {
                throw StoreError.invalidData("the new order must list each of the host's \(current.count) photos once")
            }
            for (position, id) in order.enumerated() {
                try await db.raw("UPDATE host_photos SET position = \(bind: position) WHERE id = \(bind: id)").run()
            }
        }
    }

    public func removePhoto(hostID: HostID, photoID: Int64) async throws {
        try await write { db in
            let removed = try await db.raw("""
                DELETE FROM host_photos WHERE host_id = \(bind: hostID.rawValue) AND id = \(bind: photoID) RETURNING id
                """).all()
            guard !removed.isEmpty else { throw StoreError.notFound("Photo \(photoID)") }
        }
    }

    public func setPhotoCaption(hostID: HostID, photoID: Int64, caption: String?) async throws {
        try await write { db in
            let changed = try await db.raw("""
                UPDATE host_photos SET caption = \(bind: caption) WHERE host_id = \(bind: hostID.rawValue) AND id = \(bind: photoID) RETURNING id
                """).all()
            guard !changed.isEmpty else { throw StoreError.notFound("Photo \(photoID)") }
        }
    }

    // MARK: Users

    public func saveUser(_ user: UserProfile, at now: Instant) async throws {
        try await write { db in
            try await db.raw("""
                INSERT INTO users (telegram_id, username, first_name, language, time_zone, created_at, updated_at)
                VALUES (\(bind: user.id.rawValue), \(bind: user.username), \(bind: user.firstName), \(bind: user.language),
                        \(bind: user.zone?.identifier), \(bind: now.epochSeconds), \(bind: now.epochSeconds))
                ON CONFLICT (telegram_id) DO UPDATE SET username = excluded.username, first_name = excluded.first_name,
                    language = excluded.language, time_zone = excluded.time_zone, updated_at = excluded.updated_at
                """).run()
        }
    }

    public func user(_ id: TelegramUserID) async throws -> UserProfile? {
        try await read { db in
            guard let row = try await db.raw("SELECT * FROM users WHERE telegram_id = \(bind: id.rawValue)").first() else { return nil }
            return UserProfile(
                id: id, username: try row.optional("username", String.self), firstName: try row.optional("first_name", String.self),
                language: try row.string("language"), zone: try row.optional("time_zone", String.self).flatMap(Zone.init(identifier:)))
        }
    }
}
