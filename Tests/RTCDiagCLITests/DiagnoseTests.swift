import RTCDiagKit
import Foundation
import Testing

@Suite("rtcdiag diagnose", .serialized)
struct DiagnoseTests {
    @Test("the bundled sample: P1 client echo-cancellation failure with its evidence lines")
    func sample() throws {
        let r = try run(["diagnose", "--format", "json", CLITests.sample + ".zst"])
        #expect(r.status == 1)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["schema"] as? String == "rtcdiag.diagnosis/1")
        let d = try #require((obj["diagnoses"] as? [[String: Any]])?.first)
        #expect(d["severity"] as? String == "P1")
        #expect(d["root_cause"] as? String == "client")
        #expect((d["device"] as? [String: Any])?["model"] as? String == "SM-A515F")
        let f = try #require((d["findings"] as? [[String: Any]])?.first)
        #expect(f["signature"] as? String == "aec_failure")
        let lines = (f["evidence"] as? [[String: Any]])?.compactMap { $0["line"] as? Int } ?? []
        #expect(lines.contains(7) && lines.contains(8))
    }

    @Test("the join line's context names the call: channel, uid, SDK, edge and region")
    func callContext() throws {
        let path = packageRoot.appendingPathComponent("Samples/logs/codec-mismatch.studio.log").path
        let r = try run(["diagnose", "--format", "json", path])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let session = try #require((obj["diagnoses"] as? [[String: Any]])?.first?["session"] as? [String: Any])
        #expect(session["channel"] as? String == "design-review")
        #expect(session["uid"] as? String == "77")
        #expect(session["sdk_version"] as? String == "4.2.1")
        #expect(session["edge"] as? String == "203.0.113.9:4443")
        #expect(session["region"] as? String == "eu-west-1")
        let text = try run(["diagnose", path]).stdout
        #expect(text.contains("edge 203.0.113.9:4443, region eu-west-1"))
    }

    @Test("a healthy real logcat: exit 0, says what was checked")
    func healthy() throws {
        let loghub = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/loghub/Android_2k.log").path
        guard FileManager.default.fileExists(atPath: loghub) else { return }
        let r = try run(["diagnose", loghub])
        #expect(r.status == 0)
        #expect(r.stdout.contains("healthy: no evidence of a call problem"))
        #expect(r.stdout.contains("checked    aec_failure"))
    }

    @Test("Markdown output escapes log text and fences evidence")
    func markdown() throws {
        let dir = try scratchDirectory()
        let log = dir.appendingPathComponent("x.log")
        try Data("""
            11-23 10:15:00.000  1  2 E Tag: <img src=x onerror=alert(1)> ICE
            11-23 10:15:00.580  1  2 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 0 => 1
            11-23 10:15:30.580  1  2 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 1 => 4 <b>``` bold
            """.utf8).write(to: log)
        let r = try run(["diagnose", "--format", "md", log.path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("**Verdict: P0 — link**"))
        #expect(r.stdout.contains("````\n"))  // longer fence than the backticks inside
        let outsideFences = r.stdout.components(separatedBy: "````").enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined()
        #expect(!outsideFences.contains("<b>"))
    }

    @Test("--fail-on sets the exit threshold")
    func failOn() throws {
        #expect(try run(["diagnose", "--fail-on", "P0", CLITests.sample]).status == 0)
        #expect(try run(["diagnose", "--fail-on", "P1", CLITests.sample]).status == 1)
        #expect(try run(["diagnose", "--fail-on", "P7", CLITests.sample]).status == 2)
    }
}

/// Every sample under `Samples/logs` is diagnosed as `expected.tsv` says, through the CLI.
@Suite("Samples end to end")
struct SampleTests {
    /// A row of `expected.tsv`; `file#N` names the N-th session of a multi-session log.
    struct Expectation: Sendable, CustomStringConvertible {
        var file: String, severity: String?, cause: String?, signatures: Set<String>
        var description: String { file }
        var path: String { String(file.split(separator: "#")[0]) }
        var session: Int { file.contains("#") ? Int(file.split(separator: "#")[1])! - 1 : 0 }
    }

