import ArgumentParser
import Foundation
import RTCDiagKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options every reading command shares: which inputs, how to read them, which time window.
struct InputOptions: ParsableArguments {
    @Argument(help: "Log files: plain, zstd, lz4 or gzip; for diagnose also zip, 7z and tar archives (tar.gz, tar.zst, …). '-' (the default) reads standard input.")
    var inputs: [String] = ["-"]

    @Option(name: [.customLong("format"), .customLong("dialect")],
            help: ArgumentHelp("Force the log dialect instead of detecting it.",
                               discussion: "One of: \(Dialects.names.joined(separator: ", "))."))
    var dialect: String?

    @Option(help: "Year for dialects that print none (logcat, Chromium); default: the file's modification year.")
    var year: Int?

    @Option(help: "Date of the first line (YYYY-MM-DD) for logs that print only a time of day (Agora's SDK log, Chrome's WebRTC text log); default: the file's modification date.")
    var date: String?

    @Option(help: "Only events at or after this time (log clock), e.g. '2024-11-23 10:15' or '11-23 10:15:02'; a time alone ('17:33') is on --date, else the file's modification date.")
    var since: String?

    @Option(help: "Only events at or before this time (log clock).")
    var until: String?

    @Option(help: "Longest line kept whole, in bytes; longer lines are cut into flagged pieces.")
    var maxLineBytes: Int = 1 << 20

    @Option(help: "Decompressed-to-compressed ratio at which an input is stopped as a compression bomb.")
    var maxRatio: Int = 1000

    func validate() throws {
        if let dialect, Dialects.named(dialect) == nil {
            throw ValidationError("unknown format '\(dialect)'; known: \(Dialects.names.joined(separator: ", "))")
        }
        guard maxLineBytes >= 64 else { throw ValidationError("--max-line-bytes must be at least 64") }
        guard maxRatio >= 2 else { throw ValidationError("--max-ratio must be at least 2") }
        if let since, parseTimeBound(since, defaultYear: 2000, day: 0) == nil { throw ValidationError("cannot read --since '\(since)'") }
        if let until, parseTimeBound(until, defaultYear: 2000, day: 0) == nil { throw ValidationError("cannot read --until '\(until)'") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be given only once") }
        if let date, Self.day(date) == nil { throw ValidationError("cannot read --date '\(date)' (YYYY-MM-DD)") }
    }

    var hasWindow: Bool { since != nil || until != nil }

    var limits: StreamLimits {
        var l = StreamLimits()
        l.maxRatio = Int64(maxRatio)
        return l
    }

    /// Reader options for one input; yearless time bounds take the same year as the log.
    func readerOptions(modificationTime: Int64?) -> ReaderOptions {
        var o = ReaderOptions()
        o.dialect = dialect
        o.year = year
        o.date = date.flatMap(Self.day)
        o.now = Int64(time(nil))
        var resolver = YearResolver(explicitYear: year, modificationTime: modificationTime, now: o.now)
        let boundYear = resolver.year(forMonth: 1)
        // A time of day alone falls on the date time-of-day logs are read on (--date, else the mtime's).
        let reference = modificationTime ?? o.now
        let day = o.date ?? (reference >= 0 ? reference / 86_400 : (reference - 86_399) / 86_400)
        o.since = since.flatMap { parseTimeBound($0, defaultYear: boundYear, day: day) }
        o.until = until.flatMap { parseTimeBound($0, defaultYear: boundYear, day: day) }
        return o
    }

    /// Days since 1970 of a `YYYY-MM-DD` date.
    static func day(_ text: String) -> Int64? {
        let parts = text.split(separator: "-").compactMap { Int64($0) }
        guard parts.count == 3, text.count == 10, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        return daysFromCivil(parts[0], parts[1], parts[2])
    }

    /// Opens one input as an event reader.
    func open(_ path: String) throws -> EventReader {
        let stream = try DecodedStream(path: path, limits: limits, decodeAhead: true)
        return try EventReader(framer: LineFramer(stream: stream, maxLineBytes: maxLineBytes),
                               options: readerOptions(modificationTime: stream.modificationTime))
    }

    /// Opens bytes from elsewhere (an archive member) as an event reader. No decode-ahead
    /// thread: the archive is read on the caller's thread only.
    func open(source: ByteSource) throws -> EventReader {
        let stream = DecodedStream(source: source, limits: limits)
        return try EventReader(framer: LineFramer(stream: stream, maxLineBytes: maxLineBytes),
                               options: readerOptions(modificationTime: source.modificationTime))
    }

    var archiveLimits: ArchiveLimits {
        var l = ArchiveLimits()
        l.maxRatio = Int64(maxRatio)
        return l
    }

    /// Calls `body` with a reader for `path`, or with one for each member when `path` is an
    /// archive (members are streamed out of it; nothing is extracted). Rotated members
    /// (`sdk.log.2`, `sdk.log.1.gz`, `sdk.log`) come last, as one reader over all of them,
    /// oldest first, with the `RotatedLogs` that tells which file and line each line came from.
    /// Skipped members and odd names are reported on stderr; a member that cannot be opened is
    /// reported and the others go on. False when something could not be read. `body` learns
    /// whether the reader is an archive member.
    func eachReader(_ path: String, isMember: Bool = false, _ body: (EventReader, _ isMember: Bool, _ rotation: Rotation?) -> Void) -> Bool {
        do {
            guard ArchiveReader.isArchive(path) else {
                body(try open(path), isMember, nil)
                return true
            }
            var ok = true
            try ArchiveReader.readUpload(path: path, limits: archiveLimits, streamLimits: limits) { unit in
                switch unit {
                case .skipped(let name, let reason):
                    Output.standardError("rtcdiag: \(TerminalStyle.scrub(path)):\(TerminalStyle.scrub(name)): skipped, \(reason)\n")
                case .member(let name, let source, let note):
                    if let note {
                        Output.standardError("rtcdiag: \(TerminalStyle.scrub(path)):\(TerminalStyle.scrub(name)): \(note)\n")
                    }
                    do { body(try open(source: source), true, nil) } catch { ok = false; report(error) }
                case .rotated(let chain, let source):
                    do { body(try open(source: source), true, Rotation(logs: chain) { "\(path):\($0)" }) } catch { ok = false; report(error) }
                }
            }
            return ok
        } catch {
            report(error)
            return false
        }
    }
}

/// Rotated files read as one log, and how to name one of them in evidence.
struct Rotation {
    let logs: RotatedLogs
    let source: (String) -> String
}

/// What `diagnose` reads: each input given, except that a directory stands for the files under
/// it, and rotated files of one log (`sdk.log.2`, `sdk.log.1.gz`, `sdk.log`, given together
/// or found together in a directory) are one unit, oldest first, at the place of the first.
enum ReadingUnits {
    enum Unit: Equatable {
        case input(String, fromDirectory: Bool)
        case rotated([String])
    }

