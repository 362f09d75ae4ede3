import CByteIndex
import RTCDiagStream

/// A case-insensitive multi-literal scan: which of a fixed set of keywords occur in a text.
///
/// It is the prefilter in front of parsing and the analyzers (`matchesAny` decides, on a raw
/// line, whether the line is worth parsing at all), so it is built for the common case — no
/// keyword on the line — on this machine's cache sizes:
///
/// - Every keyword has at least 4 bytes, so an occurrence starting at `s` covers the 3-byte
///   grams at `s + j` and `s + j + 1` for any `j ≤ length − 4`, and one of those two starts at
///   an even offset. Each keyword contributes the neighbouring pair of grams least likely in
///   log text; the scan hashes only the grams at even offsets and looks each hash up in a
///   table of 2^16 bytes (whole chunks: in C, 16 grams per AVX2 step, `rtcdiag_gram_candidates`;
///   single lines: here, three grams per 8-byte load). The positions do not depend on each other, so the
///   CPU overlaps them (a Wu–Manber shift loop waits on each table lookup before it can move,
///   and its shifts stay short with 4-byte keywords).
/// - Only where the table is set are the keywords of that hash compared, ASCII case folded.
/// - Keywords of 1–3 bytes (possible in user rule packs) are searched one by one, slowly.
///
/// Built once per pass; the tables are plain memory, so a scan touches no reference counts.
public final class KeywordScanner: @unchecked Sendable {
    private let bytes: UnsafeMutablePointer<UInt8>      // all keywords, lowercased, back to back
    private let starts: UnsafeMutablePointer<Int>       // keyword i is bytes[starts[i] ..< starts[i + 1]]
    private let table: UnsafeMutablePointer<UInt8>      // 2^16 bytes: 1 for the hashes of anchor grams
    private let head: UnsafeMutablePointer<Int32>       // per hash set in `table`: first candidate entry
    private var anchored = 0                            // entries in use
    private let entries: UnsafeMutablePointer<(keyword: Int32, offset: Int32, next: Int32)>
    private let fold: UnsafeMutablePointer<UInt8>       // ASCII lowercase
    private let letters: UnsafeMutablePointer<UInt8>    // per byte of `bytes`: 0x20 where it is a letter, else 0
    private let short: [Int]                            // keywords under 4 bytes
    private let byText: UnsafeMutablePointer<Int32>     // open addressing by length and first 8 bytes: keyword, or -1
    private let byTextMask: Int
    public let count: Int
    /// No keyword holds a line break, so every occurrence in a text of several lines lies
    /// within one line (what lets a reader derive an event's keywords from per-line marks).
    public let keywordsStayWithinLines: Bool
    /// The `ChunkSpan` tag of marks of keywords numbered past what a tag holds (more than
    /// 65,535 keywords): those are looked up by text (`keyword(at:length:)`).
    public static let untagged = 0xFFFF
    /// The longest keyword: a mark's length must fit its `ChunkSpan` field.
    public static let maxKeywordBytes = 0xFFFF

    public init(_ words: [String]) {
        let lowered = words.map { Array($0.lowercased().utf8) }
        precondition(lowered.allSatisfy { $0.count <= Self.maxKeywordBytes }, "keywords are at most 65,535 bytes")
        count = lowered.count
        let total = lowered.reduce(0) { $0 + $1.count }
        bytes = .allocate(capacity: max(total, 1))
        letters = .allocate(capacity: max(total, 1))
        starts = .allocate(capacity: lowered.count + 1)
        var at = 0
        for (i, w) in lowered.enumerated() {
            starts[i] = at
            for b in w {
                bytes[at] = b
                letters[at] = b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") ? 0x20 : 0
                at += 1
            }
        }
        starts[lowered.count] = at
        fold = .allocate(capacity: 256)
        for b in 0..<256 { fold[b] = b >= 65 && b <= 90 ? UInt8(b | 0x20) : UInt8(b) }
        table = .allocate(capacity: 65536)
        table.initialize(repeating: 0, count: 65536)
        // Left uninitialized: an entry is written before its table byte is set, and read only
        // where that byte is set (a scanner is made per input; 256 KiB of -1 cost more than a
        // small upload's whole scan).
        head = .allocate(capacity: 65536)
        entries = .allocate(capacity: max(2 * lowered.count, 1))
        short = lowered.indices.filter { (1..<4).contains(lowered[$0].count) }
        keywordsStayWithinLines = !lowered.contains { $0.contains(0x0A) || $0.contains(0x0D) }
        var size = 16
        while size < 4 * lowered.count { size *= 2 }
        byText = .allocate(capacity: size)
        byText.initialize(repeating: -1, count: size)
        byTextMask = size - 1
        anchor(by: { p in self.likelihood(at: p) })
        for k in 0..<count {
            var slot = textKey(bytes + starts[k], starts[k + 1] - starts[k]) & byTextMask
            while byText[slot] >= 0 { slot = (slot + 1) & byTextMask }
            byText[slot] = Int32(k)
        }
    }

