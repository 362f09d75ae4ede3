import Foundation
import RTCDiagFormats
import RTCDiagRules
import RTCDiagBuiltinRules
import Testing
@testable import RTCDiagAnalyzers

/// `diagnose` parses only the lines that hold a keyword; that must find exactly what parsing
/// every line finds.
@Suite("Sparse reading finds what full reading finds")
struct SparseEquivalenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var inputs: [String] {
        ["Samples/logs", "Samples/corpus"].flatMap { dir -> [String] in
            let path = root.appendingPathComponent(dir).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { !$0.hasSuffix(".tsv") && !$0.hasSuffix(".json") }.sorted().map { "\(path)/\($0)" }
        }
    }

    /// What a reader of the report sees of a finding: what, where, and on which lines.
    func summary(_ r: AnalysisResult) -> [String] {
        r.sessions.flatMap { s in
            s.findings.map { f in
                "\(s.info.index) \(f.signature)/\(f.subkind ?? "") \(f.cause) \(f.severity) \(f.evidence.count) "
                    + f.evidence.examples.map { String($0.line) }.joined(separator: ",")
            }
        }
    }

    @Test("every sample and corpus log: same sessions, findings and evidence lines")
    func sameFindings() throws {
        let inputs = Self.inputs
        try #require(inputs.count > 100)
        var options = ReaderOptions()
        options.year = 2024
        var differing: [String] = []
        for path in inputs {
            let rules = RuleAnalyzer.factories(BuiltinRules.specs())
            let sparse = Analysis(runtime: rules).run(try LogInput.open(path, options: options))
            let fullPass = Analysis(runtime: rules)
            fullPass.parsesEveryLine = true
            let full = fullPass.run(try LogInput.open(path, options: options))
            if summary(sparse) != summary(full) || sparse.sessions.count != full.sessions.count
                || sparse.device.summary != full.device.summary {
                differing.append((path as NSString).lastPathComponent)
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(10))")
    }
}
