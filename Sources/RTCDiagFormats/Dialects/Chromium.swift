/// Chromium's `base/logging.cc` prefix, as Chrome and native WebRTC apps built on it write:
/// `[pid:tid:MMDD/HHMMSS.uuuuuu:SEVERITY:file.cc(123)] message`. Process id, thread id, time
/// and tick count are each optional (`SetLogItems`), so fields are told apart by their shape.
public struct ChromiumDialect: Dialect {
    public static var name: String { "chromium" }
    public static var summary: String { "Chromium/libwebrtc native: [pid:tid:MMDD/HHMMSS.uuuuuu:LEVEL:file.cc(123)] msg" }

    public static var samples: [DialectSample] { [
        .init("[12345:67890:1123/101502.123456:ERROR:webrtc_video_engine.cc(1810)] Failed to set remote video description recv parameters.",
              time: "2024-11-23 10:15:02.123456", level: .error, pid: 12345, tid: 67890, tag: "webrtc_video_engine.cc",
              message: "Failed to set remote video description recv parameters."),
        .init("[1:15:0501/080001.000001:WARNING:p2p_transport_channel.cc(512)] Switching selected connection due to: ice state change",
              time: "2024-05-01 08:00:01.000001", level: .warning, pid: 1, tid: 15, tag: "p2p_transport_channel.cc",
              message: "Switching selected connection due to: ice state change"),
        .init("[0501/080002.500000:INFO:audio_processing_impl.cc(432)] AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 1 } }",
              time: "2024-05-01 08:00:02.500", level: .info, tag: "audio_processing_impl.cc",
              message: "AudioProcessing::ApplyConfig: AudioProcessing::Config{ echo_canceller: { enabled: 1 } }"),
        .init("[4242:4243:0501/080003.000000:VERBOSE1:stun_port.cc(77)] Binding request timed out",
              time: "2024-05-01 08:00:03.000", level: .verbose, pid: 4242, tid: 4243, tag: "stun_port.cc",
              message: "Binding request timed out"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 12, line[0] == UInt8(ascii: "[") else { return false }
        var c = ByteCursor(line, at: 1)
        guard c.seek(UInt8(ascii: "]")) else { return false }
        let close = c.index
        guard close >= 5, line[close - 1] == UInt8(ascii: ")") else { return false }
        // Walk the colon-separated items left to right.
        var start = 1
        var first: Int32 = -1, second: Int32 = -1, count = 0
        var sawTime = false
        var level: Level?
        while start < close {
            let end = line.nextByte(UInt8(ascii: ":"), from: start, to: close)
            let item = UnsafeRawBufferPointer(rebasing: line[start..<end])
            if level != nil {
                // The rest is `file(line)`; a Windows path may hold ':' so take it to the bracket.
                var paren = close - 1
                while paren > start, line[paren] != UInt8(ascii: "(") { paren -= 1 }
                guard paren > start else { return false }
                f.tag = start..<paren
                f.origin = start..<close
                f.level = level!
                f.message = min(close + 2, line.count)..<line.count
                f.pid = first
                f.tid = second
                if sawTime { f.timeKind = .clock }
                return sawTime || count > 0
            }
            if item.count >= 11, item.count <= 18, !sawTime, item[4] == UInt8(ascii: "/") {
                var t = ByteCursor(item)
                guard let mo = t.digits(2), let d = t.digits(2), t.eat(UInt8(ascii: "/")),
                      let h = t.digits(2), let mi = t.digits(2), let s = t.digits(2) else { return false }
                f.clock.month = mo; f.clock.day = d; f.clock.hour = h; f.clock.minute = mi; f.clock.second = s
                f.clock.micros = t.fraction() ?? 0
                guard f.clock.isValid else { return false }
                sawTime = true
            } else if item.count >= 4, !isDigit(item[0]), let l = Level.fromWord(item) {
                level = l
            } else {
                var n = ByteCursor(item)
                guard let v = n.number(maxDigits: 10), n.atEnd else { return false }
                if !sawTime {  // a number after the time is the tick count
                    if count == 0 { first = v } else if count == 1 { second = v }
                    count += 1
                }
            }
            start = end + 1
        }
        return false
    }
}
