/// Lines that open with a time of day and nothing before it: a browser console copied with its
/// timestamps on (Chrome's DevTools "Show timestamps": `10:00:03.118 livekit-client.esm.mjs:1234
/// message`, the source link copied in front of the message), and logback's default pattern,
/// common in Java and Android apps that log to a file (`%d{HH:mm:ss.SSS} [%thread] %-5level
/// %logger{36} - %msg`: `10:00:03.118 [main] INFO  c.e.rtc.Client - message`). The time needs
/// its milliseconds, which keeps bare `HH:MM:SS` chatter out. No date: the reader dates the
/// lines from `--date` or the file (see `YearResolver.day(forTimeOfDay:)`).
public struct TimeOfDayDialect: Dialect {
    public static var name: String { "time-of-day" }
    public static var summary: String { "time of day first: 10:00:03.118 app.js:12 msg (browser console), 10:00:03.118 [main] INFO  Logger - msg (logback)" }

    public static var samples: [DialectSample] { [
        .init("10:00:03.412 livekit-client.esm.mjs:1234 could not establish signal connection: Failed to fetch",
              time: "time of day 10:00:03.412", level: .unknown, tag: "livekit-client.esm.mjs",
              message: "could not establish signal connection: Failed to fetch"),
        .init("14:02:11.907 [pool-3-thread-1] WARN  o.w.PeerConnectionClient - ICE connection state: DISCONNECTED",
              time: "time of day 14:02:11.907", level: .warning, tid: nil, tag: "o.w.PeerConnectionClient",
              message: "ICE connection state: DISCONNECTED"),
        .init("09:15:40.001 Joined room 7421 as guest",
              time: "time of day 09:15:40.001", level: .unknown, tag: "", message: "Joined room 7421 as guest"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 14, isDigit(line[0]), line[8] == UInt8(ascii: ".") else { return false }
        var c = ByteCursor(line)
        var clock = ClockReading()
        guard c.time(into: &clock), c.index >= 12, c.eat(0x20) else { return false }
        clock.month = 0
        clock.day = 0
        f.timeKind = .clock
        f.clock = clock
        c.skipSpaces()
        if c.peek() == UInt8(ascii: "["), parseLogback(line, &c, &f) { return true }
        if let start = HeaderParser.consoleSourceLink(line, from: c.index) {
            // The file name is the tag, `file:line` the origin.
            var colon = c.index
            while colon < start, line[colon] != UInt8(ascii: ":") { colon += 1 }
            var originEnd = start
            while originEnd > colon, line[originEnd - 1] == 0x20 { originEnd -= 1 }
            f.tag = c.index..<colon
            f.origin = c.index..<originEnd
            c.index = start
        }
        guard c.index < line.count else { return false }
        f.message = c.index..<line.count
        return true
    }

    /// `[thread] LEVEL logger - message` after the time; false (cursor untouched) when the line
    /// is not that.
    private static func parseLogback(_ line: UnsafeRawBufferPointer, _ c: inout ByteCursor, _ f: inout LineFields) -> Bool {
        let close = line.nextByte(UInt8(ascii: "]"), from: c.index + 1, to: min(line.count, c.index + 80))
        guard close < line.count, close + 1 < line.count, line[close + 1] == 0x20 else { return false }
        let levelStart = line.nextNonSpace(from: close + 1)
        let levelEnd = line.nextSpace(from: levelStart)
        guard levelEnd > levelStart, levelEnd - levelStart <= 5,
              let level = Level.fromWord(UnsafeRawBufferPointer(rebasing: line[levelStart..<levelEnd])) else { return false }
        let loggerStart = line.nextNonSpace(from: levelEnd)
        let loggerEnd = line.nextSpace(from: loggerStart)
        guard loggerEnd > loggerStart, loggerEnd + 2 < line.count, line[loggerEnd + 1] == UInt8(ascii: "-"),
              line[loggerEnd + 2] == 0x20 else { return false }
        f.level = level
        f.tag = loggerStart..<loggerEnd
        f.message = min(loggerEnd + 3, line.count)..<line.count
        c.index = line.count
        return true
    }
}
