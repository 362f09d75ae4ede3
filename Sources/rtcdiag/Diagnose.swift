import ArgumentParser
import Foundation
import RTCDiagKit

/// `rtcdiag diagnose`: the verdict for each input — signatures, root cause, severity, evidence.
struct Diagnose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find failure signatures, the likely root cause (client / link / server) and a severity P0–P3.",
        discussion: """
            Output formats: text (terminal; colours only on a TTY), md (ticket-ready Markdown), json \
            (schema rtcdiag.diagnosis/1). Exit code 1 when a finding is at or above --fail-on (default P3, \
            i.e. any finding); 0 for a healthy log. Built-in signatures: \
            \(Analyzers.builtIn.map { $0.description.id }.joined(separator: ", ")).
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, md, json, html }

    @Argument(help: "Log files (plain, zstd, lz4, gzip), uploads as zip, 7z or tar archives (also tar.gz, tar.zst, …: each member is diagnosed, nothing is extracted), or directories (every file under them). Rotated files (sdk.log.2, sdk.log.1.gz, sdk.log) are read as one log. '-' (the default) reads standard input.")
    var inputs: [String] = ["-"]

    @Option(name: .customLong("format"), help: "Output: text, md, json or html (one self-contained page with a timeline per call).")
    var output: OutputFormat = .text

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the report to this file instead of standard output.")
    var outputFile: String?

    @Option(help: "Write report.md, report.json and report.html into this directory (created if needed).")
    var bundle: String?

    @Option(help: ArgumentHelp("Force the log dialect instead of detecting it.",
                               discussion: "One of: \(Dialects.names.joined(separator: ", "))."))
    var dialect: String?

    @Option(help: "Year for dialects that print none; default: the file's modification year.")
    var year: Int?

    @Option(help: "Date of the first line (YYYY-MM-DD) for logs that print only a time of day; default: the file's modification date.")
    var date: String?

    @Option(help: "Decompressed-to-compressed ratio at which an input or archive is stopped as a bomb.")
    var maxRatio: Int = 1000

    @Option(help: "Exit 1 when a finding is at or above this severity (P0…P3).")
    var failOn: String = "P3"

    @Option(help: "Colour: auto (only on a terminal), always, never.")
    var color: ColorChoice = .auto

    @Option(name: .customLong("rules"), help: "A YAML rule pack to add to the built-in signatures (repeatable).")
    var rules: [String] = []

    func validate() throws {
        if let dialect, Dialects.named(dialect) == nil {
            throw ValidationError("unknown dialect '\(dialect)'; known: \(Dialects.names.joined(separator: ", "))")
        }
        guard Severity(label: failOn) != nil else { throw ValidationError("--fail-on takes P0, P1, P2 or P3") }
        if bundle != nil, outputFile != nil { throw ValidationError("--bundle and --output cannot be combined") }
    }

    func run() throws {
        let userRules = try loadRulePacks(rules)
        let ruleSpecs = BuiltinRules.specs() + userRules
        var input = try InputOptions.parse(inputs + (dialect.map { ["--format", $0] } ?? []) + (year.map { ["--year", "\($0)"] } ?? [])
                                           + (date.map { ["--date", $0] } ?? [])
                                           + ["--max-ratio", "\(maxRatio)"])
        input.inputs = inputs
        let style = TerminalStyle(enabled: output == .text && outputFile == nil && bundle == nil
                                  && color.enabled(isTerminal: Output.shared.isTerminal))
        var verdicts: [Verdict] = []
        var inputFailed = false
        let rules = RuleAnalyzer.factories(ruleSpecs)
        for unit in ReadingUnits.of(inputs) {
            let readAll: Bool
            let diagnoseOne = { (reader: EventReader, isMember: Bool, rotation: Rotation?) in
                let analysis = Analysis(runtime: rules)
                analysis.recordsTimeline = output == .html || bundle != nil  // only the HTML page draws it
                let result = analysis.run(reader)
                // Uploads carry screenshots and databases next to the logs: not a fault.
                if isMember, result.lines == 0, let fault = result.inputFault, fault.kind == .binary {
                    Output.standardError("rtcdiag: \(TerminalStyle.scrub(reader.name)): skipped, not a log (\(fault.detail))\n")
                    return
                }
                if let fault = result.toolProblems.first(where: { $0.hasPrefix("input:") }) {
                    inputFailed = true
                    Output.standardError("rtcdiag: \(fault)\n")
                }
                var found = Triage.verdicts(for: result)
                if let rotation {
                    // Rotated files read as one log: each evidence line names its own file and line.
                    for v in found.indices {
                        for i in found[v].findings.indices {
                            found[v].findings[i].evidence.relocate(rotation.logs.locate, source: rotation.source)
                        }
                    }
                }
                verdicts += found
            }
            switch unit {
            case .input(let path, let fromDirectory):
                readAll = input.eachReader(path, isMember: fromDirectory, diagnoseOne)
            case .rotated(let paths):
                let chain = RotatedLogs(paths.map { (path: $0, name: $0) }, limits: input.limits)
                do {
                    let source = chain.source(name: paths.joined(separator: " + "),
                                              modificationTime: paths.last.flatMap(RotatedLogs.modificationTime))
                    diagnoseOne(try input.open(source: source), false, Rotation(logs: chain) { $0 })
                    readAll = true
                } catch {
                    report(error)
                    readAll = false
                }
            }
            if !readAll { inputFailed = true }
        }
        func render(_ format: OutputFormat) -> [UInt8] {
            switch format {
            case .text: Array(verdicts.map { DiagnosisReport.text($0, style: style) + "\n" }.joined().utf8)
            case .md: Array(verdicts.map { DiagnosisReport.markdown($0) + "\n" }.joined().utf8)
            case .json: DiagnosisReport.json(verdicts)
            case .html: Array(HTMLReport.diagnosis(verdicts, title: "rtcdiag: " + inputs.joined(separator: ", ")).utf8)
            }
        }
        if let bundle {
            try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
            for (format, name) in [(OutputFormat.md, "report.md"), (.json, "report.json"), (.html, "report.html")] {
                try writeFile((bundle as NSString).appendingPathComponent(name), render(format))
            }
            Output.shared.write("wrote report.md, report.json and report.html to \(bundle)\n")
        } else if let outputFile {
            try writeFile(outputFile, render(output))
        } else {
            Output.shared.write(render(output))
        }
        let threshold = Severity(label: failOn)!
        let failing = verdicts.contains { v in v.findings.contains { $0.severity >= threshold } }
        try finish(inputFailed ? ExitStatus.inputError : failing ? ExitStatus.findings : ExitStatus.ok)
    }
}