    static let expectations: [Expectation] = {
        let path = packageRoot.appendingPathComponent("Samples/logs/expected.tsv").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Expectation(file: c[0], severity: c[1] == "-" ? nil : c[1], cause: c[2] == "-" ? nil : c[2],
                               signatures: c[3] == "-" ? [] : Set(c[3].split(separator: ",").map(String.init)))
        }
    }()

    @Test("the manifest covers every sample log")
    func manifest() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Samples/logs").path)
            .filter { $0 != "expected.tsv" && $0 != "android-call.log" }
        #expect(Set(files) == Set(Self.expectations.map(\.path)))
        #expect(Self.expectations.count >= 5)
    }

    @Test("each sample gets its severity, root cause and signatures", arguments: expectations)
    func sample(_ x: Expectation) throws {
        let r = try run(["diagnose", "--format", "json", packageRoot.appendingPathComponent("Samples/logs/\(x.path)").path])
        let sessionsOfFile = Self.expectations.filter { $0.path == x.path }
        #expect(r.status == (sessionsOfFile.allSatisfy { $0.severity == nil } ? 0 : 1), "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let all = try #require(obj["diagnoses"] as? [[String: Any]])
        #expect(all.count == sessionsOfFile.count)
        let d = try #require(all.count > x.session ? all[x.session] : nil)
        #expect(d["severity"] as? String == x.severity)
        #expect(d["root_cause"] as? String == x.cause)
        let found = Set((d["findings"] as? [[String: Any]] ?? []).map { f in
            (f["signature"] as! String) + ((f["subkind"] as? String).map { "(\($0))" } ?? "")
        })
        let expected = x.signatures
        let foundIDs = Set(found.map { $0.split(separator: "(").first.map(String.init) ?? $0 })
        for sig in expected {
            #expect(sig.contains("(") ? found.contains(sig) : foundIDs.contains(sig), "\(x.file): missing \(sig) in \(found)")
        }
        #expect(foundIDs.count == Set(expected.map { $0.split(separator: "(").first.map(String.init)! }).count,
                "\(x.file): unexpected findings \(found)")
    }
}

/// The JSON output and the committed schema agree: every emitted key is declared, every
/// required key is emitted, enums hold.
@Suite("Diagnosis JSON schema")
struct SchemaTests {
    @Test("output of every sample conforms to diagnosis-v1.schema.json")
    func conforms() throws {
        let schemaURL = packageRoot.appendingPathComponent("Sources/RTCDiagReports/Schema/diagnosis-v1.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        let defs = try #require(schema["$defs"] as? [String: Any])
        let files = SampleTests.expectations.map(\.path)
        let paths = files.enumerated().filter { files.firstIndex(of: $0.element) == $0.offset }
            .map { packageRoot.appendingPathComponent("Samples/logs/\($0.element)").path }
        let r = try run(["diagnose", "--format", "json"] + paths)
        let output = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        var problems: [String] = []
        check(output, against: schema, defs: defs, at: "$", problems: &problems)
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(((output as? [String: Any])?["diagnoses"] as? [Any])?.count == SampleTests.expectations.count)
    }

    /// A small validator for the parts of JSON Schema the file uses.
    func check(_ value: Any, against s: [String: Any], defs: [String: Any], at path: String, problems: inout [String]) {
        if let ref = s["$ref"] as? String, let def = defs[String(ref.split(separator: "/").last!)] as? [String: Any] {
            return check(value, against: def, defs: defs, at: path, problems: &problems)
        }
        if let c = s["const"] as? String, value as? String != c { problems.append("\(path): not \(c)") }
        if let t = s["type"] {
            let types = (t as? [String]) ?? [t as? String ?? ""]
            func isA(_ type: String) -> Bool {
                switch type {
                case "null": value is NSNull
                case "string": value is String
                case "integer", "number", "boolean": value is NSNumber
                case "object": value is [String: Any]
                case "array": value is [Any]
                default: false
                }
            }
            if !types.contains(where: isA) { problems.append("\(path): not of type \(types)") }
        }
        if let alternatives = s["oneOf"] as? [[String: Any]] {
            let fitting = alternatives.filter { alt in
                var p: [String] = []
                check(value, against: alt, defs: defs, at: path, problems: &p)
                return p.isEmpty
            }.count
            if fitting != 1 { problems.append("\(path): fits \(fitting) of the oneOf alternatives") }
        }
        if let e = s["enum"] as? [Any] {
            let ok = e.contains { ($0 is NSNull && value is NSNull) || (($0 as? String) != nil && ($0 as? String) == (value as? String)) }
            if !ok { problems.append("\(path): \(value) not in enum") }
        }
        if let obj = value as? [String: Any] {
            let props = s["properties"] as? [String: Any] ?? [:]
            for k in s["required"] as? [String] ?? [] where obj[k] == nil { problems.append("\(path): missing \(k)") }
            for (k, v) in obj {
                if let p = props[k] as? [String: Any] {
                    check(v, against: p, defs: defs, at: "\(path).\(k)", problems: &problems)
                } else if s["additionalProperties"] as? Bool == false {
                    problems.append("\(path): undeclared key \(k)")
                }
            }
        }
        if let arr = value as? [Any], let items = s["items"] as? [String: Any] {
            for (i, v) in arr.enumerated() { check(v, against: items, defs: defs, at: "\(path)[\(i)]", problems: &problems) }
        }
    }
}

@Suite("Rule packs from the command line", .serialized)
struct RulesCLITests {
    func pack(_ body: String) throws -> String {
        let url = try scratchDirectory().appendingPathComponent("team.yaml")
        try Data(body.utf8).write(to: url)
        return url.path
    }

