#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level matching helpers for analyzers: no `String` per event.
public enum ByteMatch {
    /// Offset of the first occurrence of `needle` (`memchr` on its first byte, then the rest
    /// compared in place: needles are a few bytes, where a `memcmp` call costs more than it does).
    @inline(__always)
    public static func find(_ hay: UnsafeRawBufferPointer, _ needle: UnsafeRawPointer, _ length: Int) -> Int? {
        guard length > 0, hay.count >= length, let base = hay.baseAddress else { return nil }
        let first = Int32(needle.load(as: UInt8.self))
        var from = 0
        let last = hay.count - length
        while from <= last, let hit = memchr(base + from, first, last - from + 1) {
            let at = base.distance(to: UnsafeRawPointer(hit))
            var j = 1
            while j < length, base.load(fromByteOffset: at + j, as: UInt8.self) == needle.load(fromByteOffset: j, as: UInt8.self) {
                j += 1
            }
            if j == length { return at }
            from = at + 1
        }
        return nil
    }

    /// Case-sensitive substring test.
    @inline(__always)
    public static func contains(_ hay: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        find(hay, needle.utf8Start, needle.utf8CodeUnitCount) != nil
    }

    /// Whether `digits` occurs in `hay` as a number of its own (no digit right before or after).
    public static func containsNumber(_ hay: UnsafeRawBufferPointer, _ digits: StaticString) -> Bool {
        var from = 0
        let n = digits.utf8CodeUnitCount
        while from < hay.count, let at = find(UnsafeRawBufferPointer(rebasing: hay[from...]), digits.utf8Start, n) {
            let start = from + at, end = start + n
            if (start == 0 || !isASCIIDigit(hay[start - 1])) && (end == hay.count || !isASCIIDigit(hay[end])) { return true }
            from = start + 1
        }
        return false
    }

    /// Whether `hay` begins with `prefix`.
    @inline(__always)
    public static func startsWith(_ hay: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        hay.count >= prefix.utf8CodeUnitCount && memcmp(hay.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// Offset just past the first occurrence of `needle`, or nil.
    @inline(__always)
    public static func after(_ hay: UnsafeRawBufferPointer, _ needle: StaticString) -> Int? {
        find(hay, needle.utf8Start, needle.utf8CodeUnitCount).map { $0 + needle.utf8CodeUnitCount }
    }

    /// Case-insensitive (ASCII) equality; `word` must be lowercase.
    public static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let p = word.utf8Start
        for i in 0..<bytes.count {
            let c = bytes[i]
            if ((c >= 65 && c <= 90) ? c | 0x20 : c) != p[i] { return false }
        }
        return true
    }

    /// Case-insensitive (ASCII) substring test; `needle` must be lowercase.
    public static func containsLowercased(_ hay: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        containsLowercased(hay, needle.utf8Start, needle.utf8CodeUnitCount)
    }

    /// Case-insensitive (ASCII) substring test; `needle` must be lowercase.
    public static func containsLowercased(_ hay: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        needle.withUnsafeBufferPointer { containsLowercased(hay, $0.baseAddress!, $0.count) }
    }

    static func containsLowercased(_ hay: UnsafeRawBufferPointer, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        firstLowercased(hay, p, n, from: 0) != nil
    }

    /// Where `needle` (lowercase) first occurs in `hay` at or after `from`, ASCII case ignored.
    public static func firstLowercased(_ hay: UnsafeRawBufferPointer, _ needle: StaticString, from: Int = 0) -> Int? {
        firstLowercased(hay, needle.utf8Start, needle.utf8CodeUnitCount, from: from)
    }

    /// Whether `hay` has `prefix` (lowercase) at `offset`, ASCII case ignored.
    public static func hasLowercased(_ hay: UnsafeRawBufferPointer, _ prefix: StaticString, at offset: Int) -> Bool {
        let n = prefix.utf8CodeUnitCount, p = prefix.utf8Start
        guard offset >= 0, offset + n <= hay.count else { return false }
        for j in 0..<n {
            let c = hay[offset + j]
            if ((c >= 65 && c <= 90) ? c | 0x20 : c) != p[j] { return false }
        }
        return true
    }

    static func firstLowercased(_ hay: UnsafeRawBufferPointer, _ p: UnsafePointer<UInt8>, _ n: Int, from: Int) -> Int? {
        guard n > 0, hay.count >= n else { return nil }
        let first = p[0]
        let firstUpper = (first >= 97 && first <= 122) ? first - 32 : first
        var i = max(0, from)
        let last = hay.count - n
        while i <= last {
            let b = hay[i]
            if b == first || b == firstUpper {
                var j = 1
                while j < n {
                    let c = hay[i + j]
                    if ((c >= 65 && c <= 90) ? c | 0x20 : c) != p[j] { break }
                    j += 1
                }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }

    /// The decimal number (optionally with a fraction) starting at `offset`, skipping spaces.
    /// The digits are gathered as an integer and scaled once (one rounding: `0.3` reads as the
    /// double nearest 0.3, not as 3 × 0.1), past 19 significant digits only their magnitude counts.
    public static func number(_ hay: UnsafeRawBufferPointer, at offset: Int) -> Double? {
        var i = offset
        while i < hay.count, hay[i] == 0x20 { i += 1 }
        var mantissa: UInt64 = 0
        var significant = 0, fractionDigits = 0, droppedWholeDigits = 0, digits = 0, seenDot = false
        while i < hay.count {
            let b = hay[i]
            if b == UInt8(ascii: "."), !seenDot { seenDot = true; i += 1; continue }
            let d = b &- 48
            guard d < 10 else { break }
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant += 1 }
                if seenDot { fractionDigits += 1 }
            } else if !seenDot {
                droppedWholeDigits += 1
            }
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        var value = Double(mantissa)
        if droppedWholeDigits > 0 { value *= power10(droppedWholeDigits) }
        if fractionDigits > 0 { value /= power10(fractionDigits) }
        return value
    }

    /// 10^n: exact from the table up to 10^22.
    @inline(__always)
    private static func power10(_ n: Int) -> Double {
        n < powersOf10.count ? powersOf10[n] : pow(10, Double(n))
    }

    private static let powersOf10: [Double] = (0...22).map { n in (0..<n).reduce(1.0) { r, _ in r * 10 } }

    /// The number after the first occurrence of `key` (`loss=`, `rtt: `).
    public static func number(after key: StaticString, in hay: UnsafeRawBufferPointer) -> Double? {
        after(hay, key).flatMap { number(hay, at: $0) }
    }
}

/// An ASCII digit; the analyzers read numbers and states on bytes.
@inline(__always) func isASCIIDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
@inline(__always) func isHexDigit(_ b: UInt8) -> Bool { isASCIIDigit(b) || (b | 0x20) &- 97 < 6 }
