#if canImport(Glibc)
import Glibc
#endif

/// A realistic mixed client log for the benchmark: logcat threadtime from an app in a call
/// (WebRTC audio/ICE lines, stats, framework chatter), stack traces, and stretches of other
/// dialects (Chromium native, JSON lines) as SDK log files interleave them. Written on bytes.
enum BenchLog {
    static let messages: [(level: UInt8, tag: String, text: String)] = [
        (UInt8(ascii: "D"), "WebRtcAudioRecord", "AudioRecord: session ID: #, channels: 1, sample rate: 48000"),
        (UInt8(ascii: "I"), "org.webrtc.Logging", "PeerConnection: Changing IceConnectionState 1 => 2"),
        (UInt8(ascii: "I"), "p2p_transport_channel", "Switching selected connection due to: nomination on the controlled side"),
        (UInt8(ascii: "I"), "RtcClient", "stats rtt=#ms loss=0.#% jitter=#ms bitrate=#kbps"),
        (UInt8(ascii: "D"), "PowerManagerService", "acquire lock=#, flags=0x1, tag=\"View Lock\", name=com.android.systemui, uid=10037, pid=#"),
        (UInt8(ascii: "V"), "WindowManager", "Skipping AppWindowToken{# token=Token{#}} -- going to hide"),
        (UInt8(ascii: "I"), "ActivityManager", "Start proc #:com.example.rtcdemo/u0a245 for service com.example.rtcdemo/.CallService"),
        (UInt8(ascii: "W"), "AudioFlinger", "write blocked for # msecs, # delayed writes, thread 0x#"),
        (UInt8(ascii: "E"), "AudioRecord", "start() status -38"),
        (UInt8(ascii: "I"), "WebRtcAudioTrack", "AudioTrack.play: state=3 underruns=#"),
        (UInt8(ascii: "D"), "NetworkMonitorAutoDetect", "Network becomes available: #"),
        (UInt8(ascii: "I"), "chromium", "[INFO:CONSOLE(1)] \"video frame decoded #\", source: https://example.com/app.js (1)"),
        (UInt8(ascii: "D"), "AudioManager", "setMode(MODE_IN_COMMUNICATION) from u/pid:10245/#"),
        (UInt8(ascii: "W"), "RtcClient", "onWarning warn=1053 (WARN_APM_RESIDUAL_ECHO)"),
        (UInt8(ascii: "I"), "art", "Background concurrent copying GC freed #(#MB) AllocSpace objects, 0(0B) LOS objects"),
    ]

    static func write(path: String, bytes: Int64) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        defer { close(fd) }
        var w = ByteWriter()
        var written: Int64 = 0
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return rng
        }
        let texts = messages.map {
            (level: $0.level, tag: Array($0.tag.utf8),
             parts: $0.text.split(separator: "#", omittingEmptySubsequences: false).map { Array($0.utf8) })
        }
        let trace = Array("""
            FATAL EXCEPTION: WebRtcAudioRecordThread
            java.lang.IllegalStateException: startRecording() called on an uninitialized AudioRecord.
            \tat android.media.AudioRecord.startRecording(AudioRecord.java:1075)
            \tat org.webrtc.audio.WebRtcAudioRecord.startRecording(WebRtcAudioRecord.java:351)

            """.utf8)
        let chromium = Array(":WARNING:webrtc_video_engine.cc(1810)] Failed to set remote video description recv parameters for m-section with mid='1'.\n".utf8)
        var ms = 0
        while written < bytes {
            ms += Int(next() % 40)
            let r = next() % 1000
            if r < 3 {
                w.logcatHead(ms, UInt8(ascii: "E"), Array("AndroidRuntime".utf8))
                w.out += trace
            } else if r < 8 {
                w.out += Array("[8123:8190:1123/".utf8)
                w.digits(10 + ms / 3_600_000 % 14, 2); w.digits(ms / 60000 % 60, 2); w.digits(ms / 1000 % 60, 2)
                w.out.append(UInt8(ascii: ".")); w.digits(ms % 1000 * 1000, 6)
                w.out += chromium
            } else if r < 12 {
                w.out += Array("{\"ts\":".utf8); w.number(1_700_000_000_000 + UInt64(ms))
                w.out += Array(",\"level\":\"info\",\"tag\":\"stats\",\"msg\":\"rtt=".utf8); w.number(next() % 300)
                w.out += Array(" loss=".utf8); w.number(next() % 10); w.out += Array("\"}\n".utf8)
            } else {
                let m = texts[Int(next() % UInt64(texts.count))]
                w.logcatHead(ms, m.level, m.tag)
                for (i, p) in m.parts.enumerated() {
                    if i > 0 { w.number(next() % 100_000) }
                    w.out += p
                }
                w.out.append(0x0A)
            }
            if w.out.count >= 1 << 20 {
                written += Int64(w.out.count)
                w.flush(fd)
            }
        }
        w.flush(fd)
    }
}

/// Appends log text as bytes.
struct ByteWriter {
    var out: [UInt8] = []

    init() { out.reserveCapacity(1 << 21) }

    mutating func digits(_ v: Int, _ n: Int) {
        var x = v
        let start = out.count
        out += repeatElement(48, count: n)
        for i in stride(from: start + n - 1, through: start, by: -1) { out[i] = UInt8(48 + x % 10); x /= 10 }
    }

    mutating func number(_ v: UInt64) { out += Array(String(v).utf8) }

    /// `MM-DD HH:MM:SS.mmm  PID  TID L TAG: ` for milliseconds since 2024-11-23 10:00.
    mutating func logcatHead(_ ms: Int, _ level: UInt8, _ tag: [UInt8]) {
        out += Array("11-23 ".utf8)
        digits(10 + ms / 3_600_000 % 14, 2); out.append(UInt8(ascii: ":"))
        digits(ms / 60000 % 60, 2); out.append(UInt8(ascii: ":"))
        digits(ms / 1000 % 60, 2); out.append(UInt8(ascii: "."))
        digits(ms % 1000, 3)
        out += Array("  8123  ".utf8)
        digits(8150 + ms % 40, 4)
        out.append(0x20); out.append(level); out.append(0x20)
        out += tag
        out += Array(": ".utf8)
    }

    mutating func flush(_ fd: Int32) {
        out.withUnsafeBytes { p in _ = Glibc.write(fd, p.baseAddress, p.count) }
        out.removeAll(keepingCapacity: true)
    }
}
