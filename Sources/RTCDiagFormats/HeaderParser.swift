#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RTCDiagStream

/// Recognises one header line: the input's dialect first, the dialect of the previous foreign
/// header before it (mixed inputs run in stretches of one foreign dialect), then the dialect
/// after paste cleaning, then every other dialect. Pure apart from `lastForeign`, so the
/// decode thread can run it ahead of the reader (`PreparsedChunk`).
struct HeaderParser: Sendable {
    /// Index into `Dialects.all` of the input's dialect, or -1 when none was found.
    let activeIndex: Int

    /// Fills `f` (which must be fresh) and returns where the line starts after paste cleaning,
    /// the dialect and the flags; nil when no dialect takes the line. `lastForeign` is the
    /// foreign dialect of the previous header line (-1: none), updated here.
    @inline(__always)
    func parse(_ bytes: UnsafeRawBufferPointer, lastForeign: inout Int, into f: inout LineFields)
        -> (start: Int, dialect: Int, flags: EventFlags)? {
        if lastForeign >= 0 {
            if Dialects.all[lastForeign].parse(bytes, into: &f) { return (0, lastForeign, .otherDialect) }
            f.reset()
        }
        if activeIndex >= 0 {
            let d = Dialects.all[activeIndex]
            if d.parse(bytes, into: &f) {
                lastForeign = -1
                return (0, activeIndex, [])
            }
            f.reset()
            if let k = Self.cleanedParse(d, bytes, &f) {
                lastForeign = -1
                return (k, activeIndex, .pasteCleaned)
            }
        }
        if bytes[0] != 0x20, bytes[0] != 0x09 {
            for (i, d) in Dialects.all.enumerated() where i != activeIndex && i != lastForeign {
                f.reset()
                if d.parse(bytes, into: &f) {
                    lastForeign = i
                    return (0, i, .otherDialect)
                }
            }
        }
        return nil
    }

    /// Tries the dialect after stripping what pastes add in front of a line: indentation, `>`
    /// quote markers, line numbers (`123 `, `123: `, `123| `, or glued `12311-23 …`), and the
    /// source link a browser's console puts before each message (`Logger.js:155 `).
    /// Returns the number of bytes stripped.
    static func cleanedParse(_ d: any Dialect.Type, _ bytes: UnsafeRawBufferPointer, _ f: inout LineFields) -> Int? {
        var k = 0
        while k < bytes.count, bytes[k] == 0x20 || bytes[k] == 0x09 || bytes[k] == UInt8(ascii: ">") { k += 1 }
        if k > 0, k < bytes.count {
            f.reset()
            if d.parse(UnsafeRawBufferPointer(rebasing: bytes[k...]), into: &f) { return k }
        }
        if let s = consoleSourceLink(bytes, from: k) {
            f.reset()
            if d.parse(UnsafeRawBufferPointer(rebasing: bytes[s...]), into: &f) { return s }
        }
        var digitsEnd = k
        while digitsEnd < bytes.count, digitsEnd - k < 8, isDigit(bytes[digitsEnd]) { digitsEnd += 1 }
        guard digitsEnd > k else { return nil }
        var s = digitsEnd
        while s < bytes.count, s - digitsEnd < 3,
              [0x20, 0x09, UInt8(ascii: ":"), UInt8(ascii: "|"), UInt8(ascii: "."), UInt8(ascii: ")")].contains(bytes[s]) {
            s += 1
        }
        if s > digitsEnd, s < bytes.count {
            f.reset()
            if d.parse(UnsafeRawBufferPointer(rebasing: bytes[s...]), into: &f) { return s }
        }
        // Glued: the line number runs straight into a date.
        var g = k + 1
        while g < digitsEnd {
            f.reset()
            if d.parse(UnsafeRawBufferPointer(rebasing: bytes[g...]), into: &f) { return g }
            g += 1
        }
        return nil
    }

