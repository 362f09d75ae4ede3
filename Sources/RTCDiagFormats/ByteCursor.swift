/// A forward-only reader over one line's bytes: the parsers' only tool, so no `String` is
/// made while a line is being recognised.
public struct ByteCursor {
    public let bytes: UnsafeRawBufferPointer
    public var index: Int

    @inline(__always)
    public init(_ bytes: UnsafeRawBufferPointer, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    @inline(__always) public var atEnd: Bool { index >= bytes.count }
    @inline(__always) public var remaining: Int { bytes.count - index }

    @inline(__always)
    public func peek(_ ahead: Int = 0) -> UInt8? {
        let i = index + ahead
        return i < bytes.count ? bytes[i] : nil
    }

    @inline(__always)
    public mutating func eat(_ b: UInt8) -> Bool {
        if index < bytes.count && bytes[index] == b { index += 1; return true }
        return false
    }

    /// Exactly `n` decimal digits.
    @inline(__always)
    public mutating func digits(_ n: Int) -> Int32? {
        guard index + n <= bytes.count else { return nil }
        var v: Int32 = 0
        for k in 0..<n {
            let d = bytes[index + k] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int32(d)
        }
        index += n
        return v
    }

    /// One to `maxDigits` decimal digits.
    @inline(__always)
    public mutating func number(maxDigits: Int = 9) -> Int32? {
        var v: Int32 = 0
        var n = 0
        while index < bytes.count, n < maxDigits {
            let d = bytes[index] &- 48
            if d >= 10 { break }
            v = v * 10 + Int32(d)
            index += 1
            n += 1
        }
        return n > 0 ? v : nil
    }

    /// `.` or `,` then 1…9 digits, as microseconds.
    @inline(__always)
    public mutating func fraction() -> Int32? {
        guard let b = peek(), b == UInt8(ascii: ".") || b == UInt8(ascii: ",") else { return nil }
        let save = index
        index += 1
        var v: Int32 = 0
        var n = 0
        while index < bytes.count {
            let d = bytes[index] &- 48
            if d >= 10 { break }
            if n < 6 { v = v * 10 + Int32(d) }
            n += 1
            index += 1
        }
        if n == 0 { index = save; return nil }
        var scale = n
        while scale < 6 { v *= 10; scale += 1 }
        return v
    }

    /// Skips spaces (and tabs); returns how many.
    @inline(__always)
    @discardableResult
    public mutating func skipSpaces() -> Int {
        let start = index
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        return index - start
    }

    /// Advances to the next `b` (not past it); false and unmoved when there is none.
    @inline(__always)
    public mutating func seek(_ b: UInt8) -> Bool {
        let i = bytes.nextByte(b, from: index, to: bytes.count)
        guard i < bytes.count else { return false }
        index = i
        return true
    }

    /// `YYYY-MM-DD`, or `MM-DD` when `yearOptional`.
    @inline(__always)
    public mutating func date(into r: inout ClockReading, yearOptional: Bool) -> Bool {
        let save = index
        if let y = digits(4), eat(UInt8(ascii: "-")) {
            r.year = y
        } else {
            index = save
            guard yearOptional else { return false }
        }
        guard let m = digits(2), eat(UInt8(ascii: "-")), let d = digits(2) else { index = save; return false }
        r.month = m
        r.day = d
        return true
    }

    /// Fast path for the layout nearly every mobile log uses: `MM-DD HH:MM:SS.mmm` at the cursor
    /// (fixed positions, millisecond fraction), then any longer fraction. Falls back to nothing:
    /// callers use `date`/`time` when this fails.
    @inline(__always)
    public mutating func fixedClock(into r: inout ClockReading) -> Bool {
        let i = index
        guard i + 18 <= bytes.count else { return false }
        let p = bytes.baseAddress! + i
        @inline(__always) func b(_ k: Int) -> UInt32 { UInt32(p.load(fromByteOffset: k, as: UInt8.self)) &- 48 }
        let mo1 = b(0), mo2 = b(1), d1 = b(3), d2 = b(4), h1 = b(6), h2 = b(7), mi1 = b(9), mi2 = b(10)
        let s1 = b(12), s2 = b(13), f1 = b(15), f2 = b(16), f3 = b(17)
        // Every digit below 10, and the separators in place ('-' ' ' ':' ':' '.').
        // (Chained comparisons: a variadic `max` would allocate an array per line.)
        guard mo1 < 10, mo2 < 10, d1 < 10, d2 < 10, h1 < 10, h2 < 10, mi1 < 10, mi2 < 10, s1 < 10, s2 < 10,
              f1 < 10, f2 < 10, f3 < 10,
              b(2) == UInt32(bitPattern: -3), b(5) == UInt32(bitPattern: -16), b(8) == 10, b(11) == 10,
              b(14) == UInt32(bitPattern: -2) else { return false }
        r.month = Int32(mo1 * 10 + mo2)
        r.day = Int32(d1 * 10 + d2)
        r.hour = Int32(h1 * 10 + h2)
        r.minute = Int32(mi1 * 10 + mi2)
        r.second = Int32(s1 * 10 + s2)
        r.micros = Int32(f1 * 100 + f2 * 10 + f3) * 1000
        index = i + 18
        // `-v usec` / `-v nsec` print more digits.
        if index < bytes.count, isDigit(bytes[index]) {
            var extra: Int32 = 0, n = 0
            while index < bytes.count, isDigit(bytes[index]) {
                if n < 3 { extra = extra * 10 + Int32(bytes[index] - 48) }
                n += 1
                index += 1
            }
            while n < 3 { extra *= 10; n += 1 }
            r.micros += extra
        }
        return r.isValid
    }

    /// `HH:MM:SS` with an optional fraction.
    @inline(__always)
    public mutating func time(into r: inout ClockReading) -> Bool {
        guard index + 8 <= bytes.count else { return false }
        let p = bytes.baseAddress! + index
        @inline(__always) func b(_ k: Int) -> UInt32 { UInt32(p.load(fromByteOffset: k, as: UInt8.self)) &- 48 }
        let h1 = b(0), h2 = b(1), m1 = b(3), m2 = b(4), s1 = b(6), s2 = b(7)
        guard h1 < 10, h2 < 10, m1 < 10, m2 < 10, s1 < 10, s2 < 10, b(2) == 10, b(5) == 10 else { return false }
        index += 8
        r.hour = Int32(h1 * 10 + h2)
        r.minute = Int32(m1 * 10 + m2)
        r.second = Int32(s1 * 10 + s2)
        r.micros = fraction() ?? 0
        return r.isValid
    }

    /// `Z`, `±hh:mm`, `±hhmm` or `±hh`.
    @inline(__always)
    public mutating func zone(into r: inout ClockReading) -> Bool {
        if eat(UInt8(ascii: "Z")) { r.utcOffset = 0; return true }
        guard let b = peek(), b == UInt8(ascii: "+") || b == UInt8(ascii: "-") else { return false }
        let save = index
        index += 1
        guard let h = digits(2) else { index = save; return false }
        _ = eat(UInt8(ascii: ":"))
        let m = digits(2) ?? 0
        r.utcOffset = (b == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
        return true
    }

    /// An hours offset written as a decimal (`+8.0`, `-5.5`), as xlog prints it.
    @inline(__always)
    public mutating func decimalHoursZone(into r: inout ClockReading) -> Bool {
        guard let b = peek(), b == UInt8(ascii: "+") || b == UInt8(ascii: "-") else { return false }
        let save = index
        index += 1
        guard let h = number(maxDigits: 2) else { index = save; return false }
        var tenths: Int32 = 0
        if eat(UInt8(ascii: ".")) { tenths = number(maxDigits: 1) ?? 0; _ = number(maxDigits: 3) }
        r.utcOffset = (b == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + tenths * 360)
        return true
    }

    /// Index of the first `": "` (or a `:` ending the line) at or after the cursor.
    @inline(__always)
    public func colonSpace() -> Int? {
        var i = bytes.nextByte(UInt8(ascii: ":"), from: index, to: bytes.count)
        while i < bytes.count {
            if i + 1 == bytes.count || bytes[i + 1] == 0x20 { return i }
            i = bytes.nextByte(UInt8(ascii: ":"), from: i + 1, to: bytes.count)
        }
        return nil
    }
}

extension UnsafeRawBufferPointer {
    /// `lower..<upper` with trailing spaces removed.
    @inline(__always)
    func trimmedEnd(_ lower: Int, _ upper: Int) -> Range<Int> {
        var u = upper
        while u > lower, self[u - 1] == 0x20 || self[u - 1] == 0x09 { u -= 1 }
        return lower..<u
    }
}

extension UnsafeRawBufferPointer {
    /// Index of the first `b` in `i..<end` (`end` when none), eight bytes per step: the lines
    /// the parsers walk are short, so this beats both a byte loop and a `memchr` call.
    @inline(__always)
    func nextByte(_ b: UInt8, from i: Int, to end: Int) -> Int {
        let pattern = UInt64(b) &* 0x0101_0101_0101_0101
        var i = i
        while i + 8 <= end {
            let y = loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            let zero = (y &- 0x0101_0101_0101_0101) & ~y & 0x8080_8080_8080_8080
            if zero != 0 { return i + zero.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end, self[i] != b { i += 1 }
        return i
    }

    /// Index of the first space at or after `i` (`count` when none).
    @inline(__always)
    func nextSpace(from i: Int) -> Int { nextByte(0x20, from: i, to: count) }

    /// Index of the first byte that is not a space at or after `i` (`count` when none).
    @inline(__always)
    func nextNonSpace(from i: Int) -> Int {
        var i = i
        while i + 8 <= count {
            let y = loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x2020_2020_2020_2020
            if y != 0 { return i + y.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < count, self[i] == 0x20 { i += 1 }
        return i
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
