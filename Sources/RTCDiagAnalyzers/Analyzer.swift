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
    /// The findings once the session (or the input) has ended. Called only when `observe` was
    /// called in the session: every finding rests on evidence lines.
    mutating func finish(_ context: inout AnalysisContext) -> [Finding]
}

/// An analyzer made at run time, such as a rule from a YAML pack. Compiled `Analyzer` types run
/// through the same interface (see `Analysis`).
public protocol RuntimeAnalyzer {
    var description: AnalyzerDescription { get }
    mutating func observe(_ event: EventView, _ context: inout AnalysisContext)
    /// As `Analyzer.finish`: called only when `observe` was called in the session.
    mutating func finish(_ context: inout AnalysisContext) -> [Finding]
    /// Back to the state of a fresh instance, for the next session: in place, because a log of
    /// many short calls would otherwise make (and free) every analyzer once per call. Called
    /// only after a session in which `observe` was called.
    mutating func reset()
}

/// Runs a compiled `Analyzer` as a `RuntimeAnalyzer`.
struct CompiledAnalyzer<A: Analyzer>: RuntimeAnalyzer {
    var base = A()
    var description: AnalyzerDescription { A.description }
    mutating func observe(_ event: EventView, _ context: inout AnalysisContext) { base.observe(event, &context) }
    mutating func finish(_ context: inout AnalysisContext) -> [Finding] { base.finish(&context) }
    mutating func reset() { base = A() }
}

/// One analyzer of a pass, called through a class: a mutating call on an `any RuntimeAnalyzer`
/// whose value does not fit the existential's inline buffer (most analyzers) checks per call
/// whether the boxed value is shared. `holding` opens the existential once.
class AnalyzerSlot {
    /// Whether `observe` ran since the last `reset`: a log of many short calls has most
    /// analyzers see nothing in most calls, and those need neither `finish` nor `reset`.
    final var observed = false
    static func holding(_ analyzer: any RuntimeAnalyzer) -> AnalyzerSlot { typed(analyzer) }
    private static func typed<R: RuntimeAnalyzer>(_ analyzer: R) -> AnalyzerSlot { TypedAnalyzerSlot(analyzer) }
    func observe(_ event: EventView, _ context: inout AnalysisContext) { fatalError("abstract") }
    func finish(_ context: inout AnalysisContext) -> [Finding] { fatalError("abstract") }
    func reset() { fatalError("abstract") }
}

private final class TypedAnalyzerSlot<R: RuntimeAnalyzer>: AnalyzerSlot {
    var value: R
    init(_ value: R) { self.value = value }
    override func observe(_ event: EventView, _ context: inout AnalysisContext) {
        observed = true
        value.observe(event, &context)
    }
    override func finish(_ context: inout AnalysisContext) -> [Finding] { value.finish(&context) }
    override func reset() { value.reset() }
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
    /// Numeric series by name (loss %, RTT ms), for drawing.
    public var series: [String: [(time: Int64, value: Double)]] {
        Dictionary(uniqueKeysWithValues: lines.map { ($0.name, $0.points) })
    }
    private var markStep = 1, markSeen = 0
    /// A handful of series at most, looked up by name on every stats line: a short array
    /// compared by name costs far less than hashing the name into dictionaries.
    private var lines: [Series] = []

    private struct Series: Sendable {
        let name: String
        var points: [(time: Int64, value: Double)] = []
        /// Keep every `step`-th sample (a power of two).
        var step = 1, seen = 0

        mutating func add(_ time: Int64, _ value: Double) {
            seen += 1
            guard seen & (step - 1) == 0 else { return }
            // Room for a short call at once: calls are many and short, and growing 1, 2, 4, …
            // costs an allocation per step.
            if points.isEmpty { points.reserveCapacity(32) }
            points.append((time, value))
            if points.count > Timeline.maxPoints {
                points = points.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                step *= 2
            }
        }
    }

    /// False for a pass whose report draws no timeline: marks and samples are then dropped at
    /// once (a label is not even made), which spares work on most events of a call.
    public let isRecording: Bool

    public init(recording: Bool = true) { isRecording = recording }

    public var isEmpty: Bool { marks.isEmpty && lines.isEmpty }

    /// A moment worth drawing; `label` is shown on hover (keep it short).
    /// The label is made only for the marks kept (one in `markStep`), which spares a string per
    /// state change in calls with more than `maxMarks` of them; short calls keep every mark (no
    /// measurable change on the call-dense bench input).
    public mutating func mark(_ time: Int64?, _ kind: String, _ makeLabel: @autoclosure () -> String) {
        guard isRecording, let time else { return }
        markSeen += 1
        guard markSeen % markStep == 0 else { return }
        let label = makeLabel()
        if marks.isEmpty { marks.reserveCapacity(16) }  // as for the series
        // Counting characters is slow; a label of at most 120 bytes has at most 120 of them.
        marks.append(Mark(time: time, kind: kind, label: label.utf8.count <= 120 ? label : String(label.prefix(120))))
        if marks.count > Self.maxMarks {
            marks = marks.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            markStep *= 2
        }
    }

    /// One sample of a numeric series; past `maxPoints`, every other point is dropped and
    /// only every second (fourth, …) sample kept from then on.
    public mutating func sample(_ name: String, _ time: Int64?, _ value: Double) {
        guard isRecording, let time else { return }
        var k = 0
        while k < lines.count, lines[k].name != name { k += 1 }
        if k == lines.count { lines.append(Series(name: name)) }
        lines[k].add(time, value)
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
    /// (Built with appends, no arrays: device findings name the device once per call.)
    public var summary: String? {
        var s = manufacturer ?? ""
        if let model { s += s.isEmpty ? model : " " + model }
        if let os { s += s.isEmpty ? os : ", " + os }
        if let hardware { s += s.isEmpty ? hardware : " (" + hardware + ")" }
        return s.isEmpty ? nil : s
    }
}
