/// One line to write: seconds since the call's start, level letter, tag, message.
struct CallLine {
    var t: Double
    var level: Character
    var tag: String
    var message: String
    /// Part of the injected fault: its line number goes into the sidecar as evidence.
    var evidence = false
}

/// What a generated session must be diagnosed as.
struct Truth {
    var signatures: [String]
    var rootCause: String?
    var severity: String?
}

/// A deterministic generator (SplitMix64), so a seed always writes the same corpus.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
    mutating func double(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(next() % 1_000_000) / 1_000_000 }
}

/// The faults the corpus injects. Message texts are the ones the real software prints (see the
/// analyzers' doc comments for the sources); each fault has several variants so that one
/// literal is not enough to pass.
enum Fault: String, CaseIterable {
    case healthy, aec, iceFailed, authRejected, loss, flappingLoss, codec, deviceAudio, cameraStall, micPermission, thermal

    var truth: Truth {
        switch self {
        case .healthy: Truth(signatures: [], rootCause: nil, severity: nil)
        case .aec: Truth(signatures: ["aec_failure"], rootCause: "client", severity: "P1")
        case .iceFailed: Truth(signatures: ["connection_failure"], rootCause: "link", severity: "P0")
        case .authRejected: Truth(signatures: ["connection_failure"], rootCause: "server", severity: "P0")
        case .loss: Truth(signatures: ["packet_loss"], rootCause: "link", severity: "P2")
        case .flappingLoss: Truth(signatures: ["packet_loss", "route_flapping"], rootCause: "link", severity: "P2")
        case .codec: Truth(signatures: ["codec_mismatch"], rootCause: "server", severity: "P1")
        case .deviceAudio: Truth(signatures: ["device_fragmentation"], rootCause: "client", severity: "P1")
        case .cameraStall: Truth(signatures: ["capture_stall"], rootCause: "client", severity: "P1")
        case .micPermission: Truth(signatures: ["permission_denied"], rootCause: "client", severity: "P1")
        case .thermal: Truth(signatures: ["cpu_overload"], rootCause: "client", severity: "P2")
        }
    }

    /// Whether the fault is judged over a time window, so a clock jump (or a layout without
    /// times) would change the truth.
    var usesTimeWindow: Bool { self == .flappingLoss }