    let teamRule = """
        version: 1
        rules:
          - id: residual_echo_burst
            name: Residual echo burst
            summary: Residual echo reported 3 times within 20 s
            cause: client
            severity: P1
            remediation: Check the device's AEC.
            match:
              message: WARN_APM_RESIDUAL_ECHO
            count: 3
            within: 20
        """

    @Test("--rules adds the team's signature to the verdict")
    func addsRule() throws {
        let r = try run(["diagnose", "--format", "json", "--rules", try pack(teamRule), CLITests.sample])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\"signature\":\"residual_echo_burst\""))
    }

    @Test("a malformed rule file stops everything with file:line, exit 2")
    func malformed() throws {
        let path = try pack(teamRule.replacingOccurrences(of: "severity: P1", with: "severity: high"))
        let r = try run(["diagnose", "--rules", path, CLITests.sample])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):7:"))
        #expect(r.stdout.isEmpty)
    }

    @Test("rules list shows built-in, shipped and added rules; rules test shows what a pack matches")
    func listAndTest() throws {
        let path = try pack(teamRule)
        let list = try run(["rules", "list", "--rules", path])
        #expect(list.status == 0)
        #expect(list.stdout.contains("aec_failure") && list.stdout.contains("cpu_overload") && list.stdout.contains("residual_echo_burst"))
        let test = try run(["rules", "test", path, CLITests.sample])
        #expect(test.status == 0)
        #expect(test.stdout.contains("residual_echo_burst"))
        #expect(test.stdout.contains("1 finding(s)"))
        #expect(test.stdout.contains("android-call.log:19"))
    }
}

