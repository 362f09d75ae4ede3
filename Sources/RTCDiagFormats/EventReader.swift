#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RTCDiagStream

/// How an input is read into events.
public struct ReaderOptions: Sendable {
    /// Force a dialect by name instead of detecting one.
    public var dialect: String?
    /// Year for dialects that print none; default: the file's mtime year, else this year.
    public var year: Int?
    /// Date (days since 1970) of the first line for dialects that print only a time of day;
    /// default: the file's mtime date.
    public var date: Int64?
    /// Seconds since 1970 standing for "now" when neither `year` nor an mtime is known.
    public var now: Int64 = 0
    /// Lines and bytes looked at to detect the dialect.
    public var sampleLines = 200
    public var sampleBytes = 256 << 10
    /// Bounds on one event with its continuation lines; past them lines become events of their own.
    public var maxEventLines = 1000
    public var maxEventBytes = (1 << 20) + (64 << 10)
    /// Only events inside `[since, until]` (log-clock microseconds) are handed out.
    public var since: Int64?
    public var until: Int64?

    public init() {}
}

/// How well each dialect fit the sample, and which one won.
public struct Detection: Sendable {
    public struct Score: Sendable {
        public var dialect: String
        public var parsed: Int
        public var considered: Int
        public var score: Double { considered == 0 ? 0 : Double(parsed) / Double(considered) }
    }

    public var chosen: String?
    public var forced: Bool
    public var scores: [Score]
}

/// Counts a reader keeps while it reads: the input's own health, apart from the call's.
public struct ReaderCounts: Sendable {
    public var events = 0
    public var unparsedEvents = 0
    public var continuationLines = 0
    public var blankLines = 0
    public var pasteCleanedLines = 0
    public var otherDialectLines = 0
    public var cappedEvents = 0
    public var skippedByWindow = 0
    /// Sparse reading: lines left unparsed because they hold no keyword.
    public var skippedLines = 0
    /// Header lines recognised ahead on the decode thread (it takes over parsing while it
    /// would otherwise wait); the result is the same either way.
    public var preparedLines = 0
}

/// Lines → events: detects the dialect from a sample, parses header lines, cleans pasted lines,
/// and folds continuation lines (stack traces, wrapped text) into the event above them.
///
/// `next()` hands out an `EventView` valid until the following call. A fault in the input is
/// thrown only after every event before it has been handed out.
public final class EventReader {
    public let options: ReaderOptions
    public private(set) var detection = Detection(chosen: nil, forced: false, scores: [])
    public private(set) var counts = ReaderCounts()
    public let framer: LineFramer
    public var name: String { framer.name }

    /// Sparse reading (what `diagnose` uses): when set before the first `next()`, only lines
    /// holding one of these keywords are parsed, with the lines that belong to their events
    /// (a keyword in a stack-trace line brings back its header from the last skipped lines).
    /// Every other line is framed but never parsed, and no event is handed out for it.
    public var keywordFilter: KeywordScanner?

    /// Earliest and latest wall-clock times of the parsed lines, and how often the clock went
    /// back by more than a minute. Sparse reading also samples a skipped line now and then
    /// (and the last one) so the span covers the whole input.
    public private(set) var firstTime: Int64?
    public private(set) var lastTime: Int64?
    public private(set) var backwardJumps = 0

    private var active: (any Dialect.Type)?
    private var activeIndex = -1 { didSet { header = HeaderParser(activeIndex: activeIndex) } }
    private var header = HeaderParser(activeIndex: -1)
    // Header lines the decode thread recognised ahead of us (full reading with decode-ahead).
    private var usePrepared = false
    private var preparedSerial = -1
    private var preparedEntries = UnsafePointer<PreparsedChunk.Entry>(bitPattern: 8)!
    private var preparedCount = 0
    private var preparedCursor = 0
    private var preparedChunk: PreparsedChunk?
    /// The foreign dialect that parsed the last header line, or -1.
    private var lastForeign = -1
    private var years: YearResolver
    private var detected = false
    private var sparse = false
    /// `keywordFilter` once sparse reading starts, used per line without reference counting
    /// (`keywordFilter` keeps it alive).
    private var lineFilter: Unmanaged<KeywordScanner>?
    private var fields = LineFields()
    private var pending: EventBuffer
    private var ready: EventBuffer
    private var framerDone = false
    private var deferredError: Error?
    private var lastTimedInWindow = true
    private let hasWindow: Bool
    private var lastDateKey: Int64 = -1
    private var lastDayMicros: Int64 = 0
    private var lastSeenTime: Int64?
    // Sparse reading: the open event holds a keyword; lines skipped since the last parsed one.
    private var run = SkippedLines(maxLines: 64, maxBytes: 64 << 10)
    /// Sparse reading: words of the keyword bit set when events take their keywords from the
    /// chunk's marks (0: they do not).
    private var markWords = 0
    private var collectsKeywords = true
    private var probedEnd = false