    /// The call's lines: setup, periodic stats, noise, the fault, teardown.
    func lines(_ r: inout SeededRandom, callID: Int) -> [CallLine] {
        var out: [CallLine] = []
        let duration = r.double(40, 90)
        let channel = "room-\(callID)"
        out.append(CallLine(t: 0, level: "I", tag: "RtcClient", message: "join channel=\(channel) uid=\(1000 + r.int(9000)) sdk=4.\(r.int(4)).\(r.int(10)) net=\(r.pick(["wifi", "cellular"]))"))
        let iceFails = self == .iceFailed
        // What a healthy start looks like and must not be read as a fault: the network monitor
        // lists the interfaces present, ICE switches pairs while it converges, and phones with
        // their own echo canceller get WebRTC's switched off.
        out.append(CallLine(t: 0.05, level: "D", tag: "NetworkMonitorAutoDetect", message: "Network becomes available: \(100 + r.int(10))"))
        out.append(CallLine(t: 0.06, level: "D", tag: "NetworkMonitorAutoDetect", message: "Network becomes available: \(110 + r.int(10))"))
        out.append(CallLine(t: 0.2, level: "I", tag: "PeerConnection", message: "Changing IceConnectionState 0 => 1"))
        if !iceFails && self != .authRejected {
            let connected = r.double(0.3, 1.2)
            out.append(CallLine(t: connected, level: "I", tag: "PeerConnection", message: "Changing IceConnectionState 1 => 2"))
            out.append(CallLine(t: connected + 0.02, level: "I", tag: "p2p_transport_channel",
                                message: "Switching selected connection due to: nomination on the controlled side"))
            out.append(CallLine(t: connected + r.double(0.5, 3), level: "I", tag: "p2p_transport_channel",
                                message: "Switching selected connection due to: data received"))
        }
        if self != .aec && r.int(3) == 0 {
            out.append(CallLine(t: 0.45, level: "I", tag: "webrtc_voice_engine", message: "Disabling EC since built-in EC will be used instead"))
            out.append(CallLine(t: 0.46, level: "I", tag: "webrtc_audio_processing",
                                message: "AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0, mobile_mode: 0 } }"))
        }
        // Periodic stats every 5 s; bad windows only where the fault says so.
        let lossy = self == .loss || self == .flappingLoss
        let badFrom = r.double(10, 20)
        var t = 5.0
        var bad = 0
        while t < duration && !iceFails && self != .authRejected {
            let inBad = lossy && t >= badFrom && bad < 4
            if inBad { bad += 1 }
            let loss = inBad ? r.double(7, 25) : r.double(0, 1.5)
            let rtt = inBad ? r.double(150, 350) : r.double(30, 120)
            let text = r.pick(["stats rtt=\(Int(rtt))ms loss=\(fixed1(loss))% jitter=\(r.int(20))ms",
                               "network quality rtt=\(Int(rtt)) loss=\(fixed1(loss))% txKBitRate=\(300 + r.int(400))"])
            out.append(CallLine(t: t, level: "I", tag: "RtcClient", message: text, evidence: inBad))
            t += 5
        }
        let at = r.double(6, max(8, duration / 2))
        switch self {
        case .healthy:
            break
        case .aec:
            out.append(CallLine(t: 0.5, level: "E", tag: "WebRtcAudioRecord", message: "Built-in AEC is not supported on this platform", evidence: true))
            out.append(CallLine(t: 0.52, level: "I", tag: "webrtc_audio_processing",
                            message: "AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0, mobile_mode: \(r.int(2)) }, noise_suppression: { enabled: 1 } }",
                            evidence: true))
            for k in 0..<(2 + r.int(3)) {
                out.append(CallLine(t: at + Double(k) * r.double(2, 6), level: "W", tag: "RtcClient",
                                message: r.pick(["onWarning warn=1053 (WARN_APM_RESIDUAL_ECHO)", "onWarning code=1051 WARN_APM_HOWLING",
                                                 "audio warning: residual echo detected (RESIDUAL_ECHO)"]), evidence: true))
            }
        case .iceFailed:
            out.append(CallLine(t: 1.5, level: "I", tag: "stun_port", message: "Binding request timed out from 192.0.2.\(r.int(250)):\(40000 + r.int(20000))"))
            out.append(CallLine(t: r.double(25, 31), level: "I", tag: "PeerConnection",
                            message: r.pick(["Changing IceConnectionState 1 => 4", "Changing IceConnectionState checking => failed",
                                             "IceConnectionState: FAILED", "ICE state changed: 4"]), evidence: true))
        case .authRejected:
            out.append(CallLine(t: 0.6, level: "E", tag: "Signaling", message: r.pick([
                "join rejected: token expired (code 109)", "POST https://edge.example.net/v1/join -> 401 Unauthorized",
                "onConnectionStateChanged state=FAILED reason=token expired"]), evidence: true))
        case .loss:
            break
        case .flappingLoss:
            for k in 0..<(4 + r.int(2)) {
                out.append(CallLine(t: badFrom - 3 + Double(k) * r.double(2, 5), level: "I", tag: r.pick(["p2p_transport_channel", "NetworkMonitor"]),
                                message: r.pick(["Switching selected connection due to: selected candidate pair destroyed",
                                                 "NetworkMonitorAutoDetect: Network becomes available: \(100 + r.int(10))",
                                                 "Switching selected connection due to: nomination on the controlled side"]), evidence: true))
            }
        case .codec:
            out.append(CallLine(t: at, level: "E", tag: "PeerConnection", message: r.pick([
                "Failed to set remote answer sdp: Failed to set remote video description send parameters for m-section with mid='1'.",
                "Failed to set remote offer sdp: Session error code: ERROR_CONTENT. Session error description: Failed to set remote video description recv parameters."]),
                evidence: true))
        case .deviceAudio:
            let variant = r.int(4)
            if variant == 3 {    // WebRTC on AAudio: the stream cannot be opened (libaaudio says so first)
                let error = r.pick([(-889, "UNAVAILABLE"), (-896, "INTERNAL"), (-881, "NO_SERVICE")])
                out.append(CallLine(t: 0.55, level: "I", tag: "AAudio",
                                    message: "AAudioStreamBuilder_openStream() returns \(error.0) = AAUDIO_ERROR_\(error.1) for s#0 ----------------",
                                    evidence: true))
                out.append(CallLine(t: 0.56, level: "E", tag: "libjingle",
                                    message: "(aaudio_wrapper.cc:330): AAudioStreamBuilder_openStream(builder, &stream): AAUDIO_ERROR_\(error.1)",
                                    evidence: true))
            } else if variant == 0 {    // the record track refused outright (another app holds the microphone)
                out.append(CallLine(t: 0.55, level: "E", tag: "AudioRecord",
                                    message: "createRecord_l(\(r.int(1 << 30))): AudioFlinger could not create record track, status: -\(r.pick([1, 22]))",
                                    evidence: true))
                out.append(CallLine(t: 0.56, level: "E", tag: "WebRtcAudioRecord", message: "Init recording error: Cannot create AudioRecord", evidence: true))
            } else {
                out.append(CallLine(t: 0.55, level: "E", tag: "AudioRecord", message: "start() status -\(r.pick([38, 22, 19]))", evidence: true))
                out.append(CallLine(t: 0.56, level: "E", tag: "WebRtcAudioRecord", message: r.pick([
                    "AudioRecord.startRecording failed - incorrect state: 1", "AudioRecord.startRecording failed: startRecording() called on an uninitialized AudioRecord."]),
                    evidence: true))
            }
        case .cameraStall:
            out.append(CallLine(t: at, level: "E", tag: "CameraStatistics", message: "Camera freezed.", evidence: true))
        case .thermal:
            out.append(CallLine(t: at, level: "W", tag: "RtcClient", message: r.pick([
                "onThermalStatusChanged: THERMAL_STATUS_SEVERE", "onThermalStatusChanged: THERMAL_STATUS_CRITICAL",
                "outbound-rtp video qualityLimitationReason=cpu frameHeight=360"]), evidence: true))
        case .micPermission:
            out.append(CallLine(t: 0.4, level: "W", tag: "ActivityManager", message: r.pick([
                "Permission Denial: starting recording from pid=\(8000 + r.int(999)) requires android.permission.RECORD_AUDIO",
                "android.permission.RECORD_AUDIO not granted; audio capture disabled",
                "getInputForAttr permission denied: recording not allowed for uid 10158 pid \(8000 + r.int(999))"]), evidence: true))
        }
        out.append(CallLine(t: duration, level: "I", tag: "RtcClient", message: "leave channel=\(channel) reason=user"))
        return out
    }
}

