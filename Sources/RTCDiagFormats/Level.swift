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
    @inline(never)
    public static func fromWord(_ w: UnsafeRawBufferPointer) -> Level? {
        guard w.count >= 1, w.count <= 8 else { return nil }
        // Packed with two overlapping 4-byte loads (a byte loop here cost ~3 % of parsing).
        let p = w.baseAddress!, n = w.count
        var buf: UInt64
        if n >= 4 {
            let lo = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let hi = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            buf = lo | hi &<< UInt64(8 &* (n - 4))
        } else {
            buf = UInt64(p.load(as: UInt8.self))
            if n > 1 { buf |= UInt64(p.load(fromByteOffset: 1, as: UInt8.self)) &<< 8 }
            if n > 2 { buf |= UInt64(p.load(fromByteOffset: 2, as: UInt8.self)) &<< 16 }
        }
        buf = asciiLowercased(buf)
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

/// The eight bytes of `x` with ASCII `A`–`Z` turned lowercase, all at once: the high bit of
/// each byte is set by the additions where the byte is at least `A`, and where it is above `Z`
/// (no byte carries into the next: every byte is below 0x80 before adding); bytes of 0x80 and
/// up are left alone.
@inline(__always)
func asciiLowercased(_ x: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let low7 = x & (0x7F &* ones)
    let atLeastA = low7 &+ (0x80 &- 0x41) &* ones
    let aboveZ = low7 &+ (0x80 &- 0x5B) &* ones
    let upper = atLeastA & ~aboveZ & ~x & (0x80 &* ones)
    return x | upper &>> 2
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
