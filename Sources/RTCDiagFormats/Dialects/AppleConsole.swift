/// NSLog / Xcode console lines and `log stream --style compact`:
/// `2024-05-01 10:00:00.123456+0800 App[123:4567] message`, the compact style with a type
/// column (`Df`, `Db`, `I`, `E`, `F`) before the process, and old Xcode lines without a zone.
public struct AppleConsoleDialect: Dialect {
    public static var name: String { "apple-console" }
    public static var summary: String { "iOS/macOS console (NSLog): 2024-05-01 10:00:00.123456+0800 App[123:4567] msg" }

    public static var samples: [DialectSample] { [
        .init("2024-05-01 10:00:00.123456+0800 RTCDemo[1234:567890] RTCAudioSession (0x281234560): Audio session interruption began.",
              time: "2024-05-01 10:00:00.123456", level: .info, pid: 1234, tid: 567890, tag: "RTCDemo",
              message: "RTCAudioSession (0x281234560): Audio session interruption began."),
        .init("2024-05-01 10:00:01.500 Df RTCDemo[1234:5678] [WebRTC] Failed to set category: Error Domain=NSOSStatusErrorDomain Code=561017449",
              time: "2024-05-01 10:00:01.500", level: .info, pid: 1234, tid: 5678, tag: "RTCDemo",
              message: "[WebRTC] Failed to set category: Error Domain=NSOSStatusErrorDomain Code=561017449"),
        .init("2024-05-01 10:00:02.000 E  Video Call Helper[77:0x1a2b] route change: reason=2",
              time: "2024-05-01 10:00:02.000", level: .error, pid: 77, tid: 0x1a2b, tag: "Video Call Helper",
              message: "route change: reason=2"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 28, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.date(into: &f.clock, yearOptional: false), c.eat(0x20), c.time(into: &f.clock) else { return false }
        _ = c.zone(into: &f.clock)
        guard c.skipSpaces() > 0 else { return false }
        f.level = .info
        // Compact style type column.
        if let t = c.peek(), let t2 = c.peek(1) {
            let pair = (t, t2)
            var width = 0
            switch pair {
            case (UInt8(ascii: "D"), UInt8(ascii: "f")): width = 2
            case (UInt8(ascii: "D"), UInt8(ascii: "b")): f.level = .debug; width = 2
            case (UInt8(ascii: "I"), 0x20): width = 1
            case (UInt8(ascii: "E"), 0x20): f.level = .error; width = 1
            case (UInt8(ascii: "F"), 0x20): f.level = .fatal; width = 1
            default: break
            }
            if width > 0, c.peek(width) == 0x20 {
                c.index += width
                c.skipSpaces()
            }
        }
        let processStart = c.index
        // Process names may hold spaces: find `[pid:tid]` followed by a space.
        while c.seek(UInt8(ascii: "[")) {
            let open = c.index
            c.index += 1
            if let pid = c.number(maxDigits: 10), c.eat(UInt8(ascii: ":")), let tid = Self.threadID(&c),
               c.eat(UInt8(ascii: "]")), c.atEnd || c.peek() == 0x20, open > processStart {
                f.timeKind = .clock
                f.pid = pid
                f.tid = tid
                f.tag = processStart..<open
                f.message = min(c.index + 1, line.count)..<line.count
                return true
            }
            c.index = open + 1
        }
        return false
    }

    /// Decimal, or hexadecimal with `0x`, as newer consoles print thread ids.
    static func threadID(_ c: inout ByteCursor) -> Int32? {
        if c.peek() == UInt8(ascii: "0"), c.peek(1) == UInt8(ascii: "x") {
            c.index += 2
            var v: Int64 = 0
            var n = 0
            while let b = c.peek(), let d = hexValue(b), n < 16 {
                v = v << 4 | Int64(d)
                c.index += 1
                n += 1
            }
            return n > 0 ? Int32(truncatingIfNeeded: v) : nil
        }
        return c.number(maxDigits: 10)
    }
}

/// The value of an ASCII hex digit, or nil.
@inline(__always)
public func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 48...57: b - 48
    case 97...102: b - 87
    case 65...70: b - 55
    default: nil
    }
}
