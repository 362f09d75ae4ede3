/// Severity normalized across dialects (logcat letters, Chromium names, os_log types, JSON words).
public enum Level: UInt8, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    case unknown = 0, verbose, debug, info, warning, error, fatal

    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .verbose: "verbose"
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        case .fatal: "fatal"
        }
    }

    /// One letter as logcat prints it (`?` when unknown).
    public var letter: Character {
        switch self {
        case .unknown: "?"
        case .verbose: "V"
        case .debug: "D"
        case .info: "I"
        case .warning: "W"
        case .error: "E"
        case .fatal: "F"
        }
    }

    /// Logcat / xlog priority letters: V D I W E F, and A (assert) as fatal.
    @inline(__always)
    public static func fromLetter(_ b: UInt8) -> Level? {
        switch b {
        case UInt8(ascii: "V"): .verbose
        case UInt8(ascii: "D"): .debug
        case UInt8(ascii: "I"): .info
        case UInt8(ascii: "W"): .warning
        case UInt8(ascii: "E"): .error
        case UInt8(ascii: "F"), UInt8(ascii: "A"): .fatal
        default: nil
        }
    }

    /// Level words of Chromium, os_log, log4j-style and JSON loggers, any case.
    public static func fromWord(_ w: UnsafeRawBufferPointer) -> Level? {
        guard w.count >= 1, w.count <= 8 else { return nil }
        let p = w.baseAddress!
        var buf: UInt64 = 0
        for i in 0..<w.count {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            let lower = b &- 65 < 26 ? b | 0x20 : b
            buf |= UInt64(lower) &<< UInt64(8 &* i)
        }
        switch buf {
        case word("trace"), word("verbose"), word("verb"), word("v"), word("finest"), word("finer"): return .verbose
        case word("debug"), word("d"), word("dbg"), word("fine"): return .debug
        case word("info"), word("i"), word("inf"), word("notice"), word("default"), word("log"): return .info
        case word("warn"), word("warning"), word("w"), word("wrn"): return .warning
        case word("error"), word("err"), word("e"), word("severe"): return .error
        case word("fatal"), word("critical"), word("crit"), word("f"), word("panic"), word("assert"),
             word("fault"), word("alert"), word("emerg"):
            return .fatal
        default:
            // Chromium prints VERBOSE1, VERBOSE2, … for vlog levels.
            if w.count == 8, buf & 0x00FF_FFFF_FFFF_FFFF == word("verbose"), w[7] >= 0x30, w[7] <= 0x39 {
                return .verbose
            }
            return nil
        }
    }

    public static func fromWord(_ s: String) -> Level? {
        var s = s
        return s.withUTF8 { fromWord(UnsafeRawBufferPointer($0)) }
    }
}

/// Packs up to 8 ASCII bytes little-endian, for switch-based word matching.
@inline(__always)
func word(_ s: StaticString) -> UInt64 {
    var v: UInt64 = 0
    s.withUTF8Buffer { b in
        for (i, c) in b.prefix(8).enumerated() { v |= UInt64(c) << (8 * UInt64(i)) }
    }
    return v
}
