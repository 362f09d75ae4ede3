/// `adb logcat -v threadtime` (the default since Android 7), and `-v threadtime,year`:
/// `MM-DD HH:MM:SS.mmm  PID  TID L TAG     : message`; the tag is padded to 8 columns.
/// Layout from Android's logprint.c (`FORMAT_THREADTIME`).
public struct LogcatThreadtimeDialect: Dialect {
    public init() {}
    public let name = "logcat-threadtime"
    public let summary = "adb logcat -v threadtime: 11-23 10:15:02.123  1234  5678 I Tag     : msg"

    public let samples: [DialectSample] = [
        .init("11-23 10:15:02.123  1234  5678 I WebRtcAudioRecord: AudioRecord.startRecording failed - incorrect state: 1",
              time: "2024-11-23 10:15:02.123", level: .info, pid: 1234, tid: 5678, tag: "WebRtcAudioRecord",
              message: "AudioRecord.startRecording failed - incorrect state: 1"),
        .init("03-17 16:13:38.811  1702  2395 D AudioFlinger: start output streams",
              time: "2024-03-17 16:13:38.811", level: .debug, pid: 1702, tid: 2395, tag: "AudioFlinger",
              message: "start output streams"),
        .init("01-02 03:04:05.006   123   456 E AudioRecord: start() status -38",
              time: "2024-01-02 03:04:05.006", level: .error, pid: 123, tid: 456, tag: "AudioRecord",
              message: "start() status -38"),
        .init("2024-05-01 10:00:00.500  4321  4400 W org.webrtc.Logging: NetworkMonitorAutoDetect: Unable to obtain permission to request a cellular network.",
              time: "2024-05-01 10:00:00.500", level: .warning, pid: 4321, tid: 4400, tag: "org.webrtc.Logging",
              message: "NetworkMonitorAutoDetect: Unable to obtain permission to request a cellular network."),
        .init("11-23 10:15:02.123  1234  5678 V Tag     : ",
              time: "2024-11-23 10:15:02.123", level: .verbose, pid: 1234, tid: 5678, tag: "Tag", message: ""),
    ]

    public func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 24, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.date(into: &f.clock, yearOptional: true), c.eat(0x20), c.time(into: &f.clock) else { return false }
        guard c.skipSpaces() > 0, let pid = c.number(), c.skipSpaces() > 0, let tid = c.number(),
              c.skipSpaces() > 0, let b = c.peek(), let level = Level.fromLetter(b) else { return false }
        c.index += 1
        guard c.eat(0x20) else { return false }
        c.skipSpaces()
        let tagStart = c.index
        guard let colon = c.colonSpace() else { return false }
        f.timeKind = .clock
        f.pid = pid
        f.tid = tid
        f.level = level
        f.tag = line.trimmedEnd(tagStart, colon)
        f.message = min(colon + 2, line.count)..<line.count
        return true
    }
}