    // Detection sample: copied lines replayed once the dialect is chosen.
    private let sampleStore: UnsafeMutableRawBufferPointer
    private var sample: [Line] = []
    private var sampleTail: Line?
    private var replayIndex = 0

    public init(framer: LineFramer, options: ReaderOptions = ReaderOptions()) throws {
        self.framer = framer
        self.options = options
        hasWindow = options.since != nil || options.until != nil
        years = YearResolver(explicitYear: options.year, explicitDate: options.date,
                             modificationTime: framer.decodedStream.modificationTime,
                             now: options.now)
        pending = EventBuffer(capacity: options.maxEventBytes)
        ready = EventBuffer(capacity: options.maxEventBytes)
        sampleStore = .allocate(byteCount: options.sampleBytes, alignment: 16)
        framer.willReuseLineMemory = { [unowned self] in self.pending.pin(); self.run.pin() }
        if let forced = options.dialect {
            guard let i = Dialects.all.firstIndex(where: { $0.name == forced }) else {
                throw ReaderError.unknownDialect(forced)
            }
            active = Dialects.all[i]
            activeIndex = i
            header = HeaderParser(activeIndex: i)  // observers do not run in init
            detection = Detection(chosen: forced, forced: true, scores: [])
        }
    }

    deinit { sampleStore.deallocate() }

    public enum ReaderError: Error, CustomStringConvertible {
        case unknownDialect(String)
        public var description: String {
            switch self {
            case .unknownDialect(let n):
                "unknown format '\(n)'; known: \(Dialects.names.joined(separator: ", "))"
            }
        }
    }

    /// The next event, or nil at the end; throws the input's fault after the last good event.
    public func next() throws -> EventView? {
        if !detected { try detect() }
        while true {
            if sparse, !pending.isOpen, replayIndex == sample.count, sampleTail == nil, let skipped = framer.skipUnmarked() {
                noteSkipped(skipped)
                continue
            }
            guard let line = try nextLine() else {
                if pending.isOpen {
                    swap(&pending, &ready)
                    pending.isOpen = false
                    if !hasWindow || admit(ready) { return ready.view }
                    continue
                }
                if keywordFilter != nil, !probedEnd { probedEnd = true; probeRunEnd() }
                if let e = deferredError { deferredError = nil; throw e }
                return nil
            }
            // (A Bool, not `if let`: binding the filter would retain and release it per line.)
            let finished = sparse ? handleSparse(line) : handle(line)
            if finished, !hasWindow || admit(ready) { return ready.view }
        }
    }

    // MARK: - Lines

    private func nextLine() throws -> Line? {
        if replayIndex < sample.count {
            replayIndex += 1
            return sample[replayIndex - 1]
        }
        if let tail = sampleTail { sampleTail = nil; return tail }
        if framerDone { return nil }
        do {
            if let l = try framer.next() { return l }
        } catch {
            deferredError = error
        }
        framerDone = true
        return nil
    }

