/// `adb logcat -v time`: `MM-DD HH:MM:SS.mmm L/TAG( PID): message` (logprint.c `FORMAT_TIME`);
/// also as Eclipse's (DDMS) LogCat view exported it, with a colon after the time.
public struct LogcatTimeDialect: Dialect {
    public static var name: String { "logcat-time" }
    public static var summary: String { "adb logcat -v time: 11-23 10:15:02.123 E/Tag( 1234): msg" }

    public static var samples: [DialectSample] { [
        .init("11-23 10:15:02.123 E/AudioRecord( 1234): start() status -38",
              time: "2024-11-23 10:15:02.123", level: .error, pid: 1234, tag: "AudioRecord",
              message: "start() status -38"),
        .init("05-01 08:00:01.000 I/ActivityManager(  580): Start proc 4321:com.example.call/u0a123 for activity",
              time: "2024-05-01 08:00:01.000", level: .info, pid: 580, tag: "ActivityManager",
              message: "Start proc 4321:com.example.call/u0a123 for activity"),
        .init("10-27 13:33:24.903: E/AudioRecord(4673): Could not get audio input for record source 1",
              time: "2024-10-27 13:33:24.903", level: .error, pid: 4673, tag: "AudioRecord",
              message: "Could not get audio input for record source 1"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 24, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.fixedClock(into: &f.clock) else { return false }
        _ = c.eat(UInt8(ascii: ":"))
        guard c.eat(0x20) else { return false }
        guard LogcatBriefDialect.parseBriefTail(line, &c, &f) else { return false }
        f.timeKind = .clock
        return true
    }
}
