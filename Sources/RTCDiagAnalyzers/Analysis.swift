#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RTCDiagFormats
import RTCDiagStream

/// The outcome of one pass over one input.
public struct AnalysisResult: Sendable {
    public var source: String
    public var dialect: String?
    public var device: DeviceInfo
    /// One entry per call found (at least one: a log without join lines is one session), up
    /// to `Analysis.maxSessions`: then the most severe, and `omittedSessions` counts the rest.
    public var sessions: [SessionResult]
    public var omittedSessions = OmittedSessions()
    /// Calls found in the input, kept or not.
    public var sessionCount: Int { sessions.count + omittedSessions.count }
    /// All sessions' findings.
    public var findings: [Finding] { sessions.flatMap(\.findings) }
    /// Problems of the input or of reading it, kept apart from the call's problems.
    public var toolProblems: [String]
    /// Lines read, and events examined: with sparse reading only events holding a keyword.
    public var lines: Int
    public var events: Int
    /// The fault that ended reading early, if any (also listed in `toolProblems`).
    public var inputFault: InputError?
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// The signatures that were checked (for "healthy: checked …").
    public var checked: [String]
}

/// Runs every analyzer over an input in a single streaming pass.
///
/// Each event's keywords — the union of all analyzers' — in its tag, message and continuation
/// lines come from the reader's marks (`EventReader.eventKeywords`) or are scanned once here;
/// an analyzer is called only when one of its keywords is there. A join after a leave (or a
/// join of another channel) starts a new session: the analyzers are finished and reset, so
/// findings are grouped per call.
public final class Analysis {
    public typealias Factory = @Sendable () -> any RuntimeAnalyzer
    /// Each analyzer in an object of its own (`AnalyzerSlot`), held unretained in plain memory:
    /// an analyzer is called in place per event, and an array stored in a class is checked for
    /// being shared (copy on write) on every such call, as is an existential's boxed value.
    private let analyzers: UnsafeMutableBufferPointer<Unmanaged<AnalyzerSlot>>
    private let descriptions: [AnalyzerDescription]
    private let scanner: KeywordScanner
    /// Per keyword, the analyzers it concerns as a bit set (`analyzerWords` words each, keyword
    /// after keyword): an event holds a few keywords, so ORing their sets finds its analyzers
    /// with a few loads.
    private let analyzersByKeyword: UnsafeMutablePointer<UInt64>
    private let analyzerWords: Int
    /// The analyzers of the current event, as a bit set.
    private let eventAnalyzers: UnsafeMutablePointer<UInt64>
    private let words: Int
    private let deviceKeyword: Int
    private let signalURLKeyword: Int
    private let sessionKeywords: (join: Int, leave: Int)
    /// The keywords of the current event as a bit set, when the reader does not know them.
    private let scanned: UnsafeMutablePointer<UInt64>
    /// Every keyword of the prefilter, lowercased: the analyzers' and rules', then the context's.
    public let keywords: [String]
    /// Parse every line instead of only keyword lines (slower; the findings are the same).
    public var parsesEveryLine = false
    /// Sessions kept with their findings; past it, the least severe are only counted.
    public var maxSessions = 1000
    /// Whether each session's `Timeline` is recorded. Only the HTML report draws it; without it
    /// the stats samples and state-change marks of every call are not kept (the findings are
    /// the same).
    public var recordsTimeline = true

    /// The compiled analyzers `types`, and analyzers made at run time (rules from YAML packs),
    /// each given as a factory because every pass (one per input) gets fresh instances.
    public init(analyzers types: [any Analyzer.Type] = Analyzers.builtIn, runtime: [Factory] = []) {
        let factories: [Factory] = types.map { t in { t.makeRuntime() } } + runtime
        let made = factories.map { $0() }
        analyzers = .allocate(capacity: made.count)
        _ = analyzers.initialize(from: made.map { .passRetained(AnalyzerSlot.holding($0)) })
        descriptions = made.map(\.description)
        var keywords: [String] = []
        var index: [String: Int] = [:]
        var indices: [[Int]] = []
        for d in descriptions {
            var mine: [Int] = []
            for k in d.keywords {
                let lower = k.lowercased()
                if let i = index[lower] { mine.append(i) } else {
                    index[lower] = keywords.count
                    mine.append(keywords.count)
                    keywords.append(lower)
                }
            }
            indices.append(mine)
        }
        keywords.append("manufacturer: ")
        deviceKeyword = keywords.count - 1
        keywords.append("device_model=")
        signalURLKeyword = keywords.count - 1
        keywords += SessionLine.keywords
        sessionKeywords = (keywords.count - 2, keywords.count - 1)
        scanner = KeywordScanner(keywords)
        self.keywords = keywords
        self.words = scanner.bitWords
        analyzerWords = max(1, (indices.count + 63) / 64)
        let cells = max(1, self.words * 64) * analyzerWords  // every keyword bit the scanner may set
        analyzersByKeyword = .allocate(capacity: cells)
        analyzersByKeyword.initialize(repeating: 0, count: cells)
        for (a, mine) in indices.enumerated() {
            for k in mine { analyzersByKeyword[k * analyzerWords + (a >> 6)] |= 1 << UInt64(a & 63) }
        }
        eventAnalyzers = .allocate(capacity: analyzerWords)
        eventAnalyzers.initialize(repeating: 0, count: analyzerWords)
        scanned = .allocate(capacity: self.words)
        scanned.initialize(repeating: 0, count: self.words)
    }

