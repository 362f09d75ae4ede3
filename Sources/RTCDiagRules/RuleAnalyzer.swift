import RTCDiagAnalyzers
import RTCDiagFormats

/// A `RuleSpec` running as an analyzer in the same pass as the compiled ones.
///
/// Sendable by hand: the regex is compiled in `init` (one match on an empty string builds its
/// lazily made program), so copies shared between sessions and threads only read it.
public struct RuleAnalyzer: RuntimeAnalyzer, @unchecked Sendable {
    /// What the rule is, compiled once: every call of every input starts from a copy of the
    /// analyzer, and a copy then retains one reference instead of every string of the spec.
    private final class Compiled: @unchecked Sendable {
        let spec: RuleSpec
        let description: AnalyzerDescription
        let regex: Regex<AnyRegexOutput>?
        let literals: [[UInt8]]
        let tagLiteral: [UInt8]?

        init(_ spec: RuleSpec) {
            self.spec = spec
            regex = spec.regex.flatMap { try? Regex($0) }
            if let regex { _ = try? regex.firstMatch(in: "") }
            literals = spec.messageLiterals.map { Array($0.lowercased().utf8) }.filter { !$0.isEmpty }
            tagLiteral = spec.tag.map { Array($0.lowercased().utf8) }.flatMap { $0.isEmpty ? nil : $0 }
            description = AnalyzerDescription(
                id: spec.id, name: spec.name, summary: spec.summary, defaultCause: spec.cause, defaultSeverity: spec.severity,
                remediation: spec.remediation, keywords: spec.messageLiterals + (spec.tag.map { [$0] } ?? []),
                triggeringExamples: spec.triggerExamples.map { AnalyzerExample("↓" + $0) },
                nonTriggeringExamples: spec.ignoreExamples.map { AnalyzerExample($0) })
        }
    }

    private let compiled: Compiled
    public var spec: RuleSpec { compiled.spec }
    public var description: AnalyzerDescription { compiled.description }
    private var regex: Regex<AnyRegexOutput>? { compiled.regex }
    private var literals: [[UInt8]] { compiled.literals }
    private var tagLiteral: [UInt8]? { compiled.tagLiteral }
    private var matches: [(time: Int64?, evidence: Evidence)] = []
    private var evidence = EvidenceLog()
    private var fired = false
    private var total = 0

    public init(_ spec: RuleSpec) {
        compiled = Compiled(spec)
    }

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        guard matchesEvent(e) else { return }
        total += 1
        let ev = Evidence(e, source: context.source)
        if let window = spec.withinSeconds, let t = e.time {
            matches.append((t, ev))
            matches.removeAll { $0.time.map { t - $0 > Int64(window * 1_000_000) } ?? true }
        } else {
            matches.append((e.time, ev))
            if matches.count > spec.count { matches.removeFirst() }
        }
        if matches.count >= spec.count {
            fired = true
            for m in matches where !evidence.examples.contains(m.evidence) { evidence.add(m.evidence, time: m.time) }
        }
    }

    func matchesEvent(_ e: EventView) -> Bool {
        if let min = spec.minLevel, e.level < min { return false }
        if let tagLiteral, !ByteMatch.containsLowercased(e.tag, tagLiteral) { return false }
        if !literals.isEmpty, !literals.contains(where: { ByteMatch.containsLowercased(e.message, $0) }) { return false }
        guard regex != nil || spec.field != nil else { return true }
        let message = String(decoding: e.message.prefix(RegexGuard.maxInput), as: UTF8.self)
        if let regex, (try? regex.firstMatch(in: message)) == nil { return false }
        if let field = spec.field {
            let v = FieldExtractor.fields(in: message).first { $0.key == field.name }.flatMap { Double($0.value.filter { $0.isNumber || $0 == "." || $0 == "-" }) }
            guard let v else { return false }
            if let above = field.above, !(v > above) { return false }
            if let below = field.below, !(v < below) { return false }
        }
        return true
    }

    public mutating func reset() {
        matches.removeAll(keepingCapacity: true)
        evidence = EvidenceLog()
        fired = false
        total = 0
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        guard fired else { return [] }
        var detail = "\(spec.summary.isEmpty ? spec.name : spec.summary) (\(total) matching line(s)"
        if spec.count > 1 { detail += "; rule: \(spec.count) within \(spec.withinSeconds.map { "\(Int($0)) s" } ?? "the log")" }
        detail += ")"
        return [Finding(signature: spec.id, title: spec.name, cause: spec.cause, severity: spec.severity, confidence: 0.7,
                        detail: detail, evidence: evidence, measurements: [("matches", Double(total))],
                        remediation: spec.remediation)]
    }
}

extension RuleAnalyzer {
    /// Analyzer factories for `Analysis`: each rule is compiled once (regex, description,
    /// examples) and every session starts from a copy of that fresh analyzer.
    public static func factories(_ specs: [RuleSpec]) -> [Analysis.Factory] {
        specs.map { spec in
            let compiled = RuleAnalyzer(spec)
            return { compiled }
        }
    }
}
