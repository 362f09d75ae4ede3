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
/// Built once per pass from every analyzer's keywords; each text is scanned once, and only
/// positions whose byte starts some keyword are compared. Keywords live in one flat byte
/// array and the first-byte table in another, so the scan touches no reference counts.
public struct KeywordScanner: Sendable {
    private let bytes: [UInt8]              // all keywords, lowercased, back to back
    private let starts: [Int]               // keyword i is bytes[starts[i] ..< starts[i + 1]]
    private let table: [Int32]              // per first byte: range into `candidates`
    private let candidates: [Int32]         // keyword indices grouped by first byte

    public init(_ words: [String]) {
        let lowered = words.map { Array($0.lowercased().utf8) }
        var b: [UInt8] = [], st: [Int] = [0]
        for w in lowered { b += w; st.append(b.count) }
        bytes = b
        starts = st
        var groups = [[Int32]](repeating: [], count: 256)
        for (i, w) in lowered.enumerated() where !w.isEmpty { groups[Int(w[0])].append(Int32(i)) }
        var t = [Int32](repeating: 0, count: 257)
        var c: [Int32] = []
        for g in 0..<256 { t[g] = Int32(c.count); c += groups[g] }
        t[256] = Int32(c.count)
        table = t
        candidates = c
    }

    public var count: Int { starts.count - 1 }

    /// Sets `hits[i] = true` for every keyword `i` found in `text`.
    public func scan(_ text: UnsafeRawBufferPointer, into hits: inout [Bool]) {
        let n = text.count
        guard n > 0 else { return }
        bytes.withUnsafeBufferPointer { kw in
            starts.withUnsafeBufferPointer { st in
                table.withUnsafeBufferPointer { tb in
                    candidates.withUnsafeBufferPointer { cand in
                        hits.withUnsafeMutableBufferPointer { hit in
                            for i in 0..<n {
                                let b = text[i]
                                let lower = Int((b >= 65 && b <= 90) ? b | 0x20 : b)
                                var k = Int(tb[lower])
                                let end = Int(tb[lower + 1])
                                while k < end {
                                    let word = Int(cand[k])
                                    k += 1
                                    if hit[word] { continue }
                                    let ws = st[word], len = st[word + 1] - ws
                                    guard i + len <= n else { continue }
                                    var j = 1
                                    while j < len {
                                        let c = text[i + j]
                                        if ((c >= 65 && c <= 90) ? c | 0x20 : c) != kw[ws + j] { break }
                                        j += 1
                                    }
                                    if j == len { hit[word] = true }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