    deinit {
        for a in analyzers { a.release() }
        analyzers.deallocate()
        analyzersByKeyword.deallocate()
        eventAnalyzers.deallocate()
        scanned.deallocate()
    }

    /// Reads the whole input. A fault in the input ends the pass early; what was found before it
    /// is kept and the fault is listed among the tool problems.
    public func run(_ reader: EventReader) -> AnalysisResult {
        var context = AnalysisContext(source: reader.name)
        context.timeline = Timeline(recording: recordsTimeline)
        var problems: [String] = []
        var events = 0
        var store = SessionStore(limit: maxSessions)
        var sessionCount = 0
        var session = SessionInfo(index: 0, firstLine: 1)
        func closeSession() {
            var found: [Finding] = []
            for a in analyzers {
                a._withUnsafeGuaranteedRef { slot in if slot.observed { found += slot.finish(&context) } }
            }
            found.sort { ($0.severity, $0.confidence) > ($1.severity, $1.confidence) }
            store.add(SessionResult(info: session, findings: found, timeline: context.timeline))
            context.timeline = Timeline(recording: recordsTimeline)
            sessionCount += 1
            for a in analyzers {
                a._withUnsafeGuaranteedRef { slot in
                    if slot.observed { slot.reset(); slot.observed = false }
                }
            }
        }
        if !parsesEveryLine { reader.keywordFilter = scanner }
        var fault: InputError?
        do {
            while let e = try reader.next() {
                events += 1
                let hits: UnsafePointer<UInt64>
                if let known = reader.eventKeywords {
                    hits = known  // sparse reading found them in the chunk's marks already
                } else {
                    scanned.update(repeating: 0, count: words)
                    scanner.scan(e.tag, into: scanned)
                    scanner.scan(e.message, into: scanned)
                    if !e.continuation.isEmpty { scanner.scan(e.continuation, into: scanned) }
                    hits = UnsafePointer(scanned)
                }
                if KeywordScanner.isSet(hits, deviceKeyword) { DeviceInfo.update(&context.device, from: e) }
                if KeywordScanner.isSet(hits, signalURLKeyword) { DeviceInfo.update(&context.device, fromSignalURL: e.message) }
                if KeywordScanner.isSet(hits, sessionKeywords.join) || KeywordScanner.isSet(hits, sessionKeywords.leave),
                   let kind = SessionLine.classify(e) {
                    if kind == .join {
                        var probe = SessionInfo(index: 0, firstLine: 0)
                        SessionLine.update(&probe, from: e)
                        let otherChannel = session.joined && probe.channel != nil && probe.channel != session.channel
                        if session.left || otherChannel {
                            session.lastLine = e.lineNumber - 1
                            closeSession()
                            session = SessionInfo(index: sessionCount, firstLine: e.lineNumber)
                        } else if session.joined {
                            session.reconnects += 1
                        }
                        context.timeline.mark(e.time, "session", "join")
                        session.joined = true
                        if session.start == nil, e.timeKind != .elapsed { session.start = e.time }
                        session.adopt(probe)
                    } else {
                        context.timeline.mark(e.time, "session", "leave")
                        session.left = true
                        if e.timeKind != .elapsed { session.end = e.time }
                    }
                }
                session.lastLine = e.lineNumber + e.lineCount - 1
                if analyzerWords == 1 {
                    // At most 64 analyzers (the usual case): their set fits in a register.
                    var mask: UInt64 = 0
                    for w in 0..<words {
                        var bits = hits[w]
                        while bits != 0 {
                            mask |= analyzersByKeyword[w << 6 | bits.trailingZeroBitCount]
                            bits &= bits - 1
                        }
                    }
                    while mask != 0 {  // in registry order
                        analyzers[mask.trailingZeroBitCount]._withUnsafeGuaranteedRef { $0.observe(e, &context) }
                        mask &= mask - 1
                    }
                    continue
                }
                eventAnalyzers.update(repeating: 0, count: analyzerWords)
                for w in 0..<words {
                    var bits = hits[w]
                    while bits != 0 {
                        let k = w << 6 | bits.trailingZeroBitCount
                        for v in 0..<analyzerWords { eventAnalyzers[v] |= analyzersByKeyword[k * analyzerWords + v] }
                        bits &= bits - 1
                    }
                }
                for v in 0..<analyzerWords {  // in registry order
                    var mask = eventAnalyzers[v]
                    while mask != 0 {
                        analyzers[v << 6 | mask.trailingZeroBitCount]._withUnsafeGuaranteedRef { $0.observe(e, &context) }
                        mask &= mask - 1
                    }
                }
            }
        } catch {
            fault = error as? InputError
            problems.append("input: \(error) — results cover the part before the fault")
        }
        let c = reader.counts
        if reader.detection.chosen == nil { problems.append("no known log dialect recognised; every line read as unparsed text") }
        if c.unparsedEvents > 0 { problems.append("\(c.unparsedEvents) lines matched no dialect (kept as unparsed events)") }
        if reader.framer.splitLineCount > 0 {
            problems.append("\(reader.framer.splitLineCount) lines longer than \(reader.framer.maxLineBytes) bytes were cut")
        }
        if c.pasteCleanedLines > 0 { problems.append("\(c.pasteCleanedLines) lines looked pasted (line numbers or quote marks stripped)") }
        if reader.backwardJumps > 0 {
            problems.append("the clock jumped backwards \(reader.backwardJumps) times by more than a minute")
        }
        session.lastLine = max(session.lastLine, reader.framer.lineCount)
        closeSession()
        return AnalysisResult(source: reader.name, dialect: reader.detection.chosen, device: context.device,
                              sessions: store.sessions, omittedSessions: store.omitted, toolProblems: problems, lines: reader.framer.lineCount, events: events, inputFault: fault,
                              firstTime: reader.firstTime, lastTime: reader.lastTime, checked: descriptions.map(\.id))
    }
}

