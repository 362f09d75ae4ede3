import ArgumentParser
import Foundation
import RTCDiagKit

#if canImport(Glibc)
import Glibc
#endif

/// `rtcdiag batch`: many uploads into a SQLite store, in parallel, resumable.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Diagnose many uploads into a SQLite store (parallel; a re-run skips what is stored).",
        discussion: """
            Each file is one upload: a log (plain, zstd, lz4, gzip) or an archive (zip, 7z, tar, tar.gz, …) \
            whose members are read in place. In a directory given, each file is one upload and each \
            subdirectory one upload holding every file under it; rotated logs (sdk.log.2, sdk.log.1.gz, sdk.log) \
            in an upload are read as one log. Uploads are keyed by a hash \
            of their bytes and written one transaction each, so an interrupted batch resumes where it stopped. \
            Every upload and member ends up in the store as analyzed, skipped or failed, with the reason. \
            Exit 0 when every upload was read, 3 when some could not be.
            """)

    @Argument(help: "Uploads: files and directories.")
    var inputs: [String]

    @Option(help: "The store to write (SQLite); created when missing.")
    var db: String

    @Option(help: "Uploads analyzed at once (default: one per core).")
    var jobs: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    @Option(help: "Year for dialects that print none; default: each file's modification year.")
    var year: Int?

    @Option(help: "Decompressed-to-compressed ratio at which an input or archive is stopped as a bomb.")
    var maxRatio: Int = 1000

    @Option(name: .customLong("rules"), help: "A YAML rule pack to add to the built-in signatures (repeatable).")
    var rules: [String] = []

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    @Option(help: "Seconds to wait for a store another process is writing before giving up.")
    var busyTimeout: Double = 10

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard maxRatio >= 2 else { throw ValidationError("--max-ratio must be at least 2") }
    }

    func run() throws {
        let specs = BuiltinRules.specs() + (try loadRulePacks(rules))
        let store: Store
        do { store = try Store(path: db, busySeconds: busyTimeout) } catch {
            Output.flushAndReport(Store.explain(error, path: db))
            try finish(ExitStatus.inputError)
        }
        var options = BatchOptions()
        options.rules = RuleAnalyzer.factories(specs)
        options.jobs = jobs
        options.reader.year = year
        options.reader.now = Int64(time(nil))
        options.limits.maxRatio = Int64(maxRatio)
        options.archiveLimits.maxRatio = Int64(maxRatio)

        let uploads = Batch.expand(inputs)
        let known = try store.knownHashes()
        let progress = Progress(total: uploads.count, bytes: uploads.reduce(0) { $0 + Batch.size($1) },
                                enabled: !quiet && isatty(2) == 1)
        var analyzed = 0, alreadyStored = 0, failed = 0, sessions = 0, failing = 0
        do {
            try Batch.run(uploads, known: known, options: options) { i, outcome in
                switch outcome {
                case .alreadyStored:
                    alreadyStored += 1
                    progress.advance(bytes: Batch.size(uploads[i]), failed: failed)
                case .read(let result):
                    try store.write(result)
                    if result.status == .failed || result.members.contains(where: { $0.status == .failed }) { failed += 1 }
                    if result.status == .analyzed || !result.members.isEmpty { analyzed += 1 }
                    for m in result.members { sessions += m.sessions.count; failing += m.sessions.failing }
                    progress.advance(bytes: result.bytes, failed: failed)
                }
            }
        } catch {
            // The store refused a write (locked past the timeout, disk full): what is stored is
            // whole, and a re-run goes on from there.
            progress.finish()
            Output.flushAndReport(Store.explain(error, path: db))
            Output.standardError("rtcdiag: \(analyzed) upload(s) were stored before this; run the batch again to go on\n")
            try finish(ExitStatus.inputError)
        }
        progress.finish()
        Output.shared.write("""
            \(analyzed) upload(s) analyzed, \(alreadyStored) already in the store, \(failed) with unreadable parts; \
            \(sessions) call(s), \(failing) with findings → \(db)

            """)
        try finish(failed > 0 ? ExitStatus.inputError : ExitStatus.ok)
    }
}

/// Writes a report file (replacing it); a path that cannot be written is a usage error.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        throw ValidationError("\(path): cannot write")
    }
}

/// The progress line on a terminal's stderr: uploads done / total, MB/s, ETA, failures.
final class Progress {
    let total: Int
    let totalBytes: Int64
    let enabled: Bool
    private var done = 0
    private var bytes: Int64 = 0
    private let start = monotonicSeconds()
    private var lastDraw = 0.0

    init(total: Int, bytes: Int64, enabled: Bool) {
        self.total = total
        totalBytes = bytes
        self.enabled = enabled
    }

    func advance(bytes n: Int64, failed: Int) {
        done += 1
        bytes += n
        guard enabled else { return }
        let now = monotonicSeconds()
        guard now - lastDraw > 0.1 || done == total else { return }
        lastDraw = now
        let elapsed = max(now - start, 0.001)
        let rate = Double(bytes) / elapsed
        let eta = rate > 0 ? Double(totalBytes - bytes) / rate : 0
        Output.standardError("\r\(done)/\(total) uploads, \(fixed(rate / 1_000_000, 1)) MB/s, ETA \(Int(eta)) s, \(failed) failed   ")
    }

    func finish() {
        if enabled, total > 0 { Output.standardError("\n") }
    }
}

/// `rtcdiag query`: ad-hoc SQL over a batch store.
struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a read-only SQL query on a batch store; prints tab-separated rows with a header.",
        discussion: "Tables: upload, member, session, finding, evidence; views: session_view, finding_view (see the README).")

    @Option(help: "The store (SQLite) written by `rtcdiag batch`.")
    var db: String

    @Argument(help: "One SELECT statement.")
    var sql: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("\(db): no such store") }
        let result: (columns: [String], rows: [[String?]])
        do { result = try Store(path: db, readOnly: true).query(sql) } catch {
            report(error)
            try finish(ExitStatus.usage)
        }
        func cell(_ s: String?) -> String {
            guard let s else { return "NULL" }
            return TerminalStyle.scrub(s.replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n"))
        }
        Output.shared.write(result.columns.joined(separator: "\t") + "\n")
        for row in result.rows { Output.shared.write(row.map(cell).joined(separator: "\t") + "\n") }
        try finish(ExitStatus.ok)
    }
}

/// `rtcdiag report`: the aggregate views of a batch store.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a batch store: causes, signatures, severities, days, device models that stand out, recurring lines.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, html }

    @Option(help: "The store (SQLite) written by `rtcdiag batch`.")
    var db: String

    @Option(help: "Output format: md, or html (one self-contained dashboard page).")
    var format: Format = .md

    @Option(help: "Calls a device model needs before it is judged.")
    var minSupport: Int = 10

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("\(db): no such store") }
        let text: String
        do {
            let summary = try Store(path: db, readOnly: true).summary(minSupport: minSupport)
            text = format == .md ? BatchReport.markdown(summary, store: db) : HTMLReport.batch(summary, store: db)
        } catch {
            report(error)
            try finish(ExitStatus.inputError)
        }
        if let output {
            try writeFile(output, Array(text.utf8))
        } else {
            Output.shared.write(text)
        }
        try finish(ExitStatus.ok)
    }
}
