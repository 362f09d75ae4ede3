import RTCDiagFormats

/// `device_fragmentation`: the device's audio or camera stack fails where it works elsewhere —
/// AudioRecord / AudioTrack start failures with their status, camera open failures. The finding
/// names the maker, model, OS and chipset when the log has them.
///
/// Sources: WebRTC `WebRtcAudioRecord.java` ("AudioRecord.startRecording failed - incorrect state",
/// "AudioRecord.startRecording failed: …"), `WebRtcAudioTrack.java` ("AudioTrack.play failed -
/// incorrect state :…"); Android `AudioRecord.cpp` (`start() status -38`: INVALID_OPERATION,
/// -22 BAD_VALUE, -12 NO_MEMORY, -19 NO_INIT); WebRTC `Camera1Session.java` / `Camera2Session.java`.
public struct DeviceFragmentationAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "device_fragmentation",
        name: "Device-specific audio/camera failure",
        summary: "The device's audio capture/playout or camera fails to start.",
        defaultCause: .client, defaultSeverity: .p1,
        remediation: "Check the device model against known issues (another app holding the microphone, OEM audio HAL "
            + "bugs); try the SDK's alternative audio layer (OpenSL ES / AAudio / Java) or audio source for this model.",
        keywords: ["AudioRecord.startRecording failed", "AudioTrack.play failed", "start() status", "startRecording() called on an uninitialized",
                   "Failed to open camera", "Camera2Session", "initRecording failed", "initPlayout failed"],
        triggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.210  8123  8150 D WebRtcAudioManager: Android SDK: 30, Release: 11, Brand: samsung, Device: a51, Id: RP1A, Hardware: exynos9611, Manufacturer: samsung, Model: SM-A515F, Product: a51nsxx
                ↓11-23 10:15:00.551  1032  1650 E AudioRecord: start() status -38
                ↓11-23 10:15:00.552  8123  8160 E WebRtcAudioRecord: AudioRecord.startRecording failed - incorrect state: 1
                """),
            AnalyzerExample("""
                ↓2023-01-11 18:21:58.161 14409-14475 WebRtcAudioTrack        com.example.rtc                      E  AudioTrack.play failed - incorrect state :1
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.551  8123  8160 D WebRtcAudioRecord: startRecording
                11-23 10:15:01.020  8123  8172 I WebRtcAudioTrack: AudioTrack.play: state=3
                """),
        ])

    private var capture = EvidenceLog()
    private var playout = EvidenceLog()
    private var camera = EvidenceLog()
    private var status: String?

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        let before = playout.count + capture.count + camera.count
        defer {
            if playout.count + capture.count + camera.count > before, e.timeKind != .elapsed {
                context.timeline.mark(e.time, "device", String(decoding: m.prefix(100), as: UTF8.self))
            }
        }
        if ByteMatch.contains(m, "AudioTrack.play failed") || ByteMatch.contains(m, "initPlayout failed") {
            playout.add(e, source: context.source)
        } else if ByteMatch.contains(m, "AudioRecord.startRecording failed") || ByteMatch.contains(m, "initRecording failed")
                    || ByteMatch.contains(m, "startRecording() called on an uninitialized") {
            capture.add(e, source: context.source)
        } else if let at = ByteMatch.after(m, "start() status "), ByteMatch.contains(e.tag, "AudioRecord") {
            let code = String(decoding: m[at...].prefix(4), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            status = code
            capture.add(e, source: context.source)
        } else if ByteMatch.contains(m, "Failed to open camera") || (ByteMatch.contains(e.tag, "Camera2Session") && e.level >= .error) {
            camera.add(e, source: context.source)
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        var out: [Finding] = []
        func add(_ log: EvidenceLog, _ kind: String, _ what: String) {
            guard !log.isEmpty else { return }
            let device = context.device.summary.map { " on \($0)" } ?? ""
            out.append(Finding(signature: d.id, title: d.name, subkind: kind, cause: .client, severity: .p1, confidence: 0.8,
                               detail: "\(what) failed\(device)", evidence: log, remediation: d.remediation))
        }
        let statusText = status.map { " (AudioRecord status \($0)\(Self.statusName($0).map { " \($0)" } ?? ""))" } ?? ""
        add(capture, "audio_capture", "Audio capture" + statusText)
        add(playout, "audio_playout", "Audio playout")
        add(camera, "camera", "Camera open")
        return out
    }

    static func statusName(_ code: String) -> String? {
        switch code {
        case "-38": "INVALID_OPERATION"
        case "-22": "BAD_VALUE"
        case "-12": "NO_MEMORY"
        case "-19": "NO_INIT"
        case "-1": "PERMISSION_DENIED"
        default: nil
        }
    }
}
