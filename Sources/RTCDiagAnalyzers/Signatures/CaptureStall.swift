import RTCDiagFormats

/// `capture_stall`: capture stops delivering — the camera freezes (no frames for the observer
/// period) or audio capture reads fail repeatedly.
///
/// Sources: WebRTC `CameraStatistics` / `CameraCapturer.java` ("Camera freezed.",
/// `onCameraFreezed("Camera failure. …")`); `WebRtcAudioRecord.java` ("AudioRecord.read failed: …").
public struct CaptureStallAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "capture_stall",
        name: "Capture stall",
        summary: "The camera froze or audio capture stopped delivering data.",
        defaultCause: .client, defaultSeverity: .p1,
        remediation: "Check for another app or the system taking the camera/microphone, thermal throttling, and "
            + "whether the app returns video buffers (texture in use); restart capture on freeze.",
        keywords: ["Camera freezed", "onCameraFreezed", "AudioRecord.read failed"],
        triggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:10.000  8123  8210 D CameraStatistics: Camera fps: 30.
                ↓11-23 10:15:14.000  8123  8210 E CameraStatistics: Camera freezed.
                """),
            AnalyzerExample("""
                ↓11-23 10:15:14.000  8123  8160 E WebRtcAudioRecord: AudioRecord.read failed: -3
                ↓11-23 10:15:14.010  8123  8160 E WebRtcAudioRecord: AudioRecord.read failed: -3
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:10.000  8123  8210 D CameraStatistics: Camera fps: 30.
                11-23 10:15:12.000  8123  8210 D CameraStatistics: Camera fps: 29.
                """),
        ])

    private var video = EvidenceLog()
    private var audio = EvidenceLog()

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        if ByteMatch.contains(m, "Camera freezed") || ByteMatch.contains(m, "onCameraFreezed") {
            video.add(e, source: context.source)
        } else if ByteMatch.contains(m, "AudioRecord.read failed") {
            audio.add(e, source: context.source)
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        var out: [Finding] = []
        if !video.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "video", cause: .client, severity: .p1, confidence: 0.8,
                               detail: "The camera stopped delivering frames (\(video.count) freeze report(s))",
                               evidence: video, remediation: d.remediation))
        }
        if !audio.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "audio", cause: .client, severity: .p1,
                               confidence: audio.count >= 2 ? 0.8 : 0.5,
                               detail: "Audio capture reads failed \(audio.count) time(s)", evidence: audio, remediation: d.remediation))
        }
        return out
    }
}