    /// Reads the sample, scores every dialect on it, and keeps the best.
    private func detect() throws {
        detected = true
        sparse = keywordFilter != nil
        lineFilter = keywordFilter.map { Unmanaged.passUnretained($0) }
        var used = 0
        while sample.count < options.sampleLines, !framerDone {
            let line: Line?
            do { line = try framer.next() } catch { deferredError = error; framerDone = true; break }
            guard let line else { framerDone = true; break }
            if used + line.bytes.count > sampleStore.count {
                sampleTail = line  // still valid: the framer is not called again before it is replayed
                break
            }
            let dst = sampleStore.baseAddress! + used
            if line.bytes.count > 0 { dst.copyMemory(from: line.bytes.baseAddress!, byteCount: line.bytes.count) }
            var copy = line
            copy.bytes = UnsafeRawBufferPointer(start: dst, count: line.bytes.count)
            sample.append(copy)
            used += line.bytes.count
        }
        // Sparse reading: anchor the keyword prefilter on grams that are rare in this input —
        // counted over the sample and what follows it in the chunk at hand (at most 256 KiB:
        // 200 lines are often one call in one layout, and a mixed upload has others further on).
        if let filter = keywordFilter {
            filter.tune(to: sample.map(\.bytes) + (sampleTail.map { [$0.bytes] } ?? []) + [framer.unframed(limit: 256 << 10)])
            // With a decode thread, the keyword scan runs there over whole chunks from now on.
            let mark: ChunkAnnotator = { text, marks in filter.marks(text, into: &marks) }
            framer.decodedStream.annotateAhead(mark)
            // Chunks the decode thread did not mark (or all, without one) are marked here, so
            // that the lines without keywords are skipped in runs rather than one by one.
            framer.annotator = mark
            if filter.keywordsStayWithinLines {
                markWords = filter.bitWords
                pending.useKeywordBits(words: markWords)
                ready.useKeywordBits(words: markWords)
            }
        }
        guard active == nil else { prepareAhead(); return }
        var lines = sample
        if let sampleTail { lines.append(sampleTail) }
        var scores: [Detection.Score] = []
        var best = -1
        var bestParsed = 0
        for (i, d) in Dialects.all.enumerated() {
            var parsed = 0
            var considered = 0
            for l in lines where !l.flags.contains(.continued) && !isBlank(l.bytes) {
                considered += 1
                var f = LineFields()
                if d.parse(l.bytes, into: &f) || HeaderParser.cleanedParse(d, l.bytes, &f) != nil { parsed += 1 }
            }
            scores.append(.init(dialect: d.name, parsed: parsed, considered: considered))
            if parsed > bestParsed { best = i; bestParsed = parsed }
        }
        if best >= 0 {
            active = Dialects.all[best]
            activeIndex = best
        }
        detection = Detection(chosen: active?.name, forced: false,
                              scores: scores.sorted { $0.score > $1.score })
        prepareAhead()
    }

    /// With a decode thread: that thread recognises header lines of the chunks it is ahead on
    /// (it would only wait otherwise), with the dialect just chosen — every line in full
    /// reading, the lines around keyword marks in sparse reading.
    private func prepareAhead() {
        let parser = header
        let cap = framer.maxLineBytes
        if let filter = keywordFilter {
            // Marks must stay within lines to be taken line by line.
            guard filter.keywordsStayWithinLines else { return }
            usePrepared = framer.decodedStream.prepareAhead { chunk, marks, previous, stop in
                let prepared = (previous as? PreparsedChunk) ?? PreparsedChunk()
                prepared.prepareMarked(chunk, marks: marks ?? [], parser: parser, maxLineBytes: cap, stop: stop)
                return prepared
            }
            return
        }
        usePrepared = framer.decodedStream.prepareAhead { chunk, _, previous, stop in
            let prepared = (previous as? PreparsedChunk) ?? PreparsedChunk()
            prepared.prepare(chunk, parser: parser, maxLineBytes: cap, stop: stop)
            return prepared
        }
    }

