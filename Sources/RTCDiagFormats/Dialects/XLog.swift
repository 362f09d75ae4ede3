/// Tencent mars xlog (`log_formater.cc`) and the vendor RTC SDK lines that copy its layout:
/// `[I][2016-03-24 +8.0 10:05:12.826][15442, 15442*][tag][file.cc:12, func][message` and
/// `[W][01-10/15:23:18.005+9.0][4784,107779][file.mm:602]message`. The zone is in hours.
public struct XLogDialect: Dialect {
    public static var name: String { "xlog" }
    public static var summary: String { "mars/xlog vendor SDK: [W][01-10/15:23:18.005+9.0][4784,107779][file.mm:602]msg" }

    public static var samples: [DialectSample] { [
        .init("[W][01-10/15:23:18.005+9.0][4784,107779][audio_device.mm:602]AVAudioSession setActive failed, err=561017449",
              time: "2024-01-10 15:23:18.005", level: .warning, pid: 4784, tid: 107779, tag: "audio_device.mm",
              message: "AVAudioSession setActive failed, err=561017449"),
        .init("[I][2016-03-24 +8.0 10:05:12.826][15442, 15442*][RtcEngine][rtc_engine.cc:1204, joinChannel][join channel: room-42 uid=1001",
              time: "2016-03-24 10:05:12.826", level: .info, pid: 15442, tid: 15442, tag: "RtcEngine",
              message: "join channel: room-42 uid=1001"),
        .init("[E][2016-03-24 +8.0 10:05:13.001][15442, 15460][][network.cc:88, OnError][connection lost, reconnecting",
              time: "2016-03-24 10:05:13.001", level: .error, pid: 15442, tid: 15460, tag: "network.cc",
              message: "connection lost, reconnecting"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 24, line[0] == UInt8(ascii: "["), line[2] == UInt8(ascii: "]"),
              line[3] == UInt8(ascii: "["), let level = Level.fromLetter(line[1]) else { return false }
        var c = ByteCursor(line, at: 4)
        // Time: `YYYY-MM-DD +8.0 HH:MM:SS.mmm` or `MM-DD/HH:MM:SS.mmm+9.0`.
        guard c.date(into: &f.clock, yearOptional: true) else { return false }
        if c.eat(0x20) {
            guard c.decimalHoursZone(into: &f.clock), c.eat(0x20), c.time(into: &f.clock) else { return false }
        } else {
            guard c.eat(UInt8(ascii: "/")), c.time(into: &f.clock) else { return false }
            _ = c.decimalHoursZone(into: &f.clock)
        }
        guard c.eat(UInt8(ascii: "]")), c.eat(UInt8(ascii: "[")), let pid = c.number(maxDigits: 10),
              c.eat(UInt8(ascii: ",")) else { return false }
        c.skipSpaces()
        guard let tid = c.number(maxDigits: 10) else { return false }
        _ = c.eat(UInt8(ascii: "*"))
        guard c.eat(UInt8(ascii: "]")) else { return false }
        f.timeKind = .clock
        f.level = level
        f.pid = pid
        f.tid = tid
        // Up to two more bracket groups: a tag, and `file:line[, func]`.
        for _ in 0..<2 {
            guard c.peek() == UInt8(ascii: "[") else { break }
            let open = c.index + 1
            let close = line.nextByte(UInt8(ascii: "]"), from: open, to: line.count)
            guard close < line.count else { break }
            if let fileEnd = Self.fileLine(line, open, close) {
                f.origin = open..<close
                if f.tag.isEmpty { f.tag = open..<fileEnd }
            } else if f.tag.isEmpty && f.origin.isEmpty {
                f.tag = open..<close
            } else {
                break
            }
            c.index = close + 1
        }
        _ = c.eat(UInt8(ascii: "["))  // mars opens the message with a bracket it never closes
        f.message = c.index..<line.count
        return true
    }

    /// End of the file name when `line[open..<close]` reads `name.ext:123` (optionally `, func`).
    private static func fileLine(_ line: UnsafeRawBufferPointer, _ open: Int, _ close: Int) -> Int? {
        let i = line.nextByte(UInt8(ascii: ":"), from: open, to: close)
        guard i < close, i > open, i + 1 < close, isDigit(line[i + 1]) else { return nil }
        return i
    }
}