    /// Where the text starts after a console source link at `from`: a script name ending in
    /// `.js`, `.mjs`, `.ts`, `.jsx` or `.tsx`, `:line` (and `:column`), then spaces — what
    /// Chrome's and Firefox's consoles show beside each message and copy along with it.
    static func consoleSourceLink(_ bytes: UnsafeRawBufferPointer, from k: Int) -> Int? {
        guard k < bytes.count, (bytes[k] | 0x20) &- UInt8(ascii: "a") < 26 else { return nil }
        let end = min(bytes.count, k + 80)
        var colon = k
        while colon < end, bytes[colon] != UInt8(ascii: ":") {
            let b = bytes[colon]
            guard isDigit(b) || (b | 0x20) &- UInt8(ascii: "a") < 26 || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
                    || b == UInt8(ascii: "-") else { return nil }
            colon += 1
        }
        guard colon < end else { return nil }
        // The extension: after the last dot, `js`, `mjs`, `ts`, `jsx` or `tsx` (a word, no allocation).
        var dot = colon - 1
        while dot > k, bytes[dot] != UInt8(ascii: ".") { dot -= 1 }
        guard dot > k, colon - dot - 1 >= 2, colon - dot - 1 <= 3 else { return nil }
        var ext: UInt32 = 0
        for i in (dot + 1)..<colon { ext = ext << 8 | UInt32(bytes[i] | 0x20) }
        guard ext == 0x6A73 || ext == 0x74_73 || ext == 0x6D_6A73 || ext == 0x6A_7378 || ext == 0x74_7378 else { return nil }
        var i = colon
        for _ in 0..<2 where i < end && bytes[i] == UInt8(ascii: ":") {
            var digits = i + 1
            while digits < end, isDigit(bytes[digits]) { digits += 1 }
            guard digits > i + 1 else { return nil }
            i = digits
        }
        guard i < end, bytes[i] == 0x20 else { return nil }
        while i < bytes.count, bytes[i] == 0x20 { i += 1 }
        return i < bytes.count ? i : nil
    }
}

/// Header lines of one decoded chunk, recognised on the decode thread while it would
/// otherwise wait for the reader (`DecodedStream.prepareAhead`). Holds the whole lines between
/// the chunk's first and last newline; the reader takes an entry only when its own
/// `lastForeign` equals the one the entry was parsed with, so the result is exactly what the
/// reader would have found itself.
final class PreparsedChunk: ChunkLineEnds {
    struct Entry {
        /// Offset of the line in the chunk and its length (without CR LF).
        var start: Int32
        var length: Int32
        /// Bytes stripped by paste cleaning.
        var cleaned: Int32
        var foreignBefore: Int8
        var foreignAfter: Int8
        /// -1: no dialect took the line.
        var dialect: Int8
        var flags: EventFlags
        var fields: LineFields
    }

    /// At most this many lines per chunk are prepared (memory stays bounded with short lines).
    static let maxEntries = 1 << 14

    /// Fixed storage (only the pages used are touched), so the reader can keep a pointer.
    private let storage = UnsafeMutablePointer<Entry>.allocate(capacity: PreparsedChunk.maxEntries)
    private(set) var count = 0
    var entries: UnsafePointer<Entry> { UnsafePointer(storage) }

    /// Every LF offset met, blank and over-long lines' too (for the framer: `ChunkLineEnds`);
    /// none after `prepareMarked`, which does not look at every line.
    private let ends = UnsafeMutablePointer<Int32>.allocate(capacity: PreparsedChunk.maxEntries)
    private var endCount = 0
    private var listsEnds = false
    var lineEnds: UnsafeBufferPointer<Int32>? { listsEnds ? UnsafeBufferPointer(start: ends, count: endCount) : nil }

    deinit { storage.deallocate(); ends.deallocate() }

    /// Frames `chunk` as `LineFramer` does (lines of at most `maxLineBytes`, CR before LF
    /// dropped) and parses every non-blank line, carrying `lastForeign` from line to line —
    /// or the lines before the point where `stop` was requested (the reader parses the rest).
    func prepare(_ chunk: UnsafeRawBufferPointer, parser: HeaderParser, maxLineBytes: Int, stop: StopRequest? = nil) {
        count = 0
        listsEnds = true
        endCount = LineFeeds.offsets(in: chunk, into: ends, capacity: Self.maxEntries)
        guard let base = chunk.baseAddress, endCount > 0 else { return }
        // The part before the first LF belongs to a line begun in the chunk before.
        var pos = Int(ends[0]) + 1
        var lastForeign = -1
        for i in 1..<endCount {
            if i & 63 == 0, let stop, stop.isRequested { return }
            let end = Int(ends[i])
            defer { pos = end + 1 }
            // The framer cuts lines longer than the cap into pieces: leave those to the reader.
            guard end - pos <= maxLineBytes else { continue }
            var length = end - pos
            if length > 0, chunk[end - 1] == 0x0D { length -= 1 }
            let bytes = UnsafeRawBufferPointer(start: base + pos, count: length)
            if isBlank(bytes) { continue }
            _ = add(bytes, at: pos, parser: parser, lastForeign: &lastForeign)
        }
    }

