import RTCDiagFormats

/// `aec_failure`: the echo canceller is unavailable, switched off, or echo is being reported.
///
/// Metrics: W3C webrtc-stats `echoReturnLossEnhancement` (dB; below 3 dB the canceller removes
/// almost nothing) and libwebrtc's echo-detector `residualEchoLikelihood` (0…1; above 0.5 echo is
/// likely), judged 3 of the last 5 samples; libwebrtc's legacy (goog) stats name the same
/// ERLE `googEchoCancellationReturnLossEnhancement`, and report how steady the canceller's
/// estimate of the echo path delay is as `googEchoCancellationEchoDelayStdDev` (ms): a spread
/// above 50 ms in 3 of 5 samples means the canceller cannot lock onto the echo (a heuristic
/// bound: AEC filters span only a few tens of milliseconds). The speakerphone route with no
/// canceller makes echo near certain and raises the confidence.
///
/// Sources: WebRTC `WebRtcAudioRecord.java` / `WebRtcAudioEffects.java` ("Built-in AEC is not
/// supported on this platform", `enableBuiltInAEC(…)`), `JavaAudioDeviceModule.java` ("HW AEC not
/// supported"); `audio_processing_impl.cc`
/// (`AudioProcessing::ApplyConfig: … echo_canceller: { enabled: 0 … }`); Android's effect
/// framework refusing the AEC effect (see `aecEffectRefused`); `webrtc_voice_engine.cc`
/// ("Disabling EC since built-in EC will be used instead": the software canceller is off on
/// purpose, which is no fault while the built-in one works); vendor warning codes
/// `WARN_APM_HOWLING` (1051) and `WARN_APM_RESIDUAL_ECHO` (1053) from RTC SDK documentation.
public struct AECFailureAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "aec_failure",
        name: "Echo cancellation failure",
        summary: "No working echo canceller, or echo / howling reported during the call.",
        defaultCause: .client, defaultSeverity: .p2,
        remediation: "Enable the software echo canceller (AEC3/AECM) when the device has no built-in AEC; "
            + "ask the user to use a headset; check the device against the SDK's AEC blocklist.",
        keywords: ["Built-in AEC", "HW AEC not supported", "could not create effect", "Acoustic Echo Canceler on record thread",
                   "built-in EC will be used", "echo_canceller:", "1053", "1051", "RESIDUAL_ECHO", "HOWLING", "echo detected",
                   "echoReturnLossEnhancement", "residualEchoLikelihood", "residual_echo_likelihood", "setSpeakerphoneOn",
                   "googEchoCancellation"],
        triggeringExamples: [
            AnalyzerExample("""
                ↓11-23 10:15:00.513  8123  8160 E WebRtcAudioRecord: Built-in AEC is not supported on this platform
                ↓11-23 10:15:00.520  8123  8161 I webrtc_audio_processing: AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0, mobile_mode: 0 } }
                """),
            // The phone claims a built-in AEC, the framework then refuses to create it, and the
            // SDK, relying on it, runs without the software canceller.
            AnalyzerExample("""
                03-29 00:03:05.535 25797 26866 I webrtc_voice_engine.cc: (line 397): Disabling EC since built-in EC will be used instead
                ↓03-29 00:03:05.540 25797 26866 E AudioEffect: set(): AudioFlinger could not create effect 7b491460-8d4d-11e0-bd61-0002a5d5c51b / ec7178ec-e5e1-4432-a3f4-4657e6795210, status: -22
                03-29 00:03:05.541 25797 26866 E AudioEffect-JAVA: Error code -19 when initializing AudioEffect.
                ↓03-29 00:03:05.560 25797 26866 I webrtc_audio_processing: AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0, mobile_mode: 0 } }
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
            AnalyzerExample("""
                ↓{"ts":"2024-05-01T10:00:05Z","level":"info","tag":"stats","msg":"media-source audio echoReturnLoss=2.1 echoReturnLossEnhancement=0.8 residualEchoLikelihood=0.93"}
                ↓{"ts":"2024-05-01T10:00:10Z","level":"info","tag":"stats","msg":"media-source audio echoReturnLoss=1.9 echoReturnLossEnhancement=1.2 residualEchoLikelihood=0.88"}
                ↓{"ts":"2024-05-01T10:00:15Z","level":"info","tag":"stats","msg":"media-source audio echoReturnLoss=2.4 echoReturnLossEnhancement=0.5 residualEchoLikelihood=0.91"}
                """),
            AnalyzerExample("""
                11-23 10:15:05.000  8123  8190 D StatsObserver: ssrc_audio_send googEchoCancellationEchoDelayMedian: 120, googEchoCancellationEchoDelayStdDev: 12
                ↓11-23 10:15:10.000  8123  8190 D StatsObserver: ssrc_audio_send googEchoCancellationEchoDelayMedian: 180, googEchoCancellationEchoDelayStdDev: 95
                ↓11-23 10:15:15.000  8123  8190 D StatsObserver: ssrc_audio_send googEchoCancellationEchoDelayMedian: 60, googEchoCancellationEchoDelayStdDev: 140
                ↓11-23 10:15:20.000  8123  8190 D StatsObserver: ssrc_audio_send googEchoCancellationEchoDelayMedian: 210, googEchoCancellationEchoDelayStdDev: 88
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.512  8123  8160 D WebRtcAudioRecord: enableBuiltInAEC(true)
                11-23 10:15:30.000  8123  8190 I RtcClient: audio check: no echo detected
                11-23 10:15:00.520  8123  8161 I webrtc_audio_processing: AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 1, mobile_mode: 0 } }
                """),
            AnalyzerExample("""
                11-23 10:15:00.513  8123  8160 E WebRtcAudioRecord: Built-in AEC is not supported on this platform
                11-23 10:15:00.520  8123  8161 I webrtc_audio_processing: AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 1, mobile_mode: 1 } }
                11-23 10:15:01.034  8123  8123 I AudioManager: setSpeakerphoneOn(true) from u/pid:10245/8123
                """),
            // The device's own canceller replaces WebRTC's: software AEC off is expected.
            AnalyzerExample("""
                03-29 00:03:05.530 25797 26866 I org.webrtc.Logging: WebRtcAudioEffects: enable(audioSession=1177)
                03-29 00:03:05.535 25797 26866 I webrtc_voice_engine.cc: (line 397): Disabling EC since built-in EC will be used instead
                03-29 00:03:05.560 25797 26866 I webrtc_audio_processing: AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0, mobile_mode: 0 } }
                """),
            AnalyzerExample("""
                {"ts":"2024-05-01T10:00:05Z","level":"info","tag":"stats","msg":"media-source audio echoReturnLoss=12.1 echoReturnLossEnhancement=18.4 residualEchoLikelihood=0.02"}
                {"ts":"2024-05-01T10:00:10Z","level":"info","tag":"stats","msg":"media-source audio echoReturnLoss=11.0 echoReturnLossEnhancement=2.0 residualEchoLikelihood=0.61"}
                {"ts":"2024-05-01T10:00:15Z","level":"info","tag":"stats","msg":"media-source audio echoReturnLoss=12.5 echoReturnLossEnhancement=17.9 residualEchoLikelihood=0.03"}
                """),
            AnalyzerExample("""
                11-23 10:15:05.000  8123  8190 D StatsObserver: ssrc_audio_send googEchoCancellationEchoDelayMedian: 120, googEchoCancellationEchoDelayStdDev: 12
                11-23 10:15:10.000  8123  8190 D StatsObserver: ssrc_audio_send googEchoCancellationEchoDelayMedian: 124, googEchoCancellationEchoDelayStdDev: 75
                11-23 10:15:15.000  8123  8190 D StatsObserver: ssrc_audio_send googEchoCancellationEchoDelayMedian: 118, googEchoCancellationEchoDelayStdDev: 9
                11-23 10:15:20.000  8123  8190 D StatsObserver: ssrc_audio_send googEchoCancellationEchoDelayMedian: 121, googEchoCancellationEchoDelayStdDev: 11
                """),
        ])

    /// The platform refused the built-in echo canceller effect: Android `AudioEffect.cpp` "set():
    /// AudioFlinger could not create effect <type> / <uuid>, status: …" with the AEC effect type
    /// (`7b491460-8d4d-11e0-bd61-0002a5d5c51b`, `AudioEffect.EFFECT_TYPE_AEC`), or AudioFlinger's
    /// "checkEffectCompatibility_l(): non HW effect Acoustic Echo Canceler on record thread … in
    /// fast mode".
    static func aecEffectRefused(_ m: UnsafeRawBufferPointer) -> Bool {
        (ByteMatch.contains(m, "could not create effect") && ByteMatch.contains(m, "7b491460-8d4d-11e0-bd61-0002a5d5c51b"))
            || ByteMatch.contains(m, "Acoustic Echo Canceler on record thread")
    }

    /// Spread of the echo-path delay estimate (ms) above which the canceller cannot lock on.
    static let delaySpreadLimit = 50.0

    private var builtInMissing = EvidenceLog()
    private var softwareOff = EvidenceLog()
    private var softwareOn = false
    private var echoReports = EvidenceLog(limit: 5)
    private var poorMetrics = ThresholdEvidence(k: 3, n: 5)
    private var unstableDelay = ThresholdEvidence(k: 3, n: 5)
    private var speakerphone = false
    /// WebRTC switched its software canceller off on purpose because the device's own is used.
    private var builtInInUse = false

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        if ByteMatch.contains(m, "Built-in AEC is not supported") || ByteMatch.contains(m, "Built-in AEC is not available")
            || ByteMatch.contains(m, "HW AEC not supported") || Self.aecEffectRefused(m) {
            builtInMissing.add(e, source: context.source)
        } else if ByteMatch.contains(m, "since built-in EC will be used instead") {
            builtInInUse = true
        } else if let at = ByteMatch.after(m, "echo_canceller: { enabled: ") {
            // The latest configuration wins: AEC may be switched on after start.
            if at < m.count, m[at] == UInt8(ascii: "0") {
                softwareOff.add(e, source: context.source)
                softwareOn = false
            } else {
                softwareOn = true
            }
        } else if ByteMatch.contains(m, "setSpeakerphoneOn(") {
            speakerphone = ByteMatch.contains(m, "setSpeakerphoneOn(true)")
        } else if let spread = Self.gstat(m, "googEchoCancellationEchoDelayStdDev") {
            unstableDelay.add(spread > Self.delaySpreadLimit, e, source: context.source)
            if let erle = Self.gstat(m, "googEchoCancellationReturnLossEnhancement") {
                poorMetrics.add(erle < 3, e, source: context.source)
            }
        } else if let erle = Self.gstat(m, "googEchoCancellationReturnLossEnhancement") {
            poorMetrics.add(erle < 3, e, source: context.source)
        } else if let erle = ByteMatch.number(after: "echoReturnLossEnhancement=", in: m)
                    ?? ByteMatch.number(after: "echoReturnLossEnhancement\":", in: m) {
            let likelihood = ByteMatch.number(after: "residualEchoLikelihood=", in: m)
                ?? ByteMatch.number(after: "residual_echo_likelihood: ", in: m) ?? 0
            poorMetrics.add(erle < 3 || likelihood > 0.5, e, source: context.source)
        } else if let likelihood = ByteMatch.number(after: "residualEchoLikelihood=", in: m)
                    ?? ByteMatch.number(after: "residual_echo_likelihood: ", in: m) {
            poorMetrics.add(likelihood > 0.5, e, source: context.source)
        } else if ByteMatch.contains(m, "RESIDUAL_ECHO") || ByteMatch.contains(m, "HOWLING")
                    || ByteMatch.contains(m, "warn=1053") || ByteMatch.contains(m, "code=1053")
                    || ByteMatch.contains(m, "warn=1051") || ByteMatch.contains(m, "code=1051")
                    || (ByteMatch.contains(m, "echo detected") && !ByteMatch.containsLowercased(m, "no echo detected")) {
            echoReports.add(e, source: context.source)
            if e.timeKind != .elapsed { context.timeline.mark(e.time, "echo", String(decoding: m.prefix(100), as: UTF8.self)) }
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        // The software canceller off is a fault unless the built-in one took over and worked.
        let noCanceller = !softwareOn && !softwareOff.isEmpty && (!builtInInUse || !builtInMissing.isEmpty)
        let metricsBad = poorMetrics.rule.fired
        let delayBad = unstableDelay.rule.fired
        guard noCanceller || !echoReports.isEmpty || metricsBad || delayBad else { return [] }
        var evidence = EvidenceLog()
        evidence.merge(builtInMissing)
        evidence.merge(softwareOff)
        evidence.merge(echoReports)
        evidence.merge(poorMetrics.evidence)
        evidence.merge(unstableDelay.evidence)
        var parts: [String] = []
        if !builtInMissing.isEmpty { parts.append("the device has no working built-in AEC") }
        if noCanceller { parts.append("the software echo canceller is disabled") }
        if noCanceller && speakerphone { parts.append("the call runs on the speakerphone") }
        if !echoReports.isEmpty { parts.append("echo/howling was reported \(echoReports.count) times") }
        if metricsBad { parts.append("echo metrics stayed poor (ERLE below 3 dB or residual echo likely in 3 of 5 samples)") }
        if delayBad {
            parts.append("the echo path delay estimate was unstable (spread above \(Int(Self.delaySpreadLimit)) ms in 3 of 5 samples)")
        }
        // Echo heard repeatedly, or measured persistently, is a major impairment; a missing
        // canceller alone predicts it.
        let severity: Severity = echoReports.count >= 2 || metricsBad ? .p1 : .p2
        let confidence = min(1, 0.4 + (noCanceller ? 0.3 : 0) + (noCanceller && speakerphone ? 0.1 : 0)
                                 + (builtInMissing.isEmpty ? 0 : 0.1) + Double(min(echoReports.count, 3)) * 0.1
                                 + (metricsBad ? 0.2 : 0) + (delayBad ? 0.1 : 0))
        return [Finding(signature: d.id, title: d.name, cause: .client, severity: severity, confidence: confidence,
                        detail: parts.joined(separator: "; ").capitalizedFirst, evidence: evidence,
                        measurements: [("echo_reports", Double(echoReports.count))], remediation: d.remediation)]
    }
}

extension AECFailureAnalyzer {
    /// A legacy (goog) stats value: `name: 12`, `name=12`, `"name":"12"` or `"name":12`.
    static func gstat(_ m: UnsafeRawBufferPointer, _ name: StaticString) -> Double? {
        guard var at = ByteMatch.after(m, name) else { return nil }
        while at < m.count, m[at] == UInt8(ascii: "\"") || m[at] == UInt8(ascii: ":") || m[at] == UInt8(ascii: "=")
                || m[at] == 0x20 || m[at] == UInt8(ascii: "\\") { at += 1 }
        return ByteMatch.number(m, at: at)
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
