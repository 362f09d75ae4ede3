#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CByteIndex

/// What is special about one framed line.
public struct LineFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The line was longer than the cap: this piece stops at the cap and the line goes on.
    public static var split: LineFlags { LineFlags(rawValue: 1) }
    /// This piece carries on a line that was split before it.
    public static var continued: LineFlags { LineFlags(rawValue: 2) }
    /// The last line of the input, with no newline after it.
    public static var noNewline: LineFlags { LineFlags(rawValue: 4) }
    /// The line ended in CR LF; the CR is not part of `bytes`.
    public static var crlf: LineFlags { LineFlags(rawValue: 8) }
}

/// One line (or one piece of an over-long line), borrowed from the framer's buffers.
///
/// `bytes` is valid only until the next call to `LineFramer.next()`; copy what must outlive it.
public struct Line {
    public var bytes: UnsafeRawBufferPointer
    /// 1-based line number in the decoded input; the pieces of a split line share it.
    public var number: Int
    /// Offset of the first byte in the decoded input.
    public var offset: Int64
    public var flags: LineFlags

    public init(bytes: UnsafeRawBufferPointer, number: Int, offset: Int64, flags: LineFlags) {
        self.bytes = bytes
        self.number = number
        self.offset = offset
        self.flags = flags
    }
}

/// Cuts decoded chunks into lines on raw bytes with `memchr`.
///
/// LF and CR LF end lines; a last line without newline is still a line. Lines are never
/// buffered past `maxLineBytes`: longer ones come out in pieces flagged `split` / `continued`.
public final class LineFramer {
    public let maxLineBytes: Int
    /// Number of LF bytes seen: what `wc -l` prints.
    public private(set) var newlineCount = 0
    /// Lines handed out whole or as first pieces (split continuations not counted again).
    public private(set) var lineCount = 0
    /// Lines that were longer than the cap.
    public private(set) var splitLineCount = 0

    private let stream: DecodedStream
    private var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The stream's annotation of `chunk`, if any (see `DecodedStream.annotateAhead`), copied
    /// into memory of the framer's own so that looking a line up touches no reference counts.
    private var spans = UnsafeMutableBufferPointer<UInt64>(start: nil, count: 0)
    private var spanCount = 0
    private var spansValid = false
    /// Lines are looked up in order: the first span not before the last line looked up.
    private var spanCursor = 0
    private var pos = 0
    private var chunkOffset: Int64 = 0
    private let carry: UnsafeMutableRawBufferPointer
    private var carryLength = 0
    private var carryHandedOut = false
    private var pieceContinues = false
    private var pieceStart: Int64 = 0
    private var nextNumber = 1
    private var ended = false

    public init(stream: DecodedStream, maxLineBytes: Int = 1 << 20) {
        precondition(maxLineBytes > 0)
        self.stream = stream
        self.maxLineBytes = maxLineBytes
        carry = .allocate(byteCount: maxLineBytes, alignment: 16)
    }

    deinit {
        carry.deallocate()
        spans.deallocate()
        ownEnds.deallocate()
    }

    /// Called just before memory of lines already handed out is reused (a new chunk is decoded
    /// or the carry buffer is refilled). Readers that hold on to a line past the next call copy
    /// it here — once per chunk instead of once per line.
    public var willReuseLineMemory: (() -> Void)?

    public var name: String { stream.name }
    public var decodedStream: DecodedStream { stream }