    /// The decode thread's result for this line, when it has one and parsed it from the same
    /// `lastForeign` as ours (so it is exactly what we would find).
    @inline(__always)
    private func preparedEntry(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<PreparsedChunk.Entry>? {
        if framer.chunkSerial != preparedSerial {
            preparedSerial = framer.chunkSerial
            preparedChunk = framer.currentPrepared as? PreparsedChunk
            preparedEntries = preparedChunk?.entries ?? UnsafePointer(bitPattern: 8)!
            preparedCount = preparedChunk?.count ?? 0
            preparedCursor = 0
        }
        guard preparedCount > 0, let position = framer.chunkPosition(bytes) else { return nil }
        var c = preparedCursor
        while c < preparedCount, Int(preparedEntries[c].start) < position { c += 1 }
        preparedCursor = c
        guard c < preparedCount, Int(preparedEntries[c].start) == position, Int(preparedEntries[c].length) == bytes.count,
              Int(preparedEntries[c].foreignBefore) == lastForeign else { return nil }
        return preparedEntries + c
    }

    // MARK: - Assembly

    /// Feeds one line; true when `ready` holds a finished event.
    private func handle(_ line: Line) -> Bool {
        let bytes = line.bytes
        if line.flags.contains(.continued) {
            if pending.isOpen, pending.canAppend(bytes.count, maxLines: options.maxEventLines) {
                pending.appendPiece(bytes)
                return false
            }
            return startUnparsed(line, flags: [.truncated])
        }
        if isBlank(bytes) {
            counts.blankLines += 1
            return false
        }
        if let h = parseHeader(bytes, counting: true) {
            return start(line, h.bytes, dialect: h.dialect, flags: h.flags)
        }
        if active != nil, pending.isOpen {
            if pending.canAppend(bytes.count, maxLines: options.maxEventLines) {
                pending.appendLine(bytes, truncated: line.flags.contains(.split))
                if markWords > 0, pending.keywordsKnown { pending.keywordsKnown = collectKeywords(bytes) }
                counts.continuationLines += 1
                return false
            }
            if !pending.flags.contains(.capped) { pending.flags.insert(.capped); counts.cappedEvents += 1 }
        }
        return startUnparsed(line, flags: [])
    }

    /// Recognises a header line into `fields` (overwritten whole): the bytes left after paste
    /// cleaning, the dialect and the flags; nil when no dialect takes the line.
    @inline(__always)
    private func parseHeader(_ bytes: UnsafeRawBufferPointer, counting: Bool)
        -> (bytes: UnsafeRawBufferPointer, dialect: Int, flags: EventFlags)? {
        let h: (start: Int, dialect: Int, flags: EventFlags)?
        if usePrepared, let e = preparedEntry(bytes) {
            lastForeign = Int(e.pointee.foreignAfter)
            counts.preparedLines += 1
            guard e.pointee.dialect >= 0 else { return nil }
            fields = e.pointee.fields
            h = (Int(e.pointee.cleaned), Int(e.pointee.dialect), e.pointee.flags)
        } else {
            fields.reset()
            h = header.parse(bytes, lastForeign: &lastForeign, into: &fields)
        }
        guard let h else { return nil }
        if counting {
            if h.flags.contains(.otherDialect) { counts.otherDialectLines += 1 }
            if h.flags.contains(.pasteCleaned) { counts.pasteCleanedLines += 1 }
        }
        return (h.start == 0 ? bytes : UnsafeRawBufferPointer(rebasing: bytes[h.start...]), h.dialect, h.flags)
    }

    // MARK: - Sparse reading

    /// Feeds one line when only keyword lines are wanted; true when `ready` holds a finished event.
    private func handleSparse(_ line: Line) -> Bool {
        let hit = holdsKeyword(line)
        if pending.isOpen {
            // The open event holds a keyword: this line continues it or starts the next event
            // (which is dropped at once when the line holds no keyword: no keywords to collect).
            collectsKeywords = hit
            defer { collectsKeywords = true }
            guard handle(line) else { return false }
            if !hit {
                // The new event holds no keyword (yet): it opens the run of skipped lines instead.
                pending.isOpen = false
                counts.events -= 1
                run.reset()
                run.append(line)
            }
            return true
        }
        if !hit {
            counts.skippedLines += 1
            run.append(line)
            // Sample a skipped line now and then, so the time span covers the whole input.
            if counts.skippedLines & 4095 == 1, !line.flags.contains(.continued), !line.bytes.isEmpty {
                if parseHeader(line.bytes, counting: false) != nil { noteTime(eventTime()) }
            }
            return false
        }
        _ = handle(line)
        if pending.dialect < 0, !line.flags.contains(.continued), !pending.flags.contains(.capped) {
            attachToSkippedHeader(line)
        }
        run.reset()
        return false
    }

    /// Adds the keywords the chunk's marks show wholly inside `text` (and wholly inside `also`,
    /// when given) to the pending event's bit set; false when the marks cannot tell (the text
    /// lies outside the marked chunk).
    @inline(__always)
    private func collectKeywords(_ text: UnsafeRawBufferPointer, also: UnsafeRawBufferPointer? = nil) -> Bool {
        let bits = pending.keywordBits.unsafelyUnwrapped
        return lineFilter.unsafelyUnwrapped._withUnsafeGuaranteedRef { scanner in
            func add(_ p: UnsafeRawPointer, _ span: UInt64) {
                var k = ChunkSpan.tag(span)
                if k == KeywordScanner.untagged {
                    guard let found = scanner.keyword(at: p, length: ChunkSpan.end(span) - ChunkSpan.start(span)) else { return }
                    k = found
                }
                bits[k >> 6] |= 1 << UInt64(k & 63)
            }
            guard let also else { return framer.forEachSpan(in: text, add) }
            return framer.forEachSpan(in: text, and: also, add)
        }
    }

    /// Sparse reading: the keywords of the event `next()` handed out last — those of
    /// `keywordFilter` in its tag, its message and its continuation lines, exactly what
    /// scanning those three would find — as a bit set of `keywordFilter.bitWords` words; nil
    /// when not known from the chunk's marks, for the caller to scan them.
    public var eventKeywords: UnsafePointer<UInt64>? {
        markWords > 0 && ready.keywordsKnown ? UnsafePointer(ready.keywordBits) : nil
    }

    /// Lines without a mark skipped in one run: counted, kept for `attachToSkippedHeader`, and
    /// sampled for the time span as `handleSparse` samples them one by one.
    private func noteSkipped(_ skipped: LineFramer.SkippedRun) {
        let before = counts.skippedLines
        counts.skippedLines += skipped.count
        run.append(skipped)
        // The lines whose running count is 1 modulo 4096, as in `handleSparse`.
        var j = (-before) & 4095
        guard j < skipped.count else { return }
        let base = skipped.bytes.baseAddress!
        var start = 0, index = 0
        while j < skipped.count {
            while index < j {
                start = base.distance(to: memchr(base + start, 0x0A, skipped.bytes.count - start)!) + 1
                index += 1
            }
            let end = base.distance(to: memchr(base + start, 0x0A, skipped.bytes.count - start)!)
            var line = UnsafeRawBufferPointer(start: base + start, count: end - start)
            if let last = line.last, last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            if !line.isEmpty, parseHeader(line, counting: false) != nil { noteTime(eventTime()) }
            j += 4096
        }
    }

    /// Whether `line` holds a keyword past its clock stamp: looked up in the chunk's marks (the
    /// last mark in the line decides: if it lies in the stamp, so do the others); scanned here
    /// only when the line lies outside the chunk (the detection sample's copies, lines assembled
    /// across chunks).
    @inline(__always)
    private func holdsKeyword(_ line: Line) -> Bool {
        guard let last = framer.lastMark(in: line) else {
            return lineFilter.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.lineMatchesAny(line.bytes) }
        }
        return last >= 0 && KeywordScanner.markPastStamp(line.bytes, at: last)
    }