/// Unrelated app and system chatter that real logs are full of.
enum Noise {
    static let pool: [(Character, String, String)] = [
        ("D", "PowerManagerService", "acquire lock=# flags=0x1 tag=\"View Lock\" uid=10037"),
        ("I", "ActivityManager", "Start proc #:com.android.vending/u0a# for service"),
        ("V", "WindowManager", "Skipping AppWindowToken{# token=Token{#}} -- going to hide"),
        ("I", "art", "Background concurrent copying GC freed #(#MB) AllocSpace objects, 0(0B) LOS objects"),
        ("D", "NetworkMonitor", "onCapabilitiesChanged: signal strength #"),
        ("I", "chatty", "uid=1000(system) Binder:#_5 identical # lines"),
        ("W", "InputDispatcher", "Window #: consumer took # ms"),
        ("D", "AudioFlinger", "mixer(0x#) throttle end: throttle time(#)"),
    ]

    /// A crash report of an unrelated app thread: a header and `\tat` continuation lines.
    static func stackTrace(_ r: inout SeededRandom, at t: Double) -> [CallLine] {
        let frames = ["android.os.Handler.dispatchMessage(Handler.java:106)", "android.os.Looper.loop(Looper.java:223)",
                      "com.example.rtcdemo.ui.ChatAdapter.onBind(ChatAdapter.kt:\(40 + r.int(200)))",
                      "java.lang.reflect.Method.invoke(Native Method)"]
        var text = "java.lang.NullPointerException: Attempt to invoke virtual method on a null object reference"
        for f in frames.prefix(2 + r.int(3)) { text += "\n\tat " + f }
        return [CallLine(t: t, level: "W", tag: "System.err", message: text)]
    }

    /// A line mangled in transit: cut short, with bytes that are not text.
    static func garbled(_ r: inout SeededRandom, at t: Double) -> CallLine {
        CallLine(t: t, level: "I", tag: "chatty", message: "uid=1000(system) \u{FFFD}\u{FFFD}\u{1}\u{2}ident")
    }

    static func lines(_ r: inout SeededRandom, duration: Double, count: Int) -> [CallLine] {
        (0..<count).map { _ in
            let (level, tag, text) = r.pick(pool)
            var message = ""
            for (i, part) in text.split(separator: "#", omittingEmptySubsequences: false).enumerated() {
                if i > 0 { message += String(r.int(100_000)) }
                message += part
            }
            return CallLine(t: r.double(0, duration), level: level, tag: tag, message: message)
        }
    }
}

func fixed1(_ v: Double) -> String {
    let n = Int((v * 10).rounded())
    return "\(n / 10).\(n % 10)"
}
