/// The Agora RTC SDK's own log file (`agorasdk.log`, 2.x–3.x native SDKs; the same text follows
/// the `AGORA_SDK` tag in logcat): `LEVEL   (HH:MM:SS:mmm | delta)  tid; [module] message`.
/// The level is padded to eight columns; each clock field is padded with spaces, not zeros
/// (`(10: 6:54:569 |    0)`); the delta is milliseconds since the previous line. The line
/// prints no date: the reader dates it from the file (see `YearResolver.day(forTimeOfDay:)`).
/// The leading `[module]` (`[cm]`, `[adm]`, `[tactics]`, …) is the tag. Agora's Web SDK prints
/// to the browser console `HH:MM:SS:mmm Agora-SDK [LEVEL]: message` (zero-padded), read here too
/// with the tag `Agora-SDK`.
public struct AgoraSDKDialect: Dialect {
    public static var name: String { "agora-sdk" }
    public static var summary: String { "Agora SDK log: INFO    (16:41:51: 76 |    0)   3494; [cm] msg" }

    public static var samples: [DialectSample] { [
        .init("INFO    (16:41:51: 78 |    0)   3494; [cm] connection state changed from 1 to 2",
              time: "time of day 16:41:51.078", level: .info, tid: 3494, tag: "cm", message: "connection state changed from 1 to 2"),
        .init("ERROR   (17:33:45: 44 |    0)  55043; [adm][e] ActivateAudioSession: Failed to activate the audio session",
              time: "time of day 17:33:45.044", level: .error, tid: 55043, tag: "adm",
              message: "[e] ActivateAudioSession: Failed to activate the audio session"),
        .init("WARN    (10: 6:54:569 |  113)   6342; adjustCodecFrameRates: Cannot adjust frame rate when VQC is on",
              time: "time of day 10:06:54.569", level: .warning, tid: 6342, tag: "",
              message: "adjustCodecFrameRates: Cannot adjust frame rate when VQC is on"),
        .init("14:13:04:461 Agora-SDK [ERROR]: [gateway-client-42fb7] reconnect failed AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: dynamic key expired",
              time: "time of day 14:13:04.461", level: .error, tag: "Agora-SDK",
              message: "[gateway-client-42fb7] reconnect failed AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: dynamic key expired"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        // The level word ends at the first space; the clock opens at column 8 (9 for a longer word).
        guard line.count >= 28 else { return false }
        if isDigit(line[0]) { return parseWeb(line, into: &f) }
        guard line[0] &- UInt8(ascii: "A") < 26 else { return false }
        let wordEnd = line.nextByte(0x20, from: 0, to: 9)
        guard wordEnd >= 4, wordEnd <= 8, let level = Level.fromWord(UnsafeRawBufferPointer(rebasing: line[0..<wordEnd])) else {
            return false
        }
        var c = ByteCursor(line, at: wordEnd)
        c.skipSpaces()
        guard c.eat(UInt8(ascii: "(")) else { return false }
        guard let h = paddedField(&c, width: 2), h < 24, c.eat(UInt8(ascii: ":")),
              let m = paddedField(&c, width: 2), m < 60, c.eat(UInt8(ascii: ":")),
              let s = paddedField(&c, width: 2), s < 61, c.eat(UInt8(ascii: ":")),
              let ms = paddedField(&c, width: 3) else { return false }
        c.skipSpaces()
        guard c.eat(UInt8(ascii: "|")) else { return false }
        c.skipSpaces()
        guard c.number(maxDigits: 10) != nil, c.eat(UInt8(ascii: ")")) else { return false }
        c.skipSpaces()
        guard let tid = c.number(maxDigits: 10), c.eat(UInt8(ascii: ";")) else { return false }
        c.skipSpaces()
        f.timeKind = .clock
        f.clock = timeOfDay(h, m, s, ms)
        f.level = level
        f.tid = tid
        // `[module]` directly followed by the message or by another bracket (`[adm][e]`).
        if c.peek() == UInt8(ascii: "[") {
            let close = line.nextByte(UInt8(ascii: "]"), from: c.index + 1, to: min(line.count, c.index + 33))
            if close < line.count, close > c.index + 1 {
                f.tag = (c.index + 1)..<close
                c.index = close + 1
                c.skipSpaces()
            }
        }
        f.message = c.index..<line.count
        return true
    }

    /// `14:13:04:461 Agora-SDK [WARNING]: message`.
    private static func parseWeb(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        var c = ByteCursor(line)
        guard let h = c.digits(2), h < 24, c.eat(UInt8(ascii: ":")), let m = c.digits(2), m < 60, c.eat(UInt8(ascii: ":")),
              let s = c.digits(2), s < 61, c.eat(UInt8(ascii: ":")), let ms = c.digits(3), c.eat(0x20) else { return false }
        let tagStart = c.index
        for b in "Agora-SDK [".utf8 { guard c.eat(b) else { return false } }
        let wordStart = c.index
        guard c.seek(UInt8(ascii: "]")), c.index - wordStart <= 8,
              let level = Level.fromWord(UnsafeRawBufferPointer(rebasing: line[wordStart..<c.index])) else { return false }
        c.index += 1
        guard c.eat(UInt8(ascii: ":")) else { return false }
        c.skipSpaces()
        f.timeKind = .clock
        f.clock = timeOfDay(h, m, s, ms)
        f.level = level
        f.tag = tagStart..<(tagStart + 9)
        f.message = c.index..<line.count
        return true
    }

    /// A clock reading with no date (month and day 0): the reader dates it.
    @inline(__always)
    private static func timeOfDay(_ h: Int32, _ m: Int32, _ s: Int32, _ ms: Int32) -> ClockReading {
        var clock = ClockReading()
        clock.month = 0
        clock.day = 0
        clock.hour = h
        clock.minute = m
        clock.second = s
        clock.micros = ms * 1000
        return clock
    }

    /// A clock field of `width` columns, right-aligned with spaces (`" 6"`, `" 44"`).
    @inline(__always)
    private static func paddedField(_ c: inout ByteCursor, width: Int) -> Int32? {
        let end = c.index + width
        var v: Int32 = 0
        var digits = 0
        while c.index < end, let b = c.peek() {
            if b == 0x20, digits == 0 {
                c.index += 1
            } else if isDigit(b) {
                v = v * 10 + Int32(b - 48)
                digits += 1
                c.index += 1
            } else {
                return nil
            }
        }
        return digits > 0 && c.index == end ? v : nil
    }
}
