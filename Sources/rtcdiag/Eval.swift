import ArgumentParser
import Foundation
import RTCDiagKit

/// `rtcdiag eval DIR`: how often the diagnosis is right on logs with known ground truth.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the diagnosis against labeled logs: per-signature precision/recall/F1, root cause and severity accuracy.",
        discussion: """
            Every NAME.expected.json in DIR names its log ("log") and lists per session the expected \
            "signatures", "root_cause" (client, link, server or null) and "severity" (P0…P3 or null). \
            Sessions are compared in order. Misses are listed with their file names.
            """)

    @Argument(help: "A directory of logs with .expected.json sidecars.")
    var directory: String

    @Flag(help: "Print the scores as JSON.")
    var json = false

    struct Expected: Decodable {
        struct Session: Decodable {
            var signatures: [String]
            var root_cause: String?
            var severity: String?
        }
        var log: String
        var sessions: [Session]
    }

    func run() throws {
        let fm = FileManager.default
        let sidecars = try fm.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".expected.json") }.sorted()
        guard !sidecars.isEmpty else { throw ValidationError("no .expected.json sidecars in \(directory)") }
        let rules = BuiltinRules.specs()
        var counts: [String: (tp: Int, fp: Int, fn: Int)] = [:]
        var confusion: [String: [String: Int]] = [:]
        var causeRight = 0, severityRight = 0, sessions = 0
        var misses: [String] = []
        for name in sidecars {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
            let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
            let logPath = URL(fileURLWithPath: directory).appendingPathComponent(expected.log).path
            let reader = try InputOptions.parse([logPath]).open(logPath)
            let verdicts = Triage.verdicts(for: Analysis(runtime: RuleAnalyzer.factories(rules)).run(reader))
            for (i, want) in expected.sessions.enumerated() {
                sessions += 1
                let got = i < verdicts.count ? verdicts[i] : nil
                let found = Set(got?.findings.map(\.signature) ?? [])
                let wanted = Set(want.signatures)
                for s in wanted.union(found) {
                    var c = counts[s] ?? (0, 0, 0)
                    if wanted.contains(s) && found.contains(s) { c.tp += 1 } else if found.contains(s) { c.fp += 1 } else { c.fn += 1 }
                    counts[s] = c
                }
                let cause = got?.primary?.cause.rawValue ?? "none"
                let wantCause = want.root_cause ?? "none"
                confusion[wantCause, default: [:]][cause, default: 0] += 1
                let severity = got?.severity.map { "\($0)" }
                if cause == wantCause { causeRight += 1 }
                if severity == want.severity { severityRight += 1 }
                if found != wanted || cause != wantCause || severity != want.severity {
                    misses.append("\(expected.log) session \(i + 1): expected \(wanted.sorted()) \(wantCause) \(want.severity ?? "-"), "
                                  + "got \(found.sorted()) \(cause) \(severity ?? "-")")
                }
            }
        }
        let causes = ["client", "link", "server", "none"]
        func f1(_ c: (tp: Int, fp: Int, fn: Int)) -> (p: Double, r: Double, f: Double) {
            let p = c.tp + c.fp == 0 ? 1 : Double(c.tp) / Double(c.tp + c.fp)
            let r = c.tp + c.fn == 0 ? 1 : Double(c.tp) / Double(c.tp + c.fn)
            return (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r))
        }
        if json {
            var w = JSONWriter()
            w.beginObject()
            w.field("logs", sidecars.count)
            w.field("sessions", sessions)
            w.key("root_cause_accuracy"); w.double(Double(causeRight) / Double(max(sessions, 1)))
            w.key("severity_accuracy"); w.double(Double(severityRight) / Double(max(sessions, 1)))
            w.key("signatures")
            w.beginObject()
            for (s, c) in counts.sorted(by: { $0.key < $1.key }) {
                let m = f1(c)
                w.key(s)
                w.beginObject()
                w.field("tp", c.tp); w.field("fp", c.fp); w.field("fn", c.fn)
                w.key("precision"); w.double(m.p)
                w.key("recall"); w.double(m.r)
                w.key("f1"); w.double(m.f)
                w.endObject()
            }
            w.endObject()
            w.key("confusion")
            w.beginObject()
            for want in causes {
                w.key(want)
                w.beginObject()
                for got in causes { w.field(got, confusion[want]?[got] ?? 0) }
                w.endObject()
            }
            w.endObject()
            w.key("misses"); w.beginArray(); misses.forEach { w.string($0) }; w.endArray()
            w.endObject()
            Output.shared.write(w.bytes + [0x0A])
        } else {
            var s = "\(sidecars.count) logs, \(sessions) sessions\n\n"
            s += "signature              TP   FP   FN  precision  recall     F1\n"
            for (sig, c) in counts.sorted(by: { $0.key < $1.key }) {
                let m = f1(c)
                s += padded(sig, 21) + " " + [c.tp, c.fp, c.fn].map { padded(String($0), 4) }.joined(separator: " ")
                s += "  \(padded(fixed(m.p, 3), 9))  \(padded(fixed(m.r, 3), 7))  \(fixed(m.f, 3))\n"
            }
            s += "\nroot cause accuracy  \(fixed(100 * Double(causeRight) / Double(max(sessions, 1)), 1)) %\n"
            s += "severity accuracy    \(fixed(100 * Double(severityRight) / Double(max(sessions, 1)), 1)) %\n\n"
            s += "confusion (rows expected, columns diagnosed)\n" + padded("", 8) + causes.map { padded($0, 8) }.joined() + "\n"
            for want in causes {
                s += padded(want, 8) + causes.map { padded(String(confusion[want]?[$0] ?? 0), 8) }.joined() + "\n"
            }
            if !misses.isEmpty { s += "\nmisses\n" + misses.map { "  " + $0 }.joined(separator: "\n") + "\n" }
            Output.shared.write(s)
        }
        try finish(ExitStatus.ok)
    }
}
