import RTCDiagAnalyzers
import RTCDiagFormats
import RTCDiagTriage

/// Renders verdicts for the terminal, for a ticket (Markdown) and for tools (JSON).
public enum DiagnosisReport {
    /// The JSON layout's version; `Sources/RTCDiagReports/Schema/diagnosis-v1.schema.json` documents it.
    public static let schema = "rtcdiag.diagnosis/1"

    // MARK: Text

    /// `session 2 of 3: channel room-7, uid 2002, lines 30–80`, or nil for single-session logs
    /// that name no channel.
    static func sessionLine(_ v: Verdict) -> String? {
        let i = v.session
        var parts: [String] = []
        if let c = i.channel { parts.append("channel \(c)") }
        if let u = i.uid { parts.append("uid \(u)") }
        if let sdk = i.sdkVersion { parts.append("sdk \(sdk)") }
        if let n = i.network { parts.append("network \(n)") }
        if let e = i.edge { parts.append("edge \(e)") }
        if let r = i.region { parts.append("region \(r)") }
        if i.reconnects > 0 { parts.append("\(i.reconnects) rejoin(s)") }
        guard v.sessionCount > 1 || !parts.isEmpty else { return nil }
        parts.append("lines \(i.firstLine)–\(i.lastLine)")
        let head = v.sessionCount > 1 ? "session \(i.index + 1) of \(v.sessionCount)" : "session"
        return head + ": " + parts.joined(separator: ", ")
    }

    public static func text(_ v: Verdict, style: TerminalStyle) -> String {
        var s = style.bold(TerminalStyle.scrub(v.source)) + "\n"
        if let session = sessionLine(v) { s += "  call       \(TerminalStyle.scrub(session))\n" }
        if let device = v.device.summary { s += "  device     \(TerminalStyle.scrub(device))\n" }
        s += "  read       \(v.lines) lines, \(v.events) events with keywords examined (\(v.dialect ?? "unknown dialect"))"
        if let a = v.firstTime, let b = v.lastTime { s += ", \(formatLogTime(a)) → \(formatLogTime(b))" }
        s += "\n"
        if let o = v.omittedSessions { s += "  calls      \(TerminalStyle.scrub(omittedText(o, of: v.sessionCount)))\n" }
        if v.isUnread {
            s += "  verdict    " + style.level("none", .error) + ": no line of this input could be read (see below)\n"
            return s + toolText(v)
        }
        guard let severity = v.severity, let primary = v.primary else {
            s += "  verdict    " + style.level("healthy", .info) + ": no evidence of a call problem\n"
            s += "  checked    \(v.checked.joined(separator: ", "))\n"
            return s + toolText(v)
        }
        s += "  verdict    " + style.level("\(severity) \(primary.cause.rawValue)", severity <= .p2 ? .warning : .error)
        s += " (confidence \(percent(primary.confidence))) — \(severity.responseTarget)\n"
        for h in v.hypotheses {
            s += "  \(h.cause.rawValue.padding(8)) score \(fixed1(h.score)), confidence \(percent(h.confidence))\n"
            for r in h.reasons { s += "             - \(TerminalStyle.scrub(r))\n" }
        }
        s += "\n"
        for f in v.findings {
            s += "  " + style.level("[\(f.severity)] \(f.signature)", f.severity <= .p2 ? .warning : .error)
            s += f.subkind.map { " (\($0))" } ?? ""
            s += " → \(f.cause.rawValue), confidence \(percent(f.confidence))\n"
            s += "      \(TerminalStyle.scrub(f.detail))\n"
            if let c = f.cleared { s += "      cleared at \(formatLogTime(c))\n" }
            for e in f.evidence.examples {
                s += "      " + style.dim("\(e.source):\(e.line)") + " \(TerminalStyle.scrub(e.text))\n"
            }
            if f.evidence.count > f.evidence.examples.count {
                s += "      … and \(f.evidence.count - f.evidence.examples.count) more lines\n"
            }
        }
        s += "\n  next steps\n"
        for step in v.nextSteps { s += "    - \(step)\n" }
        return s + toolText(v)
    }

