import RTCDiagStore

/// Renders the aggregate views of a batch store (`rtcdiag report`).
public enum BatchReport {
    /// Markdown: counts first, then the device view, days, recurring lines and failures.
    /// Log text only ever appears inside code spans with its backticks removed.
    public static func markdown(_ s: BatchSummary, store: String) -> String {
        var out = "# rtcdiag batch report: \(DiagnosisReport.mdInline(store))\n\n"
        let uploads = s.uploads.map { "\($0.count) \($0.key)" }.joined(separator: ", ")
        let members = s.members.map { "\($0.count) \($0.key)" }.joined(separator: ", ")
        out += "- Uploads: \(uploads.isEmpty ? "none" : uploads)\n"
        out += "- Files in them: \(members.isEmpty ? "none" : members)\n"
        out += "- Calls: \(s.sessions), with findings: \(s.failingSessions)"
        if s.sessions > 0 { out += " (\(DiagnosisReport.percent(Double(s.failingSessions) / Double(s.sessions))))" }
        out += "\n\n"
        func table(_ title: String, _ header: String, _ rows: [BatchSummary.Count]) {
            guard !rows.isEmpty else { return }
            out += "## \(title)\n\n| \(header) | calls |\n|---|---:|\n"
            for r in rows { out += "| \(DiagnosisReport.mdCell(r.key)) | \(r.count) |\n" }
            out += "\n"
        }
        table("Root cause", "cause", s.byCause)
        table("Severity", "severity", s.bySeverity)
        table("Signatures", "signature", s.bySignature)
        out += "## Devices over-represented among client-side failures\n\n"
        if s.devices.isEmpty {
            out += "No device model stands out (one-sided two-proportion z-test, p < 0.05, at least \(s.minSupport) calls per model)"
        } else {
            out += "| device | calls | client failures | rate | other devices | z | p |\n|---|---:|---:|---:|---:|---:|---:|\n"
            for d in s.devices {
                out += "| \(DiagnosisReport.mdCell(d.model)) | \(d.sessions) | \(d.clientFailures) | "
                out += "\(DiagnosisReport.percent(d.rate)) | \(DiagnosisReport.percent(d.othersRate)) | "
                out += "\(DiagnosisReport.fixed1(d.z)) | \(p(d.p)) |\n"
            }
            out += "\nOne-sided two-proportion z-test against all other calls; models with fewer than \(s.minSupport) calls are not judged"
        }
        out += s.devicesBelowSupport > 0 ? " (\(s.devicesBelowSupport) model(s) with client failures had too few calls).\n\n" : ".\n\n"
        if !s.byDay.isEmpty {
            out += "## Calls per day\n\n| day | calls | with findings |\n|---|---:|---:|\n"
            for d in s.byDay { out += "| \(DiagnosisReport.mdCell(d.day)) | \(d.sessions) | \(d.failing) |\n" }
            out += "\n"
        }
        if !s.templates.isEmpty {
            out += "## Recurring evidence lines\n\n| times | line (numbers as #) |\n|---:|---|\n"
            for t in s.templates { out += "| \(t.count) | `\(t.key.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|"))` |\n" }
            out += "\n"
        }
        if !s.failures.isEmpty {
            out += "## Not read\n\n"
            for f in s.failures.prefix(50) { out += "- \(DiagnosisReport.mdInline(f.path)): \(DiagnosisReport.mdInline(f.reason))\n" }
            if s.failures.count > 50 { out += "- … and \(s.failures.count - 50) more\n" }
        }
        return out
    }

    static func p(_ v: Double) -> String { v < 0.0001 ? "< 0.0001" : String(Double(Int(v * 10000)) / 10000) }
}
