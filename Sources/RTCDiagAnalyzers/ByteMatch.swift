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
/// positions whose byte starts some keyword are compared.
public struct KeywordScanner: Sendable {
    private let keywords: [[UInt8]]
    private var byFirstByte: [[Int]] = Array(repeating: [], count: 256)

    public init(_ words: [String]) {
        keywords = words.map { Array($0.lowercased().utf8) }
        for (i, k) in keywords.enumerated() where !k.isEmpty { byFirstByte[Int(k[0])].append(i) }
    }

    public var count: Int { keywords.count }

    /// Sets `hits[i] = true` for every keyword `i` found in `text`.
    public func scan(_ text: UnsafeRawBufferPointer, into hits: inout [Bool]) {
        let n = text.count
        guard n > 0 else { return }
        var i = 0
        while i < n {
            let b = text[i]
            let lower = (b >= 65 && b <= 90) ? b | 0x20 : b
            let candidates = byFirstByte[Int(lower)]
            if !candidates.isEmpty {
                for k in candidates where !hits[k] {
                    let word = keywords[k]
                    guard i + word.count <= n else { continue }
                    var j = 1
                    while j < word.count {
                        let c = text[i + j]
                        if ((c >= 65 && c <= 90) ? c | 0x20 : c) != word[j] { break }
                        j += 1
                    }
                    if j == word.count { hits[k] = true }
                }
            }
            i += 1
        }
    }
}
