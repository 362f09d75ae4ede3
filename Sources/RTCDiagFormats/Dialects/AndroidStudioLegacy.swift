/// What Android Studio's old Logcat window copies (before Electric Eel):
/// `2022-07-05 11:09:22.036 16925-17157/com.app E/Tag: message` (`?` when the package is unknown).
public struct AndroidStudioLegacyDialect: Dialect {
    public static var name: String { "android-studio-legacy" }
    public static var summary: String { "Android Studio (old Logcat): 2022-07-05 11:09:22.036 16925-17157/com.app E/Tag: msg" }

    public static var samples: [DialectSample] { [
        .init("2022-07-05 11:09:22.036 16925-17157/com.example.rtc E/HardwareVideoEncoder: initEncode failed",
              time: "2022-07-05 11:09:22.036", level: .error, pid: 16925, tid: 17157, tag: "HardwareVideoEncoder",
              message: "initEncode failed"),
        .init("2022-07-05 11:09:22.101 16925-16925/? I/org.webrtc.Logging: PeerConnectionFactory: onNetworkThreadReady",
              time: "2022-07-05 11:09:22.101", level: .info, pid: 16925, tid: 16925, tag: "org.webrtc.Logging",
              message: "PeerConnectionFactory: onNetworkThreadReady"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 30, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.date(into: &f.clock, yearOptional: false), c.eat(0x20), c.time(into: &f.clock),
              c.skipSpaces() > 0, let pid = c.number(), c.eat(UInt8(ascii: "-")), let tid = c.number(),
              c.eat(UInt8(ascii: "/")), c.seek(0x20) else { return false }
        c.skipSpaces()
        guard let b = c.peek(), let level = Level.fromLetter(b), c.peek(1) == UInt8(ascii: "/") else { return false }
        c.index += 2
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
