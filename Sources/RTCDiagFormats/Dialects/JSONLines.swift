#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One JSON object per line, as structured loggers and browser SDKs write them. Keys are found
/// by their usual names: time (`ts`, `time`, `timestamp`, `@timestamp`, `t`), level (`level`,
/// `severity`, `lvl`, `levelname`), tag (`tag`, `module`, `category`, `logger`, `component`,
/// `name`), message (`msg`, `message`), and `pid` / `tid`. Times may be ISO-8601 strings or
/// epoch numbers in seconds, milliseconds or microseconds.
public struct JSONLinesDialect: Dialect {
    public static var name: String { "json-lines" }
    public static var summary: String { #"JSON lines: {"ts":"2024-05-01T10:00:00.123Z","level":"warn","tag":"ice","msg":"…"}"# }

    public static var samples: [DialectSample] { [
        .init(#"{"ts":"2024-05-01T10:00:00.123Z","level":"warn","tag":"ice","msg":"ICE connection state changed to disconnected"}"#,
              time: "2024-05-01 10:00:00.123", level: .warning, tag: "ice",
              message: "ICE connection state changed to disconnected"),
        .init(#"{"timestamp":1714557600123,"severity":"ERROR","module":"signaling","message":"join failed: \"token expired\"","code":401}"#,
              time: "2024-05-01 10:00:00.123", level: .error, tag: "signaling", message: #"join failed: "token expired""#),
        .init(#"  {"time": 1714557600.5, "lvl": "info", "logger": "stats", "pid": 42, "msg": "rtt=120 loss=0.5%", "extra": {"a": [1, 2]}}"#,
              time: "2024-05-01 10:00:00.500", level: .info, pid: 42, tag: "stats", message: "rtt=120 loss=0.5%"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        var c = ByteCursor(line)
        c.skipSpaces()
        guard c.eat(UInt8(ascii: "{")) else { return false }
        var sawAny = false
        while true {
            c.skipSpaces()
            if c.eat(UInt8(ascii: "}")) { return sawAny && (!f.message.isEmpty || f.timeKind != .none) }
            guard let key = Self.string(&c) else { return false }
            c.skipSpaces()
            guard c.eat(UInt8(ascii: ":")) else { return false }
            c.skipSpaces()
            let valueStart = c.index
            let isString = c.peek() == UInt8(ascii: "\"")
            let value: Range<Int>
            if isString {
                guard let s = Self.string(&c) else { return false }
                value = s
            } else {
                guard Self.skipValue(&c) else { return false }
                value = valueStart..<c.index
            }
            Self.assign(line, key: key, value: value, isString: isString, into: &f)
            sawAny = true
            c.skipSpaces()
            if c.eat(UInt8(ascii: ",")) { continue }
            guard c.eat(UInt8(ascii: "}")) else { return false }
            return !f.message.isEmpty || f.timeKind != .none
        }
    }

    private static func assign(_ line: UnsafeRawBufferPointer, key: Range<Int>, value: Range<Int>, isString: Bool,
                               into f: inout LineFields) {
        let k = UnsafeRawBufferPointer(rebasing: line[key])
        let v = UnsafeRawBufferPointer(rebasing: line[value])
        guard k.count <= 10 else { return }
        var packed: UInt64 = 0
        if let p = k.baseAddress {
            for i in 0..<min(k.count, 8) { packed |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &<< UInt64(8 &* i) }
        }
        switch (k.count, packed) {
        case (2, word("ts")), (4, word("time")), (9, word("timestamp")), (10, word("@timesta")), (1, word("t")):
            if isString {
                var c = ByteCursor(v)
                var r = ClockReading()
                if c.date(into: &r, yearOptional: false), c.eat(UInt8(ascii: "T")) || c.eat(0x20), c.time(into: &r) {
                    _ = c.zone(into: &r)
                    f.clock = r
                    f.timeKind = .clock
                }
            } else if let epoch = epochMicros(v) {
                f.instant = epoch
                f.timeKind = .epoch
            }
        case (5, word("level")), (8, word("severity")), (3, word("lvl")), (9, word("levelname")):
            if let l = Level.fromWord(v) { f.level = l }
        case (3, word("tag")), (6, word("module")), (8, word("category")), (6, word("logger")),
             (9, word("component")), (4, word("name")):
            if isString, f.tag.isEmpty { f.tag = value }
        case (3, word("msg")), (7, word("message")):
            if isString { f.message = value; f.messageIsJSONEscaped = true }
        case (3, word("pid")):
            var c = ByteCursor(v)
            if let n = c.number(maxDigits: 10) { f.pid = n }
        case (3, word("tid")):
            var c = ByteCursor(v)
            if let n = c.number(maxDigits: 10) { f.tid = n }
        default:
            break
        }
    }

    /// A number read as epoch seconds, milliseconds or microseconds by its magnitude.
    private static func epochMicros(_ v: UnsafeRawBufferPointer) -> Int64? {
        var whole: Int64 = 0
        var frac: Int64 = 0
        var fracDigits = 0
        var seenDot = false
        var digits = 0
        for b in v {
            if b == UInt8(ascii: ".") { guard !seenDot else { return nil }; seenDot = true; continue }
            guard isDigit(b) else { return nil }
            if seenDot {
                if fracDigits < 6 { frac = frac * 10 + Int64(b - 48); fracDigits += 1 }
            } else {
                guard digits < 18 else { return nil }
                whole = whole * 10 + Int64(b - 48)
                digits += 1
            }
        }
        guard digits > 0 else { return nil }
        while fracDigits < 6 { frac *= 10; fracDigits += 1 }
        switch whole {
        case ..<100_000_000_000: return whole * 1_000_000 + frac  // seconds
        case ..<100_000_000_000_000: return whole * 1000 + frac / 1000  // milliseconds
        default: return whole  // microseconds
        }
    }

    /// A JSON string at the cursor; returns the range between the quotes (escapes left in place).
    /// Jumps from quote to quote: within the next 16 bytes with word loads (keys, levels and
    /// tags end there; a `memchr` call costs more than such a string), past them with `memchr`.
    /// A quote after an odd run of backslashes is escaped.
    static func string(_ c: inout ByteCursor) -> Range<Int>? {
        guard c.eat(UInt8(ascii: "\"")) else { return nil }
        let start = c.index
        guard let base = c.bytes.baseAddress else { return nil }
        let n = c.bytes.count
        var from = start
        while from < n {
            let near = min(n, from + 16)
            var q = c.bytes.nextByte(0x22, from: from, to: near)
            if q == near {
                guard near < n, let hit = memchr(base + near, 0x22, n - near) else { return nil }
                q = UnsafeRawPointer(hit) - base
            }
            var slashes = 0
            while q - slashes - 1 >= start, c.bytes[q - slashes - 1] == UInt8(ascii: "\\") { slashes += 1 }
            if slashes & 1 == 0 {
                c.index = q + 1
                return start..<q
            }
            from = q + 1
        }
        return nil
    }

    /// Skips a number, literal, object or array (strings inside nested values are honoured).
    static func skipValue(_ c: inout ByteCursor) -> Bool {
        var depth = 0
        while let b = c.peek() {
            switch b {
            case UInt8(ascii: "\""):
                guard string(&c) != nil else { return false }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return true }
                depth -= 1
                if depth == 0 { c.index += 1; return true }
            case UInt8(ascii: ","):
                if depth == 0 { return true }
            case 0x20, 0x09:
                if depth == 0 { return true }
            default:
                break
            }
            c.index += 1
        }
        return depth == 0
    }
}
