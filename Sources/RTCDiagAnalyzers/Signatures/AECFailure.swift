import RTCDiagFormats

/// `aec_failure`: the echo canceller is unavailable, switched off, or echo is being reported.
///
/// Sources: WebRTC `WebRtcAudioRecord.java` / `WebRtcAudioEffects.java` ("Built-in AEC is not
/// supported on this platform", `enableBuiltInAEC(…)`); `audio_processing_impl.cc`
/// (`AudioProcessing::ApplyConfig: … echo_canceller: { enabled: 0 … }`); vendor warning codes
/// `WARN_APM_HOWLING` (1051) and `WARN_APM_RESIDUAL_ECHO` (1053) from RTC SDK documentation.
public struct AECFailureAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "aec_failure",
        name: "Echo cancellation failure",
        summary: "No working echo canceller, or echo / howling reported during the call.",
        defaultCause: .client, defaultSeverity: .p2,
        remediation: "Enable the software echo canceller (AEC3/AECM) when the device has no built-in AEC; "
            + "ask the user to use a headset; check the device against the SDK's AEC blocklist.",
        keywords: ["Built-in AEC", "echo_canceller:", "1053", "1051", "RESIDUAL_ECHO", "HOWLING", "echo detected"],
        triggeringExamples: [
            AnalyzerExample("""
                ↓11-23 10:15:00.513  8123  8160 E WebRtcAudioRecord: Built-in AEC is not supported on this platform
                ↓11-23 10:15:00.520  8123  8161 I webrtc_audio_processing: AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0, mobile_mode: 0 } }
                """),
            AnalyzerExample("""
                11-23 10:15:01.000  8123  8160 I RtcClient: joined
                ↓11-23 10:15:12.402  8123  8190 W RtcClient: onWarning warn=1053 (WARN_APM_RESIDUAL_ECHO)
                ↓11-23 10:15:17.650  8123  8190 W RtcClient: onWarning warn=1053 (WARN_APM_RESIDUAL_ECHO)
                """),
            AnalyzerExample("""
                ↓[0501/080002.500000:INFO:audio_processing_impl.cc(432)] AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0 } }
                ↓[0501/080009.000000:WARNING:rtc_engine.cc(88)] onWarning code=1051 WARN_APM_HOWLING
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.512  8123  8160 D WebRtcAudioRecord: enableBuiltInAEC(true)
                11-23 10:15:00.520  8123  8161 I webrtc_audio_processing: AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 1, mobile_mode: 0 } }
                """),
            AnalyzerExample("""
                11-23 10:15:00.513  8123  8160 E WebRtcAudioRecord: Built-in AEC is not supported on this platform
                11-23 10:15:00.520  8123  8161 I webrtc_audio_processing: AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 1, mobile_mode: 1 } }
                """),
        ])

    private var builtInMissing = EvidenceLog()
    private var softwareOff = EvidenceLog()
    private var softwareOn = false
    private var echoReports = EvidenceLog(limit: 5)

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        if ByteMatch.contains(m, "Built-in AEC is not supported") || ByteMatch.contains(m, "Built-in AEC is not available") {
            builtInMissing.add(e, source: context.source)
        } else if let at = ByteMatch.after(m, "echo_canceller: { enabled: ") {
            // The latest configuration wins: AEC may be switched on after start.
            if at < m.count, m[at] == UInt8(ascii: "0") {
                softwareOff.add(e, source: context.source)
                softwareOn = false
            } else {
                softwareOn = true
            }
        } else if ByteMatch.contains(m, "RESIDUAL_ECHO") || ByteMatch.contains(m, "HOWLING")
                    || ByteMatch.contains(m, "warn=1053") || ByteMatch.contains(m, "code=1053")
                    || ByteMatch.contains(m, "warn=1051") || ByteMatch.contains(m, "code=1051")
                    || ByteMatch.contains(m, "echo detected") {
            echoReports.add(e, source: context.source)
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        let noCanceller = !softwareOn && !softwareOff.isEmpty
        guard noCanceller || !echoReports.isEmpty else { return [] }
        var evidence = EvidenceLog()
        evidence.merge(builtInMissing)
        evidence.merge(softwareOff)
        evidence.merge(echoReports)
        var parts: [String] = []
        if !builtInMissing.isEmpty { parts.append("the device has no built-in AEC") }
        if noCanceller { parts.append("the software echo canceller is disabled") }
        if !echoReports.isEmpty { parts.append("echo/howling was reported \(echoReports.count) times") }
        // Echo heard repeatedly is a major impairment; a missing canceller alone predicts it.
        let severity: Severity = echoReports.count >= 2 ? .p1 : .p2
        let confidence = min(1, 0.4 + (noCanceller ? 0.3 : 0) + (builtInMissing.isEmpty ? 0 : 0.1)
                                 + Double(min(echoReports.count, 3)) * 0.1)
        return [Finding(signature: d.id, title: d.name, cause: .client, severity: severity, confidence: confidence,
                        detail: parts.joined(separator: "; ").capitalizedFirst, evidence: evidence,
                        measurements: [("echo_reports", Double(echoReports.count))], remediation: d.remediation)]
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
