import RTCDiagFormats

/// A failure signature, fed events in order by one streaming pass.
///
/// One type per signature, in its own file under `Signatures/`, registered in
/// `Analyzers.builtIn`. State must stay bounded (counters, small windows, capped evidence).
public protocol Analyzer: SendableMetatype {
    static var description: AnalyzerDescription { get }
    init()
    /// Called only for events whose tag or message holds one of the description's keywords.
    mutating func observe(_ event: EventView, _ context: inout AnalysisContext)
    /// The findings once the input has ended.
    mutating func finish(_ context: inout AnalysisContext) -> [Finding]
}

/// An analyzer made at run time, such as a rule from a YAML pack. Compiled `Analyzer` types run
/// through the same interface (see `Analysis`).
public protocol RuntimeAnalyzer {
    var description: AnalyzerDescription { get }
    mutating func observe(_ event: EventView, _ context: inout AnalysisContext)
    mutating func finish(_ context: inout AnalysisContext) -> [Finding]
}

/// Runs a compiled `Analyzer` as a `RuntimeAnalyzer`.
struct CompiledAnalyzer<A: Analyzer>: RuntimeAnalyzer {
    var base = A()
    var description: AnalyzerDescription { A.description }
    mutating func observe(_ event: EventView, _ context: inout AnalysisContext) { base.observe(event, &context) }
    mutating func finish(_ context: inout AnalysisContext) -> [Finding] { base.finish(&context) }
}

extension Analyzer {
    /// This analyzer type as a fresh runtime instance.
    public static func makeRuntime() -> any RuntimeAnalyzer { CompiledAnalyzer<Self>() }
}

/// What the pass knows besides the current event: the input's name and the device it came from.
public struct AnalysisContext: Sendable {
    public var source: String
    public var device = DeviceInfo()
    /// What happened when in the current session, for reports that draw it.
    public var timeline = Timeline()

    public init(source: String) { self.source = source }
}

/// A session's events over time, bounded so a long call costs no more than a short one:
/// marks (ICE and network changes, joins, echo reports, device failures) and numeric series
/// (loss %, RTT ms). Past the bound, every other point is dropped and the step doubles.
public struct Timeline: Sendable {
    public struct Mark: Sendable {
        public var time: Int64
        public var kind: String
        public var label: String
    }

    public static let maxMarks = 200
    public static let maxPoints = 600

    public private(set) var marks: [Mark] = []
    public private(set) var series: [String: [(time: Int64, value: Double)]] = [:]
    private var markStep = 1, markSeen = 0
    private var pointStep: [String: Int] = [:], pointSeen: [String: Int] = [:]

    public init() {}

    public var isEmpty: Bool { marks.isEmpty && series.isEmpty }

    /// A moment worth drawing; `label` is shown on hover (keep it short).
    public mutating func mark(_ time: Int64?, _ kind: String, _ label: String) {
        guard let time else { return }
        markSeen += 1
        guard markSeen % markStep == 0 else { return }
        marks.append(Mark(time: time, kind: kind, label: String(label.prefix(120))))
        if marks.count > Self.maxMarks {
            marks = marks.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            markStep *= 2
        }
    }

    /// One sample of a numeric series.
    public mutating func sample(_ name: String, _ time: Int64?, _ value: Double) {
        guard let time else { return }
        let seen = (pointSeen[name] ?? 0) + 1
        pointSeen[name] = seen
        let step = pointStep[name] ?? 1
        guard seen % step == 0 else { return }
        series[name, default: []].append((time, value))
        if series[name]!.count > Self.maxPoints {
            series[name] = series[name]!.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            pointStep[name] = step * 2
        }
    }
}

/// The device and software a log came from, as far as the log says.
public struct DeviceInfo: Sendable, Hashable {
    public var manufacturer: String?
    public var model: String?
    public var os: String?
    public var hardware: String?

    public init() {}

    /// `samsung SM-A515F, Android 11 (exynos9611)`, or nil when nothing is known.
    public var summary: String? {
        var parts: [String] = []
        let name = [manufacturer, model].compactMap { $0 }.joined(separator: " ")
        if !name.isEmpty { parts.append(name) }
        if let os { parts.append(os) }
        var s = parts.joined(separator: ", ")
        if let hardware { s += s.isEmpty ? hardware : " (\(hardware))" }
        return s.isEmpty ? nil : s
    }
}