extension DeviceInfo {
    /// Reads WebRTC's `WebRtcAudioUtils.logDeviceInfo` line:
    /// `Android SDK: 30, Release: 11, Brand: samsung, Device: a51, Id: …, Hardware: exynos9611,
    /// Manufacturer: samsung, Model: SM-A515F, Product: a51nsxx`.
    static func update(_ d: inout DeviceInfo, from e: EventView) {
        let m = e.message
        var sdk: String?, release: String?
        var i = 0
        while i < m.count {
            var end = i
            while end < m.count, m[end] != UInt8(ascii: ",") { end += 1 }
            var colon = i
            while colon < end, m[colon] != UInt8(ascii: ":") { colon += 1 }
            if colon < end {
                let key = m.trimmedSpaces(i, colon), value = m.trimmedSpaces(colon + 1, end)
                func text() -> String { String(decoding: m[value], as: UTF8.self) }
                if m.equals(key, "Manufacturer") { d.manufacturer = text() }
                else if m.equals(key, "Model") { d.model = text() }
                else if m.equals(key, "Hardware") { d.hardware = text() }
                else if m.equals(key, "Release") { release = text() }
                else if m.equals(key, "Android SDK") { sdk = text() }
            }
            i = end + 1
        }
        if let release { d.os = "Android \(release)" + (sdk.map { " (API \($0))" } ?? "") }
    }
}

extension DeviceInfo {
    /// Reads the client description LiveKit's SDKs put in the signalling URL they log when
    /// connecting (`SignalClient connecting with url: wss://…/rtc?…&os=android&os_version=11&
    /// device_model=Pixel+2`; JS `createConnectionParams`: `device_model`, `os`, `os_version`).
    /// WebRTC's own device line, being more exact, wins where both are present.
    static func update(_ d: inout DeviceInfo, fromSignalURL m: UnsafeRawBufferPointer) {
        func parameter(_ name: StaticString) -> String? {
            guard let at = ByteMatch.after(m, name) else { return nil }
            var end = at
            while end < m.count, m[end] != UInt8(ascii: "&"), m[end] != 0x20, m[end] != UInt8(ascii: ")"),
                  m[end] != UInt8(ascii: "\""), m[end] != UInt8(ascii: "'") { end += 1 }
            return end > at ? percentDecoded(UnsafeRawBufferPointer(rebasing: m[at..<end])) : nil
        }
        if d.model == nil, d.manufacturer == nil, let model = parameter("device_model=") { d.model = model }
        if d.os == nil, let os = parameter("&os=") ?? parameter("?os=") {
            let name = os.lowercased() == "android" ? "Android" : os.lowercased() == "ios" ? "iOS" : os
            d.os = [name, parameter("os_version=")].compactMap { $0 }.joined(separator: " ")
        }
    }

    /// A URL query value: `+` is a space, `%XX` a byte.
    static func percentDecoded(_ v: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(v.count)
        var i = 0
        while i < v.count {
            let b = v[i]
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%"), i + 2 < v.count, let hi = hexValue(v[i + 1]), let lo = hexValue(v[i + 2]) {
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UnsafeRawBufferPointer {
    /// `lower..<upper` without leading and trailing spaces.
    func trimmedSpaces(_ lower: Int, _ upper: Int) -> Range<Int> {
        var a = lower, b = upper
        while a < b, self[a] == 0x20 { a += 1 }
        while b > a, self[b - 1] == 0x20 { b -= 1 }
        return a..<b
    }

    /// Whether the bytes in `r` are exactly `word`.
    func equals(_ r: Range<Int>, _ word: StaticString) -> Bool {
        r.count == word.utf8CodeUnitCount && memcmp(baseAddress! + r.lowerBound, word.utf8Start, r.count) == 0
    }
}
