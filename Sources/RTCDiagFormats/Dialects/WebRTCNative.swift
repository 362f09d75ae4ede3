/// libwebrtc's own `rtc_base/logging.cc` line when it logs to stderr or a file sink:
/// `[sss:mmm][tid:queue] (file.cc:123): message`; the elapsed-time and thread brackets appear
/// only when `LogTimestamps()` / `LogThreads()` are on, and Android builds print `(line 123)`.
/// It prints no severity, so the level stays unknown.
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
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 8 else { return false }
        var c = ByteCursor(line)
        if c.peek() == UInt8(ascii: "[") {
            let save = c.index
            c.index += 1
            if let s = c.number(maxDigits: 9), c.eat(UInt8(ascii: ":")), let ms = c.digits(3),
               c.eat(UInt8(ascii: "]")) {
                f.timeKind = .elapsed
                f.instant = (Int64(s) * 1000 + Int64(ms)) * 1000
                c.skipSpaces()
            } else {
                c.index = save
            }
        }
        if c.peek() == UInt8(ascii: "[") {
            c.index += 1
            guard let tid = c.number(maxDigits: 10) else { return false }
            f.tid = tid
            guard c.seek(UInt8(ascii: "]")) else { return false }
            c.index += 1
            c.skipSpaces()
        }
        guard c.eat(UInt8(ascii: "(")) else { return false }
        let open = c.index
        guard c.seek(UInt8(ascii: ")")), c.peek(1) == UInt8(ascii: ":") else { return false }
        let close = c.index
        // `file.cc:123` or, on Android, `line 123`.
        var colon = close - 1
        while colon > open, isDigit(line[colon]) { colon -= 1 }
        guard colon < close - 1, line[colon] == UInt8(ascii: ":") || line[colon] == 0x20 else { return false }
        f.tag = open..<colon
        f.origin = open..<close
        f.message = min(close + 3, line.count)..<line.count
        return true
    }
}
