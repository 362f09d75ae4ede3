import RTCDiagKit

/// `audio_focus_lost`: another app took the audio focus for good during the call, so the
/// call's audio stops (Android `AudioManager.AUDIOFOCUS_LOSS`, value -1; transient losses,
/// -2 and -3, are left out). A team-specific signature, kept outside rtcdiag.
struct AudioFocusLostAnalyzer: Analyzer {
    static let description = AnalyzerDescription(
        id: "audio_focus_lost",
        name: "Audio focus lost",
        summary: "Another app took the audio focus permanently during the call.",
        defaultCause: .client, defaultSeverity: .p1,
        remediation: "Handle AUDIOFOCUS_LOSS in the app: pause or re-request focus when the call resumes; tell the user which app took it.",
        keywords: ["AUDIOFOCUS_LOSS", "onAudioFocusChange"],
        triggeringExamples: [AnalyzerExample("↓11-23 10:15:09.000  8123  8123 I RtcClient: onAudioFocusChange: AUDIOFOCUS_LOSS")],
        nonTriggeringExamples: [AnalyzerExample("11-23 10:15:09.000  8123  8123 I RtcClient: onAudioFocusChange: AUDIOFOCUS_LOSS_TRANSIENT")])

    private var evidence = EvidenceLog()

    init() {}

    mutating func observe(_ event: EventView, _ context: inout AnalysisContext) {
        let text = String(decoding: event.message, as: UTF8.self)
        let permanent = text.hasSuffix("AUDIOFOCUS_LOSS") || text.contains("AUDIOFOCUS_LOSS ")
            || text.hasSuffix("onAudioFocusChange: -1")
        if permanent { evidence.add(event, source: context.source) }
    }

    mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        guard !evidence.isEmpty else { return [] }
        let d = Self.description
        return [Finding(signature: d.id, title: d.name, cause: d.defaultCause, severity: d.defaultSeverity, confidence: 0.9,
                        detail: "Audio focus was lost \(evidence.count) time(s)", evidence: evidence, remediation: d.remediation)]
    }
}
