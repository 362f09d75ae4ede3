import RTCDiagFormats

/// `capture_stall`: capture or playout stops delivering — the camera freezes (no frames for the
/// observer period), audio capture reads fail repeatedly, or libwebrtc's audio device buffer
/// counts no recording or playout callbacks over a whole stats interval after it had counted
/// some (the stream worked, then stopped; a stream that never ran — a listener who never
/// opened the microphone — is not a stall).
///
/// Sources: WebRTC `CameraStatistics` / `CameraCapturer.java` ("Camera freezed.",
/// `onCameraFreezed("Camera failure. …")`); `WebRtcAudioRecord.java` ("AudioRecord.read failed: …");
/// libwebrtc `audio_device_buffer.cc`, every 10 s while audio runs ("[REC : 10000msec, 48kHz]
/// callbacks: 1000, samples: 480000, rate: 48000, rate diff: 0%, level: 1234", "[PLAY: …]"; when a
/// stream stops: "total recording time: …" / "total playout time: …", and
/// "HISTOGRAM(WebRTC.Audio.RecordedOnlyZeros): 1" when every level measured while recording was
/// zero — the microphone delivered only silence); on the receiving side `video_receive_stream2.cc`
/// ("No decodable frame in 3000 ms, requesting keyframe."): the remote video froze — loss on the
/// path or a sender that stopped, so a link finding, and only when it repeats (one wait can
/// happen while a stream starts); WebRTC's iOS `RTCCameraVideoCapturer` ("Capture session
/// interrupted: VideoDeviceInUseByAnotherClient" / "…NotAvailableWithMultipleForegroundApps",
/// "Capture session interruption ended.", "Capture session runtime error: …"): another app or
/// split-screen took the camera; "…: VideoDeviceNotAvailableInBackground" is the app going to
/// the background, which stops every camera — no fault; Twilio Voice's call-quality warning
/// `constant-audio-input-level` (the microphone's level did not change for seconds: muted by the
/// system or broken), as its example apps print the warning names, is a silent microphone too.
public struct CaptureStallAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "capture_stall",
        name: "Capture stall",
        summary: "The camera froze, audio capture or playout stopped delivering data, or the received video froze.",
        defaultCause: .client, defaultSeverity: .p1,
        remediation: "Check for another app or the system taking the camera/microphone, thermal throttling, and "
            + "whether the app returns video buffers (texture in use); restart capture on freeze.",
        keywords: ["Camera freezed", "onCameraFreezed", "Capture session interrupted", "Capture session interruption ended",
                   "Capture session runtime error", "constant-audio-input-level", "AudioRecord.read failed", "[REC : ", "[PLAY: ", "total recording time",
                   "total playout time", "RecordedOnlyZeros", "No decodable frame in"],
        triggeringExamples: [
            AnalyzerExample("""
                ↓2024-05-01 10:03:40.120311+0800 VoiceApp[1234:567901] Call quality warnings changed: [constant-audio-input-level]
                """),
            // An iPad in split view: the other app takes the camera.
            AnalyzerExample("""
                ↓2024-05-01 10:02:11.520114+0800 RTCDemo[1234:567950] Capture session interrupted: VideoDeviceNotAvailableWithMultipleForegroundApps
                """),
            AnalyzerExample("""
                11-23 10:15:10.000  8123  8210 D CameraStatistics: Camera fps: 30.
                ↓11-23 10:15:14.000  8123  8210 E CameraStatistics: Camera freezed.
                """),
            AnalyzerExample("""
                ↓11-23 10:15:14.000  8123  8160 E WebRtcAudioRecord: AudioRecord.read failed: -3
                ↓11-23 10:15:14.010  8123  8160 E WebRtcAudioRecord: AudioRecord.read failed: -3
                """),
            AnalyzerExample("""
                11-23 10:15:20.512  8123  8177 I org.webrtc.Logging: audio_device_buffer.cc: [REC : 10000msec, 48kHz] callbacks: 1000, samples: 480000, rate: 48000, rate diff: 0%, level: 8411
                11-23 10:15:20.513  8123  8177 I org.webrtc.Logging: audio_device_buffer.cc: [PLAY: 10000msec, 48kHz] callbacks: 1000, samples: 480000, rate: 48000, rate diff: 0%, level: 3120
                ↓11-23 10:15:30.514  8123  8177 I org.webrtc.Logging: audio_device_buffer.cc: [REC : 10001msec, 48kHz] callbacks: 0, samples: 0, rate: 0, rate diff: 0%, level: 0
                11-23 10:15:30.515  8123  8177 I org.webrtc.Logging: audio_device_buffer.cc: [PLAY: 10001msec, 48kHz] callbacks: 1000, samples: 480000, rate: 48000, rate diff: 0%, level: 2975
                """),
            AnalyzerExample("""
                ↓[1:15:0501/080031.000000:WARNING:video_receive_stream2.cc(806)] No decodable frame in 3000 ms, requesting keyframe.
                ↓[1:15:0501/080034.000000:WARNING:video_receive_stream2.cc(806)] No decodable frame in 3000 ms, requesting keyframe.
                """),
            AnalyzerExample("""
                ↓[1:15:0501/080102.000000:INFO:audio_device_buffer.cc(134)] HISTOGRAM(WebRTC.Audio.RecordedOnlyZeros): 1
                [1:15:0501/080102.000001:INFO:audio_device_buffer.cc(137)] total recording time: 61024
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                2024-05-01 10:03:52.771002+0800 VoiceApp[1234:567901] Call quality warning cleared: constant-audio-input-level
                """),
            // The app went to the background: iOS stops every camera, and gives it back.
            AnalyzerExample("""
                2024-05-01 10:02:11.520114+0800 RTCDemo[1234:567950] Capture session interrupted: VideoDeviceNotAvailableInBackground
                2024-05-01 10:02:40.003327+0800 RTCDemo[1234:567950] Capture session interruption ended.
                """),
            AnalyzerExample("""
                11-23 10:15:10.000  8123  8210 D CameraStatistics: Camera fps: 30.
                11-23 10:15:12.000  8123  8210 D CameraStatistics: Camera fps: 29.
                """),
            // One wait while the stream starts.
            AnalyzerExample("""
                [1:15:0501/080001.200000:WARNING:video_receive_stream2.cc(806)] No decodable frame in 3000 ms, requesting keyframe.
                """),
            // A listener: playout runs, the microphone was never opened; then one who mutes by
            // stopping the recording.
            AnalyzerExample("""
                11-23 10:15:20.512  8123  8177 I org.webrtc.Logging: audio_device_buffer.cc: [REC : 10000msec, 48kHz] callbacks: 0, samples: 0, rate: 0, rate diff: 0%, level: 0
                11-23 10:15:20.513  8123  8177 I org.webrtc.Logging: audio_device_buffer.cc: [PLAY: 10000msec, 48kHz] callbacks: 1000, samples: 480000, rate: 48000, rate diff: 0%, level: 3120
                11-23 10:15:30.514  8123  8177 I org.webrtc.Logging: audio_device_buffer.cc: [REC : 10000msec, 48kHz] callbacks: 0, samples: 0, rate: 0, rate diff: 0%, level: 0
                11-23 10:15:30.515  8123  8177 I org.webrtc.Logging: audio_device_buffer.cc: [PLAY: 10000msec, 48kHz] callbacks: 1000, samples: 480000, rate: 48000, rate diff: 0%, level: 2975
                """),
            AnalyzerExample("""
                [1:15:0501/080020.000000:INFO:audio_device_buffer.cc(410)] [REC : 10000msec, 48kHz] callbacks: 1000, samples: 480000, rate: 48000, rate diff: 0%, level: 9120
                [1:15:0501/080024.000000:INFO:audio_device_buffer.cc(134)] HISTOGRAM(WebRTC.Audio.RecordedOnlyZeros): 0
                [1:15:0501/080024.000001:INFO:audio_device_buffer.cc(137)] total recording time: 24010
                [1:15:0501/080030.000000:INFO:audio_device_buffer.cc(410)] [REC : 10000msec, 48kHz] callbacks: 0, samples: 0, rate: 0, rate diff: 0%, level: 0
                """),
        ])

    /// For the audio kinds the camera advice of `description` does not fit.
    static let audioRemediation = "Check whether a call, the assistant or another app took the microphone or the audio "
        + "device at that moment, and whether the route changed (a Bluetooth headset dropping); restart the audio device "
        + "module when its stats show no callbacks; on a silent microphone, check the system-wide mute and the input route."

    static let remoteVideoRemediation = "Check loss and bandwidth on the receiving path and the sender's side of the call "
        + "(its capture and encoder) at those times; check that keyframe requests reach the sender (PLI/FIR through the SFU)."

    private var video = EvidenceLog()
    private var audio = EvidenceLog()
    private var recordingRan = false, playoutRan = false
    private var recordingStalled = EvidenceLog(), playoutStalled = EvidenceLog()
    private var recordingStallMillis = 0.0, playoutStallMillis = 0.0
    private var onlyZeros = EvidenceLog()
    private var remoteFrozen = EvidenceLog()
    /// iOS took the camera away (not for backgrounding); whether it gave it back.
    private var cameraTaken = EvidenceLog()
    private var cameraBack = false

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        if ByteMatch.contains(m, "Camera freezed") || ByteMatch.contains(m, "onCameraFreezed") {
            video.add(e, source: context.source)
        } else if ByteMatch.contains(m, "Capture session interrupted") {
            guard !ByteMatch.contains(m, "NotAvailableInBackground") else { return }
            cameraTaken.add(e, source: context.source)
            cameraBack = false
        } else if ByteMatch.contains(m, "Capture session interruption ended") {
            cameraBack = true
        } else if ByteMatch.contains(m, "Capture session runtime error") {
            cameraTaken.add(e, source: context.source)
            cameraBack = false
        } else if ByteMatch.contains(m, "AudioRecord.read failed") {
            audio.add(e, source: context.source)
        } else if ByteMatch.contains(m, "No decodable frame in") {
            remoteFrozen.add(e, source: context.source)
        } else if let at = ByteMatch.after(m, "RecordedOnlyZeros): ") {
            if at < m.count, m[at] == UInt8(ascii: "1") { onlyZeros.add(e, source: context.source) }
        } else if ByteMatch.contains(m, "constant-audio-input-level") {
            // Raised, and cleared later with the same name: only "warning(s) changed/added"-style
            // lines that do not say it was removed count.
            if !ByteMatch.containsLowercased(m, "cleared") && !ByteMatch.containsLowercased(m, "removed") {
                onlyZeros.add(e, source: context.source)
            }
        } else if ByteMatch.contains(m, "total recording time: ") {
            recordingRan = false    // stopped on purpose: silence from here on is no stall
        } else if ByteMatch.contains(m, "total playout time: ") {
            playoutRan = false
        } else if let at = ByteMatch.after(m, "[REC : ") {
            Self.deviceBufferStats(m, at, e, context.source, ran: &recordingRan, stalled: &recordingStalled, millis: &recordingStallMillis)
        } else if let at = ByteMatch.after(m, "[PLAY: ") {
            Self.deviceBufferStats(m, at, e, context.source, ran: &playoutRan, stalled: &playoutStalled, millis: &playoutStallMillis)
        }
    }

    /// One `[REC : …]` / `[PLAY: …]` interval: no callbacks after some were counted is a stall.
    static func deviceBufferStats(_ m: UnsafeRawBufferPointer, _ at: Int, _ e: EventView, _ source: String,
                                  ran: inout Bool, stalled: inout EvidenceLog, millis: inout Double) {
        guard let callbacks = ByteMatch.number(after: "callbacks: ", in: m) else { return }
        if callbacks > 0 {
            ran = true
        } else if ran {
            stalled.add(e, source: source)
            millis += ByteMatch.number(m, at: at) ?? 0
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
        if !cameraTaken.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "camera_interrupted", cause: .client,
                               severity: cameraBack ? .p2 : .p1, confidence: 0.7,
                               detail: "iOS interrupted the camera (another app or split-screen took it, or the capture session "
                                   + "failed)" + (cameraBack ? "; it came back" : " and did not give it back"),
                               evidence: cameraTaken, remediation: d.remediation))
        }
        if !audio.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "audio", cause: .client, severity: .p1,
                               confidence: audio.count >= 2 ? 0.8 : 0.5,
                               detail: "Audio capture reads failed \(audio.count) time(s)", evidence: audio,
                               remediation: Self.audioRemediation))
        }
        if !onlyZeros.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "silent_capture", cause: .client, severity: .p1, confidence: 0.75,
                               detail: "The microphone delivered only silence (every level measured while recording was zero, or "
                                   + "a level that did not change): muted by the system or another app, or a broken input route",
                               evidence: onlyZeros, remediation: Self.audioRemediation))
        }
        func stall(_ log: EvidenceLog, _ millis: Double, _ kind: String, _ what: String) {
            guard !log.isEmpty else { return }
            out.append(Finding(signature: d.id, title: d.name, subkind: kind, cause: .client, severity: .p1, confidence: 0.8,
                               detail: "\(what) delivered no audio for \(Int(millis / 1000)) s after it had worked "
                                   + "(\(log.count) silent stats interval(s) of the audio device)",
                               evidence: log, measurements: [("stalled_seconds", millis / 1000)], remediation: Self.audioRemediation))
        }
        if remoteFrozen.count >= 2 {
            out.append(Finding(signature: d.id, title: d.name, subkind: "remote_video", cause: .link, severity: .p1, confidence: 0.6,
                               detail: "The received video froze: no decodable frame, keyframes requested \(remoteFrozen.count) times "
                                   + "(loss on the path, or the sender stopped)",
                               evidence: remoteFrozen, remediation: Self.remoteVideoRemediation))
        }
        stall(recordingStalled, recordingStallMillis, "audio", "Audio capture")
        stall(playoutStalled, playoutStallMillis, "playout", "Audio playout")
        return out
    }
}