    /// The next line, or nil at the end. Throws the stream's `InputError` after the lines before it.
    public func next() throws -> Line? {
        if carryHandedOut {
            willReuseLineMemory?()
            carryLength = 0
            carryHandedOut = false
        }
        while true {
            if pos == chunk.count {
                if ended {
                    if let e = pendingError { pendingError = nil; throw e }
                    return nil
                }
                let next: UnsafeRawBufferPointer?
                willReuseLineMemory?()
                do {
                    next = try stream.next()
                } catch {
                    // Hand out the partial last line first; the fault is thrown on the call after.
                    ended = true
                    pendingError = error
                    if carryLength > 0 { return finishCarry() }
                    pendingError = nil
                    throw error
                }
                guard let next else {
                    ended = true
                    if carryLength > 0 { return finishCarry() }
                    return nil
                }
                chunkOffset += Int64(chunk.count)
                chunk = next
                chunkSerial &+= 1
                currentPrepared = stream.currentPrepared
                if let ends = (currentPrepared as? ChunkLineEnds)?.lineEnds {
                    lineEnds = ends
                } else {
                    lineEnds = UnsafeBufferPointer(start: ownEnds, count: LineFeeds.offsets(in: next, into: ownEnds, capacity: Self.indexCapacity))
                }
                lineEndCursor = 0
                takeSpans(stream.currentMarks)
                if !spansValid, annotator != nil { annotateChunk() }
                pos = 0
                continue
            }
            let base = chunk.baseAddress!
            let available = chunk.count - pos
            let room = maxLineBytes - carryLength
            let scan = min(available, room + 1)
            if let hit = nextLineFeed(base, scan) {
                let end = base.distance(to: UnsafeRawPointer(hit))
                var bytes: UnsafeRawBufferPointer
                let start = carryLength == 0 ? chunkOffset + Int64(pos) : pieceStart
                if carryLength == 0 {
                    bytes = UnsafeRawBufferPointer(start: base + pos, count: end - pos)
                } else {
                    append(base + pos, end - pos)
                    bytes = UnsafeRawBufferPointer(start: carry.baseAddress, count: carryLength)
                    carryHandedOut = true
                }
                pos = end + 1
                newlineCount += 1
                var flags: LineFlags = pieceContinues ? .continued : []
                if let last = bytes.last, last == 0x0D {
                    bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast())
                    flags.insert(.crlf)
                }
                return emit(bytes, at: start, flags: flags, endsLine: true)
            }
            if available <= room {
                append(base + pos, available)
                pos = chunk.count
                continue
            }
            // No newline within the cap: hand out a piece of exactly the cap.
            let bytes: UnsafeRawBufferPointer
            let start = carryLength == 0 ? chunkOffset + Int64(pos) : pieceStart
            if carryLength == 0 {
                bytes = UnsafeRawBufferPointer(start: base + pos, count: room)
            } else {
                append(base + pos, room)
                bytes = UnsafeRawBufferPointer(start: carry.baseAddress, count: carryLength)
                carryHandedOut = true
            }
            pos += room
            var flags: LineFlags = .split
            if pieceContinues { flags.insert(.continued) } else { splitLineCount += 1 }
            return emit(bytes, at: start, flags: flags, endsLine: false)
        }
    }

    /// Marks chunks that come without marks (no decode thread, or one that fell behind) on
    /// this thread, so that `skipUnmarked` can pass over their lines too. Setting it marks the
    /// current chunk at once.
    public var annotator: ChunkAnnotator? {
        didSet { if !spansValid, annotator != nil, chunk.count > 0 { annotateChunk() } }
    }
    private var ownMarks: [UInt64] = []

    private func annotateChunk() {
        annotator?(chunk, &ownMarks)
        takeSpans(ownMarks)
        // Lines before `pos` were handed out already; the cursor starts at the first span after them.
        _ = firstSpan(atOrAfter: pos)
    }

    /// Whole lines of the current chunk skipped at once by `skipUnmarked`: `bytes` ends with the
    /// last one's LF (a CR before it is still there).
    public struct SkippedRun {
        public var bytes: UnsafeRawBufferPointer
        public var firstNumber: Int
        public var offset: Int64
        public var count: Int
    }

    /// Passes over every whole line from here that holds no annotated span, up to the line of
    /// the next span or the chunk's last LF, counting them as `next()` would. This is how
    /// sparse reading skips the lines without keywords (most of a log's lines) without
    /// handing each one out. Nil when the chunk is not annotated, when a line is
    /// being assembled or split, or when the next line holds a span.
    public func skipUnmarked() -> SkippedRun? {
        guard spansValid, carryLength == 0, !pieceContinues, pos < chunk.count else { return nil }
        let c = firstSpan(atOrAfter: pos)
        let limit = c < spanCount ? ChunkSpan.start(spans[c]) : chunk.count
        let base = chunk.baseAddress!
        var p = pos, n = 0
        // Counted off the LF list as far as it reaches, then searched.
        var e = lineEndCursor
        while e < lineEnds.count, Int(lineEnds[e]) < p { e += 1 }
        while e < lineEnds.count {
            let end = Int(lineEnds[e])
            if end >= limit || end - p > maxLineBytes { break }
            p = end + 1
            n += 1
            e += 1
        }
        lineEndCursor = e
        let listed = e < lineEnds.count  // the list goes on: no LF before `limit` is missing from it
        while !listed, p < limit, let hit = memchr(base + p, 0x0A, limit - p) {
            let end = base.distance(to: UnsafeRawPointer(hit))
            if end - p > maxLineBytes { break }  // `next()` splits it
            p = end + 1
            n += 1
        }
        guard n > 0 else { return nil }
        let run = SkippedRun(bytes: UnsafeRawBufferPointer(start: base + pos, count: p - pos), firstNumber: nextNumber,
                             offset: chunkOffset + Int64(pos), count: n)
        pos = p
        nextNumber += n
        lineCount += n
        newlineCount += n
        return run
    }

    private func takeSpans(_ marks: [UInt64]?) {
        spanCursor = 0
        guard let marks else { spansValid = false; return }
        if marks.count > spans.count {
            spans.deallocate()
            spans = .allocate(capacity: max(marks.count, 2 * spans.count))
        }
        _ = spans.initialize(from: marks)
        spanCount = marks.count
        spansValid = true
    }

    /// Where the last annotated span of the current chunk that lies wholly inside `line` starts,
    /// as an offset into the line; -1 when none does; nil when that is not known (the chunk was
    /// not annotated, or the line was assembled outside the chunk).
    public func lastMark(in line: Line) -> Int? {
        guard spansValid, let p = line.bytes.baseAddress, let base = chunk.baseAddress,
              p >= base, p + line.bytes.count <= base + chunk.count else { return nil }
        let start = p - base, end = start + line.bytes.count
        var c = firstSpan(atOrAfter: start)
        var last = -1
        while c < spanCount, ChunkSpan.start(spans[c]) < end {
            if ChunkSpan.end(spans[c]) <= end { last = ChunkSpan.start(spans[c]) - start }
            c += 1
        }
        return last
    }

    /// The first span starting at or after `start` (chunk offset), which becomes the cursor:
    /// lines are looked up in order, so this is nearly always a step or two from the last one.
    @inline(__always)
    private func firstSpan(atOrAfter start: Int) -> Int {
        var c = spanCursor
        if c > 0, ChunkSpan.start(spans[c - 1]) >= start {
            // Looked up out of order: search from the beginning.
            var lo = 0, hi = spanCount
            while lo < hi {
                let mid = (lo + hi) / 2
                if ChunkSpan.start(spans[mid]) < start { lo = mid + 1 } else { hi = mid }
            }
            c = lo
        }
        while c < spanCount, ChunkSpan.start(spans[c]) < start { c += 1 }
        spanCursor = c
        return c
    }

    /// Calls `body(start, span)` for every annotated span lying wholly inside `bytes`, in
    /// order (`span` as the annotator gave it: its `ChunkSpan` length and tag); false (and no
    /// call) when that is not known — the chunk was not annotated, or `bytes` lies outside it.
    @inline(__always)
    public func forEachSpan(in bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawPointer, UInt64) -> Void) -> Bool {
        if bytes.isEmpty { return true }  // nothing lies inside
        guard spansValid, let base = chunk.baseAddress, let p = bytes.baseAddress,
              p >= base, p + bytes.count <= base + chunk.count else { return false }
        let start = p - base, end = start + bytes.count
        var c = firstSpan(atOrAfter: start)
        while c < spanCount, ChunkSpan.start(spans[c]) < end {
            if ChunkSpan.end(spans[c]) <= end { body(base + ChunkSpan.start(spans[c]), spans[c]) }
            c += 1
        }
        return true
    }

    /// `forEachSpan` for the spans wholly inside `first` or wholly inside `second` (a header's
    /// tag and message): one walk over the spans when `first` ends before `second` begins, as
    /// on nearly every header line; false when either lies outside the annotated chunk.
    @inline(__always)
    public func forEachSpan(in first: UnsafeRawBufferPointer, and second: UnsafeRawBufferPointer,
                            _ body: (UnsafeRawPointer, UInt64) -> Void) -> Bool {
        guard let a = first.baseAddress, let b = second.baseAddress, a + first.count <= b else {
            return forEachSpan(in: first, body) && forEachSpan(in: second, body)
        }
        guard spansValid, let base = chunk.baseAddress, a >= base, b + second.count <= base + chunk.count else { return false }
        let firstEnd = a - base + first.count, secondStart = b - base, end = secondStart + second.count
        var c = firstSpan(atOrAfter: a - base)
        while c < spanCount, ChunkSpan.start(spans[c]) < end {
            let s = ChunkSpan.start(spans[c]), e = ChunkSpan.end(spans[c])
            if e <= firstEnd || (s >= secondStart && e <= end) { body(base + s, spans[c]) }
            c += 1
        }
        return true
    }

    /// The current chunk's LF offsets (`LineFeeds`): found by the decode thread when it
    /// prepared the chunk, else here when the chunk is taken; and the first not before `pos`.
    private var lineEnds = UnsafeBufferPointer<Int32>(start: nil, count: 0)
    private var lineEndCursor = 0
    /// At most this many LFs of a chunk are listed (lines past them are searched for).
    static let indexCapacity = 1 << 16
    private let ownEnds = UnsafeMutablePointer<Int32>.allocate(capacity: LineFramer.indexCapacity)

    /// The first LF in the `scan` bytes from `pos`: from `lineEnds` while they reach that
    /// far (each LF costs a comparison instead of a search), else searched.
    @inline(__always)
    private func nextLineFeed(_ base: UnsafeRawPointer, _ scan: Int) -> UnsafeRawPointer? {
        var c = lineEndCursor
        if c < lineEnds.count {
            while c < lineEnds.count, Int(lineEnds[c]) < pos { c += 1 }
            lineEndCursor = c
            if c < lineEnds.count {
                let end = Int(lineEnds[c])
                return end - pos < scan ? base + end : nil
            }
        }
        return memchr(base + pos, 0x0A, scan).map { UnsafeRawPointer($0) }
    }

    /// Counts the chunks taken from the stream: tells readers that `currentPrepared` changed.
    public private(set) var chunkSerial = 0
    /// What the stream's preparer made of the current chunk (see `DecodedStream.prepareAhead`).
    public private(set) var currentPrepared: AnyObject?

    /// Where a line's `bytes` start in the current chunk; nil when it was assembled outside it (it
    /// crossed a chunk boundary, or was longer than the cap).
    @inline(__always)
    public func chunkPosition(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let p = bytes.baseAddress, let base = chunk.baseAddress,
              p >= base, p + bytes.count <= base + chunk.count else { return nil }
        return p - base
    }

    /// Up to `limit` bytes of the current chunk not framed yet: a look at what follows without
    /// reading on (valid until the next call that frames).
    public func unframed(limit: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: chunk[pos..<min(chunk.count, pos + max(0, limit))])
    }

    /// A fault held back while the partial last line was handed out; thrown on the next call.
    private var pendingError: Error?

    private func finishCarry() -> Line {
        carryHandedOut = true
        var flags: LineFlags = [.noNewline]
        if pieceContinues { flags.insert(.continued) }
        return emit(UnsafeRawBufferPointer(start: carry.baseAddress, count: carryLength), at: pieceStart, flags: flags, endsLine: true)
    }

    @inline(__always)
    private func emit(_ bytes: UnsafeRawBufferPointer, at start: Int64, flags: LineFlags, endsLine: Bool) -> Line {
        let line = Line(bytes: bytes, number: nextNumber, offset: start, flags: flags)
        if !flags.contains(.continued) { lineCount += 1 }
        if endsLine {
            nextNumber += 1
            pieceContinues = false
        } else {
            pieceContinues = true
        }
        return line
    }

    @inline(__always)
    private func append(_ p: UnsafeRawPointer, _ n: Int) {
        if carryLength == 0 { pieceStart = chunkOffset + Int64(p - chunk.baseAddress!) }
        (carry.baseAddress! + carryLength).copyMemory(from: p, byteCount: n)
        carryLength += n
    }
}

/// Where the line feeds of a decoded chunk are, found in one pass (`CByteIndex`).
public enum LineFeeds {
    /// Writes the offsets of the LFs in `chunk` to `out`, ascending, at most `capacity`;
    /// returns how many. The list holds every LF from the chunk's start up to the last listed.
    @inline(__always)
    public static func offsets(in chunk: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<Int32>, capacity: Int) -> Int {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return 0 }
        return rtcdiag_byte_offsets(base.assumingMemoryBound(to: UInt8.self), chunk.count, 0x0A, out, capacity)
    }

    /// The offset of the last LF in `bytes`, or nil.
    @inline(__always)
    public static func last(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        let at = rtcdiag_last_byte(base.assumingMemoryBound(to: UInt8.self), bytes.count, 0x0A)
        return at >= 0 ? at : nil
    }
}
