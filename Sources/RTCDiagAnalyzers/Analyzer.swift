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

    public init(source: String) { self.source = source }
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
