import RTCDiagFormats

/// Where a problem most likely lives.
public enum RootCause: String, Sendable, CaseIterable, Comparable {
    case client, link, server
    public static func < (a: RootCause, b: RootCause) -> Bool { a.order < b.order }
    private var order: Int { self == .client ? 0 : self == .link ? 1 : 2 }
}

/// P0: the service was unusable (cannot join, total drop, no media both ways); P1: major
/// impairment (no audio one way, constant echo, frozen video); P2: degraded quality;
/// P3: informational or suspicious only.
public enum Severity: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case p0 = 0, p1, p2, p3
    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue > b.rawValue }  // P0 is the most severe
    public var description: String { "P\(rawValue)" }
    /// The response target that goes with the severity.
    public var responseTarget: String {
        switch self {
        case .p0: "respond within 15 min, first fix within 1 h"
        case .p1: "respond within 1 h"
        case .p2: "respond within 4 h"
        case .p3: "respond within 24 h"
        }
    }
    public init?(label: String) {
        guard label.count == 2, label.first == "P" || label.first == "p", let n = Int(label.dropFirst()),
              let s = Severity(rawValue: n) else { return nil }
        self = s
    }
}

/// One log line behind a claim.
public struct Evidence: Sendable, Hashable {
    public var source: String
    public var line: Int
    public var text: String
    /// The line's clock as read; formatted only when shown (most evidence made during a pass is
    /// dropped again, and formatting a time costs more than taking the line's text).
    private var clock: Clock

    private enum Clock: Sendable, Hashable {
        case none, absolute(Int64), elapsed(Int64), text(String)
    }

    /// The line's time as reports print it: `2024-05-01 10:00:00.123`, or `+1:02.500` for a
    /// clock that counts from the start.
    public var time: String? {
        get {
            switch clock {
            case .none: nil
            case .absolute(let t): formatLogTime(t)
            case .elapsed(let t): "+" + formatElapsed(t)
            case .text(let s): s
            }
        }
        set { clock = newValue.map { .text($0) } ?? .none }
    }

    /// Makes only the string evidence keeps: the header line.
    public init(_ e: EventView, source: String) {
        self.source = source
        line = e.lineNumber
        clock = e.time.map { e.timeKind == .elapsed ? .elapsed($0) : .absolute($0) } ?? .none
        text = String(decoding: e.raw, as: UTF8.self)
    }

    public init(source: String, line: Int, time: String?, text: String) {
        self.source = source
        self.line = line
        self.text = text
        clock = time.map { .text($0) } ?? .none
    }
}

/// Keeps the first `limit` evidence lines of a finding and counts the rest.
public struct EvidenceLog: Sendable {
    public private(set) var examples: [Evidence] = []
    public private(set) var count = 0
    public private(set) var firstTime: Int64?
    public private(set) var lastTime: Int64?
    public let limit: Int

    public init(limit: Int = 5) { self.limit = limit }

    public mutating func add(_ e: EventView, source: String) {
        count += 1
        if let t = e.time, e.timeKind != .elapsed {
            if firstTime == nil { firstTime = t }
            lastTime = t
        }
        if examples.count < limit { keep(Evidence(e, source: source)) }
    }

    /// Appends an example, making room for all `limit` at the first (one allocation instead of
    /// one per doubling; evidence logs are made per call, and calls are many).
    private mutating func keep(_ e: Evidence) {
        if examples.isEmpty { examples.reserveCapacity(limit) }
        examples.append(e)
    }

    /// Adds evidence made earlier (kept aside while a condition was still undecided).
    public mutating func add(_ e: Evidence, time: Int64?) {
        count += 1
        if let time {
            if firstTime == nil { firstTime = time }
            lastTime = max(lastTime ?? time, time)
        }
        if examples.count < limit { keep(e) }
    }

    /// Counts one more evidence line past the examples kept.
    public mutating func count(time: Int64?) {
        count += 1
        if let time {
            if firstTime == nil { firstTime = time }
            lastTime = max(lastTime ?? time, time)
        }
    }

    /// Rewrites where the kept lines point (a log read as the concatenation of several files
    /// names each line by its own file and line again).
    public mutating func relocate(_ f: (inout Evidence) -> Void) {
        for i in examples.indices { f(&examples[i]) }
    }

