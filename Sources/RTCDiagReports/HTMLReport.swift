import RTCDiagAnalyzers
import RTCDiagFormats
import RTCDiagStore
import RTCDiagTriage

/// Self-contained HTML pages: one file, inline CSS and SVG, no scripts, no external assets, so
/// it opens offline and can be attached to a ticket. Written in XHTML syntax (every element
/// closed, only the five XML entities), so it also parses as XML; every piece of log text goes
/// through `escape`.
public enum HTMLReport {
    /// The page for `diagnose`: per call, the verdict, a timeline and the evidence.
    public static func diagnosis(_ verdicts: [Verdict], title: String = "rtcdiag diagnosis") -> String {
        var body = "<h1>\(escape(title))</h1>\n"
        if verdicts.isEmpty { body += "<p>No input could be read.</p>\n" }
        for (i, v) in verdicts.enumerated() { body += section(v, id: i) }
        return page(title: title, body: body)
    }

    /// The dashboard for `report`: the aggregate views of a batch store as charts and tables.
    public static func batch(_ s: BatchSummary, store: String) -> String {
        var b = "<h1>rtcdiag batch report: \(escape(store))</h1>\n<ul class=\"totals\">\n"
        b += "<li>Uploads: " + escape(s.uploads.map { "\($0.count) \($0.key)" }.joined(separator: ", ")) + "</li>\n"
        b += "<li>Files in them: " + escape(s.members.map { "\($0.count) \($0.key)" }.joined(separator: ", ")) + "</li>\n"
        b += "<li>Calls: <span class=\"n\" id=\"calls\">\(s.sessions)</span>, with findings: "
        b += "<span class=\"n\" id=\"failing\">\(s.failingSessions)</span></li>\n</ul>\n"
        b += "<div class=\"charts\">\n"
        b += chart("Root cause", id: "by-cause", s.byCause)
        b += chart("Severity", id: "by-severity", s.bySeverity)
        b += chart("Signatures", id: "by-signature", s.bySignature)
        b += "</div>\n"
        if !s.byDay.isEmpty { b += dayChart(s.byDay) }
        b += "<h2>Devices over-represented among client-side failures</h2>\n"
        if s.devices.isEmpty {
            b += "<p>No device model stands out (one-sided two-proportion z-test, p &lt; 0.05, at least \(s.minSupport) calls per model).</p>\n"
        } else {
            b += "<table id=\"devices\"><tr><th>device</th><th>calls</th><th>client failures</th><th>rate</th><th>other devices</th><th>z</th><th>p</th></tr>\n"
            for d in s.devices {
                b += "<tr><td>\(escape(d.model))</td><td>\(d.sessions)</td><td>\(d.clientFailures)</td>"
                b += "<td>\(DiagnosisReport.percent(d.rate))</td><td>\(DiagnosisReport.percent(d.othersRate))</td>"
                b += "<td>\(DiagnosisReport.fixed1(d.z))</td><td>\(BatchReport.p(d.p))</td></tr>\n"
            }
            b += "</table>\n"
        }
        if s.devicesBelowSupport > 0 {
            b += "<p class=\"note\">\(s.devicesBelowSupport) model(s) with client failures had fewer than \(s.minSupport) calls and were not judged.</p>\n"
        }
        if !s.templates.isEmpty {
            b += "<h2>Recurring evidence lines</h2>\n<table id=\"templates\"><tr><th>times</th><th>line (numbers as #)</th></tr>\n"
            for t in s.templates { b += "<tr><td>\(t.count)</td><td><code>\(escape(t.key))</code></td></tr>\n" }
            b += "</table>\n"
        }
        if !s.failures.isEmpty {
            b += "<h2>Not read</h2>\n<ul>\n"
            for f in s.failures.prefix(100) { b += "<li><code>\(escape(f.path))</code>: \(escape(f.reason))</li>\n" }
            b += "</ul>\n"
        }
        return page(title: "rtcdiag batch report", body: b)
    }

