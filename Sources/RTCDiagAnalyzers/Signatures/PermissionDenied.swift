import RTCDiagFormats

/// `permission_denied`: the app may not use the microphone or camera, so that medium is missing.
///
/// Sources: Android `ActivityManager` ("Permission Denial: … requires android.permission.RECORD_AUDIO"),
/// the audio server's checks (`ServiceUtilities.cpp`: "Request requires
/// android.permission.RECORD_AUDIO"; `AudioPolicyInterfaceImpl.cpp`: "getInputForAttr permission
/// denied: recording not allowed for …"), `CameraService.cpp` ("Permission Denial: can't use the
/// camera pid=…", "… cannot open camera "0" without camera permission"), the
/// `android.permission.RECORD_AUDIO` / `CAMERA` runtime permission names; iOS
/// `AVAudioSessionRecordPermissionDenied` / `AVAuthorizationStatusDenied`; browsers' `getUserMedia`
/// rejection ("NotAllowedError: Permission denied"), which does not say which device.
public struct PermissionDeniedAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "permission_denied",
        name: "Permission denied",
        summary: "Microphone or camera permission is missing or was denied.",
        defaultCause: .client, defaultSeverity: .p1,
        remediation: "Ask the user to grant the microphone/camera permission in system settings; make the app request "
            + "it before joining and explain a denial instead of joining without media.",
        keywords: ["Permission Denial", "RECORD_AUDIO", "android.permission.CAMERA", "RecordPermissionDenied",
                   "AVAuthorizationStatusDenied", "permission denied", "recording not allowed", "without camera permission",
                   "NotAllowedError", "permission granted", "permission: granted", "RecordPermissionGranted"],
        triggeringExamples: [
            AnalyzerExample("""
                ↓11-23 10:15:00.500  1032  1650 W ActivityManager: Permission Denial: opening provider from ProcessRecord{8123:com.example.rtcdemo} requires android.permission.RECORD_AUDIO
                """),
            AnalyzerExample("""
                ↓2024-05-01 10:00:00.123456+0800 RTCDemo[1234:567890] RTCAudioSession: record permission: AVAudioSessionRecordPermissionDenied
                """),
            // The app skipped the runtime request: the audio server and the camera service refuse it.
            AnalyzerExample("""
                ↓03-29 00:03:05.540   812  1433 E AudioPolicyIntefaceImpl: getInputForAttr permission denied: recording not allowed for uid 10158 pid 25797
                ↓03-29 00:03:05.541   812  1433 E ServiceUtilities: Request requires android.permission.RECORD_AUDIO
                ↓03-29 00:03:05.902   771  2210 E CameraService: Permission Denial: can't use the camera pid=25797, uid=10158
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:00.120Z WARN [media] getUserMedia failed: NotAllowedError: Permission denied
                """),
            AnalyzerExample("""
                ↓03-29 00:03:06.010 25797 26870 E CameraCapturer: Camera open failed
                    java.lang.SecurityException: validateClientPermissionsLocked:1066: Caller "com.example.rtc" (PID 25797, UID 10158) cannot open camera "1" without camera permission
                        at android.hardware.camera2.CameraManager.throwAsPublicException(CameraManager.java:1026)
                """),
        ],
        nonTriggeringExamples: [
            // Asked, then granted on the prompt.
            AnalyzerExample("""
                11-23 10:14:58.100  8123  8123 W RtcClient: android.permission.RECORD_AUDIO not granted, requesting
                11-23 10:15:00.400  8123  8123 I RtcClient: onRequestPermissionsResult: android.permission.RECORD_AUDIO granted
                """),
            AnalyzerExample("""
                11-23 10:15:00.500  8123  8123 I RtcClient: android.permission.RECORD_AUDIO granted
                11-23 10:15:00.510  8123  8123 I RtcClient: camera permission: granted
                03-29 00:03:05.902   771  2210 I CameraService: CameraService::connect call (PID 25797 "com.example.rtc", camera ID 1) for HAL version default and Camera API version 2
                """),
        ])

    private var microphone = EvidenceLog()
    private var camera = EvidenceLog()
    private var media = EvidenceLog()    // a browser's refusal, device not named
    private var micGranted = false, cameraGranted = false    // granted after the last refusal

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        // The refusal may sit in the message or in the exception trace below it
        // (`java.lang.SecurityException: … cannot open camera "1" without camera permission`).
        guard let (mic, cam, other) = Self.refusal(e.message) ?? Self.refusal(e.continuation) else {
            // Apps log "not granted" before they ask; a grant afterwards settles it.
            if let (mic, cam) = Self.grant(e.message) {
                if mic { micGranted = !microphone.isEmpty }
                if cam { cameraGranted = !camera.isEmpty }
            }
            return
        }
        if mic { microphone.add(e, source: context.source); micGranted = false }
        if cam { camera.add(e, source: context.source); cameraGranted = false }
        if other { media.add(e, source: context.source) }
    }

    /// A permission granted (`RECORD_AUDIO granted`, `AVAudioSessionRecordPermissionGranted`,
    /// `camera permission: granted`), for the microphone and/or the camera.
    static func grant(_ m: UnsafeRawBufferPointer) -> (mic: Bool, cam: Bool)? {
        func has(_ s: StaticString) -> Bool { ByteMatch.contains(m, s) }
        guard has("granted") || has("Granted") || has("GRANTED"), !has("not granted"), !has("NOT_GRANTED") else { return nil }
        let mic = has("RECORD_AUDIO") || has("RecordPermission") || has("microphone")
        let cam = has("CAMERA") || has("camera")
        return mic || cam ? (mic, cam) : nil
    }

    /// Which device a refusal in `m` concerns: microphone, camera, or neither named (a browser's).
    static func refusal(_ m: UnsafeRawBufferPointer) -> (mic: Bool, cam: Bool, other: Bool)? {
        func has(_ s: StaticString) -> Bool { ByteMatch.contains(m, s) }
        let denied = has("Permission Denial") || has("Denied") || has("denied") || has("not granted") || has("Request requires")
            || has("not allowed") || has("without camera permission") || has("NotAllowedError")
        guard denied else { return nil }
        let mic = has("RECORD_AUDIO") || has("RecordPermission") || has("microphone") || has("recording not allowed")
        let cam = has("CAMERA") || has("camera") || has("AVAuthorizationStatusDenied")
        let other = !mic && !cam && (has("getUserMedia") || has("NotAllowedError"))
        return mic || cam || other ? (mic, cam, other) : nil
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        var out: [Finding] = []
        if !microphone.isEmpty && !micGranted {
            out.append(Finding(signature: d.id, title: d.name, subkind: "microphone", cause: .client, severity: .p1, confidence: 0.9,
                               detail: "Microphone permission denied: the other side hears nothing", evidence: microphone,
                               remediation: d.remediation))
        }
        if !camera.isEmpty && !cameraGranted {
            out.append(Finding(signature: d.id, title: d.name, subkind: "camera", cause: .client, severity: .p1, confidence: 0.85,
                               detail: "Camera permission denied: no local video", evidence: camera, remediation: d.remediation))
        }
        if !media.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "media", cause: .client, severity: .p1, confidence: 0.8,
                               detail: "The browser refused microphone/camera access: no local media", evidence: media,
                               remediation: d.remediation))
        }
        return out
    }
}
