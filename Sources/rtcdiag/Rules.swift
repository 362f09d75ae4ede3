import ArgumentParser
import Foundation
import RTCDiagKit

/// `rtcdiag rules`: what the signatures are, and what a rule pack matches in a log.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List signatures and rules, or test a rule pack against a log.",
        subcommands: [List.self, Test.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List built-in signatures, shipped rules and rules from --rules files.")

        @Option(name: .customLong("rules"), help: "A YAML rule pack to include (repeatable).")
        var rules: [String] = []

        func run() throws {
            let user = try loadRulePacks(rules)
            var rows: [(String, String, String, String, String)] = []
            for t in Analyzers.builtIn {
                let d = t.description
                rows.append((d.id, d.defaultCause.rawValue, "\(d.defaultSeverity)", "built-in", d.summary))
            }
            for s in BuiltinRules.specs() + user {
                rows.append((s.id, s.cause.rawValue, "\(s.severity)", "\(s.file):\(s.line)", s.summary.isEmpty ? s.name : s.summary))
            }
            let width = rows.map(\.0.count).max() ?? 10
            for r in rows {
                Output.shared.write("\(padded(r.0, width))  \(padded(r.1, 6))  \(r.2)  \(padded(r.3, 18))  \(r.4)\n")
            }
            try finish(ExitStatus.ok)
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run only the rules of RULES over LOG and show what each matched.",
            discussion: "Exit 0 when every rule's own examples behave, 1 otherwise; 2 for a malformed pack.")

        @Argument(help: "The YAML rule pack.")
        var rulesFile: String

        @Argument(help: "The log to run it over (any codec, '-' for stdin).")
        var log: String

        func run() throws {
            let specs = try loadRulePacks([rulesFile])
            let exampleProblems = RuleExampleCheck.problems(specs)
            let reader = try InputOptions.parse([log]).open(log)
            let result = Analysis(analyzers: [], runtime: RuleAnalyzer.factories(specs)).run(reader)
            for spec in specs {
                let found = result.findings.filter { $0.signature == spec.id }
                Output.shared.write("\(spec.id) (\(spec.file):\(spec.line)): \(found.isEmpty ? "no finding" : "\(found.count) finding(s)")\n")
                for f in found {
                    Output.shared.write("    \(f.severity) \(f.cause.rawValue): \(TerminalStyle.scrub(f.detail))\n")
                    for e in f.evidence.examples { Output.shared.write("    \(e.source):\(e.line)  \(TerminalStyle.scrub(e.text))\n") }
                }
            }
            for p in exampleProblems { Output.shared.write(p + "\n") }
            for p in result.toolProblems where p.hasPrefix("input:") { Output.standardError("rtcdiag: \(p)\n") }
            try finish(exampleProblems.isEmpty ? ExitStatus.ok : ExitStatus.findings)
        }
    }
}

/// Reads and validates rule packs; a problem is a usage error naming the file and line.
func loadRulePacks(_ paths: [String]) throws -> [RuleSpec] {
    var specs: [RuleSpec] = []
    var ids = Set(Analyzers.builtIn.map { $0.description.id } + BuiltinRules.specs().map(\.id))
    for path in paths {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("\(path): cannot read the rule pack")
        }
        do {
            for spec in try RulePackParser.parse(text, file: path) {
                guard ids.insert(spec.id).inserted else {
                    throw ValidationError("\(path):\(spec.line):1: error: rule id `\(spec.id)` is already defined")
                }
                specs.append(spec)
            }
        } catch let e as RulePackError {
            throw ValidationError(e.description)
        }
    }
    return specs
}
