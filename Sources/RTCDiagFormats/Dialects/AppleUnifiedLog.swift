/// `log show` / `log collect` default style (macOS unified logging, sysdiagnose exports):
/// `2024-05-01 10:00:00.123456+0800 0x1a2b3c   Default   0x0   123   0   App: (Lib) [sub:cat] message`.
/// Columns: timestamp, thread id, type, activity id, pid, TTL, process, message.
public struct AppleUnifiedLogDialect: Dialect {
    public static var name: String { "apple-unified-log" }
    public static var summary: String { "macOS/iOS log show: 2024-05-01 10:00:00.123456+0800 0x1a2b Default 0x0 123 0 App: msg" }

    public static var samples: [DialectSample] { [
        .init("2024-05-01 10:00:00.123456+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) [org.webrtc:RTCAudioSession] Audio route changed: OldDeviceUnavailable",
              time: "2024-05-01 10:00:00.123456", level: .info, pid: 1234, tid: 0x2B7C, tag: "RTCDemo",
              message: "(WebRTC) [org.webrtc:RTCAudioSession] Audio route changed: OldDeviceUnavailable"),
        .init("2024-05-01 10:00:03.000001-0700 0x2b7d     Error       0x1f2e3              1234   14   RTCDemo: (AVFAudio) AVAudioSession_iOS.mm:1271 Deactivating an audio session that has running I/O.",
              time: "2024-05-01 10:00:03.000001", level: .error, pid: 1234, tid: 0x2B7D, tag: "RTCDemo",
              message: "(AVFAudio) AVAudioSession_iOS.mm:1271 Deactivating an audio session that has running I/O."),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 40, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.date(into: &f.clock, yearOptional: false), c.eat(0x20), c.time(into: &f.clock),
              c.zone(into: &f.clock), c.skipSpaces() > 0,
              c.peek() == UInt8(ascii: "0"), c.peek(1) == UInt8(ascii: "x"),
              let tid = AppleConsoleDialect.threadID(&c), c.skipSpaces() > 0 else { return false }
        let typeStart = c.index
        guard c.seek(0x20) else { return false }
        let type = UnsafeRawBufferPointer(rebasing: line[typeStart..<c.index])
        let level: Level
        if let l = Level.fromWord(type) {
            level = l
        } else if type.count == 8, type.loadUnaligned(as: UInt64.self) == word("Activity")
                    || type.loadUnaligned(as: UInt64.self) == word("Signpost") {
            level = .info
        } else {
            return false
        }
        c.skipSpaces()
        guard c.peek() == UInt8(ascii: "0"), c.peek(1) == UInt8(ascii: "x"), AppleConsoleDialect.threadID(&c) != nil,
              c.skipSpaces() > 0, let pid = c.number(maxDigits: 10), c.skipSpaces() > 0, c.number() != nil,
              c.skipSpaces() > 0 else { return false }
        let processStart = c.index
        guard let colon = c.colonSpace() else { return false }
        f.timeKind = .clock
        f.level = level
        f.pid = pid
        f.tid = tid
        f.tag = processStart..<colon
        f.message = min(colon + 2, line.count)..<line.count
        return true
    }
}