    /// Hash of a text's length and first (at most 8) bytes, case folded as the scan folds.
    @inline(__always)
    private func textKey(_ p: UnsafePointer<UInt8>, _ length: Int) -> Int {
        var v = UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15
        for i in 0..<min(length, 8) { v = (v ^ UInt64(fold[Int(p[i])])) &* 0x100_0000_01B3 }
        return Int(truncatingIfNeeded: v >> 29)
    }

    /// The keyword spelled by the `length` bytes at `p` (ASCII case folded), as found by `marks`.
    @inline(__always)
    public func keyword(at p: UnsafeRawPointer, length: Int) -> Int? {
        let t = p.assumingMemoryBound(to: UInt8.self)
        var slot = textKey(t, length) & byTextMask
        while true {
            let k = Int(byText[slot])
            if k < 0 { return nil }
            if starts[k + 1] - starts[k] == length, matches(k, t, length, at: 0) { return k }
            slot = (slot + 1) & byTextMask
        }
    }

    /// Picks each keyword's pair of anchor grams (the pair `cost` rates lowest; `cost(p)` rates
    /// the gram at `bytes[p]`) and fills the table and the candidate lists.
    private func anchor(by cost: (_ at: Int) -> Double) {
        for c in 0..<anchored {  // the previous anchors out of the table (cheaper than clearing 64 KiB)
            table[gramHash(starts[Int(entries[c].keyword)] + Int(entries[c].offset))] = 0
        }
        var used = 0
        for k in 0..<count {
            let start = starts[k], length = starts[k + 1] - start
            guard length >= 4 else { continue }
            var bestJ = 0
            var bestCost = Double.infinity
            for j in 0...(length - 4) {
                let c = cost(start + j) + cost(start + j + 1)
                if c < bestCost { bestCost = c; bestJ = j }
            }
            for offset in bestJ..<(bestJ + 2) {
                let h = gramHash(start + offset)
                entries[used] = (Int32(k), Int32(offset), table[h] != 0 ? head[h] : -1)
                table[h] = 1
                head[h] = Int32(used)
                used += 1
            }
        }
        anchored = used
    }

    /// Hash of the keyword gram at `bytes[p]`.
    @inline(__always)
    private func gramHash(_ p: Int) -> Int {
        Self.hash(UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16)
    }

    /// Re-picks the anchor grams by how often their hashes occur in `sample` (the first lines
    /// of the input): a keyword's rarest pair in this very log, so lines without keywords
    /// seldom set a bit. Call before scanning; the scanner is not to be shared while tuning.
    public func tune(to sample: [UnsafeRawBufferPointer]) {
        // Only the keywords' own grams are counted (a table of all 2^16 hashes would be zeroed
        // per input, which costs a small upload more than its scan): each distinct hash gets a
        // counter, found through `head` where `wanted` has its bit (`anchor` refills `head`).
        var wanted = [UInt64](repeating: 0, count: 1024)
        var counts: [UInt32] = []
        for k in 0..<count where starts[k + 1] - starts[k] >= 4 {
            for p in starts[k]...(starts[k + 1] - 3) {
                let h = gramHash(p)
                guard wanted[h >> 6] & 1 << UInt64(h & 63) == 0 else { continue }
                wanted[h >> 6] |= 1 << UInt64(h & 63)
                head[h] = Int32(counts.count)
                counts.append(0)
            }
        }
        for line in sample where line.count >= 3 {
            for e in 0..<(line.count - 2) {
                let h = Self.hash(UInt32(line[e]) | UInt32(line[e + 1]) << 8 | UInt32(line[e + 2]) << 16)
                if wanted[h >> 6] & 1 << UInt64(h & 63) != 0 { counts[Int(head[h])] += 1 }
            }
        }
        // Each keyword gram's count by its position, taken before `anchor` reuses `head`.
        var seen = [UInt32](repeating: 0, count: max(starts[count], 1))
        for k in 0..<count where starts[k + 1] - starts[k] >= 4 {
            for p in starts[k]...(starts[k + 1] - 3) { seen[p] = counts[Int(head[gramHash(p)])] }
        }
        // Ties (grams unseen in the sample) fall back to the letter-frequency guess.
        anchor(by: { p in Double(seen[p]) + self.likelihood(at: p) / 1e6 })
    }

