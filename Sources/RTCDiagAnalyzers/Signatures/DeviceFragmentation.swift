import RTCDiagFormats

/// `device_fragmentation`: the device's audio, codec or camera stack fails where it works
/// elsewhere — AudioRecord / AudioTrack creation or start failures with their status, AAudio
/// streams refused, hardware video codecs (OMX / Codec2) failing, camera open failures.
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
/// apps ("BT SCO connection fails - no more attempts", and before it "BT failed to connect after
/// timeout" for each attempt that timed out; "… - no headset available" is the app asking
/// without a headset, no failure of the device; "+++ Bluetooth audio SCO is now connected" ends
/// it), Twilio's `audioswitch` (tags `AS/…`: "Bluetooth sco job timed out" after "Attempting to
/// enable bluetooth SCO" — the same timeout after "… to disable …" is harmless — and "Bluetooth
/// SCO Audio connected"), and on iOS WebRTC's example call view and the apps built from it
/// ("Error overriding output port: …": the speaker / receiver route the app asked for was
/// refused), and `RTCAudioSession`'s "Audio route changed: NoSuitableRouteForCategory" (iOS found no
/// route at all for the session's category: no audio in or out) — an audio route the system did
/// not honour; browsers rejecting `getUserMedia` with `NotReadableError`
/// (Chrome "Could not start audio source" / "… video source", Firefox "Failed to allocate
/// videosource"): the device exists but the system or another app will not let it open; WebRTC
/// `Camera1Session.java` / `Camera2Session.java` (the `CameraDevice.StateCallback` errors: "Camera
/// device is in use already.", "… could not be opened …", "… has encountered a fatal error.") and
/// `CameraCapturer.java` ("Opening camera failed, passing: …" once its retries are spent; "…,
/// retry: …" is not yet a failure); AAudio — WebRTC's `aaudio_wrapper.cc` logs a refused call
/// as "<call>: AAUDIO_ERROR_…" and libaaudio itself (tag `AAudio`, in the calling process)
/// "AAudioStreamBuilder_openStream() returns -889 = AAUDIO_ERROR_UNAVAILABLE for s#0" and
/// "AAudioStream_requestStart(s#3) returned -899" (codes -899 … -880; a disconnect is a headset
/// plugged or unplugged, after which WebRTC reopens the stream: no failure); hardware video
/// codecs — Android's `MediaCodec.cpp` ("Codec reported err 0x80001009, actionCode 0, while in
/// state 6", newer releases "… err 0xffffffe0/DEAD_OBJECT, … state 6/STARTED", the same for OMX
/// and Codec2 components) after `ACodec.cpp` ("[OMX.qcom.video.encoder.vp8] ERROR(0x80001009)",
/// "signalError(omxError 0x80001001, internalError -12)", "[OMX.qcom.video.encoder.vp8]
/// configureCodec returning error -1010", then MediaCodec's "configure failed with err 0xfffffc0e,
/// resetting..."); OMX IL error codes 0x80001000 …; and WebRTC's `HardwareVideoEncoder.java` /
/// `AndroidVideoDecoder.java` when the running codec fails ("dequeueInputBuffer failed",
/// "queueInputBuffer failed", "encodeTexture failed", older releases "deliverOutput failed").
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
                                                      "BT SCO connection fails"] + Self.routeFailures.map(\.description) + Self.routeProgress.map(\.description)
            + [
                                                      "Failed to setActive", "Failed to set session active", "Failed to set WebRTC audio configuration",
                                                      "InitPlayOrRecord failed", "Failed to activate the audio session", "AAUDIO_ERROR_", "AAudioStream_requestStart(",
                                                      "Codec reported err", "signalError(omxError", "] ERROR(0x", "configureCodec returning error",
                                                      "configure failed with err"] + Self.codecRuntimeFailures.map(\.description)
            + Self.sessionRefusals.map(\.description),
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
            // WebRTC's iOS audio session has no microphone route, then cannot reactivate after a call.
            AnalyzerExample("""
                ↓2024-05-01 10:00:00.101234+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:812 -[RTCAudioSession configureWebRTCSession:]): No audio input path is available!
                2024-05-01 10:05:00.101234+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:585 -[RTCAudioSession handleInterruptionNotification:]): Audio session interruption ended.
                ↓2024-05-01 10:05:00.102234+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:870 -[RTCAudioSession updateAudioSessionAfterEvent]): Failed to set session active to 1. Error:The operation couldn’t be completed. (OSStatus error 561017449.)
                """),
            // Twilio on iOS answering through CallKit while the session is not yet the app's.
            AnalyzerExample("""
                ↓2020-02-29 14:48:12.821190+0530 VideoApp[11992:2162580] ERROR:Twilio:Platform: AVAudioSession setActive Error Domain=NSOSStatusErrorDomain Code=561017449 "(null)"
                ↓2020-02-29 14:48:12.822004+0530 VideoApp[11992:2162601] [aurioc] AURemoteIO.cpp:1086:Initialize: failed: 561017449 (enable 3, outf< 1 ch,  44100 Hz, Int16> inf< 1 ch,  44100 Hz, Int16>)
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
            // AppRTC's Bluetooth manager: each attempt times out, then it gives up.
            AnalyzerExample("""
                11-02 21:14:03.112 30411 30411 D AppRTCBluetoothManager: Starting Bluetooth SCO and waits for ACTION_AUDIO_STATE_CHANGED...
                ↓11-02 21:14:07.118 30411 30411 W AppRTCBluetoothManager: BT failed to connect after timeout
                11-02 21:14:07.119 30411 30411 D AppRTCBluetoothManager: bluetoothTimeout done: BT state=HEADSET_AVAILABLE
                """),
            // Twilio's audioswitch (logging enabled: tags "AS/…") gives up enabling the headset.
            AnalyzerExample("""
                06-18 09:41:20.004  8816  8816 D AS/BluetoothHeadsetManager: Attempting to enable bluetooth SCO
                06-18 09:41:24.510  8816  8816 D AS/BluetoothHeadsetManager: Attempting to enable bluetooth SCO
                ↓06-18 09:41:25.012  8816  8816 E AS/BluetoothScoJob: Bluetooth sco job timed out
                06-18 09:41:25.012  8816  8816 E AS/BluetoothScoJob: java.util.concurrent.TimeoutException
                """),
            // iOS: the headset is unplugged and no route fits the category.
            AnalyzerExample("""
                2024-05-01 10:03:40.120021+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:598 -[RTCAudioSession handleRouteChangeNotification:]): Audio route changed:
                ↓2024-05-01 10:03:40.120101+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:622 -[RTCAudioSession handleRouteChangeNotification:]): Audio route changed: NoSuitableRouteForCategory
                """),
            // iOS: the speaker override the app asked for is refused (category not PlayAndRecord).
            AnalyzerExample("""
                ↓2024-05-01 10:02:11.482113+0800 RTCDemo[1234:567921] Error overriding output port: The operation couldn’t be completed. (OSStatus error -50.)
                """),
            // WebRTC's AAudio layer cannot open the stream; libaaudio says the same in the app's process.
            AnalyzerExample("""
                ↓05-12 18:40:11.305 13377 13440 I AAudio  : AAudioStreamBuilder_openStream() returns -889 = AAUDIO_ERROR_UNAVAILABLE for s#0 ----------------
                ↓05-12 18:40:11.306 13377 13440 E libjingle: (aaudio_wrapper.cc:330): AAudioStreamBuilder_openStream(builder, &stream): AAUDIO_ERROR_UNAVAILABLE
                """),
            // The phone's hardware encoder dies mid-call (a live-streaming app on a Qualcomm SoC).
            AnalyzerExample("""
                2020-12-01 11:02:50.210 5492-5492/com.example.rtc D/WebRtcAudioManager: Android SDK: 28, Release: 9, Brand: xiaomi, Device: whyred, Id: PKQ1, Hardware: qcom, Manufacturer: Xiaomi, Model: Redmi Note 5, Product: whyred
                ↓2020-12-01 11:02:59.425 5492-5679/com.example.rtc E/ACodec: [OMX.qcom.video.encoder.vp8] ERROR(0x80001009)
                ↓2020-12-01 11:02:59.425 5492-5679/com.example.rtc E/ACodec: signalError(omxError 0x80001009, internalError -2147483648)
                ↓2020-12-01 11:02:59.425 5492-5678/com.example.rtc E/MediaCodec: Codec reported err 0x80001009, actionCode 0, while in state 6
                """),
            // The encoder refuses its configuration (a vivo phone on Android 5.1); the SDK's own
            // "initEncode failed" that follows is codec_mismatch's.
            AnalyzerExample("""
                ↓05-27 19:17:52.883 12393 14108 E ACodec  : [OMX.qcom.video.encoder.vp8] configureCodec returning error -1010
                ↓05-27 19:17:52.883 12393 14108 E ACodec  : signalError(omxError 0x80001001, internalError -1010)
                ↓05-27 19:17:52.883 12393 14107 E MediaCodec: Codec reported err 0xfffffc0e, actionCode 0, while in state 3
                ↓05-27 19:17:52.883 12393 13998 E MediaCodec: configure failed with err 0xfffffc0e, resetting...
                """),
            AnalyzerExample("""
                ↓2018-10-13 20:45:07.516 16845-17373/com.example.rtc E/org.webrtc.Logging: HardwareVideoEncoder: deliverOutput failed
                2018-10-13 20:45:07.516 16845-17373/com.example.rtc E/org.webrtc.Logging: HardwareVideoEncoder: java.lang.IllegalStateException
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
            // audioswitch timing out while it releases the headset: the call's audio is not affected.
            AnalyzerExample("""
                06-18 09:52:02.300  8816  8816 D AS/BluetoothHeadsetManager: Attempting to disable bluetooth SCO
                06-18 09:52:07.311  8816  8816 E AS/BluetoothScoJob: Bluetooth sco job timed out
                """),
            // AAudio working, and a headset unplugged: WebRTC reopens the stream on the new route.
            AnalyzerExample("""
                05-12 18:40:11.305 13377 13440 I AAudio  : AAudioStreamBuilder_openStream() returns 0 = AAUDIO_OK for s#1 ----------------
                05-12 18:40:11.309 13377 13440 D AAudio  : AAudioStream_requestStart(s#1) returned 0 ---------
                05-12 18:41:02.771 13377 13502 E libjingle: (aaudio_recorder.cc:155): OnErrorCallback: AAUDIO_ERROR_DISCONNECTED
                05-12 18:41:02.771 13377 13502 W libjingle: (aaudio_recorder.cc:160): Input stream disconnected => restart is required
                05-12 18:41:02.790 13377 13440 D AAudio  : AAudioStream_requestStart(s#2) returned -899 ---------
                """),
            AnalyzerExample("""
                2020-12-01 11:02:58.901 5492-5679/com.example.rtc I/ACodec: [OMX.qcom.video.encoder.avc] Now Executing
                2020-12-01 11:02:58.902 5492-5678/com.example.rtc D/MediaCodec: [0xb400007] setState: 6
                """),
            // Agora's audio module retrying activation (it then succeeded); a deactivation refused
            // while I/O runs ('!act') is harmless.
            AnalyzerExample("""
                2024-05-01 10:00:00.477000+0800 RTCDemo[55043:2162580] [adm][w] ActivateAudioSession: Failed to activate the audio session for the 5 time
                2024-05-01 10:00:09.021300+0800 RTCDemo[55043:2162580] AVAudioSession.mm:692: -[AVAudioSession setActive:withOptions:error:]: Deactivating an audio session that has running I/O. All I/O should be stopped or paused prior to deactivating the audio session.
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
                                  // iOS: RTCAudioSession found no input route when configuring for WebRTC
                                  "No audio input path is available",
                                  // browsers' getUserMedia: the device is there but cannot be opened (NotReadableError)
                                  "Could not start audio source", "Failed to allocate audiosource"]
    /// The same for the camera.
    static let cameraFailures: [StaticString] = ["Failed to open camera", "Opening camera failed, passing", "Camera device is in use already",
                                 "Camera device could not be opened", "Camera device has encountered a fatal error",
                                 "Camera service has encountered a fatal error", "Could not start video source",
                                 "Failed to allocate videosource"]
    /// WebRTC's own reports of a running hardware codec failing (its init failures are
    /// `codec_mismatch`'s `codec_init`: WebRTC falls back to software there).
    static let codecRuntimeFailures: [StaticString] = ["dequeueInputBuffer failed", "queueInputBuffer failed", "encodeTexture failed",
                                                       "deliverOutput failed"]
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
    /// An audio route the app asked for and did not get (see the type's comment).
    static let routeFailures: [StaticString] = ["BT SCO connection fails - no more attempts", "BT failed to connect after timeout",
                                                "Bluetooth sco job timed out", "Error overriding output port",
                                                "NoSuitableRouteForCategory"]
    /// Lines that tell what the Bluetooth requests were for and whether the voice channel opened at last.
    static let routeProgress: [StaticString] = ["Attempting to enable bluetooth SCO", "Attempting to disable bluetooth SCO",
                                                "Bluetooth SCO Audio connected", "Bluetooth audio SCO is now connected",
                                                "Audio route changed: NewDeviceAvailable", "Audio route changed: CategoryChange"]

    private var capture = EvidenceLog()
    private var playout = EvidenceLog()
    private var camera = EvidenceLog()
    private var session = EvidenceLog()    // iOS: the audio session could not be activated
    private var bluetooth = EvidenceLog()  // the headset's voice channel (SCO) would not open
    private var route = EvidenceLog()      // iOS: the output route the app asked for was refused
    private var noRoute = EvidenceLog()    // iOS: no route at all for the session's category
    private var routeCameBack = false      // …and then a device or a category that has one
    /// audioswitch times out both ways; only a timed-out enable keeps the headset silent.
    private var scoDisabling = false
    /// The voice channel opened after the failures so far (they were retries that worked).
    private var scoRecovered = false
    private var aaudio = EvidenceLog()     // an AAudio stream refused (direction not logged)
    private var codec = EvidenceLog()      // the hardware video codec failed
    private var captureBySDK = false, playoutBySDK = false, aaudioBySDK = false, codecBySDK = false
    private var frameworkPid: Int32?, codecPid: Int32?
    private var aaudioError: String?, codecError: String?, codecComponent: String?
    private var status: String?
    /// WebRTC's "Audio State: audio mode: MODE_…, has mic: …, mic muted: …" (logged with its
    /// audio errors): the latest one, shown beside an audio failure.
    private var audioMode: String?
    private var micMuted = false
    private var audioStateLine = EvidenceLog(limit: 1)

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        var found: Int {
            playout.count + capture.count + camera.count + session.count + bluetooth.count + route.count + noRoute.count
                + aaudio.count + codec.count
        }
        let before = found
        defer {
            if found > before, e.timeKind != .elapsed {
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
        } else if ByteMatch.contains(m, "BT SCO connection fails - no more attempts") || ByteMatch.contains(m, "BT failed to connect after timeout")
                    || (ByteMatch.contains(m, "Bluetooth sco job timed out") && !scoDisabling) {
            bluetooth.add(e, source: context.source)
            scoRecovered = false
        } else if ByteMatch.contains(m, "Error overriding output port") {
            route.add(e, source: context.source)
        } else if ByteMatch.contains(m, "Audio route changed: NoSuitableRouteForCategory") {
            noRoute.add(e, source: context.source)
            routeCameBack = false
        } else if ByteMatch.contains(m, "Audio route changed: NewDeviceAvailable") || ByteMatch.contains(m, "Audio route changed: CategoryChange") {
            if !noRoute.isEmpty { routeCameBack = true }
        } else if ByteMatch.contains(m, "Attempting to enable bluetooth SCO") {
            scoDisabling = false
        } else if ByteMatch.contains(m, "Attempting to disable bluetooth SCO") {
            scoDisabling = true
        } else if ByteMatch.contains(m, "Bluetooth SCO Audio connected") || ByteMatch.contains(m, "Bluetooth audio SCO is now connected") {
            if !bluetooth.isEmpty { scoRecovered = true }
        } else if ByteMatch.contains(m, "failed: SL_RESULT_") {    // OpenSL ES: "<file>:<line> <call> failed: SL_RESULT_…"
            if ByteMatch.contains(e.tag, "Recorder") || ByteMatch.contains(m, "Recorder") || ByteMatch.contains(m, "recorder") {
                capture.add(e, source: context.source)
                captureBySDK = true    // WebRTC's own audio layer
            } else {
                playout.add(e, source: context.source)
                playoutBySDK = true
            }
        } else if let (error, bySDK) = Self.aaudioFailure(m) {
            aaudio.add(e, source: context.source)
            if aaudioError == nil { aaudioError = error }
            if bySDK { aaudioBySDK = true } else if frameworkPid == nil, e.pid >= 0 { frameworkPid = e.pid }
        } else if any(Self.codecRuntimeFailures) {
            codec.add(e, source: context.source)
            codecBySDK = true
        } else if let error = Self.codecFailure(m) {
            codec.add(e, source: context.source)
            if codecError == nil, let error { codecError = error }
            if codecComponent == nil { codecComponent = Self.codecComponent(m) }
            if codecPid == nil, e.pid >= 0 { codecPid = e.pid }
        } else if (any(Self.cameraFailures) && !ByteMatch.contains(m, "failed, retry"))
                    || (ByteMatch.contains(e.tag, "Camera2Session") && e.level >= .error) {
            camera.add(e, source: context.source)
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        var out: [Finding] = []
        guard !(capture.isEmpty && playout.isEmpty && camera.isEmpty && session.isEmpty && bluetooth.isEmpty && route.isEmpty
                && noRoute.isEmpty && aaudio.isEmpty && codec.isEmpty) else {
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
        func frameworkOnly(_ pid: Int32?) -> String {
            "; only the Android framework reports it" + (pid.map { ", in process \($0)" } ?? "")
                + ", not the SDK: check that this is the app's process"
        }
        func add(_ log: EvidenceLog, _ kind: String, _ detail: String, audio: Bool = false, bySDK: Bool = true, pid: Int32? = nil,
                 severity: Severity? = nil, remediation: String? = nil) {
            guard !log.isEmpty else { return }
            var evidence = log
            if audio, !stateNote.isEmpty { evidence.merge(audioStateLine) }
            out.append(Finding(signature: d.id, title: d.name, subkind: kind, cause: .client, severity: severity ?? (bySDK ? .p1 : .p2),
                               confidence: bySDK ? 0.8 : 0.5,
                               detail: detail + (audio ? stateNote : "") + (bySDK ? "" : frameworkOnly(pid ?? frameworkPid)), evidence: evidence,
                               remediation: remediation ?? d.remediation))
        }
        let statusText = status.map { " (AudioRecord status \($0)\(Self.statusName($0).map { " \($0)" } ?? ""))" } ?? ""
        add(capture, "audio_capture", "Audio capture\(statusText) failed\(device)", audio: true, bySDK: captureBySDK)
        add(playout, "audio_playout", "Audio playout failed\(device)", audio: true, bySDK: playoutBySDK)
        add(aaudio, "aaudio", "The AAudio audio stream was refused\(aaudioError.map { " (\($0))" } ?? "")\(device)",
            audio: true, bySDK: aaudioBySDK)
        // WebRTC falls back to a software codec when the hardware one fails, so the call usually
        // goes on with more CPU and lower quality: P2. A whole-device logcat holds other apps'
        // players too, so the framework's lines alone name their process.
        let component = codecComponent.map { " \($0)" } ?? ""
        add(codec, "media_codec", "The hardware video codec\(component) failed\(codecError.map { " (\($0))" } ?? "")\(device)",
            bySDK: codecBySDK, pid: codecPid, severity: .p2, remediation: Self.codecRemediation)
        add(camera, "camera", "Camera open failed\(device)", remediation: Self.cameraRemediation)
        add(session, "audio_session", "The system refused to activate the audio session\(device): another app or a call may hold the audio",
            remediation: Self.sessionRemediation)
        // The call goes on, through the phone instead of the headset: P2; a channel that opened
        // at a later attempt only delayed the headset.
        if scoRecovered {
            add(bluetooth, "bluetooth_sco", "The Bluetooth headset's voice channel (SCO) failed to open \(bluetooth.count == 1 ? "once" : "\(bluetooth.count) times")"
                + "\(device), then opened", severity: .p3, remediation: Self.routeRemediation)
        } else {
            add(bluetooth, "bluetooth_sco", "The Bluetooth headset's voice channel (SCO) would not open\(device): audio stayed on the phone",
                severity: .p2, remediation: Self.routeRemediation)
        }
        add(route, "audio_route", "The system refused the audio output route the app asked for (speaker / receiver)\(device)",
            severity: .p2, remediation: Self.routeRemediation)
        add(noRoute, "audio_route", "iOS found no audio route for the session's category\(device): "
            + (routeCameBack ? "no audio in or out until a device appeared or the category changed" : "no audio in or out from then on"),
            severity: routeCameBack ? .p2 : .p1, remediation: Self.routeRemediation)
        return out
    }

    /// Advice for the findings that are not about Android's audio stack.
    static let codecRemediation = "Add this model (and its chipset's codec) to the SDK's hardware-codec blocklist or prefer "
        + "the software encoder/decoder on it; check the resolution, frame rate and color format asked of the codec."
    static let cameraRemediation = "Check whether another app or the system holds the camera; on Android try the other camera "
        + "API (Camera1 / Camera2) for this model, and reopen the capturer after a failure."
    static let routeRemediation = "Check the route the app asked for against the devices present: on Android, select the "
        + "headset or speaker with setCommunicationDevice (API 31+) and confirm it with getCommunicationDevice, and give Bluetooth "
        + "SCO a few seconds before falling back; on iOS, override the output port only with the PlayAndRecord category "
        + "and an active session."
    static let sessionRemediation = "Activate the audio session only when CallKit hands it over (provider:didActivateAudioSession:), "
        + "with a category that allows recording; check what else holds the audio (a phone call, another VoIP app)."

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
    /// "Failed to setActive:1. Error: …", after an interruption or a media-server reset "Failed to set
    /// session active to 1. Error:…" (deactivation failures, `… to 0`, are harmless) and
    /// "Failed to set WebRTC audio configuration: …"; `audio_device_ios.mm` then gives up with
    /// "InitPlayOrRecord failed for InitPlayout!" / "… for InitRecording!". Other SDKs print the
    /// OSStatus: `AVAudioSessionErrorCodeInsufficientPriority` 561017449 ('!pri': a phone or
    /// CallKit call holds the audio — Twilio's "AVAudioSession setActive Error
    /// Domain=NSOSStatusErrorDomain Code=561017449", Core Audio's "[aurioc] … failed: '!pri'"),
    /// 560557684 ('!int', cannot interrupt others) and 561145187 ('!rec', cannot start
    /// recording); Agora's audio module ends its retries ("… for the 3 time") with "Failed to
    /// activate the audio session".
    static func sessionActivationFailed(_ m: UnsafeRawBufferPointer) -> Bool {
        if let at = ByteMatch.after(m, "Failed to setActive to ") ?? ByteMatch.after(m, "Failed to setActive:")
                    ?? ByteMatch.after(m, "Failed to set session active to ") {
            return at < m.count && m[at] == UInt8(ascii: "1")
        }
        if ByteMatch.contains(m, "Failed to activate the audio session") { return !ByteMatch.contains(m, " for the ") }
        return ByteMatch.contains(m, "Failed to set WebRTC audio configuration") || ByteMatch.contains(m, "InitPlayOrRecord failed")
            || Self.sessionRefusals.contains { ByteMatch.contains(m, $0) }
    }

    /// The AVAudioSession error codes (decimal, and Core Audio's four-character form) that mean
    /// the system would not give the app the audio.
    static let sessionRefusals: [StaticString] = ["561017449", "560557684", "561145187", "'!pri'", "'!rec'"]

    /// An AAudio call refused: the error's name (`AAUDIO_ERROR_…`), and whether the SDK (WebRTC's
    /// "<call>: AAUDIO_ERROR_…") rather than libaaudio ("… returns -889 = …", "… returned -889")
    /// says so. Disconnects are left out (see the type's comment).
    static func aaudioFailure(_ m: UnsafeRawBufferPointer) -> (String, Bool)? {
        if let at = ByteMatch.after(m, "AAUDIO_ERROR_") {
            var end = at
            while end < m.count, m[end] == UInt8(ascii: "_") || (m[end] >= UInt8(ascii: "A") && m[end] <= UInt8(ascii: "Z")) { end += 1 }
            let name = "AAUDIO_ERROR_" + String(decoding: m[at..<end], as: UTF8.self)
            guard name != "AAUDIO_ERROR_DISCONNECTED" else { return nil }
            return (name, !ByteMatch.contains(m, ") returns "))
        }
        // libaaudio's requestStart gives the number only.
        guard ByteMatch.contains(m, "AAudioStream_requestStart("), let at = ByteMatch.after(m, ") returned -"),
              let code = ByteMatch.number(m, at: at), code != 899 else { return nil }
        return (aaudioName(-Int(code)) ?? "error \(-Int(code))", false)
    }

    static func aaudioName(_ code: Int) -> String? {
        let names = [-899: "DISCONNECTED", -898: "ILLEGAL_ARGUMENT", -896: "INTERNAL", -895: "INVALID_STATE",
                     -892: "INVALID_HANDLE", -890: "UNIMPLEMENTED", -889: "UNAVAILABLE", -888: "NO_FREE_HANDLES",
                     -887: "NO_MEMORY", -886: "NULL", -885: "TIMEOUT", -884: "WOULD_BLOCK", -883: "INVALID_FORMAT",
                     -882: "OUT_OF_RANGE", -881: "NO_SERVICE", -880: "INVALID_RATE"]
        return names[code].map { "AAUDIO_ERROR_" + $0 }
    }

    /// A hardware codec failure from MediaCodec / ACodec: `.some(error)` with the error code
    /// named where known (`.some(nil)` when the line gives none), `nil` for other lines.
    static func codecFailure(_ m: UnsafeRawBufferPointer) -> String?? {
        let at = ByteMatch.after(m, "Codec reported err ") ?? ByteMatch.after(m, "signalError(omxError ")
                 ?? ByteMatch.after(m, "] ERROR(") ?? ByteMatch.after(m, "configure failed with err ")
                 ?? (ByteMatch.contains(m, "configureCodec returning error") ? m.count : nil)
        guard let at else { return nil }
        var end = at
        while end < m.count, m[end] == UInt8(ascii: "x") || isHexDigit(m[end]) { end += 1 }
        guard end > at + 2, m[at] == UInt8(ascii: "0"), m[at + 1] == UInt8(ascii: "x") else { return .some(nil) }
        guard let value = UInt32(String(decoding: m[(at + 2)..<end], as: UTF8.self), radix: 16) else { return .some(nil) }
        let code = "0x" + String(value, radix: 16)
        return .some(codecErrorName(value).map { "\(code) \($0)" } ?? code)
    }

    /// OMX IL error codes (`OMX_Core.h`) and the `status_t` values MediaCodec reports in hex.
    static func codecErrorName(_ value: UInt32) -> String? {
        switch value {
        case 0x8000_1000: "OMX_ErrorInsufficientResources"
        case 0x8000_1001: "OMX_ErrorUndefined"
        case 0x8000_1005: "OMX_ErrorBadParameter"
        case 0x8000_1009: "OMX_ErrorHardware"
        case 0x8000_100D: "OMX_ErrorResourcesLost"
        case 0xFFFF_FFE0: "DEAD_OBJECT"
        case 0xFFFF_FFED: "NO_INIT"
        case 0xFFFF_FFF4: "NO_MEMORY"
        case 0xFFFF_FC0E: "ERROR_UNSUPPORTED"
        default: nil
        }
    }

    /// The component in ACodec's "[OMX.qcom.video.encoder.vp8] …" (Codec2 names start `c2.`).
    static func codecComponent(_ m: UnsafeRawBufferPointer) -> String? {
        guard let open = ByteMatch.after(m, "[OMX.") ?? ByteMatch.after(m, "[c2.") else { return nil }
        var start = open
        while start > 0, m[start - 1] != UInt8(ascii: "[") { start -= 1 }
        guard let close = m[open...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
        return String(decoding: m[start..<close], as: UTF8.self)
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