    /// A keyword line no dialect recognises: most likely a continuation (a stack-trace frame,
    /// wrapped text) of a header among the lines just skipped. Rebuilds that event.
    private func attachToSkippedHeader(_ line: Line) {
        var j = run.count - 1
        while j >= 0 {
            let candidate = run[j]
            if !candidate.flags.contains(.continued), !candidate.bytes.isEmpty {
                if let h = parseHeader(candidate.bytes, counting: true) {
                    pending.isOpen = false
                    counts.unparsedEvents -= 1
                    counts.events -= 1
                    _ = start(candidate, h.bytes, dialect: h.dialect, flags: h.flags)
                    for k in (j + 1)..<run.count {
                        let l = run[k]
                        guard pending.canAppend(l.bytes.count, maxLines: options.maxEventLines) else { break }
                        pending.appendLine(l.bytes, truncated: l.flags.contains(.split))
                        counts.continuationLines += 1
                    }
                    if pending.canAppend(line.bytes.count, maxLines: options.maxEventLines) {
                        pending.appendLine(line.bytes, truncated: line.flags.contains(.split))
                        counts.continuationLines += 1
                    }
                    pending.pin()  // the header may live in the run's storage, which is reused
                    pending.keywordsKnown = false  // its lines may lie outside the chunk: scanned
                    return
                }
            }
            j -= 1
        }
    }

    /// At the end of a sparse read: the last skipped line with a time closes the time span.
    private func probeRunEnd() {
        var j = run.count - 1
        while j >= 0 {
            let l = run[j]
            if !l.flags.contains(.continued), !l.bytes.isEmpty {
                if parseHeader(l.bytes, counting: false) != nil, let t = eventTime() { noteTime(t); return }
            }
            j -= 1
        }
    }

    // MARK: - Time

    /// The time of the line in `fields`, in microseconds.
    @inline(__always)
    private func eventTime() -> Int64? {
        switch fields.timeKind {
        case .none: return nil
        case .clock:
            let c = fields.clock
            if !c.hasDate { return timeOfDayTime(c) }
            // Consecutive lines nearly always share a date: settle the year and day number once per date.
            let dateKey = Int64(c.year) << 16 | Int64(c.month) << 8 | Int64(c.day)
            if dateKey != lastDateKey {
                lastDateKey = dateKey
                let year = c.year != 0 ? c.year : years.year(forMonth: c.month)
                lastDayMicros = daysFromCivil(Int64(year), Int64(c.month), Int64(c.day)) * 86_400_000_000
            }
            return lastDayMicros + (Int64(c.hour) * 3600 + Int64(c.minute) * 60 + Int64(c.second)) * 1_000_000
                + Int64(c.micros)
        case .elapsed, .epoch: return fields.instant
        }
    }

