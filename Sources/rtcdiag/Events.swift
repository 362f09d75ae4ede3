import ArgumentParser
import RTCDiagKit

/// `rtcdiag events`: one parsed event per line, as text or JSON lines.
struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print parsed events: time, level, pid/tid, tag, message.",
        discussion: """
            --json prints one object per event with the keys source, line, lines, offset, time, \
            time_kind, utc_offset, level, pid, tid, tag, message, origin, dialect, flags (and fields \
            with --fields). Continuation lines (stack traces, wrapped text) are part of the message.
            """)

    @OptionGroup var input: InputOptions

    @Flag(help: "One JSON object per event (JSON lines).")
    var json = false

    @Flag(help: "Add key-value fields pulled from the message (key=value, key: value, embedded JSON).")
    var fields = false

    @Option(help: "Colour levels: auto (only on a terminal), always, never.")
    var color: ColorChoice = .auto

    func run() throws {
        let style = TerminalStyle(enabled: !json && color.enabled(isTerminal: Output.shared.isTerminal))
        let prefixSource = input.inputs.count > 1
        var failed = false
        for path in input.inputs {
            do {
                let reader = try input.open(path)
                while let view = try reader.next() {
                    let e = view.materialize(source: reader.name)
                    if json { writeJSON(e) } else { writeText(e, style: style, prefix: prefixSource) }
                }
            } catch {
                failed = true
                report(error)
            }
        }
        try finish(failed ? ExitStatus.inputError : ExitStatus.ok)
    }

    private func writeText(_ e: Event, style: TerminalStyle, prefix: Bool) {
        var s = prefix ? "\(e.source):\(e.lineNumber): " : ""
        s += e.timeText ?? "-"
        s += " " + style.level(String(e.level.letter), e.level)
        if let pid = e.pid { s += " \(pid)" + (e.tid.map { "/\($0)" } ?? "") }
        if !e.tag.isEmpty { s += " " + style.bold(TerminalStyle.scrub(e.tag)) + ":" }
        s += " " + TerminalStyle.scrub(e.message).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ") + "\n"
        Output.shared.write(s)
    }

    private func writeJSON(_ e: Event) {
        var w = JSONWriter()
        w.beginObject()
        w.field("source", e.source)
        w.field("line", e.lineNumber)
        w.field("lines", e.lineCount)
        w.field("offset", e.offset)
        w.field("time", e.timeText)
        w.field("time_kind", e.time == nil ? nil : "\(e.timeKind)")
        w.field("utc_offset", e.utcOffset)
        w.field("level", e.level.description)
        w.field("pid", e.pid)
        w.field("tid", e.tid)
        w.field("tag", e.tag)
        w.field("message", e.message)
        w.field("origin", e.origin)
        w.field("dialect", e.dialect)
        w.key("flags")
        w.beginArray()
        for (flag, name) in [(EventFlags.unparsed, "unparsed"), (.truncated, "truncated"), (.pasteCleaned, "paste_cleaned"),
                             (.otherDialect, "other_dialect"), (.capped, "capped")] where e.flags.contains(flag) {
            w.string(name)
        }
        w.endArray()
        if fields {
            w.key("fields")
            w.beginObject()
            for (k, v) in e.fields { w.field(k, v) }
            w.endObject()
        }
        w.endObject()
        Output.shared.write(w.bytes)
        Output.shared.write([0x0A])
    }
}
