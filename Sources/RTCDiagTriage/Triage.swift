import RTCDiagAnalyzers

/// One candidate explanation: a root cause, its share of the evidence, and why.
public struct Hypothesis: Sendable {
    public var cause: RootCause
    /// Summed weight of the findings attributed to this cause (see `Triage`).
    public var score: Double
    /// Share of all weight, 0…1, tempered by how sure the findings are.
    public var confidence: Double
    public var reasons: [String]
}

/// The verdict for one session of one input: what to paste into the ticket.
public struct Verdict: Sendable {
    public var source: String
    public var session: SessionInfo
    /// How many sessions the input held (reports name the session when there are several).
    public var sessionCount: Int
    /// What happened when in this session (for the HTML timeline).
    public var timeline = Timeline()
    /// On the first verdict of an input with more calls than the report keeps: the ones left out.
    public var omittedSessions: OmittedSessions?
    public var dialect: String?
    public var device: DeviceInfo
    public var findings: [Finding]
    /// Ranked, most likely first; empty when nothing was found.
    public var hypotheses: [Hypothesis]
    /// The most severe finding's severity; nil for a healthy log.
    public var severity: Severity?
    public var toolProblems: [String]
    public var checked: [String]
    /// Lines read, and events examined (those holding a keyword).
    public var lines: Int
    public var events: Int
    public var firstTime: Int64?
    public var lastTime: Int64?

    /// Nothing found in lines that were read. A log of which no line could be read (binary,
    /// empty, unreadable) is not healthy: there is no verdict (`isUnread`).
    public var isHealthy: Bool { findings.isEmpty && lines > 0 }
    public var isUnread: Bool { findings.isEmpty && lines == 0 }
    public var primary: Hypothesis? { hypotheses.first }

    /// Remediation of the findings behind the primary cause, most severe first, without repeats.
    public var nextSteps: [String] {
        guard let primary else { return [] }
        var seen = Set<String>()
        return findings.filter { $0.cause == primary.cause }.compactMap { seen.insert($0.remediation).inserted ? $0.remediation : nil }
    }
}

/// Combines a session's findings into ranked client / link / server hypotheses.
///
/// Scoring, in the order applied:
/// 1. Each finding adds `weight(severity) × confidence` to its cause; weights P0 = 8, P1 = 4,
///    P2 = 2, P3 = 1, so one P0 outweighs several P2s.
/// 2. Route flapping on the network together with loss/RTT findings: the loss is read as a
///    consequence of the path changes — both count for the link, with the link's score raised
///    by a quarter, and the reason says so.
/// 3. Symptoms a link problem explains are not counted against the client: when link findings
///    exist, client findings whose signature is in `explainedByLink` weigh half.
/// 4. Server findings while client and link are clean: the server hypothesis gets the full
///    share; with link trouble beside them, the server's confidence is lowered by a third,
///    because network failures also surface as signalling errors.
/// Confidence is the cause's share of all weight times the mean confidence of its findings.
public enum Triage {
    public static let explainedByLink: Set<String> = ["packet_loss", "capture_stall"]

    public static func weight(_ s: Severity) -> Double {
        switch s {
        case .p0: 8
        case .p1: 4
        case .p2: 2
        case .p3: 1
        }
    }

    /// One verdict per session of the input.
    public static func verdicts(for r: AnalysisResult) -> [Verdict] {
        var out = r.sessions.map { verdict(for: r, session: $0) }
        if r.omittedSessions.count > 0, !out.isEmpty { out[0].omittedSessions = r.omittedSessions }
        return out
    }

    static func verdict(for r: AnalysisResult, session: SessionResult) -> Verdict {
        let findings = session.findings
        var score: [RootCause: Double] = [:]
        var sure: [RootCause: [Double]] = [:]
        var reasons: [RootCause: [String]] = [:]
        let linkFindings = findings.filter { $0.cause == .link }
        let flapping = findings.contains { $0.signature == "route_flapping" && $0.cause == .link }
        let loss = findings.contains { $0.signature == "packet_loss" }
        for f in findings {
            var w = weight(f.severity) * f.confidence
            if f.cause == .client, !linkFindings.isEmpty, explainedByLink.contains(f.signature) { w /= 2 }
            score[f.cause, default: 0] += w
            sure[f.cause, default: []].append(f.confidence)
            reasons[f.cause, default: []].append("\(f.signature)\(f.subkind.map { " (\($0))" } ?? "") \(f.severity): \(f.detail)")
        }
        if flapping && loss {
            score[.link, default: 0] *= 1.25
            reasons[.link, default: []].append("loss/RTT coincide with route changes: the path, not the endpoints, is degrading")
        }
        let total = score.values.reduce(0, +)
        var hypotheses: [Hypothesis] = []
        for (cause, s) in score where s > 0 {
            let mean = sure[cause]!.reduce(0, +) / Double(sure[cause]!.count)
            var confidence = (s / total) * mean
            var why = reasons[cause] ?? []
            if cause == .server {
                if linkFindings.isEmpty && score[.client, default: 0] == 0 {
                    why.append("client and network look clean, so the server side is the likely cause")
                } else if !linkFindings.isEmpty {
                    confidence *= 2.0 / 3.0
                    why.append("network trouble at the same time can also surface as server errors")
                }
            }
            hypotheses.append(Hypothesis(cause: cause, score: s, confidence: min(1, confidence), reasons: why))
        }
        hypotheses.sort { $0.score != $1.score ? $0.score > $1.score : $0.cause < $1.cause }
        let severity = findings.map(\.severity).max()
        let single = r.sessions.count == 1
        return Verdict(source: r.source, session: session.info, sessionCount: r.sessionCount, timeline: session.timeline,
                       dialect: r.dialect,
                       device: r.device, findings: findings, hypotheses: hypotheses, severity: severity,
                       toolProblems: r.toolProblems, checked: r.checked, lines: r.lines, events: r.events,
                       firstTime: single ? r.firstTime : session.info.start ?? r.firstTime,
                       lastTime: single ? r.lastTime : session.info.end ?? r.lastTime)
    }
}