    /// Text as HTML: the five XML entities, and control bytes (which XML cannot carry) dropped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(ch)
            default:
                if ch.value < 0x20 || ch.value == 0x7F || (0xFFFE...0xFFFF).contains(ch.value) { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    // MARK: - Pieces

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8" />
        <title>\(escape(title))</title>
        <style>
        body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; padding: 0 1em; }
        h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
        section.call { border-top: 2px solid #ddd; margin-top: 2em; }
        .verdict { font-size: 1.1em; font-weight: 600; }
        .P0, .P1 { color: #b00020; } .P2 { color: #b35c00; } .P3, .healthy { color: #2b7a0b; }
        table { border-collapse: collapse; margin: .6em 0; } td, th { border: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }
        pre, code { font: 12px/1.35 ui-monospace, monospace; } pre { background: #f6f6f6; padding: .6em; overflow-x: auto; white-space: pre-wrap; }
        .charts { display: flex; flex-wrap: wrap; gap: 2em; } .note { color: #666; }
        svg text { font: 11px system-ui, sans-serif; fill: #444; }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    static func section(_ v: Verdict, id: Int) -> String {
        var s = "<section class=\"call\" id=\"call-\(id)\">\n<h2>\(escape(v.source))</h2>\n<ul>\n"
        if let line = DiagnosisReport.sessionLine(v) { s += "<li>Call: \(escape(line))</li>\n" }
        if let device = v.device.summary { s += "<li>Device: \(escape(device))</li>\n" }
        s += "<li>Log: \(v.lines) lines, \(v.events) events with keywords examined, dialect \(escape(v.dialect ?? "unknown"))"
        if let a = v.firstTime, let b = v.lastTime { s += ", \(escape(formatLogTime(a))) → \(escape(formatLogTime(b)))" }
        s += "</li>\n</ul>\n"
        if let severity = v.severity, let primary = v.primary {
            s += "<p class=\"verdict \(severity)\">\(severity) — \(primary.cause.rawValue) "
            s += "(confidence \(DiagnosisReport.percent(primary.confidence))); \(escape(severity.responseTarget))</p>\n"
            s += "<table class=\"hypotheses\"><tr><th>cause</th><th>score</th><th>confidence</th><th>why</th></tr>\n"
            for h in v.hypotheses {
                s += "<tr><td>\(h.cause.rawValue)</td><td>\(DiagnosisReport.fixed1(h.score))</td>"
                s += "<td>\(DiagnosisReport.percent(h.confidence))</td><td>"
                s += h.reasons.map(escape).joined(separator: "<br />") + "</td></tr>\n"
            }
            s += "</table>\n"
        } else if v.isUnread {
            s += "<p class=\"verdict P0\">No verdict — no line of this input could be read.</p>\n"
        } else {
            s += "<p class=\"verdict healthy\">Healthy — no evidence of a call problem. Checked: \(escape(v.checked.joined(separator: ", "))).</p>\n"
        }
        if !v.timeline.isEmpty { s += timeline(v) }
        for f in v.findings {
            s += "<h3 class=\"\(f.severity)\">\(f.severity) <code>\(escape(f.signature))</code>"
            s += (f.subkind.map { " (\(escape($0)))" } ?? "") + " → \(f.cause.rawValue)</h3>\n"
            s += "<p>\(escape(f.detail))</p>\n<pre class=\"evidence\">"
            s += f.evidence.examples.map { e in
                escape("\(e.source):\(e.line)  \(e.text)")
            }.joined(separator: "\n")
            if f.evidence.count > f.evidence.examples.count {
                s += "\n… and \(f.evidence.count - f.evidence.examples.count) more lines"
            }
            s += "</pre>\n"
        }
        if !v.nextSteps.isEmpty {
            s += "<h3>Next steps</h3>\n<ul>\n" + v.nextSteps.map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
        }
        if !v.toolProblems.isEmpty {
            s += "<h3>Reading the log</h3>\n<ul>\n" + v.toolProblems.map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
        }
        return s + "</section>\n"
    }

    static let markColors = ["ICE": "#7b1fa2", "network": "#1565c0", "audio route": "#00838f", "session": "#555555",
                             "echo": "#c62828", "device": "#ef6c00", "signalling": "#6a1b9a", "service": "#37474f"]
    static let seriesColors = ["loss %": "#c62828", "RTT ms": "#1565c0"]

    /// The call over time: loss and RTT as lines (each on its own scale), and a tick for each
    /// ICE/network/audio-route change, join/leave, echo report, device failure, signalling
    /// failure and refusal by the service.
    static func timeline(_ v: Verdict) -> String {
        let tl = v.timeline
        var times = tl.marks.map(\.time) + tl.series.values.flatMap { $0.map(\.time) }
        if let a = v.firstTime { times.append(a) }
        if let b = v.lastTime { times.append(b) }
        guard let t0 = times.min(), let t1 = times.max() else { return "" }
        let width = 880.0, height = 210.0, left = 10.0, right = 10.0, top = 24.0, bottom = 30.0
        let span = Double(max(t1 - t0, 1))
        func x(_ t: Int64) -> Double { left + Double(t - t0) / span * (width - left - right) }
        func f(_ v: Double) -> String { DiagnosisReport.fixed1(v) }
        var svg = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"timeline of the call\">\n"
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" height=\"\(f(height - top - bottom))\" fill=\"#fafafa\" stroke=\"#ccc\" />\n"
        for m in tl.marks {
            let color = markColors[m.kind] ?? "#888888"
            svg += "<line class=\"mark\" data-kind=\"\(escape(m.kind))\" x1=\"\(f(x(m.time)))\" x2=\"\(f(x(m.time)))\" y1=\"\(f(top))\" "
            svg += "y2=\"\(f(height - bottom))\" stroke=\"\(color)\" stroke-width=\"1.5\"><title>\(escape(formatLogTime(m.time))) "
            svg += "\(escape(m.kind)): \(escape(m.label))</title></line>\n"
        }
        var axis = 0
        for name in tl.series.keys.sorted() {
            let points = tl.series[name]!
            let peak = max(points.map(\.value).max() ?? 0, name == "loss %" ? 10 : 100)
            let plot = points.map { p in
                "\(f(x(p.time))),\(f(height - bottom - p.value / peak * (height - top - bottom)))"
            }.joined(separator: " ")
            let color = seriesColors[name] ?? "#333333"
            svg += "<polyline class=\"series\" data-series=\"\(escape(name))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(plot)\"><title>\(escape(name)), peak \(f(peak))</title></polyline>\n"
            // Each series on its own scale: its name and top value above the plot, left then right.
            let anchor = axis == 0 ? "start" : "end"
            let labelX = axis == 0 ? left : width - right
            svg += "<text x=\"\(f(labelX))\" y=\"\(f(top - 8))\" text-anchor=\"\(anchor)\" fill=\"\(color)\">\(escape(name)) (top: \(f(peak)))</text>\n"
            axis += 1
        }
        svg += "<text x=\"\(f(left))\" y=\"\(f(height - 10))\">\(escape(formatLogTime(t0)))</text>\n"
        svg += "<text x=\"\(f(width - right))\" y=\"\(f(height - 10))\" text-anchor=\"end\">\(escape(formatLogTime(t1)))</text>\n"
        svg += "</svg>\n"
        let kinds = Set(tl.marks.map(\.kind)).sorted()
        let legend = kinds.map { "<span style=\"color:\(markColors[$0] ?? "#888888")\">│ \(escape($0))</span>" }.joined(separator: " ")
        return "<figure>\n\(svg)<figcaption>\(legend)</figcaption>\n</figure>\n"
    }

    /// Horizontal bars, one per row, labelled with the key and the count.
    static func chart(_ title: String, id: String, _ rows: [BatchSummary.Count]) -> String {
        guard !rows.isEmpty else { return "" }
        let peak = Double(rows.map(\.count).max() ?? 1)
        let rowHeight = 20.0, labelWidth = 150.0, barWidth = 220.0
        let height = rowHeight * Double(rows.count) + 4
        var svg = "<figure><figcaption>\(escape(title))</figcaption>\n"
        svg += "<svg id=\"\(id)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelWidth + barWidth + 60))\" height=\"\(Int(height))\">\n"
        for (i, r) in rows.enumerated() {
            let y = Double(i) * rowHeight + 2
            let w = max(1, Double(r.count) / peak * barWidth)
            svg += "<text x=\"0\" y=\"\(DiagnosisReport.fixed1(y + 14))\">\(escape(r.key))</text>"
            svg += "<rect class=\"bar\" data-key=\"\(escape(r.key))\" data-count=\"\(r.count)\" x=\"\(Int(labelWidth))\" y=\"\(DiagnosisReport.fixed1(y + 3))\" "
            svg += "width=\"\(DiagnosisReport.fixed1(w))\" height=\"14\" fill=\"#5c7cfa\" />"
            svg += "<text x=\"\(DiagnosisReport.fixed1(labelWidth + w + 4))\" y=\"\(DiagnosisReport.fixed1(y + 14))\">\(r.count)</text>\n"
        }
        return svg + "</svg></figure>\n"
    }

    /// Calls per day, with the share that had findings darker.
    static func dayChart(_ days: [(day: String, sessions: Int, failing: Int)]) -> String {
        let peak = Double(days.map(\.sessions).max() ?? 1)
        let barWidth = max(4.0, min(24.0, 860.0 / Double(days.count))), height = 140.0
        var svg = "<h2>Calls per day</h2>\n<svg id=\"by-day\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(barWidth * Double(days.count) + 20))\" height=\"\(Int(height + 20))\">\n"
        for (i, d) in days.enumerated() {
            let x = Double(i) * barWidth + 10
            let h = Double(d.sessions) / peak * height, hf = Double(d.failing) / peak * height
            svg += "<rect x=\"\(DiagnosisReport.fixed1(x))\" y=\"\(DiagnosisReport.fixed1(height - h))\" width=\"\(DiagnosisReport.fixed1(barWidth - 2))\" height=\"\(DiagnosisReport.fixed1(h))\" fill=\"#c5d0fa\"><title>\(escape(d.day)): \(d.sessions) calls, \(d.failing) with findings</title></rect>"
            svg += "<rect x=\"\(DiagnosisReport.fixed1(x))\" y=\"\(DiagnosisReport.fixed1(height - hf))\" width=\"\(DiagnosisReport.fixed1(barWidth - 2))\" height=\"\(DiagnosisReport.fixed1(hf))\" fill=\"#d9480f\" />\n"
        }
        if let first = days.first, let last = days.last {
            svg += "<text x=\"10\" y=\"\(Int(height + 15))\">\(escape(first.day))</text>"
            svg += "<text x=\"\(Int(barWidth * Double(days.count) + 10))\" y=\"\(Int(height + 15))\" text-anchor=\"end\">\(escape(last.day))</text>\n"
        }
        return svg + "</svg>\n"
    }
}