    /// Where a line of a concatenation came from (file name, line in it): every kept line is
    /// pointed there, its source named by `source(file)`.
    public mutating func relocate(_ locate: (Int) -> (name: String, line: Int), source: (String) -> String) {
        relocate { e in
            let at = locate(e.line)
            e.source = source(at.name)
            e.line = at.line
        }
    }

    public mutating func merge(_ other: EvidenceLog) {
        for x in other.examples where examples.count < limit { examples.append(x) }
        count += other.count
        if firstTime == nil { firstTime = other.firstTime }
        if let t = other.lastTime { lastTime = max(lastTime ?? t, t) }
    }

    public var isEmpty: Bool { count == 0 }
}

/// What an analyzer found.
public struct Finding: Sendable {
    public var signature: String
    public var title: String
    /// A narrower kind within the signature (`audio_route`, `ice_failed`, `auth_rejected`, …).
    public var subkind: String?
    public var cause: RootCause
    public var severity: Severity
    /// 0…1: how sure the analyzer is that the signature is really there.
    public var confidence: Double
    /// One sentence: what the lines show.
    public var detail: String
    public var evidence: EvidenceLog
    /// When a threshold condition stopped holding (k-of-n rules), in log-clock microseconds.
    public var cleared: Int64?
    public var measurements: [(name: String, value: Double)]
    public var remediation: String

    public init(signature: String, title: String, subkind: String? = nil, cause: RootCause, severity: Severity,
                confidence: Double, detail: String, evidence: EvidenceLog, cleared: Int64? = nil,
                measurements: [(name: String, value: Double)] = [], remediation: String) {
        self.signature = signature
        self.title = title
        self.subkind = subkind
        self.cause = cause
        self.severity = severity
        self.confidence = confidence
        self.detail = detail
        self.evidence = evidence
        self.cleared = cleared
        self.measurements = measurements
        self.remediation = remediation
    }
}

/// A log excerpt for an analyzer's documentation and tests. Lines starting with `↓` must become
/// evidence of a finding (the marker is removed before the text is read).
public struct AnalyzerExample: Sendable {
    public var text: String
    public init(_ text: String) { self.text = text }

    public var plainText: String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("↓") ? String($0.dropFirst()) : String($0) }.joined(separator: "\n")
    }

    /// 1-based line numbers carrying the marker.
    public var markedLines: [Int] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.hasPrefix("↓") }.map { $0.offset + 1 }
    }
}

/// Everything a signature says about itself: identity, defaults, what it listens to, and the
/// examples that are both its documentation and its tests (as SwiftLint rules carry theirs).
public struct AnalyzerDescription: Sendable {
    public var id: String
    public var name: String
    public var summary: String
    public var defaultCause: RootCause
    public var defaultSeverity: Severity
    public var remediation: String
    /// Case-insensitive literals (at most 64 KiB each); the analyzer sees only events whose tag
    /// or message holds one.
    public var keywords: [String]
    public var triggeringExamples: [AnalyzerExample]
    public var nonTriggeringExamples: [AnalyzerExample]

    public init(id: String, name: String, summary: String, defaultCause: RootCause, defaultSeverity: Severity,
                remediation: String, keywords: [String], triggeringExamples: [AnalyzerExample],
                nonTriggeringExamples: [AnalyzerExample]) {
        self.id = id
        self.name = name
        self.summary = summary
        self.defaultCause = defaultCause
        self.defaultSeverity = defaultSeverity
        self.remediation = remediation
        self.keywords = keywords
        self.triggeringExamples = triggeringExamples
        self.nonTriggeringExamples = nonTriggeringExamples
    }
}

extension JSONWriter {
    /// Evidence lines as a JSON array of `{source, line, time, text}`: the shape of both the
    /// diagnosis JSON and the store's `finding.evidence` column.
    public mutating func evidence(_ examples: [Evidence]) {
        beginArray()
        for e in examples {
            beginObject()
            field("source", e.source)
            field("line", e.line)
            field("time", e.time)
            field("text", e.text)
            endObject()
        }
        endArray()
    }
}
