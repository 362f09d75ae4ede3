/// libwebrtc's own `rtc_base/logging.cc` line when it logs to stderr or a file sink:
/// `[sss:mmm][tid:queue] (file.cc:123): message`; the elapsed-time and thread brackets appear
/// only when `LogTimestamps()` / `LogThreads()` are on, and Android builds print `(line 123)`.
/// It prints no severity, so the level stays unknown. Chrome's WebRTC text log (the log
/// `chrome://webrtc-logs` lists and apps upload, `webrtc_text_log_handler.cc`) puts the same
/// elapsed time in front of every message, newer releases with the time of day beside it
/// (`[012:345, 14:32:10.123] message`); its lines need not carry `(file:line):`, and the time
/// of day is dated like other date-less logs (`--date`, else the file's mtime).
public struct WebRTCNativeDialect: Dialect {
    public static var name: String { "webrtc-native" }
    public static var summary: String { "libwebrtc rtc_base/logging: [000:123][4567] (file.cc:123): msg" }

    public static var samples: [DialectSample] { [
        .init("[001:234][4567] (p2p_transport_channel.cc:2054): Switching selected connection due to: nomination on the controlled side",
              time: "elapsed 00:00:01.234", level: .unknown, tid: 4567, tag: "p2p_transport_channel.cc",
              message: "Switching selected connection due to: nomination on the controlled side"),
        .init("(peer_connection.cc:1837): Changing IceConnectionState 1 => 2",
              time: nil, level: .unknown, tag: "peer_connection.cc", message: "Changing IceConnectionState 1 => 2"),
        .init("[012:005] [8812] (audio_processing_impl.cc:432): AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0 } }",
              time: "elapsed 00:00:12.005", level: .unknown, tid: 8812, tag: "audio_processing_impl.cc",
              message: "AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 0 } }"),
        .init("[004:512, 14:32:14.635] PeerConnection: Changing IceConnectionState 1 => 4",
              time: "time of day 14:32:14.635", level: .unknown, tag: "",
              message: "PeerConnection: Changing IceConnectionState 1 => 4"),
        .init("[000:031] Audio input: default",
              time: "elapsed 00:00:00.031", level: .unknown, tag: "", message: "Audio input: default"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 8 else { return false }
        var c = ByteCursor(line)
        var timed = false
        if c.peek() == UInt8(ascii: "[") {
            let save = c.index
            c.index += 1
            if let s = c.number(maxDigits: 9), c.eat(UInt8(ascii: ":")), let ms = c.digits(3) {
                var clock = ClockReading()
                if c.eat(UInt8(ascii: "]")) {
                    f.timeKind = .elapsed
                    f.instant = (Int64(s) * 1000 + Int64(ms)) * 1000
                    timed = true
                    c.skipSpaces()
                } else if c.eat(UInt8(ascii: ",")), c.skipSpaces() > 0, c.time(into: &clock), c.eat(UInt8(ascii: "]")) {
                    // Chrome's text log: the time of day, dated by the reader.
                    clock.month = 0
                    clock.day = 0
                    f.timeKind = .clock
                    f.clock = clock
                    timed = true
                    c.skipSpaces()
                } else {
                    c.index = save
                }
            } else {
                c.index = save
            }
        }
        if c.peek() == UInt8(ascii: "[") {
            let save = c.index
            c.index += 1
            if let tid = c.number(maxDigits: 10), c.seek(UInt8(ascii: "]")) {
                f.tid = tid
                c.index += 1
                c.skipSpaces()
            } else {
                guard timed else { return false }
                f.tid = -1
                c.index = save
            }
        }
        // After the time prefix, a line of Chrome's text log may be any text.
        let messageStart = c.index
        func plainMessage() -> Bool {
            guard timed, messageStart < line.count else { return false }
            f.message = messageStart..<line.count
            return true
        }
        guard c.eat(UInt8(ascii: "(")) else { return plainMessage() }
        let open = c.index
        guard c.seek(UInt8(ascii: ")")), c.peek(1) == UInt8(ascii: ":") else { c.index = messageStart; return plainMessage() }
        let close = c.index
        // `file.cc:123` or, on Android, `line 123`.
        var colon = close - 1
        while colon > open, isDigit(line[colon]) { colon -= 1 }
        guard colon < close - 1, line[colon] == UInt8(ascii: ":") || line[colon] == 0x20 else { return plainMessage() }
        f.tag = open..<colon
        f.origin = open..<close
        f.message = min(close + 3, line.count)..<line.count
        return true
    }
}