@Suite("diagnose on bad input", .serialized)
struct DiagnoseBadInputTests {
    @Test("a truncated upload: exit 3, the verdict for what was read, the fault named apart")
    func truncated() throws {
        let dir = try scratchDirectory()
        let log = dir.appendingPathComponent("call.log").path
        // The sample's call, then many lines of chatter, compressed and cut in the middle.
        try shell("cat '\(CLITests.sample)' > '\(log)' && seq 1 300000 | awk '{printf \"11-23 10:16:%02d.%03d  1234  5678 I Tag: value %d\\n\", $1/1000%60, $1%1000, $1*7919}' >> '\(log)' "
                  + "&& zstd -q -1 -c '\(log)' | head -c 30000 > '\(log).zst'")
        let r = try run(["diagnose", "--format", "json", log + ".zst"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("at compressed byte"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let d = try #require((obj["diagnoses"] as? [[String: Any]])?.first)
        #expect(d["severity"] as? String == "P1")  // the echo problem before the cut is still found
        #expect((d["tool_problems"] as? [String])?.contains { $0.contains("truncated") } == true)
    }

    @Test("binary garbage and an empty file: exit 3 with a reason, nothing invented")
    func garbage() throws {
        let dir = try scratchDirectory()
        let empty = dir.appendingPathComponent("empty.log")
        try Data().write(to: empty)
        let bin = dir.appendingPathComponent("garbage.bin")
        try Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(to: bin)
        for path in [empty.path, bin.path] {
            let r = try run(["diagnose", path])
            #expect(r.status == 3)
            #expect(r.stderr.contains(path))
            #expect(!r.stdout.contains("verdict    P"))
            // Nothing read is no verdict, not a healthy call.
            #expect(r.stdout.contains("verdict    none: no line of this input could be read"))
            #expect(!r.stdout.contains("healthy"))
            let json = try run(["diagnose", path, "--format", "json"])
            #expect(json.stdout.contains("\"healthy\":false"))
            #expect(try run(["diagnose", path, "--format", "md"]).stdout.contains("**No verdict**"))
        }
    }
}

/// The generator and `rtcdiag eval`, end to end.
@Suite("Corpus and eval", .serialized)
struct EvalTests {
    var generator: URL { binary.deletingLastPathComponent().appendingPathComponent("rtcdiag-corpus") }

    func generate(seed: Int, count: Int) throws -> URL {
        let dir = try scratchDirectory()
        try shell("'\(generator.path)' --out '\(dir.path)' --count \(count) --seed \(seed) > /dev/null")
        return dir
    }

    @Test("the same seed writes the same bytes; another seed writes other logs")
    func deterministic() throws {
        let a = try generate(seed: 11, count: 30), b = try generate(seed: 11, count: 30), c = try generate(seed: 12, count: 30)
        let files = try FileManager.default.contentsOfDirectory(atPath: a.path).sorted()
        #expect(files.count == 60)
        #expect(files == (try FileManager.default.contentsOfDirectory(atPath: b.path).sorted()))
        var differs = 0
        for f in files {
            let x = try Data(contentsOf: a.appendingPathComponent(f))
            #expect(x == (try Data(contentsOf: b.appendingPathComponent(f))), "\(f) differs between runs")
            if x != (try? Data(contentsOf: c.appendingPathComponent(f))) { differs += 1 }
        }
        #expect(differs > files.count / 2)
    }

    @Test("eval scores a generated corpus: every signature present, F1 ≥ 0.95, root cause ≥ 95 %")
    func scores() throws {
        let dir = try generate(seed: 3, count: 90)
        let r = try run(["eval", "--json", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["logs"] as? Int == 90)
        let sigs = try #require(obj["signatures"] as? [String: [String: Any]])
        #expect(Set(sigs.keys).isSuperset(of: ["aec_failure", "connection_failure", "packet_loss", "route_flapping", "codec_mismatch",
                                               "device_fragmentation", "capture_stall", "permission_denied"]))
        for (sig, m) in sigs { #expect((m["f1"] as? Double ?? 0) >= 0.95, "\(sig): \(m)") }
        #expect((obj["root_cause_accuracy"] as? Double ?? 0) >= 0.95)
        let confusion = try #require(obj["confusion"] as? [String: [String: Int]])
        #expect((confusion["none"]?["none"] ?? 0) >= 25)  // about 30 % healthy calls, diagnosed healthy
        let text = try run(["eval", dir.path])
        #expect(text.stdout.contains("root cause accuracy"))
        #expect(text.stdout.contains("confusion (rows expected, columns diagnosed)"))
    }

    @Test("a miss is listed with its file name")
    func misses() throws {
        let dir = try generate(seed: 5, count: 6)
        // Claim the healthy log 000 should have shown an echo problem.
        let sidecar = dir.appendingPathComponent("000-logcat-healthy.expected.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: sidecar)) as? [String: Any])
        json["sessions"] = [["signatures": ["aec_failure"], "root_cause": "client", "severity": "P1"]]
        try JSONSerialization.data(withJSONObject: json).write(to: sidecar)
        let r = try run(["eval", dir.path])
        #expect(r.stdout.contains("000-logcat-healthy.log session 1: expected [\"aec_failure\"] client P1, got [] none -"))
    }
}

/// `Samples/corpus`: the committed labeled corpus (`rtcdiag-corpus --count 150 --seed 1 --compress`).
@Suite("Committed corpus", .serialized)
struct CommittedCorpusTests {
    let corpus = packageRoot.appendingPathComponent("Samples/corpus")

    @Test("eval on the committed corpus: F1 ≥ 0.95 per signature, root cause ≥ 95 %")
    func thresholds() throws {
        let r = try run(["eval", "--json", corpus.path])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["logs"] as? Int == 150)
        for (sig, m) in try #require(obj["signatures"] as? [String: [String: Any]]) {
            #expect((m["f1"] as? Double ?? 0) >= 0.95, "\(sig): \(m)")
        }
        #expect((obj["root_cause_accuracy"] as? Double ?? 0) >= 0.95)
    }

    @Test("the generator reproduces the committed corpus byte for byte")
    func reproduces() throws {
        let generator = binary.deletingLastPathComponent().appendingPathComponent("rtcdiag-corpus")
        let fresh = try scratchDirectory()
        try shell("'\(generator.path)' --out '\(fresh.path)' --count 150 --seed 1 --compress > /dev/null")
        let committed = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        #expect(committed == (try FileManager.default.contentsOfDirectory(atPath: fresh.path).sorted()))
        for f in committed {
            let a = corpus.appendingPathComponent(f).path, b = fresh.appendingPathComponent(f).path
            // Compressed members too: the codecs are deterministic for one library version; if a
            // machine's libzstd/liblz4/zlib differ, the decoded text still has to match.
            let same = FileManager.default.contentsEqual(atPath: a, andPath: b)
            if !same && !f.hasSuffix(".json") && !f.hasSuffix(".log") {
                let da = try decoded(a), db = try decoded(b)
                #expect(da == db, "\(f) is not reproduced")
                #expect(ProcessInfo.processInfo.environment["CI"] == nil, "\(f) differs byte-wise on CI")
            } else {
                #expect(same, "\(f) is not reproduced")
            }
        }
    }

    func decoded(_ path: String) throws -> [UInt8] {
        let stream = try DecodedStream(path: path)
        var out: [UInt8] = []
        while let c = try stream.next() { out.append(contentsOf: c) }
        return out
    }
}

@Suite("Generator options", .serialized)
struct GeneratorOptionTests {
    var generator: URL { binary.deletingLastPathComponent().appendingPathComponent("rtcdiag-corpus") }

    @Test("--dialect writes only that dialect, still labeled and diagnosable")
    func oneDialect() throws {
        let dir = try scratchDirectory()
        try shell("'\(generator.path)' --out '\(dir.path)' --count 12 --seed 4 --dialect json-lines > /dev/null")
        let sidecars = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        #expect(sidecars.count == 12)
        for s in sidecars {
            let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(s))) as? [String: Any]
            #expect(obj?["dialect"] as? String == "json-lines")
        }
        let r = try run(["eval", "--json", dir.path])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((obj["root_cause_accuracy"] as? Double ?? 0) >= 0.95)
    }

    @Test("--size-mib writes one log of that size that rtcdiag reads as one dialect")
    func sized() throws {
        let dir = try scratchDirectory()
        try shell("'\(generator.path)' --out '\(dir.path)' --size-mib 2 --seed 4 --dialect logcat-threadtime > /dev/null")
        let path = dir.appendingPathComponent("logcat-threadtime-2MiB.log").path
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(size >= 2 << 20 && size < 3 << 20)
        let r = try run(["stats", "--json", path])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["format"] as? String == "logcat-threadtime")
        #expect((obj["unparsed_events"] as? Int ?? 1) < (obj["events"] as? Int ?? 0) / 100)
    }
}
