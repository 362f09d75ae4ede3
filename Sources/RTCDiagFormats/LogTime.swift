/// A wall-clock reading as a log line prints it, before the year and epoch are settled.
public struct ClockReading: Equatable, Sendable {
    /// 0 when the line prints no year (logcat, Chromium, some xlog variants).
    public var year: Int32 = 0
    /// Month and day are 0 when the line prints only a time of day (`hasDate` false).
    public var month: Int32 = 1
    public var day: Int32 = 1
    public var hour: Int32 = 0
    public var minute: Int32 = 0
    public var second: Int32 = 0
    public var micros: Int32 = 0
    /// Seconds east of UTC when the line says so, else `ClockReading.noOffset`.
    public var utcOffset: Int32 = ClockReading.noOffset

    public static let noOffset = Int32.min

    public init() {}

    /// False for a time of day alone (Agora's SDK log): the reader then supplies the date.
    public var hasDate: Bool { month != 0 }

    var isValid: Bool {
        month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 24 && minute <= 59 && second <= 60
    }
}

/// Calendar arithmetic without Foundation: days since 1970-01-01 for a proleptic Gregorian date.
/// (Howard Hinnant's days_from_civil algorithm.)
@inline(__always)
public func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

/// Year, month, day for days since 1970-01-01.
public func civilFromDays(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
}

/// Microseconds since 1970 in the log's own clock, as printed (no zone shift).
///
/// Support engineers read times off the log and type them into `--since`; keeping the log's
/// clock makes those match. The zone, when a line states it, travels beside the value.
@inline(__always)
public func logClockMicros(_ c: ClockReading, year: Int32) -> Int64 {
    let days = daysFromCivil(Int64(year), Int64(c.month), Int64(c.day))
    let secs = days * 86_400 + Int64(c.hour) * 3600 + Int64(c.minute) * 60 + Int64(c.second)
    return secs * 1_000_000 + Int64(c.micros)
}

/// Fills in the year of yearless lines: a base year from `--year` or the file's mtime,
/// and a step forward when the month wraps from December to January.
public struct YearResolver: Sendable {
    private var year: Int32
    private var lastMonth: Int32 = 0
    /// For lines without a date: days since 1970 of the file's mtime (UTC; the log names no
    /// date or zone), and the last time of day seen, in seconds.
    private var dayNumber: Int64
    private var lastTimeOfDay: Int32 = -1
    /// Month of the file's mtime when the year came from it: a log whose first month is later
    /// than this started in the year before.
    private let referenceMonth: Int32?

    public init(explicitYear: Int?, explicitDate: Int64? = nil, modificationTime: Int64?, now: Int64) {
        let reference = modificationTime ?? now
        dayNumber = explicitDate ?? (reference >= 0 ? reference / 86_400 : (reference - 86_399) / 86_400)
        if let explicitYear {
            year = Int32(explicitYear)
            referenceMonth = nil
        } else {
            let t = modificationTime ?? now
            let c = civilFromDays(t >= 0 ? t / 86_400 : (t - 86_399) / 86_400)
            year = Int32(c.year)
            referenceMonth = Int32(c.month)
        }
    }

    /// Days since 1970 for a line that prints only its time of day: `--date`, else the file's
    /// modification date, a day later each time the clock wraps past midnight (back by more
    /// than six hours).
    public mutating func day(forTimeOfDay seconds: Int32) -> Int64 {
        if lastTimeOfDay >= 0, seconds + 6 * 3600 < lastTimeOfDay { dayNumber += 1 }
        lastTimeOfDay = seconds
        return dayNumber
    }

    public mutating func year(forMonth month: Int32) -> Int32 {
        if lastMonth == 0 {
            if let referenceMonth, month > referenceMonth { year -= 1 }
            lastMonth = month
            return year
        }
        if month + 6 < lastMonth {
            year += 1  // December → January
            lastMonth = month
        } else if month > lastMonth + 6 {
            return year - 1  // a stray line from before the wrap; do not move the clock back
        } else {
            lastMonth = month
        }
        return year
    }
}

/// Formats log-clock microseconds as `YYYY-MM-DD HH:MM:SS.mmm` (or `.uuuuuu` when sub-millisecond).
public func formatLogTime(_ micros: Int64, separator: Character = " ") -> String {
    let secs = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    let frac = micros - secs * 1_000_000
    let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
    let rem = secs - days * 86_400
    let c = civilFromDays(days)
    func pad(_ v: Int64, _ n: Int) -> String {
        let s = String(v)
        return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
    }
    var out = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))\(separator)"
    out += "\(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2))"
    out += frac % 1000 == 0 ? ".\(pad(frac / 1000, 3))" : ".\(pad(frac, 6))"
    return out
}

/// Parses a user's time bound (`2024-05-01 10:00:00`, `2024-05-01T10:00`, `05-01 10:00:00.5`)
/// into log-clock microseconds; a bound without a year takes `defaultYear`.
public func parseTimeBound(_ text: String, defaultYear: Int32) -> Int64? {
    parseTimeBound(text, defaultYear: defaultYear, day: nil)
}

/// The same, also taking a time of day alone (`17:33`, `17:33:05.5`) on `day` (days since 1970)
/// when one is given — for logs that print no date.
public func parseTimeBound(_ text: String, defaultYear: Int32, day: Int64?) -> Int64? {
    var s = text
    if let day, let t = s.withUTF8({ raw -> Int64? in
        var c = ByteCursor(UnsafeRawBufferPointer(raw))
        guard let h = c.digits(2), h < 24, c.eat(UInt8(ascii: ":")), let m = c.digits(2), m < 60 else { return nil }
        var seconds = Int64(h) * 3600 + Int64(m) * 60, micros: Int64 = 0
        if c.eat(UInt8(ascii: ":")) {
            guard let sec = c.digits(2), sec < 61 else { return nil }
            seconds += Int64(sec)
            micros = Int64(c.fraction() ?? 0)
        }
        return c.atEnd ? seconds * 1_000_000 + micros : nil
    }) {
        return day * 86_400_000_000 + t
    }
    return s.withUTF8 { raw -> Int64? in
        let p = UnsafeRawBufferPointer(raw)
        var c = ByteCursor(p)
        var r = ClockReading()
        guard c.date(into: &r, yearOptional: true) else { return nil }
        if c.atEnd { return logClockMicros(r, year: r.year == 0 ? defaultYear : r.year) }
        guard c.eat(UInt8(ascii: " ")) || c.eat(UInt8(ascii: "T")) else { return nil }
        guard let h = c.digits(2), c.eat(UInt8(ascii: ":")), let m = c.digits(2) else { return nil }
        r.hour = h
        r.minute = m
        if c.eat(UInt8(ascii: ":")) {
            guard let sec = c.digits(2) else { return nil }
            r.second = sec
            r.micros = c.fraction() ?? 0
        }
        guard c.atEnd, r.isValid else { return nil }
        return logClockMicros(r, year: r.year == 0 ? defaultYear : r.year)
    }
}
