import Foundation
import RTCDiagFormats
import Testing
@testable import RTCDiagAnalyzers
@testable import RTCDiagBuiltinRules
@testable import RTCDiagRules

@Suite("Rule packs")
struct RulePackTests {
    let valid = """
        version: 1
        rules:
          - id: sco_failure
            name: Bluetooth SCO failure
            summary: The Bluetooth headset's voice link did not come up
            cause: client
            severity: P1
            remediation: Check the headset; fall back to the earpiece.
            match:
              message: [startBluetoothSco, SCO_AUDIO_STATE]
              level: warning
              regex: 'STATE[=:] ?(0|-1)'
            count: 2
            within: 30
            examples:
              trigger: ["11-23 10:15:00.000  1  2 W AudioManager: startBluetoothSco failed, SCO_AUDIO_STATE=0"]
              ignore: ["11-23 10:15:00.000  1  2 I AudioManager: startBluetoothSco ok, SCO_AUDIO_STATE=1"]
        """

    @Test("a valid pack parses with its conditions and line numbers")
    func parses() throws {
        let specs = try RulePackParser.parse(valid, file: "team.yaml")
        #expect(specs.count == 1)
        let s = specs[0]
        #expect(s.id == "sco_failure" && s.cause == .client && s.severity == .p1)
        #expect(s.messageLiterals == ["startBluetoothSco", "SCO_AUDIO_STATE"])
        #expect(s.minLevel == .warning && s.count == 2 && s.withinSeconds == 30)
        #expect(s.line == 3)
        #expect(RuleExampleCheck.problems(specs).isEmpty)
    }

    @Test("malformed packs name the file, line and problem", arguments: [
        ("severity: P1", "severity: P9", 7, "`severity` must be P0"),
        ("    count: 2", "    count: 0", 14, "`count` must be"),
        ("      level: warning", "      lvl: warning", 11, "unknown match key `lvl`"),
        ("      regex: 'STATE[=:] ?(0|-1)'", "      regex: '(a+)+$'", 12, "nests quantifiers"),
        ("      regex: 'STATE[=:] ?(0|-1)'", "      regex: '(unclosed'", 12, "does not compile"),
        ("    cause: client", "    cause: client\n\t  bad: tab", 7, "YAML"),
        ("SCO_AUDIO_STATE]", String(repeating: "x", count: 4097) + "]", 10, "at most 4096 bytes"),
        ("[startBluetoothSco, SCO_AUDIO_STATE]", String(repeating: "y", count: 4097), 10, "at most 4096 bytes"),
        ("[startBluetoothSco, SCO_AUDIO_STATE]", "''", 10, "non-empty strings"),
    ])
    func malformed(find: String, replace: String, line: Int, message: String) {
        let broken = valid.replacingOccurrences(of: find, with: replace)
        do {
            _ = try RulePackParser.parse(broken, file: "team.yaml")
            Issue.record("no error for \(replace)")
        } catch let e as RulePackError {
            #expect(e.file == "team.yaml")
            #expect(abs(e.line - line) <= 1, "\(e)")
            #expect(e.message.contains(message), "\(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a rule without literals or tag is refused: the prefilter needs them")
    func needsLiterals() {
        let noLiteral = valid.replacingOccurrences(of: "      message: [startBluetoothSco, SCO_AUDIO_STATE]\n", with: "")
        #expect(throws: RulePackError.self) { try RulePackParser.parse(noLiteral, file: "t.yaml") }
    }

    @Test("count within a window: two matches 10 s apart fire, two matches 60 s apart do not")
    func window() throws {
        let spec = try RulePackParser.parse(valid, file: "team.yaml")[0]
        let near = """
            11-23 10:15:00.000  1  2 W AudioManager: startBluetoothSco failed, SCO_AUDIO_STATE=0
            11-23 10:15:10.000  1  2 W AudioManager: startBluetoothSco failed, SCO_AUDIO_STATE=0
            """
        let far = """
            11-23 10:15:00.000  1  2 W AudioManager: startBluetoothSco failed, SCO_AUDIO_STATE=0
            11-23 10:16:00.000  1  2 W AudioManager: startBluetoothSco failed, SCO_AUDIO_STATE=0
            11-23 10:16:01.000  1  2 I AudioManager: startBluetoothSco failed, SCO_AUDIO_STATE=0
            """
        let fired = try runRules([spec], near)
        #expect(fired.count == 1 && fired[0].evidence.examples.map(\.line) == [1, 2])
        #expect(try runRules([spec], far).isEmpty)  // the third line is below the level
    }

    @Test("the shipped pack is embedded, valid, and its examples behave")
    func shipped() throws {
        #expect(BuiltinRules.packs.map(\.name) == ["default.yaml"])
        let specs = BuiltinRules.specs()
        #expect(Set(specs.map(\.id)) == ["cpu_overload", "audio_interruption", "media_services_lost"])
        #expect(RuleExampleCheck.problems(specs).isEmpty)
        for spec in specs {
            for line in spec.triggerExamples { #expect(try runRules([spec], line).count == 1, "\(spec.id): \(line)") }
            for line in spec.ignoreExamples { #expect(try runRules([spec], line).isEmpty, "\(spec.id): \(line)") }
        }
    }

    func runRules(_ specs: [RuleSpec], _ text: String) throws -> [Finding] {
        Analysis(analyzers: [], runtime: RuleAnalyzer.factories(specs)).run(try openLog(text)).findings
    }
}

/// Events reach analyzers through per-keyword analyzer sets of one 64-bit word per 64
/// analyzers: a team may load large packs, which take more than one word.
@Suite("Events reach the analyzers they concern")
struct AnalyzerDispatchTests {
    /// A pack of `n` rules, rule `i` matching the literal `probe_i_marker` once.
    func pack(_ n: Int) throws -> [RuleSpec] {
        var yaml = "version: 1\nrules:\n"
        for i in 0..<n {
            yaml += """
              - id: probe_\(i)
                name: Probe \(i)
                summary: probe \(i)
                cause: client
                severity: P3
                remediation: none
                match:
                  message: [probe_\(i)_marker]

            """
        }
        return try RulePackParser.parse(yaml, file: "probes.yaml")
    }

    @Test("with 11 and with 81 analyzers (8 built in): the same built-in findings, and each probe rule fires on its own line only",
          arguments: [3, 73])
    func sameFindings(rules: Int) throws {
        let log = """
            11-23 10:15:00.000  8123  8150 I Probe: probe_1_marker seen
            11-23 10:15:01.000  8123  8150 E WebRtcAudioRecord: Init recording failed
            11-23 10:15:01.100  8123  8150 E WebRtcAudioRecord: AudioRecord.startRecording failed: ERROR_INVALID_OPERATION
            11-23 10:15:02.000  8123  8150 I Probe: probe_70_marker seen
            11-23 10:15:03.000  8123  8150 I Probe: nothing for the probes
            """
        let builtInOnly = Analysis().run(try openLog(log))
        let specs = try pack(rules)
        let analysis = Analysis(runtime: RuleAnalyzer.factories(specs))
        let result = analysis.run(try openLog(log))
        let fired = Set(result.findings.map(\.signature)).filter { $0.hasPrefix("probe_") }
        #expect(fired == (rules > 70 ? ["probe_1", "probe_70"] : ["probe_1"]))
        let builtIn = result.findings.filter { !$0.signature.hasPrefix("probe_") }.map { "\($0.signature) \($0.evidence.examples.map(\.line))" }
        #expect(!builtIn.isEmpty)
        #expect(builtIn == builtInOnly.findings.map { "\($0.signature) \($0.evidence.examples.map(\.line))" })
    }
}