    /// A line that prints only its time of day, dated by `years` (kept out of line: rare).
    @inline(never)
    private func timeOfDayTime(_ c: ClockReading) -> Int64 {
        let secondOfDay = Int64(c.hour) * 3600 + Int64(c.minute) * 60 + Int64(c.second)
        return (years.day(forTimeOfDay: Int32(secondOfDay)) * 86_400 + secondOfDay) * 1_000_000 + Int64(c.micros)
    }

    /// Widens the time span with a wall-clock time and counts backward clock jumps.
    @inline(__always)
    private func noteTime(_ time: Int64?) {
        guard let t = time, fields.timeKind == .clock || fields.timeKind == .epoch else { return }
        if firstTime == nil { firstTime = t }
        if let seen = lastSeenTime, t < seen - 60_000_000 { backwardJumps += 1 }
        lastSeenTime = t
        if lastTime.map({ t > $0 }) ?? true { lastTime = t }
    }

    private func startUnparsed(_ line: Line, flags: EventFlags) -> Bool {
        fields.reset()
        fields.message = 0..<line.bytes.count
        counts.unparsedEvents += 1
        return start(line, line.bytes, dialect: -1, flags: flags.union(.unparsed))
    }

    /// Opens a new pending event; the previous one, if any, becomes ready.
    private func start(_ line: Line, _ bytes: UnsafeRawBufferPointer, dialect: Int, flags: EventFlags) -> Bool {
        let hadPending = pending.isOpen
        if hadPending { swap(&pending, &ready) }
        let time = eventTime()
        noteTime(time)
        var f = flags
        if line.flags.contains(.split) { f.insert(.truncated) }
        fields.message = bytes.trimmedEnd(fields.message.lowerBound, fields.message.upperBound)
        pending.open(bytes, fields: fields, line: line, time: time, dialect: dialect, flags: f)
        if markWords > 0, collectsKeywords {
            let bits = pending.keywordBits.unsafelyUnwrapped
            // A few words: stores, not a call to `memset` per event.
            switch markWords {
            case 1: bits[0] = 0
            case 2: bits[0] = 0; bits[1] = 0
            case 3: bits[0] = 0; bits[1] = 0; bits[2] = 0
            case 4: bits[0] = 0; bits[1] = 0; bits[2] = 0; bits[3] = 0  // the built-in signatures and rules: ~220 keywords
            case 5: bits[0] = 0; bits[1] = 0; bits[2] = 0; bits[3] = 0; bits[4] = 0
            default: bits.update(repeating: 0, count: markWords)
            }
            pending.keywordsKnown = collectKeywords(pending.tagBytes, also: pending.messageBytes)
        }
        counts.events += 1
        return hadPending
    }

    /// Applies `--since/--until`; untimed events follow the last timed one.
    private func admit(_ e: EventBuffer) -> Bool {
        if let t = e.time, e.timeKind == .clock || e.timeKind == .epoch {
            lastTimedInWindow = (options.since.map { t >= $0 } ?? true) && (options.until.map { t <= $0 } ?? true)
        }
        if !lastTimedInWindow { counts.skippedByWindow += 1 }
        return lastTimedInWindow
    }
}

@inline(__always)
func isBlank(_ p: UnsafeRawBufferPointer) -> Bool {
    for b in p where b != 0x20 && b != 0x09 && b != 0x0D { return false }
    return true
}

