import ArgumentParser
import RTCDiagKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `rtcdiag stats`: what an input is, how it was read, and what is in it.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarize logs: codec, detected format with scores, time span, lines per level, top tags, speed.",
        discussion: "'lines' counts every line including a last one without newline; 'newlines' is what wc -l prints.")

    @OptionGroup var input: InputOptions

    @Flag(help: "Print one JSON object per input.")
    var json = false

    @Option(help: "How many top tags to list.")
    var top: Int = 10

    func run() throws {
        var failed = false
        for path in input.inputs {
            var summary = Summary(path: path)
            let started = monotonicSeconds()
            do {
                let reader = try input.open(path)
                summary.reader = reader
                while let e = try reader.next() { summary.stats.add(e) }
            } catch {
                failed = true
                summary.error = "\(error)"
                report(error)
            }
            summary.seconds = monotonicSeconds() - started
            if json { Output.shared.write(summary.json(top: top)) } else { Output.shared.write(summary.text(top: top)) }
        }
        try finish(failed ? ExitStatus.inputError : ExitStatus.ok)
    }
}

/// One input's figures, rendered as text or JSON.
struct Summary {
    var path: String
    var reader: EventReader?
    var stats = EventStats()
    var seconds = 0.0
    var error: String?

    private var stream: DecodedStream? { reader?.framer.decodedStream }

    func text(top: Int) -> String {
        var s = "\(path)\n"
        guard let reader, let stream else {
            return s + "  error       \(error ?? "unreadable")\n"
        }
        let framer = reader.framer
        let c = reader.counts
        s += "  codec       \(stream.codec.rawValue)"
        if stream.codec != .plain {
            let ratio = Double(stream.decodedBytes) / Double(max(stream.compressedBytesRead, 1))
            s += " (\(stream.compressedBytesRead) bytes → \(stream.decodedBytes) bytes, \(fixed(ratio, 1))×)"
        } else {
            s += " (\(stream.decodedBytes) bytes)"
        }
        s += "\n  format      \(reader.detection.chosen ?? "unknown (no dialect matched; lines kept as unparsed events)")"
        s += reader.detection.forced ? " (forced)\n" : "\n"
        if !reader.detection.forced {
            let shown = reader.detection.scores.filter { $0.parsed > 0 }.prefix(4)
            let parts = shown.map { "\($0.dialect) \(fixed($0.score, 2)) (\($0.parsed)/\($0.considered))" }
            s += "  detection   \(parts.isEmpty ? "no dialect matched the first lines" : parts.joined(separator: ", "))\n"
        }
        s += "  lines       \(framer.lineCount) (newlines \(framer.newlineCount), blank \(c.blankLines)"
        s += framer.splitLineCount > 0 ? ", \(framer.splitLineCount) over \(framer.maxLineBytes) bytes split)\n" : ")\n"
        s += "  events      \(stats.events) (unparsed \(c.unparsedEvents), continuation lines \(c.continuationLines)"
        if c.pasteCleanedLines > 0 { s += ", paste-cleaned \(c.pasteCleanedLines)" }
        if c.otherDialectLines > 0 { s += ", other dialects \(c.otherDialectLines)" }
        if c.skippedByWindow > 0 { s += ", outside window \(c.skippedByWindow)" }
        s += ")\n"
        if let lo = stats.minTime, let hi = stats.maxTime {
            s += "  time span   \(formatLogTime(lo)) → \(formatLogTime(hi)) (\(duration(hi - lo)))"
            s += stats.backwardJumps > 0 ? ", \(stats.backwardJumps) backward jumps\n" : "\n"
        } else {
            s += "  time span   -\n"
        }
        let levels: [Level] = [.verbose, .debug, .info, .warning, .error, .fatal, .unknown]
        s += "  levels      " + levels.map { "\($0.letter) \(stats.count($0))" }.joined(separator: "  ") + "\n"
        let tags = stats.topTags(top)
        if !tags.isEmpty {
            s += "  top tags    " + tags.map { "\(TerminalStyle.scrub($0.tag)) \($0.count)" }.joined(separator: ", ")
            s += stats.distinctTags > tags.count ? " (\(stats.distinctTags) distinct)\n" : "\n"
        }
        let mb = Double(stream.decodedBytes) / 1_000_000
        s += "  speed       \(fixed(mb, 1)) MB in \(fixed(seconds, 3)) s = \(fixed(seconds > 0 ? mb / seconds : 0, 0)) MB/s\n"
        if let error { s += "  error       \(error)\n" }
        return s
    }

    func json(top: Int) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("input", path)
        if let reader, let stream {
            let c = reader.counts
            w.field("codec", stream.codec.rawValue)
            w.field("compressed_bytes", stream.compressedBytesRead)
            w.field("decoded_bytes", stream.decodedBytes)
            w.field("format", reader.detection.chosen)
            w.key("format_forced"); w.bool(reader.detection.forced)
            w.key("detection")
            w.beginArray()
            for sc in reader.detection.scores {
                w.beginObject()
                w.field("dialect", sc.dialect)
                w.field("parsed", sc.parsed)
                w.field("considered", sc.considered)
                w.key("score"); w.double(sc.score)
                w.endObject()
            }
            w.endArray()
            w.field("lines", reader.framer.lineCount)
            w.field("newlines", reader.framer.newlineCount)
            w.field("split_lines", reader.framer.splitLineCount)
            w.field("blank_lines", c.blankLines)
            w.field("events", stats.events)
            w.field("unparsed_events", c.unparsedEvents)
            w.field("continuation_lines", c.continuationLines)
            w.field("paste_cleaned_lines", c.pasteCleanedLines)
            w.field("other_dialect_lines", c.otherDialectLines)
            w.field("outside_window", c.skippedByWindow)
            w.field("first_time", stats.minTime.map { formatLogTime($0) })
            w.field("last_time", stats.maxTime.map { formatLogTime($0) })
            w.field("backward_jumps", stats.backwardJumps)
            w.key("levels")
            w.beginObject()
            for l in Level.allCases { w.field(l.description, stats.count(l)) }
            w.endObject()
            w.key("top_tags")
            w.beginArray()
            for t in stats.topTags(top) {
                w.beginObject(); w.field("tag", t.tag); w.field("count", t.count); w.endObject()
            }
            w.endArray()
            w.key("seconds"); w.double(seconds)
            w.key("mb_per_s"); w.double(seconds > 0 ? Double(stream.decodedBytes) / 1_000_000 / seconds : 0, decimals: 1)
        }
        w.field("error", error)
        w.endObject()
        return w.bytes + [0x0A]
    }
}

/// `1h02m03s` for microseconds.
func duration(_ micros: Int64) -> String {
    let s = micros / 1_000_000
    if s >= 3600 { return "\(s / 3600)h\(String(format2(s / 60 % 60)))m\(format2(s % 60))s" }
    if s >= 60 { return "\(s / 60)m\(format2(s % 60))s" }
    return "\(fixed(Double(micros) / 1e6, 3))s"
}

private func format2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