    deinit {
        bytes.deallocate(); letters.deallocate(); starts.deallocate(); table.deallocate(); head.deallocate(); fold.deallocate()
        entries.deallocate(); byText.deallocate()
    }

    /// Rough likelihood of the 3-byte keyword gram at `bytes[p]` in log text: the product of
    /// per-byte frequencies (English letter frequencies; spaces and digits are everywhere in
    /// logs, punctuation rare).
    private func likelihood(at p: Int) -> Double {
        var product = 1.0
        for b in UnsafeBufferPointer(start: bytes + p, count: 3) {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): product *= Self.letterFrequency[Int(b - UInt8(ascii: "a"))]
            case UInt8(ascii: "0")...UInt8(ascii: "9"): product *= 6
            case 0x20: product *= 15
            default: product *= Self.punctuationFrequency(b)
            }
        }
        return product
    }

    /// Punctuation is far from rare in logs: JSON quotes and colons, `key=value`, paths,
    /// brackets around tags and ids. (Rated 1 before, a gram like `":"` won as the rarest and
    /// every JSON line became a candidate.)
    private static func punctuationFrequency(_ b: UInt8) -> Double {
        switch b {
        case UInt8(ascii: ":"): 8
        case UInt8(ascii: "\""), UInt8(ascii: "."): 6
        case UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "-"): 5
        case UInt8(ascii: "_"), UInt8(ascii: "/"): 4
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"): 3
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "'"), UInt8(ascii: ";"), UInt8(ascii: "|"),
             UInt8(ascii: "<"), UInt8(ascii: ">"): 2
        default: 1
        }
    }

    private static let letterFrequency: [Double] = [8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4,
                                                     6.7, 7.5, 1.9, 0.1, 6.0, 6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07]

    /// 16-bit hash of a 3-byte gram after a coarse case fold (`| 0x20` on every byte: exact
    /// for letters, and merely merges a few punctuation bytes, which only adds candidates).
    @inline(__always)
    private static func hash(_ gram: UInt32) -> Int {
        Int(((gram | 0x20_2020) &* 2_654_435_761) >> 16)
    }

    /// Sets `hits[i] = true` for every keyword `i` found in `text`.
    public func scan(_ text: UnsafeRawBufferPointer, into hits: inout [Bool]) {
        let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: bitWords)
        defer { bits.deallocate() }
        bits.initialize(repeating: 0, count: bitWords)
        _ = run(text, stopAtFirst: false, hits: bits)
        for k in 0..<count where Self.isSet(bits, k) { hits[k] = true }
    }

    /// Sets bit `i % 64` of `bits[i / 64]` for every keyword `i` found in `text`; `bits` holds
    /// `bitWords` words. (A bit set answers "any of these keywords?" with a few ANDs.)
    public func scan(_ text: UnsafeRawBufferPointer, into bits: UnsafeMutablePointer<UInt64>) {
        _ = run(text, stopAtFirst: false, hits: bits)
    }

    /// Words of a keyword bit set (see `scan(_:into:)`).
    public var bitWords: Int { (count + 63) / 64 }

    /// (Inlinable: the analysis, in another module, asks this several times per event.)
    @inlinable @inline(__always)
    public static func isSet(_ bits: UnsafePointer<UInt64>, _ k: Int) -> Bool { bits[k >> 6] >> UInt64(k & 63) & 1 != 0 }

    /// Whether any keyword occurs in `text`; stops at the first.
    @inline(__always)
    public func matchesAny(_ text: UnsafeRawBufferPointer) -> Bool {
        run(text, stopAtFirst: true, hits: nil)
    }

    /// Every keyword occurrence in `text` (a whole decoded chunk) as a `ChunkSpan` tagged with
    /// the keyword's number, ascending: run on the decode thread, so the reader only looks up
    /// whether a line holds one past its clock stamp — the same answer `lineMatchesAny` gives —
    /// and which keywords an event holds without comparing text again.
    public func marks(_ text: UnsafeRawBufferPointer, into out: inout [UInt64]) {
        out.removeAll(keepingCapacity: true)
        let n = text.count
        guard count > 0, let t = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        // The grams whose hash is set come from C (`rtcdiag_gram_candidates`: the same grams and
        // hash as `walkCandidates`, 16 per step with AVX2); their keywords are compared here.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 1024) { candidates in
            var from = 0
            while from + 2 < n {
                var resume = 0
                let found = rtcdiag_gram_candidates(t + from, n - from, table, candidates.baseAddress!, 1024, &resume)
                for i in 0..<found {
                    let e = from + Int(candidates[i])
                    var c = Int(head[Self.hash(UInt32(t[e]) | UInt32(t[e + 1]) << 8 | UInt32(t[e + 2]) << 16)])
                    while c >= 0 {
                        let entry = entries[c]
                        let k = Int(entry.keyword), start = e - Int(entry.offset)
                        if start >= 0, matches(k, t, n, at: start) { out.append(span(start, k)) }
                        c = Int(entry.next)
                    }
                }
                from += resume
            }
        }
        for k in short {
            _ = walkShort(k, t, n) { s in out.append(span(s, k)); return false }
        }
        // Anchors sit at different offsets in different keywords, so starts can come out of order.
        var sorted = true
        var i = 1
        while i < out.count { if out[i] < out[i - 1] { sorted = false; break }; i += 1 }
        if !sorted { out.sort() }
    }

    @inline(__always)
    private func span(_ start: Int, _ k: Int) -> UInt64 {
        ChunkSpan.make(start: start, length: starts[k + 1] - starts[k], tag: min(k, Self.untagged))
    }

    /// `matchesAny` on a raw log line, past its leading clock stamp and ids
    /// (`11-23 10:15:00.580  8123  8171 `): analyzers look at tag and message only, and the
    /// stamp is a quarter of a typical line. A leading run of digits, spaces and `-:./`
    /// counts as a stamp only when it is at least 12 bytes long and holds a `:`, so a line that
    /// starts with a code (`1053: …`) is scanned whole.
    @inline(__always)
    public func lineMatchesAny(_ line: UnsafeRawBufferPointer) -> Bool {
        run(UnsafeRawBufferPointer(rebasing: line[Self.stampLength(line)...]), stopAtFirst: true, hits: nil)
    }

    /// Length of the leading clock stamp and ids `lineMatchesAny` skips (0 when there is none).
    @inline(__always)
    public static func stampLength(_ line: UnsafeRawBufferPointer) -> Int {
        var i = 0
        var colon = false
        while i < line.count, isStampByte(line[i]) {
            if line[i] == UInt8(ascii: ":") { colon = true }
            i += 1
        }
        return colon && i >= 12 ? i : 0
    }

    /// A byte a clock stamp is made of: digits, spaces and `-:./`.
    @inline(__always)
    static func isStampByte(_ b: UInt8) -> Bool {
        b &- 48 < 10 || b == 0x20 || b == UInt8(ascii: ":") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "/")
    }

    /// Whether a keyword mark starting `offset` bytes into `line` lies past the line's clock
    /// stamp (`stampLength`). A mark that starts with any other byte than a stamp's — nearly
    /// every keyword starts with a letter — lies past it whatever the stamp's length, so only
    /// marks starting with a digit or `-:./` (codes such as `1053`) have the stamp measured.
    @inline(__always)
    public static func markPastStamp(_ line: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        !isStampByte(line[offset]) || offset >= stampLength(line)
    }

    @inline(__always)
    private func run(_ text: UnsafeRawBufferPointer, stopAtFirst: Bool, hits: UnsafeMutablePointer<UInt64>?) -> Bool {
        let n = text.count
        guard count > 0, let t = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        var any = false
        // Compares the keywords whose anchor gram hashes to `h`, for the gram at `e`.
        let stopped = walkCandidates(t, n) { h, e in
            var c = Int(head[h])
            while c >= 0 {
                let entry = entries[c]
                let k = Int(entry.keyword), start = e - Int(entry.offset)  // where the keyword would begin
                if start >= 0, hits.map({ !Self.isSet($0, k) }) ?? true, matches(k, t, n, at: start) {
                    if stopAtFirst { return true }
                    hits?[k >> 6] |= 1 << UInt64(k & 63)
                    any = true
                }
                c = Int(entry.next)
            }
            return false
        }
        if stopped { return true }
        for k in short where hits.map({ !Self.isSet($0, k) }) ?? true {
            // One occurrence is enough: stop at it.
            if walkShort(k, t, n, { _ in true }) {
                if stopAtFirst { return true }
                hits?[k >> 6] |= 1 << UInt64(k & 63)
                any = true
            }
        }
        return any
    }

    /// Calls `visit(hash, at)` for every gram at an even offset whose hash is set, in order,
    /// until it returns true (then true). Three grams (at e, e + 2, e + 4) come from one 8-byte
    /// load; nearly every line has no keyword, so the common path — `firstSet`, a loop of its
    /// own, small enough to stay in registers — is loads and arithmetic only.
    @inline(__always)
    private func walkCandidates(_ t: UnsafePointer<UInt8>, _ n: Int, _ visit: (_ hash: Int, _ at: Int) -> Bool) -> Bool {
        let raw = UnsafeRawPointer(t)
        var e = 0
        while e + 8 <= n {
            e = Self.firstSet(raw, from: e, to: n, table)
            guard e + 8 <= n else { break }
            let x = raw.loadUnaligned(fromByteOffset: e, as: UInt64.self)
            let h0 = Self.hash(UInt32(truncatingIfNeeded: x) & 0xFF_FFFF)
            let h1 = Self.hash(UInt32(truncatingIfNeeded: x >> 16) & 0xFF_FFFF)
            let h2 = Self.hash(UInt32(truncatingIfNeeded: x >> 32) & 0xFF_FFFF)
            if table[h0] != 0, visit(h0, e) { return true }
            if table[h1] != 0, visit(h1, e + 2) { return true }
            if table[h2] != 0, visit(h2, e + 4) { return true }
            e += 6
        }
        while e + 2 < n {
            let h = Self.hash(UInt32(t[e]) | UInt32(t[e + 1]) << 8 | UInt32(t[e + 2]) << 16)
            if table[h] != 0, visit(h, e) { return true }
            e += 2
        }
        return false
    }

    /// Calls `visit(start)` for every occurrence of the short (under 4 bytes) keyword `k`,
    /// byte by byte, until it returns true (then true).
    @inline(__always)
    private func walkShort(_ k: Int, _ t: UnsafePointer<UInt8>, _ n: Int, _ visit: (Int) -> Bool) -> Bool {
        let len = starts[k + 1] - starts[k]
        var s = 0
        while s + len <= n {
            if matches(k, t, n, at: s), visit(s) { return true }
            s += 1
        }
        return false
    }

    /// The first step `e` (from `start`, by 6) whose grams at e, e + 2 or e + 4 hash to a set
    /// table entry, or the first `e` with fewer than 8 bytes left.
    @inline(__always)
    private static func firstSet(_ raw: UnsafeRawPointer, from start: Int, to n: Int,
                                 _ table: UnsafeMutablePointer<UInt8>) -> Int {
        var e = start
        while e + 8 <= n {
            let x = raw.loadUnaligned(fromByteOffset: e, as: UInt64.self)
            let h0 = hash(UInt32(truncatingIfNeeded: x) & 0xFF_FFFF)
            let h1 = hash(UInt32(truncatingIfNeeded: x >> 16) & 0xFF_FFFF)
            let h2 = hash(UInt32(truncatingIfNeeded: x >> 32) & 0xFF_FFFF)
            if table[h0] | table[h1] | table[h2] != 0 { return e }
            e += 6
        }
        return e
    }

    @inline(__always)
    private func matches(_ k: Int, _ t: UnsafePointer<UInt8>, _ n: Int, at start: Int) -> Bool {
        let ws = starts[k], len = starts[k + 1] - ws
        guard start + len <= n else { return false }
        // Four bytes at a time: a text byte folds to the keyword's letter exactly when it ORed
        // with 0x20 equals it; other keyword bytes must be equal as they are.
        var j = 0
        while j + 4 <= len {
            let x = UnsafeRawPointer(t + start + j).loadUnaligned(as: UInt32.self)
            let m = UnsafeRawPointer(letters + ws + j).loadUnaligned(as: UInt32.self)
            if x | m != UnsafeRawPointer(bytes + ws + j).loadUnaligned(as: UInt32.self) { return false }
            j += 4
        }
        while j < len, fold[Int(t[start + j])] == bytes[ws + j] { j += 1 }
        return j == len
    }
}
