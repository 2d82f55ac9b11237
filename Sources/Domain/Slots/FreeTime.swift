/// A host's bookable time for one request: availability (local rules turned into UTC ranges) minus busy
/// time and buffers, from `now + notice` on. Built once, then asked "which starts for 60 minutes?" or
/// "which durations fit at 14:15?". Pure: `now` and the busy list come in as values.
///
/// A start is offered only when the whole duration lies inside one free segment, so a booking never
/// crosses the end of availability or runs into another booking (or its buffer). Windows that touch —
/// 22:00–24:00 and the next day's 00:00–02:00 — join into one segment.
public struct FreeTime: Sendable {
    /// Sorted, disjoint free segments. A segment never starts before `earliestStart`.
    public let segments: [TimeRange]
    public let earliestStart: Instant
    /// Starts must be before this instant (`now` + horizon).
    public let horizonEnd: Instant
    public let zone: Zone
    public let gridSeconds: Int64
    /// True when every UTC offset the zone uses over the horizon differs from the others by a multiple of
    /// the grid (always so for a 15-minute grid), so stepping in UTC stays on the local grid.
    let gridSurvivesShifts: Bool

    public init(availability: WeeklyAvailability, zone: Zone, now: Instant, rules: SlotRules, busy: [TimeRange]) {
        let earliest = now.adding(minutes: rules.minimumNoticeMinutes)
        let horizonEnd = now.adding(days: rules.horizonDays)
        self.earliestStart = earliest
        self.horizonEnd = horizonEnd
        self.zone = zone
        self.gridSeconds = Int64(rules.gridMinutes) * 60

        let (open, offsets) = Self.availabilityRanges(availability, zone: zone, from: earliest, to: horizonEnd)
        let grid = Int64(rules.gridMinutes) * 60
        let first = offsets.first ?? 0
        self.gridSurvivesShifts = offsets.allSatisfy { ($0 - first) % grid == 0 }
        let buffer = Int64(rules.bufferMinutes) * 60
        let blocked = Self.merged(busy.filter { !$0.isEmpty }.map {
            TimeRange(start: $0.start.adding(seconds: -buffer), end: $0.end.adding(seconds: buffer))
        })
        var free: [TimeRange] = []
        free.reserveCapacity(open.count + blocked.count)
        var b = 0
        for range in open {
            var cursor = max(range.start, earliest)
            guard cursor < range.end else { continue }
            while b < blocked.count && blocked[b].end <= cursor { b += 1 }
            var k = b
            while k < blocked.count && blocked[k].start < range.end {
                if blocked[k].start > cursor { free.append(TimeRange(start: cursor, end: blocked[k].start)) }
                cursor = max(cursor, blocked[k].end)
                k += 1
            }
            if cursor < range.end { free.append(TimeRange(start: cursor, end: range.end)) }
        }
        self.segments = free
    }

    /// Every start on the grid where `durationMinutes` fits, in time order.
    public func starts(durationMinutes: Int) -> [Instant] {
        let length = Int64(durationMinutes) * 60
        var result: [Instant] = []
        for segment in segments {
            var t = alignedUp(segment.start)
            while t.epochSeconds + length <= segment.end.epochSeconds && t < horizonEnd {
                result.append(t)
                t = t.adding(seconds: gridSeconds)
                // After a shift the grid does not divide (Lord Howe's 30 minutes on an hourly grid), find
                // the next grid point of the new local clock.
                if !gridSurvivesShifts { t = alignedUp(t) }
            }
        }
        return result
    }

    /// Which of `options` (minutes) fit when starting at `start`; empty when `start` is not an offered start.
    public func durations(at start: Instant, options: [Int]) -> [Int] {
        guard start >= earliestStart, start < horizonEnd, isOnGrid(start),
              let segment = segment(containing: start) else { return [] }
        return options.filter { start.adding(minutes: $0) <= segment.end }
    }

    /// Whether a booking [start, start + minutes) can be offered.
    public func fits(start: Instant, minutes: Int) -> Bool {
        !durations(at: start, options: [minutes]).isEmpty
    }

    func segment(containing instant: Instant) -> TimeRange? {
        var lo = 0, hi = segments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if segments[mid].end <= instant { lo = mid + 1 } else { hi = mid }
        }
        return lo < segments.count && segments[lo].contains(instant) ? segments[lo] : nil
    }

    func isOnGrid(_ t: Instant) -> Bool {
        let local = t.epochSeconds + zone.offsetSeconds(at: t)
        return ((local % gridSeconds) + gridSeconds) % gridSeconds == 0
    }

    /// The first grid point of the host's local clock at or after `t`.
    func alignedUp(_ t: Instant) -> Instant {
        let offset = zone.offsetSeconds(at: t)
        let local = t.epochSeconds + offset
        let remainder = ((local % gridSeconds) + gridSeconds) % gridSeconds
        return remainder == 0 ? t : Instant(epochSeconds: t.epochSeconds + gridSeconds - remainder)
    }

    /// The host's availability as merged UTC ranges for every local date that can touch [from, to).
    /// Also returns the distinct UTC offsets seen at the local midnights of the span.
    static func availabilityRanges(_ availability: WeeklyAvailability, zone: Zone, from: Instant, to: Instant) -> ([TimeRange], Set<Int64>) {
        let firstDay = zone.localDate(of: from).adding(days: -1).dayNumber
        let lastDay = zone.localDate(of: to).adding(days: 1).dayNumber
        // UTC offsets at each local midnight (read as an instant), one day beyond each end, so a day whose
        // neighbourhood has one offset converts with a subtraction.
        var offsets: [Int64] = []
        offsets.reserveCapacity(Int(lastDay - firstDay) + 4)
        for d in (firstDay - 1)...(lastDay + 2) { offsets.append(zone.offsetSeconds(at: Instant(epochSeconds: d * 86_400))) }

        var ranges: [TimeRange] = []
        for day in firstDay...lastDay {
            let date = LocalDate(dayNumber: day)
            let windows = availability.windows(on: date)
            guard !windows.isEmpty else { continue }
            let i = Int(day - firstDay) + 1
            let steady = offsets[i - 1] == offsets[i] && offsets[i] == offsets[i + 1] && offsets[i + 1] == offsets[i + 2]
            for w in windows {
                let s: Instant, e: Instant
                if steady {
                    s = Instant(epochSeconds: day * 86_400 + Int64(w.start.minuteOfDay) * 60 - offsets[i])
                    e = Instant(epochSeconds: day * 86_400 + Int64(w.end.minuteOfDay) * 60 - offsets[i])
                } else {
                    s = zone.instant(of: date, minuteOfDay: w.start.minuteOfDay)
                    e = zone.instant(of: date, minuteOfDay: w.end.minuteOfDay)
                }
                if s < e { ranges.append(TimeRange(start: s, end: e)) }
            }
        }
        return (merged(ranges), Set(offsets))
    }

    /// Sorts and joins overlapping or touching ranges.
    static func merged(_ ranges: [TimeRange]) -> [TimeRange] {
        guard !ranges.isEmpty else { return [] }
        var sorted = ranges
        if !zip(sorted, sorted.dropFirst()).allSatisfy({ $0.start <= $1.start }) { sorted.sort { $0.start < $1.start } }
        var result: [TimeRange] = [sorted[0]]
        for r in sorted.dropFirst() {
            if r.start <= result[result.count - 1].end {
                if r.end > result[result.count - 1].end { result[result.count - 1].end = r.end }
            } else {
                result.append(r)
            }
        }
        return result
    }
}
