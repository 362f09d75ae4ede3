import RTCDiagFormats

/// `device_fragmentation`: the device's audio or camera stack fails where it works elsewhere —
/// AudioRecord / AudioTrack creation or start failures with their status, camera open failures.
/// The finding names the maker, model, OS and chipset when the log has them.
///
/// Sources: WebRTC `WebRtcAudioRecord.java` / `WebRtcAudioTrack.java`, whose error reports
/// prefix every failure ("Init recording error: …", "Start recording error: <code>. …",
/// "Init playout error: …", "Start playout error: …", "Run-time playback error: …") and name the
/// cause ("AudioRecord.startRecording failed - incorrect state: …", "AudioTrack.play failed - …");
/// Android `AudioRecord.cpp` / `AudioTrack.cpp` ("AudioFlinger could not create record track,
/// status: …", "… could not create track, status: …", `start() status -38`), the JNI layer
/// ("Error creating AudioRecord instance: initialization check failed with status …") and the
/// Java classes ("Error code -20 when initializing native AudioRecord object.", "… when
/// initializing AudioTrack."); status codes are `status_t` (-38 INVALID_OPERATION, -22
/// BAD_VALUE, -12 NO_MEMORY, -19 NO_INIT, -1 PERMISSION_DENIED, -32 DEAD_OBJECT); WebRTC's OpenSL
/// ES recorder/player (`LOG_ON_ERROR`: "<file>:<line> <call> failed: SL_RESULT_…", tags
/// `OpenSLESRecorder` / `OpenSLESPlayer`); the iOS voice-processing audio unit
/// (`voice_processing_audio_unit.mm`: "Failed to initialize the Voice-Processing I/O unit" is
/// retried; "Too many initialization attempts" is the end), and the iOS audio session refused
/// (see `sessionActivationFailed`); WebRTC's example `AppRTCBluetoothManager`, forked into many
/// apps ("BT SCO connection fails - no more attempts"; "… - no headset available" is the app
/// asking without a headset, no failure of the device); browsers rejecting `getUserMedia` with `NotReadableError`
/// (Chrome "Could not start audio source" / "… video source", Firefox "Failed to allocate
/// videosource"): the device exists but the system or another app will not let it open; WebRTC
/// `Camera1Session.java` / `Camera2Session.java` (the `CameraDevice.StateCallback` errors: "Camera
/// device is in use already.", "… could not be opened …", "… has encountered a fatal error.") and
/// `CameraCapturer.java` ("Opening camera failed, passing: …" once its retries are spent; "…,
/// retry: …" is not yet a failure).
public struct DeviceFragmentationAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "device_fragmentation",
        name: "Device-specific audio/camera failure",
        summary: "The device's audio capture/playout or camera fails to start.",
        defaultCause: .client, defaultSeverity: .p1,
        remediation: "Check the device model against known issues (another app holding the microphone, OEM audio HAL "
            + "bugs); try the SDK's alternative audio layer (OpenSL ES / AAudio / Java) or audio source for this model.",
        keywords: (Self.captureFailures + Self.playoutFailures + Self.captureFramework + Self.playoutFramework).map(\.description)
            + Self.cameraFailures.map(\.description) + ["start() status", "Camera2Session", "failed: SL_RESULT_", "Audio State: audio mode",
                                                      "BT SCO connection fails",
                                                      "Failed to setActive", "Failed to set WebRTC audio configuration",
                                                      "InitPlayOrRecord failed"],
        triggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.210  8123  8150 D WebRtcAudioManager: Android SDK: 30, Release: 11, Brand: samsung, Device: a51, Id: RP1A, Hardware: exynos9611, Manufacturer: samsung, Model: SM-A515F, Product: a51nsxx
                ↓11-23 10:15:00.551  1032  1650 E AudioRecord: start() status -38
                ↓11-23 10:15:00.552  8123  8160 E WebRtcAudioRecord: AudioRecord.startRecording failed - incorrect state: 1
                """),
            AnalyzerExample("""
                ↓2023-01-11 18:21:58.161 14409-14475 WebRtcAudioTrack        com.example.rtc                      E  AudioTrack.play failed - incorrect state :1
                """),
            // Another app holds the microphone: the framework refuses the record track, and
            // WebRTC reports it as an init error (logcat -v brief, as pasted into tickets).
            AnalyzerExample("""
                ↓E/AudioRecord(27812): createRecord_l(1769108859): AudioFlinger could not create record track, status: -22
                ↓E/AudioRecord-JNI(27812): Error creating AudioRecord instance: initialization check failed with status -22.
                ↓E/android.media.AudioRecord(27812): Error code -20 when initializing native AudioRecord object.
                ↓E/org.webrtc.Logging(27812): WebRtcAudioRecordExternal: Init recording error: Cannot create AudioRecord
                I/org.webrtc.Logging(27812): WebRtcAudioRecordExternal: Audio State: audio mode: MODE_IN_COMMUNICATION, has mic: true, mic muted: false, music active: false, speakerphone: true, BT SCO: false
                """),
            // The app left the device in the wrong mode with the microphone muted: the state is evidence.
            AnalyzerExample("""
                ↓03-29 00:03:05.555 25797 26866 E AudioRecord: start() status -38
                ↓03-29 00:03:05.555 25797 26866 E org.webrtc.Logging: WebRtcAudioRecord: Start recording error: AUDIO_RECORD_START_STATE_MISMATCH. AudioRecord.startRecording failed - incorrect state :1
                ↓03-29 00:03:05.556 25797 26866 I org.webrtc.Logging: WebRtcAudioRecord: Audio State: audio mode: MODE_NORMAL, has mic: true, mic muted: true, music active: false, speakerphone: false, BT SCO: false
                """),
            AnalyzerExample("""
                ↓02-14 09:12:03.118  9031  9102 E OpenSLESRecorder: opensles_recorder.cc:338 (*engine_)->CreateAudioRecorder(engine_, recorder_object_.Receive(), &audio_source, &audio_sink, arraysize(interface_id), interface_id, interface_required) failed: SL_RESULT_CONTENT_UNSUPPORTED
                """),
            AnalyzerExample("""
                2024-05-01 10:00:00.412301+0800 RTCDemo[1234:567921] (voice_processing_audio_unit.mm:274): Failed to initialize the Voice-Processing I/O unit. Error=-66635.
                2024-05-01 10:00:00.512301+0800 RTCDemo[1234:567921] (voice_processing_audio_unit.mm:274): Failed to initialize the Voice-Processing I/O unit. Error=-66635.
                ↓2024-05-01 10:00:00.612301+0800 RTCDemo[1234:567921] (voice_processing_audio_unit.mm:281): Too many initialization attempts.
                """),
            // A CallKit call still holds the audio: iOS refuses the session, WebRTC cannot start audio.
            AnalyzerExample("""
                ↓2024-05-01 10:46:33.439012+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:397 -[RTCAudioSession setActive:error:]): Failed to setActive:1. Error: Session activation failed
                ↓2024-05-01 10:46:33.439101+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:724 -[RTCAudioSession configureWebRTCSession:]): Failed to set WebRTC audio configuration: Session activation failed
                ↓2024-05-01 10:46:33.439250+0800 RTCDemo[1234:567921] (audio_device_ios.mm:183): InitPlayout: InitPlayOrRecord failed for InitPlayout!
                """),
            AnalyzerExample("""
                ↓04-27 13:17:46.590  4155  7254 E AudioTrack: AudioFlinger could not create track, status: -12
                ↓04-27 13:17:46.598  4155  7254 E android.media.AudioTrack: Error code -20 when initializing AudioTrack.
                ↓04-27 13:17:46.601  4155  7254 E WebRtcAudioTrackExternal: Init playout error: Initialization of audio track failed.
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:01.220Z ERROR [media] getUserMedia failed: NotReadableError: Could not start video source
                """),
            AnalyzerExample("""
                03-29 00:03:07.020 25797 25797 D AppRTCBluetoothManager: startSco: BT state=HEADSET_AVAILABLE, attempts: 2, SCO is on: false
                ↓03-29 00:03:07.021 25797 25797 E AppRTCBluetoothManager: BT SCO connection fails - no more attempts
                """),
            // WebRTC's capturer retries three times, then gives up ("passing").
            AnalyzerExample("""
                03-29 00:03:06.010 25797 26870 W CameraCapturer: Opening camera failed, retry: Camera device is in use already.
                ↓03-29 00:03:06.912 25797 26870 E org.webrtc.Logging: Camera2Session: Error: Camera device is in use already.
                ↓03-29 00:03:07.020 25797 26870 W CameraCapturer: Opening camera failed, passing: Camera device is in use already.
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.551  8123  8160 D WebRtcAudioRecord: startRecording
                11-23 10:15:01.020  8123  8172 I WebRtcAudioTrack: AudioTrack.play: state=3
                """),
            AnalyzerExample("""
                03-29 00:03:05.532 25797 26866 I org.webrtc.Logging: WebRtcAudioRecordExternal: initRecording(sampleRate=48000, channels=1)
                03-29 00:03:05.549 25797 26866 I org.webrtc.Logging: WebRtcAudioRecordExternal: AudioRecord: session ID: 1177, channels: 1, sample rate: 48000
                04-27 13:17:46.594  4155  7254 D AudioTrack: no metrics gathered, track status=-38
                03-29 00:03:05.556 25797 26866 I org.webrtc.Logging: WebRtcAudioRecord: Audio State: audio mode: MODE_NORMAL, has mic: true, mic muted: true, music active: false, speakerphone: false, BT SCO: false
                2022-07-05 11:09:22.036 16925-17157/com.example.rtc E/org.webrtc.Logging: JavaAudioDeviceModule: HW AEC not supported
                """),
            AnalyzerExample("""
                03-29 00:03:06.010 25797 26870 D CameraCapturer: Opening camera 1
                03-29 00:03:06.102 25797 26870 D Camera2Session: Camera opened.
                """),
            AnalyzerExample("""
                2024-05-01 10:00:09.021300+0800 RTCDemo[1234:567921] (RTCAudioSession+Configuration.mm:126 -[RTCAudioSession(Configuration) setConfiguration:active:shouldSetActive:error:]): Failed to setActive to 0: Session deactivation failed
                """),
            AnalyzerExample("""
                03-29 00:03:07.020 25797 25797 E AppRTCBluetoothManager: BT SCO connection fails - no headset available
                """),
            // A retried audio-unit start that then works.
            AnalyzerExample("""
                2024-05-01 10:00:00.412301+0800 RTCDemo[1234:567921] (voice_processing_audio_unit.mm:274): Failed to initialize the Voice-Processing I/O unit. Error=-66635.
                """),
        ])

    /// What WebRTC and the Android framework print when audio capture cannot be created or started.
    /// The SDK's own reports (WebRTC's and the app's), as against the framework's below.
    static let captureFailures: [StaticString] = ["AudioRecord.startRecording failed", "startRecording() called on an uninitialized",
                                  "initRecording failed", "Init recording error", "Start recording error",
                                  // iOS: the voice-processing audio unit (capture and playout) gave up
                                  "Too many initialization attempts", "Failed to create a VoiceProcessingIO audio unit",
                                  // browsers' getUserMedia: the device is there but cannot be opened (NotReadableError)
                                  "Could not start audio source", "Failed to allocate audiosource"]
    /// The same for the camera.
    static let cameraFailures: [StaticString] = ["Failed to open camera", "Opening camera failed, passing", "Camera device is in use already",
                                 "Camera device could not be opened", "Camera device has encountered a fatal error",
                                 "Camera service has encountered a fatal error", "Could not start video source",
                                 "Failed to allocate videosource"]
    /// The same for playout.
    static let playoutFailures: [StaticString] = ["AudioTrack.play failed", "initPlayout failed", "Init playout error", "Start playout error",
                                  "Run-time playback error"]
    /// What the Android framework prints in whichever process made the request. A whole-device
    /// logcat also holds other apps' refusals — the assistant's hotword recorder is refused during
    /// every call ("startInput() HOTWORD will be blocked in call", then "start() status -22" in
    /// its process) — so these alone make a weaker finding that names the process.
    static let captureFramework: [StaticString] = ["could not create record track", "Error creating AudioRecord instance",
                                   "when initializing native AudioRecord"]
    static let playoutFramework: [StaticString] = ["could not create track", "when initializing AudioTrack"]

    private var capture = EvidenceLog()
    private var playout = EvidenceLog()
    private var camera = EvidenceLog()
    private var session = EvidenceLog()    // iOS: the audio session could not be activated
    private var bluetooth = EvidenceLog()  // the headset's voice channel (SCO) would not open
    private var captureBySDK = false, playoutBySDK = false
    private var frameworkPid: Int32?
    private var status: String?
    /// WebRTC's "Audio State: audio mode: MODE_…, has mic: …, mic muted: …" (logged with its
    /// audio errors): the latest one, shown beside an audio failure.
    private var audioMode: String?
    private var micMuted = false
    private var audioStateLine = EvidenceLog(limit: 1)

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        let before = playout.count + capture.count + camera.count + session.count + bluetooth.count
        defer {
            if playout.count + capture.count + camera.count + session.count + bluetooth.count > before, e.timeKind != .elapsed {
                context.timeline.mark(e.time, "device", String(decoding: m.prefix(100), as: UTF8.self))
            }
        }
        func any(_ phrases: [StaticString]) -> Bool { phrases.contains { ByteMatch.contains(m, $0) } }
        if let at = ByteMatch.after(m, "Audio State: audio mode: ") {
            var end = at
            while end < m.count, m[end] != UInt8(ascii: ","), m[end] != 0x20 { end += 1 }
            audioMode = end > at ? String(decoding: m[at..<end], as: UTF8.self) : nil
            micMuted = ByteMatch.contains(m, "mic muted: true")
            audioStateLine = EvidenceLog(limit: 1)
            audioStateLine.add(e, source: context.source)
            return
        }
        if any(Self.captureFailures) {
            if status == nil { status = Self.statusCode(m) }
            capture.add(e, source: context.source)
            captureBySDK = true
        } else if any(Self.playoutFailures) {
            playout.add(e, source: context.source)
            playoutBySDK = true
        } else if any(Self.captureFramework) || (ByteMatch.after(m, "start() status ") != nil && ByteMatch.contains(e.tag, "AudioRecord")) {
            if status == nil { status = Self.statusCode(m) }
            capture.add(e, source: context.source)
            if frameworkPid == nil, e.pid >= 0 { frameworkPid = e.pid }
        } else if any(Self.playoutFramework) {
            playout.add(e, source: context.source)
            if frameworkPid == nil, e.pid >= 0 { frameworkPid = e.pid }
        } else if Self.sessionActivationFailed(m) {
            session.add(e, source: context.source)
        } else if ByteMatch.contains(m, "BT SCO connection fails - no more attempts") {
            bluetooth.add(e, source: context.source)
        } else if ByteMatch.contains(m, "failed: SL_RESULT_") {    // OpenSL ES: "<file>:<line> <call> failed: SL_RESULT_…"
            if ByteMatch.contains(e.tag, "Recorder") || ByteMatch.contains(m, "Recorder") || ByteMatch.contains(m, "recorder") {
                capture.add(e, source: context.source)
                captureBySDK = true    // WebRTC's own audio layer
            } else {
                playout.add(e, source: context.source)
                playoutBySDK = true
            }
        } else if (any(Self.cameraFailures) && !ByteMatch.contains(m, "failed, retry"))
                    || (ByteMatch.contains(e.tag, "Camera2Session") && e.level >= .error) {
            camera.add(e, source: context.source)
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        var out: [Finding] = []
        guard !(capture.isEmpty && playout.isEmpty && camera.isEmpty && session.isEmpty && bluetooth.isEmpty) else {
            return []    // every call ends here
        }
        let device = context.device.summary.map { " on \($0)" } ?? ""
        // The audio state WebRTC logged with the error says what the app left the device in.
        var stateNote = ""
        if let audioMode {
            var notes: [String] = []
            if audioMode != "MODE_IN_COMMUNICATION" { notes.append("audio mode \(audioMode), not MODE_IN_COMMUNICATION") }
            if micMuted { notes.append("the microphone muted system-wide") }
            if !notes.isEmpty { stateNote = "; WebRTC's audio state: " + notes.joined(separator: ", ") }
        }
        let frameworkOnly = "; only the Android framework reports it"
            + (frameworkPid.map { ", in process \($0)" } ?? "") + ", not the SDK: check that this is the app's process"
        func add(_ log: EvidenceLog, _ kind: String, _ detail: String, audio: Bool = false, bySDK: Bool = true) {
            guard !log.isEmpty else { return }
            var evidence = log
            if audio, !stateNote.isEmpty { evidence.merge(audioStateLine) }
            out.append(Finding(signature: d.id, title: d.name, subkind: kind, cause: .client, severity: bySDK ? .p1 : .p2,
                               confidence: bySDK ? 0.8 : 0.5,
                               detail: detail + (audio ? stateNote : "") + (bySDK ? "" : frameworkOnly), evidence: evidence,
                               remediation: d.remediation))
        }
        let statusText = status.map { " (AudioRecord status \($0)\(Self.statusName($0).map { " \($0)" } ?? ""))" } ?? ""
        add(capture, "audio_capture", "Audio capture\(statusText) failed\(device)", audio: true, bySDK: captureBySDK)
        add(playout, "audio_playout", "Audio playout failed\(device)", audio: true, bySDK: playoutBySDK)
        add(camera, "camera", "Camera open failed\(device)")
        add(session, "audio_session", "The system refused to activate the audio session\(device): another app or a call may hold the audio")
        if !bluetooth.isEmpty {    // the call goes on, through the phone instead of the headset
            out.append(Finding(signature: d.id, title: d.name, subkind: "bluetooth_sco", cause: .client, severity: .p2, confidence: 0.7,
                               detail: "The Bluetooth headset's voice channel (SCO) would not open\(device): audio stayed on the phone",
                               evidence: bluetooth, remediation: d.remediation))
        }
        return out
    }

    /// The `status_t` after "status" in a framework line (`status: -22`, `with status -22.`,
    /// `start() status -38`).
    static func statusCode(_ m: UnsafeRawBufferPointer) -> String? {
        guard var at = ByteMatch.after(m, "status") else { return nil }
        while at < m.count, m[at] == UInt8(ascii: ":") || m[at] == 0x20 { at += 1 }
        var end = at
        if end < m.count, m[end] == UInt8(ascii: "-") { end += 1 }
        let digits = end
        while end < m.count, isASCIIDigit(m[end]) { end += 1 }
        guard end > digits else { return nil }
        return String(decoding: m[at..<end], as: UTF8.self)
    }

    /// iOS refused to activate the audio session: `RTCAudioSession` logs "Failed to setActive to 1: …" /
    /// "Failed to setActive:1. Error: …" (deactivation failures, `… to 0`, are harmless) and
    /// "Failed to set WebRTC audio configuration: …"; `audio_device_ios.mm` then gives up with
    /// "InitPlayOrRecord failed for InitPlayout!" / "… for InitRecording!".
    static func sessionActivationFailed(_ m: UnsafeRawBufferPointer) -> Bool {
        if let at = ByteMatch.after(m, "Failed to setActive to ") ?? ByteMatch.after(m, "Failed to setActive:") {
            return at < m.count && m[at] == UInt8(ascii: "1")
        }
        return ByteMatch.contains(m, "Failed to set WebRTC audio configuration") || ByteMatch.contains(m, "InitPlayOrRecord failed")
    }

    static func statusName(_ code: String) -> String? {
        switch code {
        case "-38": "INVALID_OPERATION"
        case "-22": "BAD_VALUE"
        case "-12": "NO_MEMORY"
        case "-19": "NO_INIT"
        case "-1": "PERMISSION_DENIED"
        case "-32": "DEAD_OBJECT"
        default: nil
        }
    }
}