/// One event being assembled. The header line is borrowed from the framer's memory (no copy)
/// until a continuation line arrives or the framer is about to reuse that memory; then it is
/// copied into owned storage (`pin`).
final class EventBuffer {
    private let storage: UnsafeMutableRawBufferPointer
    /// The header line: in the framer's memory, or at the start of `storage` once pinned.
    private var header = UnsafeRawBufferPointer(start: nil, count: 0)
    private var pinned = false
    /// Bytes used in `storage` (header when pinned, then LF-joined continuation lines).
    private var length = 0
    var isOpen = false
    var lineNumber = 0
    var lineCount = 0
    var offset: Int64 = 0
    var time: Int64?
    var timeKind: LineFields.TimeKind = .none
    var dialect = -1
    var flags: EventFlags = []
    // What the view needs of the header's fields, already as offsets into `header` (a compact
    // copy: the whole `LineFields` is about twice as large, and this is copied once per event).
    private var tag: (UInt32, UInt32) = (0, 0)
    private var message: (UInt32, UInt32) = (0, 0)
    private var origin: (UInt32, UInt32) = (0, 0)
    private var pid: Int32 = -1
    private var tid: Int32 = -1
    private var utcOffset: Int32?
    private var level: Level = .unknown
    private var messageIsJSONEscaped = false
    /// Sparse reading: the keywords in tag, message and continuation lines as a bit set, taken
    /// from the chunk's marks while `keywordsKnown` (see `EventReader.eventKeywords`).
    private(set) var keywordBits: UnsafeMutablePointer<UInt64>?
    var keywordsKnown = false

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
        keywordBits?.deallocate()
    }

    func useKeywordBits(words: Int) {
        keywordBits?.deallocate()
        keywordBits = .allocate(capacity: words)
        keywordBits!.initialize(repeating: 0, count: words)
    }

    /// The tag and message as the view shows them.
    var tagBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: header[Int(tag.0)..<Int(tag.1)]) }
    var messageBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: header[Int(message.0)..<Int(message.1)]) }

    @inline(__always)
    func open(_ bytes: UnsafeRawBufferPointer, fields: LineFields, line: Line, time: Int64?, dialect: Int,
              flags: EventFlags) {
        let h = bytes.count <= storage.count ? bytes : UnsafeRawBufferPointer(rebasing: bytes[..<storage.count])
        header = h
        @inline(__always) func bounds(_ r: Range<Int>) -> (UInt32, UInt32) {
            r.upperBound <= h.count ? (UInt32(truncatingIfNeeded: r.lowerBound), UInt32(truncatingIfNeeded: r.upperBound)) : (0, 0)
        }
        pinned = false
        length = 0
        tag = bounds(fields.tag)
        message = bounds(fields.message)
        origin = bounds(fields.origin)
        pid = fields.pid
        tid = fields.tid
        level = fields.level
        messageIsJSONEscaped = fields.messageIsJSONEscaped
        utcOffset = fields.timeKind == .clock && fields.clock.utcOffset != ClockReading.noOffset ? fields.clock.utcOffset : nil
        lineNumber = line.number
        lineCount = 1
        offset = line.offset
        self.time = time
        timeKind = fields.timeKind
        self.dialect = dialect
        self.flags = flags
        isOpen = true
    }

    /// Copies a borrowed header into owned storage.
    func pin() {
        guard isOpen, !pinned else { return }
        if header.count > 0 { storage.baseAddress!.copyMemory(from: header.baseAddress!, byteCount: header.count) }
        header = UnsafeRawBufferPointer(start: storage.baseAddress, count: header.count)
        length = header.count
        pinned = true
    }

    func canAppend(_ n: Int, maxLines: Int) -> Bool {
        lineCount < maxLines && max(length, header.count) + 1 + n <= storage.count
    }

    /// Adds a following line, joined by LF.
    func appendLine(_ bytes: UnsafeRawBufferPointer, truncated: Bool) {
        pin()
        storage[length] = 0x0A
        length += 1
        copy(bytes)
        lineCount += 1
        if truncated { flags.insert(.truncated) }
    }

    /// Adds the next piece of a split line: it carries on the last line directly. Pieces of the
    /// header line lengthen the header (and its message, when the message ran to its end).
    func appendPiece(_ bytes: UnsafeRawBufferPointer) {
        pin()
        keywordsKnown = false  // the joined piece may hold a keyword the pieces' marks do not
        let extendsHeader = lineCount == 1
        copy(bytes)
        if extendsHeader {
            if Int(message.1) == header.count { message.1 = UInt32(truncatingIfNeeded: length) }
            header = UnsafeRawBufferPointer(start: storage.baseAddress, count: length)
        }
        flags.insert(.truncated)
    }

    private func copy(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        (storage.baseAddress! + length).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        length += bytes.count
    }

    var view: EventView {
        @inline(__always) get {
        let h = header
        let continuation = pinned && length > h.count + 1
            ? UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[(h.count + 1)..<length])
            : UnsafeRawBufferPointer(start: nil, count: 0)
        return EventView(
            raw: h, continuation: continuation, offset: offset, lineNumber: lineNumber, lineCount: lineCount,
            time: time, utcOffset: utcOffset, pid: pid, tid: tid, tag: tag, message: message, origin: origin,
            level: level, timeKind: timeKind, flags: flags, messageIsJSONEscaped: messageIsJSONEscaped,
            dialectIndex: dialect >= 0 ? dialect : nil)
        }
    }
}

