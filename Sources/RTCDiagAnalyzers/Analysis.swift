import RTCDiagFormats

/// The outcome of one pass over one input.
public struct AnalysisResult: Sendable {
    public var source: String
    public var dialect: String?
    public var device: DeviceInfo
    /// One entry per call found (at least one: a log without join lines is one session).
    public var sessions: [SessionResult]
    /// All sessions' findings.
    public var findings: [Finding] { sessions.flatMap(\.findings) }
    /// Problems of the input or of reading it, kept apart from the call's problems.
    public var toolProblems: [String]
    public var events: Int
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// The signatures that were checked (for "healthy: checked …").
    public var checked: [String]
}

/// Runs every analyzer over an input in a single streaming pass.
///
/// Each event's tag and message are scanned once for the union of all analyzers' keywords;
/// an analyzer is called only when one of its keywords is there. A join after a leave (or a
/// join of another channel) starts a new session: the analyzers are finished and made anew,
/// so findings are grouped per call.
public final class Analysis {
    public typealias Factory = @Sendable () -> any RuntimeAnalyzer
    private let factories: [Factory]
    private var analyzers: [any RuntimeAnalyzer]
    private let descriptions: [AnalyzerDescription]
    private let scanner: KeywordScanner
    /// For each analyzer, the indices of its keywords in the scanner.
    private let keywordIndices: [[Int]]
    private let deviceKeyword: Int
    private let sessionKeywords: [Int]
    private var hits: [Bool]

    /// The compiled analyzers `types`, and analyzers made at run time (rules from YAML packs),
    /// each given as a factory because every session gets fresh instances.
    public init(analyzers types: [any Analyzer.Type] = Analyzers.builtIn, runtime: [Factory] = []) {
        factories = types.map { t in { t.makeRuntime() } } + runtime
        analyzers = factories.map { $0() }
        descriptions = analyzers.map(\.description)
        var words: [String] = []
        var indices: [[Int]] = []
        for d in descriptions {
            var mine: [Int] = []
            for k in d.keywords {
                let lower = k.lowercased()
                if let i = words.firstIndex(of: lower) { mine.append(i) } else { words.append(lower); mine.append(words.count - 1) }
            }
            indices.append(mine)
        }
        words.append("manufacturer: ")
        deviceKeyword = words.count - 1
        words += SessionLine.keywords
        sessionKeywords = [words.count - 2, words.count - 1]
        scanner = KeywordScanner(words)
        keywordIndices = indices
        hits = Array(repeating: false, count: words.count)
    }

    /// Reads the whole input. A fault in the input ends the pass early; what was found before it
    /// is kept and the fault is listed among the tool problems.
    public func run(_ reader: EventReader) -> AnalysisResult {
        var context = AnalysisContext(source: reader.name)
        var problems: [String] = []
        var events = 0
        var first: Int64?, last: Int64?
        var backwardJumps = 0
        var sessions: [SessionResult] = []
        var session = SessionInfo(index: 0, firstLine: 1)
        func closeSession() {
            var found: [Finding] = []
            for a in analyzers.indices { found += analyzers[a].finish(&context) }
            found.sort { ($0.severity, $0.confidence) > ($1.severity, $1.confidence) }
            sessions.append(SessionResult(info: session, findings: found))
            analyzers = factories.map { $0() }
        }
        do {
            while let e = try reader.next() {
                events += 1
                if let t = e.time, e.timeKind != .elapsed {
                    if first == nil { first = t }
                    if let l = last, t < l - 60_000_000 { backwardJumps += 1 }
                    last = max(last ?? t, t)
                }
                for i in hits.indices { hits[i] = false }
                scanner.scan(e.tag, into: &hits)
                scanner.scan(e.message, into: &hits)
                if !e.continuation.isEmpty { scanner.scan(e.continuation, into: &hits) }
                if hits[deviceKeyword] { DeviceInfo.update(&context.device, from: e) }
                if sessionKeywords.contains(where: { hits[$0] }), let kind = SessionLine.classify(e) {
                    if kind == .join {
                        var probe = SessionInfo(index: 0, firstLine: 0)
                        SessionLine.update(&probe, from: e)
                        let otherChannel = session.joined && probe.channel != nil && probe.channel != session.channel
                        if session.left || otherChannel {
                            session.lastLine = e.lineNumber - 1
                            closeSession()
                            session = SessionInfo(index: sessions.count, firstLine: e.lineNumber)
                        } else if session.joined {
                            session.reconnects += 1
                        }
                        session.joined = true
                        if session.start == nil, e.timeKind != .elapsed { session.start = e.time }
                        SessionLine.update(&session, from: e)
                    } else {
                        session.left = true
                        if e.timeKind != .elapsed { session.end = e.time }
                    }
                }
                session.lastLine = e.lineNumber + e.lineCount - 1
                for a in analyzers.indices where keywordIndices[a].contains(where: { hits[$0] }) {
                    analyzers[a].observe(e, &context)
                }
            }
        } catch {
            problems.append("input: \(error) — results cover the part before the fault")
        }
        let c = reader.counts
        if reader.detection.chosen == nil { problems.append("no known log dialect recognised; every line read as unparsed text") }
        if c.unparsedEvents > 0 { problems.append("\(c.unparsedEvents) lines matched no dialect (kept as unparsed events)") }
        if reader.framer.splitLineCount > 0 {
            problems.append("\(reader.framer.splitLineCount) lines longer than \(reader.framer.maxLineBytes) bytes were cut")
        }
        if c.pasteCleanedLines > 0 { problems.append("\(c.pasteCleanedLines) lines looked pasted (line numbers or quote marks stripped)") }
        if backwardJumps > 0 { problems.append("the clock jumped backwards \(backwardJumps) times by more than a minute") }
        closeSession()
        return AnalysisResult(source: reader.name, dialect: reader.detection.chosen, device: context.device,
                              sessions: sessions, toolProblems: problems, events: events, firstTime: first,
                              lastTime: last, checked: descriptions.map(\.id))
    }
}

extension DeviceInfo {
    /// Reads WebRTC's `WebRtcAudioUtils.logDeviceInfo` line:
    /// `Android SDK: 30, Release: 11, Brand: samsung, Device: a51, Id: …, Hardware: exynos9611,
    /// Manufacturer: samsung, Model: SM-A515F, Product: a51nsxx`.
    static func update(_ d: inout DeviceInfo, from e: EventView) {
        let text = String(decoding: e.message, as: UTF8.self)
        var values: [String: String] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: ":", maxSplits: 1)
            guard kv.count == 2 else { continue }
            values[kv[0].trimmingSpaces] = kv[1].trimmingSpaces
        }
        if let m = values["Manufacturer"] { d.manufacturer = m }
        if let m = values["Model"] { d.model = m }
        if let h = values["Hardware"] { d.hardware = h }
        if let r = values["Release"] { d.os = "Android \(r)" + (values["Android SDK"].map { " (API \($0))" } ?? "") }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
