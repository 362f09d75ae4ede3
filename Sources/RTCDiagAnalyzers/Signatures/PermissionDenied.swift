import RTCDiagFormats

/// `permission_denied`: the app may not use the microphone or camera, so that medium is missing.
///
/// Sources: Android `ActivityManager` ("Permission Denial: … requires android.permission.RECORD_AUDIO"),
/// the `android.permission.RECORD_AUDIO` / `CAMERA` runtime permission names; iOS
/// `AVAudioSessionRecordPermissionDenied` / `AVAuthorizationStatusDenied`.
public struct PermissionDeniedAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "permission_denied",
        name: "Permission denied",
        summary: "Microphone or camera permission is missing or was denied.",
        defaultCause: .client, defaultSeverity: .p1,
        remediation: "Ask the user to grant the microphone/camera permission in system settings; make the app request "
            + "it before joining and explain a denial instead of joining without media.",
        keywords: ["Permission Denial", "RECORD_AUDIO", "android.permission.CAMERA", "RecordPermissionDenied",
                   "AVAuthorizationStatusDenied", "permission denied"],
        triggeringExamples: [
            AnalyzerExample("""
                ↓11-23 10:15:00.500  1032  1650 W ActivityManager: Permission Denial: opening provider from ProcessRecord{8123:com.example.rtcdemo} requires android.permission.RECORD_AUDIO
                """),
            AnalyzerExample("""
                ↓2024-05-01 10:00:00.123456+0800 RTCDemo[1234:567890] RTCAudioSession: record permission: AVAudioSessionRecordPermissionDenied
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.500  8123  8123 I RtcClient: android.permission.RECORD_AUDIO granted
                """),
        ])

    private var microphone = EvidenceLog()
    private var camera = EvidenceLog()

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        let denied = ByteMatch.contains(m, "Permission Denial") || ByteMatch.contains(m, "Denied")
            || ByteMatch.contains(m, "denied") || ByteMatch.contains(m, "not granted")
        guard denied else { return }
        if ByteMatch.contains(m, "CAMERA") || ByteMatch.contains(m, "AVAuthorizationStatusDenied") {
            camera.add(e, source: context.source)
        } else if ByteMatch.contains(m, "RECORD_AUDIO") || ByteMatch.contains(m, "RecordPermission")
                    || ByteMatch.contains(m, "microphone") {
            microphone.add(e, source: context.source)
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        var out: [Finding] = []
        if !microphone.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "microphone", cause: .client, severity: .p1, confidence: 0.9,
                               detail: "Microphone permission denied: the other side hears nothing", evidence: microphone,
                               remediation: d.remediation))
        }
        if !camera.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "camera", cause: .client, severity: .p1, confidence: 0.85,
                               detail: "Camera permission denied: no local video", evidence: camera, remediation: d.remediation))
        }
        return out
    }
}
