#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `adb logcat -v threadtime` (the default since Android 7), and `-v threadtime,year`:
/// `MM-DD HH:MM:SS.mmm  PID  TID L TAG     : message`; the tag is padded to 8 columns.
/// Layout from Android's logprint.c (`FORMAT_THREADTIME`).
public struct LogcatThreadtimeDialect: Dialect {
    public static var name: String { "logcat-threadtime" }
    public static var summary: String { "adb logcat -v threadtime: 11-23 10:15:02.123  1234  5678 I Tag     : msg" }

    public static var samples: [DialectSample] { [
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
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        let n = line.count
        guard n >= 24, let base = line.baseAddress, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        if line[4] == UInt8(ascii: "-") {  // `-v year`
            guard let y = c.digits(4), c.eat(UInt8(ascii: "-")) else { return false }
            f.clock.year = y
        }
        guard c.fixedClock(into: &f.clock) else { return false }
        @inline(__always) func at(_ k: Int) -> UInt8 { base.load(fromByteOffset: k, as: UInt8.self) }
        var i = c.index
        // Space-padded PID and TID columns.
        @inline(__always) func column() -> Int32? {
            let start = i
            while i < n, at(i) == 0x20 { i += 1 }
            guard i > start else { return nil }
            var v: Int32 = 0
            let digitsStart = i
            while i < n {
                let d = at(i) &- 48
                if d >= 10 { break }
                v = v &* 10 &+ Int32(d)
                i += 1
            }
            return i > digitsStart && i - digitsStart <= 9 ? v : nil
        }
        guard let pid = column(), let tid = column(), i + 3 < n, at(i) == 0x20,
              let level = Level.fromLetter(at(i + 1)), at(i + 2) == 0x20 else { return false }
        i += 3
        while i < n, at(i) == 0x20 { i += 1 }
        let tagStart = i
        // The tag ends at the first ": " (or a ':' ending the line).
        var colon = -1
        var from = i
        while from < n, let hit = memchr(base + from, Int32(UInt8(ascii: ":")), n - from) {
            let k = base.distance(to: UnsafeRawPointer(hit))
            if k + 1 == n || at(k + 1) == 0x20 { colon = k; break }
            from = k + 1
        }
        guard colon >= 0 else { return false }
        f.timeKind = .clock
        f.pid = pid
        f.tid = tid
        f.level = level
        f.tag = line.trimmedEnd(tagStart, colon)
        f.message = min(colon + 2, n)..<n
        return true
    }
}
