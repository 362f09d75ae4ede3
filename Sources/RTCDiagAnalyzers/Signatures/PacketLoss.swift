import RTCDiagFormats

/// `packet_loss`: loss or round-trip time above a threshold in k of the last n periodic stats
/// samples, as call-quality services judge it (k = 3, n = 5; loss > 5 %, RTT > 400 ms). The
/// finding says when the condition cleared.
///
/// Sources: W3C webrtc-stats as web SDKs dump them (`remote-inbound-rtp` `fractionLost`, 0…1, and
/// `roundTripTime`, seconds; the candidate pair's `currentRoundTripTime`, seconds — not the
/// cumulative `totalRoundTripTime`); libwebrtc's legacy stats reports (`googRtt: …`, ms); the
/// periodic `rtt=… loss=…` stats lines RTC SDKs print (vendor docs of `onRtcStats` / network
/// quality); Twilio Voice's call-quality samples (`packetsLostFraction` / insights'
/// `"packets_lost_fraction"`, in percent — its own warning fires above 1 % — and `"rtt"` in ms).
public struct PacketLossAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "packet_loss",
        name: "Packet loss / high RTT",
        summary: "Periodic stats show loss above 5 % or RTT above 400 ms in 3 of 5 consecutive samples.",
        defaultCause: .link, defaultSeverity: .p2,
        remediation: "Check the user's network (Wi-Fi signal, congestion, cellular coverage); compare with the edge "
            + "server's loss figures; consider a closer region or TCP/TURN fallback.",
        keywords: ["loss=", "loss:", "lossRate=", "rtt=", "fractionLost", "RoundTripTime", "googRtt", "\"rtt\":",
                   "packets_lost_fraction", "packetsLostFraction"],
        triggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:05.000  8123  8190 I RtcClient: stats rtt=48ms loss=0.0% jitter=4ms
                ↓11-23 10:15:10.000  8123  8190 I RtcClient: stats rtt=52ms loss=12.5% jitter=30ms
                ↓11-23 10:15:15.000  8123  8190 I RtcClient: stats rtt=60ms loss=9.1% jitter=28ms
                11-23 10:15:20.000  8123  8190 I RtcClient: stats rtt=49ms loss=1.0% jitter=5ms
                ↓11-23 10:15:25.000  8123  8190 I RtcClient: stats rtt=51ms loss=15.0% jitter=31ms
                """),
            AnalyzerExample("""
                ↓{"ts":"2024-05-01T10:00:00Z","level":"info","tag":"stats","msg":"rtt=650 loss=0"}
                ↓{"ts":"2024-05-01T10:00:02Z","level":"info","tag":"stats","msg":"rtt=720 loss=0"}
                ↓{"ts":"2024-05-01T10:00:04Z","level":"info","tag":"stats","msg":"rtt=810 loss=0"}
                """),
            // A web SDK logging getStats() reports: fraction and seconds.
            AnalyzerExample("""
                ↓2024-05-01T10:00:02.000Z INFO [stats] remote-inbound-rtp {"kind":"audio","packetsLost":41,"fractionLost":0.12,"roundTripTime":0.081,"totalRoundTripTime":0.9,"roundTripTimeMeasurements":11}
                ↓2024-05-01T10:00:04.000Z INFO [stats] remote-inbound-rtp {"kind":"audio","packetsLost":77,"fractionLost":0.16,"roundTripTime":0.094,"totalRoundTripTime":1.1,"roundTripTimeMeasurements":13}
                ↓2024-05-01T10:00:06.000Z INFO [stats] remote-inbound-rtp {"kind":"audio","packetsLost":102,"fractionLost":0.09,"roundTripTime":0.088,"totalRoundTripTime":1.3,"roundTripTimeMeasurements":15}
                """),
            // Twilio Voice's call-quality samples as an app logs them (percent, ms).
            AnalyzerExample("""
                ↓2018-05-24 20:07:13.131 8123-8190/com.example.voice I/CallQuality: {"packets_received":812,"packets_lost":71,"packets_lost_fraction":8.04,"jitter":31,"rtt":57,"mos":3.4}
                ↓2018-05-24 20:07:14.133 8123-8190/com.example.voice I/CallQuality: {"packets_received":820,"packets_lost":96,"packets_lost_fraction":10.48,"jitter":35,"rtt":61,"mos":3.2}
                ↓2018-05-24 20:07:15.134 8123-8190/com.example.voice I/CallQuality: {"packets_received":805,"packets_lost":88,"packets_lost_fraction":9.85,"jitter":30,"rtt":66,"mos":3.3}
                """),
            AnalyzerExample("""
                ↓11-23 10:15:05.000  8123  8190 D StatsObserver: ssrc_audio_send googRtt: 612, packetsLost: 0
                ↓11-23 10:15:10.000  8123  8190 D StatsObserver: ssrc_audio_send googRtt: 655, packetsLost: 0
                ↓11-23 10:15:15.000  8123  8190 D StatsObserver: ssrc_audio_send googRtt: 701, packetsLost: 0
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:05.000  8123  8190 I RtcClient: stats rtt=48ms loss=0.0% jitter=4ms
                11-23 10:15:10.000  8123  8190 I RtcClient: stats rtt=52ms loss=12.5% jitter=30ms
                11-23 10:15:15.000  8123  8190 I RtcClient: stats rtt=60ms loss=0.1% jitter=8ms
                11-23 10:15:20.000  8123  8190 I RtcClient: stats rtt=49ms loss=9.0% jitter=5ms
                11-23 10:15:25.000  8123  8190 I RtcClient: stats rtt=51ms loss=0.0% jitter=4ms
                """),
            AnalyzerExample("""
                2018-05-24 20:07:13.131 8123-8190/com.example.voice I/CallQuality: {"packets_received":812,"packets_lost":0,"packets_lost_fraction":0,"jitter":3,"rtt":57,"mos":4.42}
                2018-05-24 20:07:14.133 8123-8190/com.example.voice I/CallQuality: {"packets_received":820,"packets_lost":1,"packets_lost_fraction":0.12,"jitter":4,"rtt":61,"mos":4.41}
                2018-05-24 20:07:15.134 8123-8190/com.example.voice I/CallQuality: {"packets_received":805,"packets_lost":0,"packets_lost_fraction":0,"jitter":3,"rtt":66,"mos":4.42}
                """),
            // Whole numbers are percent: 1 % loss is not 100 %.
            AnalyzerExample("""
                11-23 10:15:05.000  8123  8190 I RtcClient: onNetworkQuality txLossRate: 1 rxLossRate: 0 lossRate=1
                11-23 10:15:07.000  8123  8190 I RtcClient: onNetworkQuality txLossRate: 1 rxLossRate: 1 lossRate=1
                11-23 10:15:09.000  8123  8190 I RtcClient: onNetworkQuality txLossRate: 0 rxLossRate: 1 lossRate=1
                """),
            // Cumulative figures are not rates: 3 s of round trips summed, 900 packets lost in all.
            AnalyzerExample("""
                2024-05-01T10:00:02.000Z INFO [stats] remote-inbound-rtp {"kind":"video","packetsLost":900,"fractionLost":0.004,"roundTripTime":0.031,"totalRoundTripTime":3.1,"roundTripTimeMeasurements":100}
                2024-05-01T10:00:04.000Z INFO [stats] remote-inbound-rtp {"kind":"video","packetsLost":901,"fractionLost":0.0,"roundTripTime":0.029,"totalRoundTripTime":3.2,"roundTripTimeMeasurements":102}
                2024-05-01T10:00:06.000Z INFO [stats] candidate-pair {"state":"succeeded","currentRoundTripTime":0.03,"totalRoundTripTime":3.3,"responsesReceived":104}
                """),
        ])

    static let k = 3, n = 5
    static let lossThreshold = 5.0, rttThreshold = 400.0

    private var lossRule = ThresholdEvidence(k: k, n: n)
    private var rttRule = ThresholdEvidence(k: k, n: n)
    private var worstLoss = 0.0, worstRTT = 0.0
    private var samples = 0

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        let loss = Self.lossPercent(m) ?? Self.statValue(m, "fractionLost").map { $0 * 100 }
            ?? Self.statValue(m, "packets_lost_fraction") ?? Self.statValue(m, "packetsLostFraction")
        let rtt = ByteMatch.number(after: "rtt=", in: m) ?? Self.statValue(m, "googRtt") ?? Self.statValue(m, "\"rtt\"")
            ?? Self.statValue(m, "currentRoundTripTime").map { $0 * 1000 } ?? Self.statValue(m, "roundTripTime").map { $0 * 1000 }
        guard loss != nil || rtt != nil else { return }
        samples += 1
        if e.timeKind != .elapsed {
            if let loss { context.timeline.sample("loss %", e.time, loss) }
            if let rtt { context.timeline.sample("RTT ms", e.time, rtt) }
        }
        if let loss {
            worstLoss = max(worstLoss, loss)
            lossRule.add(loss > Self.lossThreshold, e, source: context.source)
        }
        if let rtt {
            worstRTT = max(worstRTT, rtt)
            rttRule.add(rtt > Self.rttThreshold, e, source: context.source)
        }
    }

    /// `loss=12.5%` is percent; `loss=0.125` (no sign, a decimal below 1) is a fraction; a whole
    /// number (`loss=1`, `lossRate=0`) is percent — a fraction is never written as `1`.
    static func lossPercent(_ m: UnsafeRawBufferPointer) -> Double? {
        for key: StaticString in ["loss=", "lossRate=", "loss: "] {
            guard let at = ByteMatch.after(m, key), let v = ByteMatch.number(m, at: at) else { continue }
            var end = at
            var decimal = false
            while end < m.count, m[end] == 0x20 || m[end] == UInt8(ascii: ".") || isASCIIDigit(m[end]) {
                decimal = decimal || m[end] == UInt8(ascii: ".")
                end += 1
            }
            let percent = end < m.count && m[end] == UInt8(ascii: "%")
            return percent || v >= 1 || !decimal ? v : v * 100
        }
        return nil
    }

    /// The number after a stats key in `key=v`, `key: v` or JSON `"key":v` form; nil when the key
    /// is only the start of a longer name (`roundTripTimeMeasurements`).
    static func statValue(_ m: UnsafeRawBufferPointer, _ key: StaticString) -> Double? {
        guard var at = ByteMatch.after(m, key) else { return nil }
        var separated = false
        while at < m.count, m[at] == UInt8(ascii: "\"") || m[at] == UInt8(ascii: ":") || m[at] == UInt8(ascii: "=") || m[at] == 0x20 {
            separated = separated || m[at] != UInt8(ascii: "\"")
            at += 1
        }
        return separated ? ByteMatch.number(m, at: at) : nil
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        guard lossRule.rule.fired || rttRule.rule.fired else { return [] }
        let d = Self.description
        func finding(_ rule: ThresholdEvidence, _ subkind: String, _ confidence: Double, _ condition: String,
                     _ worstText: String, _ worst: (name: String, value: Double)) -> Finding? {
            guard rule.rule.fired else { return nil }
            return Finding(signature: d.id, title: d.name, subkind: subkind, cause: .link, severity: .p2, confidence: confidence,
                           detail: "\(condition) in \(Self.k) of \(Self.n) samples; worst \(worstText)", evidence: rule.evidence,
                           cleared: rule.rule.clearedAt, measurements: [worst, ("samples", Double(samples))],
                           remediation: d.remediation)
        }
        return [
            finding(lossRule, "loss", 0.8, "Loss above \(Int(Self.lossThreshold)) %", "\(worstLoss) %",
                    ("worst_loss_percent", worstLoss)),
            finding(rttRule, "high_rtt", 0.75, "RTT above \(Int(Self.rttThreshold)) ms", "\(Int(worstRTT)) ms",
                    ("worst_rtt_ms", worstRTT)),
        ].compactMap { $0 }
    }
}


/// "Condition in k of the last n samples": fires when it first holds, and remembers when it
/// stopped holding (the last time the window dropped below k after firing).
public struct KOfN: Sendable {
    public let k: Int, n: Int
    /// The last `n` samples as bits, newest in bit 0 (n ≤ 64): no allocation per sample.
    private var window: UInt64 = 0
    public private(set) var fired = false
    private var active = false
    /// True while the condition holds (after the latest sample).
    public var isHolding: Bool { active }
    public private(set) var clearedAt: Int64?

    public init(k: Int, n: Int) {
        precondition(n >= 1 && n <= 64 && k >= 1 && k <= n)
        self.k = k
        self.n = n
    }

    /// Adds a sample; true when this sample is bad and the rule holds (evidence worth keeping).
    public mutating func add(_ bad: Bool, time: Int64?) -> Bool {
        let mask: UInt64 = n == 64 ? ~0 : (1 << UInt64(n)) - 1
        window = (window << 1 | (bad ? 1 : 0)) & mask
        let holds = window.nonzeroBitCount >= k
        if holds { fired = true; active = true; clearedAt = nil }
        else if active { active = false; clearedAt = time }
        return holds && bad
    }
}

/// A k-of-n rule with its evidence: when the rule holds, every bad sample in the window is
/// evidence (each once), not just the one that tipped it.
struct ThresholdEvidence {
    var rule: KOfN
    var evidence = EvidenceLog()
    /// Bad samples of the current window not yet logged, with their sample numbers.
    private var waiting: [(serial: Int, evidence: Evidence?, time: Int64?)] = []
    private var serial = 0

    init(k: Int, n: Int) { rule = KOfN(k: k, n: n) }

    /// `source` is read only for a bad sample kept as an example (not copied per sample).
    mutating func add(_ bad: Bool, _ e: EventView, source: @autoclosure () -> String) {
        serial += 1
        if bad {
            let room = evidence.examples.count + waiting.count < evidence.limit
            waiting.append((serial, room ? Evidence(e, source: source()) : nil, e.time))
        }
        // Oldest first and at most n of them: drop from the front what left the window.
        while let first = waiting.first, first.serial <= serial - rule.n { waiting.removeFirst() }
        _ = rule.add(bad, time: e.time)
        if rule.isHolding {
            for w in waiting {
                if let ev = w.evidence { evidence.add(ev, time: w.time) } else { evidence.count(time: w.time) }
            }
            waiting.removeAll(keepingCapacity: true)
        }
    }
}
