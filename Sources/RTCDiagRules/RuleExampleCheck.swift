import RTCDiagAnalyzers
import RTCDiagFormats

/// Checks a rule's own examples without reading a file: each `trigger` line must match the
/// rule's conditions and each `ignore` line must not. (Counts and windows are checked by the
/// tests, which run whole examples through the pass.)
public enum RuleExampleCheck {
    public static func problems(_ rules: [RuleSpec]) -> [String] {
        var out: [String] = []
        for spec in rules {
            let analyzer = RuleAnalyzer(spec)
            for (line, expected) in spec.triggerExamples.map({ ($0, true) }) + spec.ignoreExamples.map({ ($0, false) }) {
                guard let matched = matches(analyzer, line) else {
                    out.append("\(spec.file):\(spec.line):1: error: rule `\(spec.id)`: example is not a log line of any known dialect: \(line)")
                    continue
                }
                if matched != expected {
                    out.append("\(spec.file):\(spec.line):1: error: rule `\(spec.id)`: \(expected ? "trigger example does not match" : "ignore example matches"): \(line)")
                }
            }
        }
        return out
    }

    /// Whether `line`, parsed by whichever dialect reads it, meets the rule's conditions.
    static func matches(_ analyzer: RuleAnalyzer, _ line: String) -> Bool? {
        var text = line
        return text.withUTF8 { raw -> Bool? in
            let p = UnsafeRawBufferPointer(raw)
            for d in Dialects.all {
                var f = LineFields()
                guard d.parse(p, into: &f) else { continue }
                let view = EventView(lineNumber: 1, lineCount: 1, offset: 0, time: nil, timeKind: .none, utcOffset: nil,
                                     level: f.level, pid: f.pid, tid: f.tid,
                                     tag: UnsafeRawBufferPointer(rebasing: p[f.tag]), message: UnsafeRawBufferPointer(rebasing: p[f.message]),
                                     continuation: UnsafeRawBufferPointer(start: nil, count: 0),
                                     origin: UnsafeRawBufferPointer(rebasing: p[f.origin]), raw: p, dialectIndex: nil, flags: [],
                                     messageIsJSONEscaped: f.messageIsJSONEscaped)
                return analyzer.matchesEvent(view)
            }
            return nil
        }
    }
}