    /// `250000 calls; the 1000 most severe are listed, 249000 more only counted: 180000 healthy, …`
    static func omittedText(_ o: OmittedSessions, of total: Int) -> String {
        var parts = ["\(o.healthy) healthy"]
        for s in Severity.allCases where o.bySeverity[s.rawValue] > 0 { parts.append("\(o.bySeverity[s.rawValue]) with \(s)") }
        let signatures = o.bySignature.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }
        return "\(total) calls; the \(total - o.count) most severe are listed, \(o.count) more only counted: "
            + parts.joined(separator: ", ") + (signatures.isEmpty ? "" : " (signatures: " + signatures.joined(separator: ", ") + ")")
    }

    private static func toolText(_ v: Verdict) -> String {
        guard !v.toolProblems.isEmpty else { return "" }
        return "  reading    " + v.toolProblems.map(TerminalStyle.scrub).joined(separator: "\n             ") + "\n"
    }

    // MARK: Markdown

    /// Ticket-ready: verdict first, evidence in fenced blocks; log text never becomes markup.
    public static func markdown(_ v: Verdict) -> String {
        var s = "### rtcdiag: \(mdInline(v.source))\n\n"
        if let severity = v.severity, let primary = v.primary {
            s += "**Verdict: \(severity) — \(primary.cause.rawValue)** (confidence \(percent(primary.confidence))); "
            s += "\(severity.responseTarget).\n\n"
        } else if v.isUnread {
            s += "**No verdict** — no line of this input could be read.\n\n"
        } else {
            s += "**Verdict: healthy** — no evidence of a call problem. Checked: \(v.checked.joined(separator: ", ")).\n\n"
        }
        if let session = sessionLine(v) { s += "- Call: \(mdInline(session))\n" }
        if let device = v.device.summary { s += "- Device: \(mdInline(device))\n" }
        if let o = v.omittedSessions { s += "- Calls: \(mdInline(omittedText(o, of: v.sessionCount)))\n" }
        s += "- Log: \(v.lines) lines (\(v.events) events with keywords examined), dialect `\(v.dialect ?? "unknown")`"
        if let a = v.firstTime, let b = v.lastTime { s += ", \(formatLogTime(a)) → \(formatLogTime(b))" }
        s += "\n"
        if !v.hypotheses.isEmpty {
            s += "\n| cause | score | confidence | why |\n|---|---|---|---|\n"
            for h in v.hypotheses {
                s += "| \(h.cause.rawValue) | \(fixed1(h.score)) | \(percent(h.confidence)) | "
                s += h.reasons.map(mdCell).joined(separator: "<br>") + " |\n"
            }
        }
        for f in v.findings {
            s += "\n#### \(f.severity) `\(f.signature)`\(f.subkind.map { " (\($0))" } ?? "") → \(f.cause.rawValue)\n\n"
            s += mdInline(f.detail) + "\n\n"
            let fence = fenceFor(f.evidence.examples.map(\.text))
            s += fence + "\n"
            for e in f.evidence.examples { s += "\(e.source):\(e.line)  \(e.text)\n" }
            if f.evidence.count > f.evidence.examples.count {
                s += "… and \(f.evidence.count - f.evidence.examples.count) more lines\n"
            }
            s += fence + "\n"
        }
        if !v.nextSteps.isEmpty {
            s += "\n**Next steps**\n\n" + v.nextSteps.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        if !v.toolProblems.isEmpty {
            s += "\n_Reading notes:_ " + v.toolProblems.map(mdInline).joined(separator: "; ") + "\n"
        }
        return s
    }

    /// Escapes Markdown and HTML metacharacters in log-derived text outside code blocks.
    static func mdInline(_ s: String) -> String {
        var out = ""
        for ch in TerminalStyle.scrub(s) {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n": out += " "
            case "\\", "`", "*", "_", "[", "]", "|", "#": out += "\\\(ch)"
            default: out.append(ch)
            }
        }
        return out
    }

    static func mdCell(_ s: String) -> String { mdInline(s) }

    /// A backtick fence longer than any run of backticks inside the block.
    static func fenceFor(_ lines: [String]) -> String {
        var longest = 0
        for l in lines {
            var run = 0
            for ch in l { run = ch == "`" ? run + 1 : 0; longest = max(longest, run) }
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }

    // MARK: JSON

    public static func json(_ verdicts: [Verdict]) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("schema", schema)
        w.key("diagnoses")
        w.beginArray()
        for v in verdicts { write(v, to: &w) }
        w.endArray()
        w.endObject()
        return w.bytes + [0x0A]
    }

    private static func write(_ v: Verdict, to w: inout JSONWriter) {
        w.beginObject()
        w.field("source", v.source)
        w.field("dialect", v.dialect)
        w.field("lines", v.lines)
        w.field("events", v.events)
        w.field("first_time", v.firstTime.map { formatLogTime($0) })
        w.field("last_time", v.lastTime.map { formatLogTime($0) })
        w.key("session")
        w.beginObject()
        w.field("index", v.session.index)
        w.field("count", v.sessionCount)
        w.field("channel", v.session.channel)
        w.field("uid", v.session.uid)
        w.field("sdk_version", v.session.sdkVersion)
        w.field("edge", v.session.edge)
        w.field("region", v.session.region)
        w.field("network", v.session.network)
        w.field("first_line", v.session.firstLine)
        w.field("last_line", v.session.lastLine)
        w.field("reconnects", v.session.reconnects)
        w.key("omitted")
        if let o = v.omittedSessions {
            w.beginObject()
            w.field("count", o.count)
            w.field("healthy", o.healthy)
            w.key("by_severity")
            w.beginObject()
            for s in Severity.allCases { w.field(s.description, o.bySeverity[s.rawValue]) }
            w.endObject()
            w.key("by_signature")
            w.beginObject()
            for (k, n) in o.bySignature.sorted(by: { $0.key < $1.key }) { w.field(k, n) }
            w.endObject()
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
        w.key("device")
        w.beginObject()
        w.field("manufacturer", v.device.manufacturer)
        w.field("model", v.device.model)
        w.field("os", v.device.os)
        w.field("hardware", v.device.hardware)
        w.endObject()
        w.key("healthy"); w.bool(v.isHealthy)
        w.field("severity", v.severity.map { "\($0)" })
        w.field("response_target", v.severity?.responseTarget)
        w.field("root_cause", v.primary?.cause.rawValue)
        w.key("confidence"); if let p = v.primary { w.double(p.confidence) } else { w.null() }
        w.key("hypotheses")
        w.beginArray()
        for h in v.hypotheses {
            w.beginObject()
            w.field("cause", h.cause.rawValue)
            w.key("score"); w.double(h.score)
            w.key("confidence"); w.double(h.confidence)
            w.key("reasons"); w.beginArray(); h.reasons.forEach { w.string($0) }; w.endArray()
            w.endObject()
        }
        w.endArray()
        w.key("findings")
        w.beginArray()
        for f in v.findings {
            w.beginObject()
            w.field("signature", f.signature)
            w.field("subkind", f.subkind)
            w.field("title", f.title)
            w.field("cause", f.cause.rawValue)
            w.field("severity", "\(f.severity)")
            w.key("confidence"); w.double(f.confidence)
            w.field("detail", f.detail)
            w.field("first_time", f.evidence.firstTime.map { formatLogTime($0) })
            w.field("last_time", f.evidence.lastTime.map { formatLogTime($0) })
            w.field("cleared_time", f.cleared.map { formatLogTime($0) })
            w.key("measurements")
            w.beginObject()
            for m in f.measurements { w.key(m.name); w.double(m.value) }
            w.endObject()
            w.field("evidence_count", f.evidence.count)
            w.key("evidence")
            w.evidence(f.evidence.examples)
            w.field("remediation", f.remediation)
            w.endObject()
        }
        w.endArray()
        w.key("next_steps"); w.beginArray(); v.nextSteps.forEach { w.string($0) }; w.endArray()
        w.key("checked"); w.beginArray(); v.checked.forEach { w.string($0) }; w.endArray()
        w.key("tool_problems"); w.beginArray(); v.toolProblems.forEach { w.string($0) }; w.endArray()
        w.endObject()
    }

    static func percent(_ v: Double) -> String { "\(Int((v * 100).rounded()))%" }
    static func fixed1(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