    static func of(_ inputs: [String]) -> [Unit] {
        var files: [(path: String, fromDirectory: Bool)] = []
        for input in inputs {
            if input != "-", Batch.isDirectory(input) {
                // Named under the directory as given, as the user would type them.
                files += Batch.files(in: input).map { ((input as NSString).appendingPathComponent($0.name), true) }
            } else {
                files.append((input, false))
            }
        }
        let plain = files.filter { $0.path != "-" && !ArchiveReader.isArchive($0.path) }.map { (path: $0.path, name: $0.path) }
        let sets = RotatedLogs.sets(plain)
        var setOf: [String: String] = [:]
        for (base, set) in sets { for f in set { setOf[f.path] = base } }
        var units: [Unit] = []
        var done = Set<String>()
        for f in files {
            if let base = setOf[f.path] {
                if done.insert(base).inserted { units.append(.rotated(sets[base]!.map(\.path))) }
            } else {
                units.append(.input(f.path, fromDirectory: f.fromDirectory))
            }
        }
        return units
    }
}

/// Reports a fault in one input on stderr; the caller goes on with the next input.
func report(_ error: Error) {
    Output.shared.flush()
    Output.standardError("rtcdiag: \(error)\n")
}

/// `--color auto|always|never`.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    func enabled(isTerminal: Bool) -> Bool {
        switch self {
        case .always: true
        case .never: false
        case .auto: isTerminal && getenv("NO_COLOR") == nil
        }
    }
}

extension Output {
    /// Like `report`, for a message already in words.
    static func flushAndReport(_ message: String) {
        Output.shared.flush()
        Output.standardError("rtcdiag: \(message)\n")
    }
}
