#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level matching helpers for analyzers: no `String` per event.
public enum ByteMatch {
    /// Offset of the first occurrence of `needle` (`memchr` on its first byte, then `memcmp`).
    @inline(__always)
    public static func find(_ hay: UnsafeRawBufferPointer, _ needle: UnsafeRawPointer, _ length: Int) -> Int? {
        guard length > 0, hay.count >= length, let base = hay.baseAddress else { return nil }
        let first = Int32(needle.load(as: UInt8.self))
        var from = 0
        let last = hay.count - length
        while from <= last, let hit = memchr(base + from, first, last - from + 1) {
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, needle, length) == 0 { return at }
            from = at + 1
        }
        return nil
    }

    /// Case-sensitive substring test.
    @inline(__always)
    public static func contains(_ hay: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        find(hay, needle.utf8Start, needle.utf8CodeUnitCount) != nil
    }

    /// Offset just past the first occurrence of `needle`, or nil.
    @inline(__always)
    public static func after(_ hay: UnsafeRawBufferPointer, _ needle: StaticString) -> Int? {
        find(hay, needle.utf8Start, needle.utf8CodeUnitCount).map { $0 + needle.utf8CodeUnitCount }
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
        guard n > 0, hay.count >= n else { return false }
        let first = p[0]
        let firstUpper = (first >= 97 && first <= 122) ? first - 32 : first
        var i = 0
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
                if j == n { return true }
            }
            i += 1
        }
        return false
    }

    /// The decimal number (optionally with a fraction) starting at `offset`, skipping spaces.
    public static func number(_ hay: UnsafeRawBufferPointer, at offset: Int) -> Double? {
        var i = offset
        while i < hay.count, hay[i] == 0x20 { i += 1 }
        var whole = 0.0, frac = 0.0, scale = 1.0, digits = 0, seenDot = false
        while i < hay.count {
            let b = hay[i]
            if b == UInt8(ascii: "."), !seenDot { seenDot = true; i += 1; continue }
            let d = b &- 48
            guard d < 10 else { break }
            if seenDot { scale /= 10; frac += Double(d) * scale } else { whole = whole * 10 + Double(d) }
            digits += 1
            i += 1
        }
        return digits > 0 ? whole + frac : nil
    }

    /// The number after the first occurrence of `key` (`loss=`, `rtt: `).
    public static func number(after key: StaticString, in hay: UnsafeRawBufferPointer) -> Double? {
        after(hay, key).flatMap { number(hay, at: $0) }
    }
}

/// A case-insensitive multi-literal scan: which of a fixed set of keywords occur in a text.
///
/// Wu–Manber with 2-byte blocks: a shift table over all lowercase byte pairs says how far the
/// window may jump when its last pair ends no keyword prefix there; only where the shift is 0
/// are the keywords ending in that pair compared. With keywords of 4+ bytes most positions are
/// skipped. Built once per pass from every analyzer's keywords; touches no reference counts.
public struct KeywordScanner: Sendable {
    private let bytes: [UInt8]      // all keywords, lowercased, back to back
    private let starts: [Int]       // keyword i is bytes[starts[i] ..< starts[i + 1]]
    private let firstWithPair: [Int16]  // per pair: the first keyword whose `window` prefix ends in it, or -1
    private let nextWithPair: [Int16]   // per keyword: the next keyword with the same pair, or -1
    private let shift: [UInt8]      // per lowercase pair
    private let window: Int         // shortest keyword length (≥ 2)
    private static let fold: [UInt8] = (0..<256).map { (b: Int) -> UInt8 in
        let byte = UInt8(b)
        return byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    public init(_ words: [String]) {
        let lowered = words.map { Array($0.lowercased().utf8) }
        var b: [UInt8] = [], st: [Int] = [0]
        for w in lowered { b += w; st.append(b.count) }
        bytes = b
        starts = st
        let m = max(2, lowered.filter { !$0.isEmpty }.map(\.count).min() ?? 2)
        window = m
        var table = [UInt8](repeating: UInt8(min(m - 1, 255)), count: 65536)
        var first = [Int16](repeating: -1, count: 65536)
        var next = [Int16](repeating: -1, count: lowered.count)
        for (k, w) in lowered.enumerated().reversed() where w.count >= 2 {
            let span = min(m, w.count)
            for j in 0..<(span - 1) {
                let pair = Int(w[j]) << 8 | Int(w[j + 1])
                table[pair] = min(table[pair], UInt8(span - 2 - j))
            }
            let last = Int(w[span - 2]) << 8 | Int(w[span - 1])
            next[k] = first[last]
            first[last] = Int16(k)
        }
        shift = table
        firstWithPair = first
        nextWithPair = next
    }

    public var count: Int { starts.count - 1 }

    /// Sets `hits[i] = true` for every keyword `i` found in `text`.
    public func scan(_ text: UnsafeRawBufferPointer, into hits: inout [Bool]) {
        let n = text.count
        let m = window
        guard n >= m, let t = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        Self.fold.withUnsafeBufferPointer { fold in
            shift.withUnsafeBufferPointer { sh in
                bytes.withUnsafeBufferPointer { kw in
                    starts.withUnsafeBufferPointer { st in
                        firstWithPair.withUnsafeBufferPointer { fp in
                        nextWithPair.withUnsafeBufferPointer { np in
                            hits.withUnsafeMutableBufferPointer { hit in
                                var pos = m - 1  // last byte of the window
                                while pos < n {
                                    let pair = Int(fold[Int(t[pos - 1])]) << 8 | Int(fold[Int(t[pos])])
                                    let s = Int(sh[pair])
                                    if s > 0 { pos += s; continue }
                                    let start = pos - m + 1
                                    var k = Int(fp[pair])
                                    while k >= 0 {
                                        let ws = st[k], len = st[k + 1] - ws
                                        if !hit[k], start + len <= n {
                                            var j = 0
                                            while j < len, fold[Int(t[start + j])] == kw[ws + j] { j += 1 }
                                            if j == len { hit[k] = true }
                                        }
                                        k = Int(np[k])
                                    }
                                    pos += 1
                                }
                            }
                        }
                        }
                    }
                }
            }
        }
    }
}