/// Sparse reading: the lines skipped since the last parsed one, oldest first. They stay
/// borrowed from the framer until it is about to reuse that memory (`pin`), then they are
/// copied here. Bounded: past `maxLines` the older half is dropped, and `pin` keeps only the
/// newest lines that fit `maxBytes`. Lines skipped in a run (`LineFramer.skipUnmarked`) are
/// cut into lines only when they are looked at or pinned: nearly always they never are.
final class SkippedLines {
    /// Plain memory (`Line` holds no references): sparse reading resets and appends once per
    /// keyword event, and an array paid a uniqueness check and a generic `removeAll` each time.
    private let lines: UnsafeMutablePointer<Line>
    private var lineCount = 0
    private var uncut: LineFramer.SkippedRun?
    private let storage: UnsafeMutableRawBufferPointer
    private let maxLines: Int

    init(maxLines: Int, maxBytes: Int) {
        self.maxLines = maxLines
        storage = .allocate(byteCount: maxBytes, alignment: 16)
        lines = .allocate(capacity: maxLines)
    }

    deinit {
        storage.deallocate()
        lines.deallocate()
    }

    var count: Int { cutRun(); return lineCount }
    subscript(i: Int) -> Line { cutRun(); return lines[i] }

    @inline(__always)
    func append(_ line: Line) {
        if uncut != nil { cutRun() }
        if lineCount == maxLines { dropOldest(maxLines / 2) }
        (lines + lineCount).initialize(to: line)
        lineCount += 1
    }

    func append(_ run: LineFramer.SkippedRun) {
        if uncut != nil { cutRun() }
        uncut = run
    }

    @inline(__always)
    func reset() {
        lineCount = 0
        uncut = nil
    }

    private func dropOldest(_ k: Int) {
        guard k > 0 else { return }
        UnsafeMutableRawPointer(lines).copyMemory(from: lines + k, byteCount: (lineCount - k) * MemoryLayout<Line>.stride)
        lineCount -= k
    }

    /// Cuts the pending run into lines, keeping what appending them one by one would keep: the
    /// older half goes each time the list is full.
    private func cutRun() {
        guard let run = uncut else { return }
        uncut = nil
        var kept = lineCount + run.count
        while kept > maxLines { kept -= maxLines / 2 }
        let fromRun = min(kept, run.count)
        if kept - fromRun < lineCount { dropOldest(lineCount - (kept - fromRun)) }
        // The newest `fromRun` lines, cut from the end backwards into their places.
        let base = run.bytes.baseAddress!
        var end = run.bytes.count - 1  // the LF that ends the line
        var number = run.firstNumber + run.count - 1
        var slot = lineCount + fromRun - 1
        while slot >= lineCount {
            var start = end
            while start > 0, base.load(fromByteOffset: start - 1, as: UInt8.self) != 0x0A { start -= 1 }
            var bytes = UnsafeRawBufferPointer(start: base + start, count: end - start)
            var flags: LineFlags = []
            if let last = bytes.last, last == 0x0D {
                bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast())
                flags = .crlf
            }
            (lines + slot).initialize(to: Line(bytes: bytes, number: number, offset: run.offset + Int64(start), flags: flags))
            number -= 1
            end = start - 1
            slot -= 1
        }
        lineCount += fromRun
    }

    /// Copies the lines to the front of `storage`, oldest first. Lines copied by an earlier call
    /// sit in `storage` in the same order, so moving them towards the front never overwrites a
    /// line that has not moved yet.
    func pin() {
        cutRun()
        guard lineCount > 0 else { return }
        var total = 0
        for i in 0..<lineCount { total += lines[i].bytes.count }
        var first = 0
        while total > storage.count, first < lineCount { total -= lines[first].bytes.count; first += 1 }
        var at = 0
        for i in first..<lineCount {
            let n = lines[i].bytes.count
            let dst = storage.baseAddress! + at
            if n > 0, UnsafeRawPointer(dst) != lines[i].bytes.baseAddress {
                memmove(dst, lines[i].bytes.baseAddress!, n)
            }
            lines[i].bytes = UnsafeRawBufferPointer(start: dst, count: n)
            at += n
        }
        dropOldest(first)
    }
}