    /// Parses the line at chunk offset `start` into the next entry; whether a dialect took it.
    @inline(__always)
    private func add(_ line: UnsafeRawBufferPointer, at start: Int, parser: HeaderParser, lastForeign: inout Int) -> Bool {
        // Parsed in place: the entry is written once.
        let e = storage + count
        e.initialize(to: Entry(start: Int32(start), length: Int32(line.count), cleaned: 0, foreignBefore: Int8(lastForeign),
                               foreignAfter: 0, dialect: -1, flags: [], fields: LineFields()))
        var isHeader = false
        if let h = parser.parse(line, lastForeign: &lastForeign, into: &e.pointee.fields) {
            e.pointee.cleaned = Int32(h.start)
            e.pointee.dialect = Int8(h.dialect)
            e.pointee.flags = h.flags
            isHeader = true
        }
        e.pointee.foreignAfter = Int8(lastForeign)
        count += 1
        return isHeader
    }

    /// Sparse reading (`diagnose`): parses only the lines the reader will parse — each line
    /// holding a mark (`marks`: keyword spans, ascending, each within one line) past its clock
    /// stamp, as `EventReader.holdsKeyword` decides, and the lines after it up to the next
    /// header line without such a mark (the reader reads on until the keyword's event ends).
    /// `lastForeign` is carried over just these lines; where the reader's differs (it also
    /// parses a few other lines), it parses the line itself.
    func prepareMarked(_ chunk: UnsafeRawBufferPointer, marks: [UInt64], parser: HeaderParser, maxLineBytes: Int,
                       stop: StopRequest? = nil) {
        count = 0
        listsEnds = false
        endCount = 0
        guard let base = chunk.baseAddress, !marks.isEmpty,
              let firstLF = memchr(base, 0x0A, chunk.count) else { return }
        let n = chunk.count
        // Lines start after an LF: the part before the first belongs to a line begun earlier.
        var done = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(firstLF)) + 1
        var m = 0
        var lastForeign = -1
        var steps = 0

        /// The end (LF offset) of the line starting at `start`, or nil when it runs past the chunk.
        func lineEnd(from start: Int) -> Int? {
            guard start < n, let lf = memchr(base + start, 0x0A, n - start) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(lf))
        }
        /// The line's bytes without CR; nil when the framer would cut it into pieces.
        func bytes(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer? {
            guard end - start <= maxLineBytes else { return nil }
            var length = end - start
            if length > 0, chunk[end - 1] == 0x0D { length -= 1 }
            return UnsafeRawBufferPointer(start: base + start, count: length)
        }
        /// Whether a mark lies in the line past its stamp (the last mark decides, as in
        /// `EventReader`); moves `m` past the line's marks.
        func marked(_ start: Int, _ line: UnsafeRawBufferPointer) -> Bool {
            let to = start + line.count
            var last = -1
            while m < marks.count, ChunkSpan.start(marks[m]) < to {
                if ChunkSpan.start(marks[m]) >= start, ChunkSpan.end(marks[m]) <= to { last = ChunkSpan.start(marks[m]) - start }
                m += 1
            }
            return last >= 0 && KeywordScanner.markPastStamp(line, at: last)
        }

        while m < marks.count, count < Self.maxEntries {
            steps += 1
            if steps & 63 == 0, let stop, stop.isRequested { return }
            let s = ChunkSpan.start(marks[m])
            if s < done { m += 1; continue }
            // The line holding the mark: from just after the LF before it (or `done`, a line start).
            var start = done
            if let lf = LineFeeds.last(in: UnsafeRawBufferPointer(start: base + done, count: s - done)) { start = done + lf + 1 }
            guard let end = lineEnd(from: start) else { return }
            done = end + 1
            guard let line = bytes(start, end) else { continue }  // its marks are skipped as `s < done`
            guard marked(start, line) else { continue }
            _ = add(line, at: start, parser: parser, lastForeign: &lastForeign)
            // The lines after it, while they continue its event or start another marked one.
            while count < Self.maxEntries {
                steps += 1
                if steps & 63 == 0, let stop, stop.isRequested { return }
                let next = done
                guard let nextEnd = lineEnd(from: next) else { return }
                done = nextEnd + 1
                guard let following = bytes(next, nextEnd) else { break }
                if isBlank(following) { continue }
                let hasMark = marked(next, following)
                if add(following, at: next, parser: parser, lastForeign: &lastForeign), !hasMark { break }
            }
        }
    }
}
