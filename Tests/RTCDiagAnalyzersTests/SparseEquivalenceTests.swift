import Foundation
import RTCDiagFormats
import RTCDiagStream
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

    @Test("every sample and corpus log: same sessions, findings and evidence lines (and without a timeline)")
    func sameFindings() throws {
        let inputs = Self.inputs
        try #require(inputs.count > 100)
        var options = ReaderOptions()
        options.year = 2024
        var differing: [String] = []
        var withTimeline = 0
        for path in inputs {
            let rules = RuleAnalyzer.factories(BuiltinRules.specs())
            let sparse = Analysis(runtime: rules).run(try LogInput.open(path, options: options))
            let fullPass = Analysis(runtime: rules)
            fullPass.parsesEveryLine = true
            let full = fullPass.run(try LogInput.open(path, options: options))
            let untimed = Analysis(runtime: rules)
            untimed.recordsTimeline = false
            let plain = untimed.run(try LogInput.open(path, options: options))
            if summary(sparse) != summary(full) || sparse.sessions.count != full.sessions.count
                || sparse.device.summary != full.device.summary || summary(plain) != summary(sparse)
                || plain.sessions.contains(where: { !$0.timeline.isEmpty }) {
                differing.append((path as NSString).lastPathComponent)
            }
            if sparse.sessions.contains(where: { !$0.timeline.isEmpty }) { withTimeline += 1 }
        }
        #expect(differing.isEmpty, "\(differing.prefix(10))")
        #expect(withTimeline > inputs.count / 2)
    }

    /// With a decode thread, keyword lines are found from marks made there over whole chunks
    /// (from the chunk after detection on); only an input of several chunks gets that far. The
    /// marks must pick exactly the lines the per-line check picks, so the output does not
    /// depend on when the decode thread started marking.
    @Test("a 12 MiB input read with decoding on its own thread: same events as without, same findings as parsing every line")
    func sameFindingsDecodingAhead() throws {
        var text = Data()
        let logs = Self.inputs.filter { !$0.hasSuffix(".zst") && !$0.hasSuffix(".lz4") && !$0.hasSuffix(".gz") }
        try #require(logs.count > 30)
        while text.count < 12 << 20 {
            for path in logs { text += try Data(contentsOf: URL(fileURLWithPath: path)); text += Data("\n".utf8) }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rtcdiag-ahead-\(UUID().uuidString).log")
        try text.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var options = ReaderOptions()
        options.year = 2024
        let rules = RuleAnalyzer.factories(BuiltinRules.specs())
        let stream = try DecodedStream(path: file.path, decodeAhead: true)
        let reader = try EventReader(framer: LineFramer(stream: stream), options: options)
        let sparse = Analysis(runtime: rules).run(reader)
        // The decode thread parsed keyword lines ahead (it is far ahead of a debug-built reader).
        #expect(reader.counts.preparedLines > 1000)
        let inline = Analysis(runtime: rules).run(try LogInput.open(file.path, options: options))
        #expect(sparse.events == inline.events && sparse.lines == inline.lines)
        let fullPass = Analysis(runtime: rules)
        fullPass.parsesEveryLine = true
        let full = fullPass.run(try LogInput.open(file.path, options: options))
        #expect(sparse.sessionCount == full.sessionCount && sparse.sessionCount > 100)
        let (a, b) = (summary(sparse), summary(full))
        let firstDifference = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        #expect(a == b, "first difference at finding \(firstDifference): \(a.dropFirst(firstDifference).first ?? "none") vs \(b.dropFirst(firstDifference).first ?? "none")")
        #expect(sparse.device.summary == full.device.summary)
    }
}
