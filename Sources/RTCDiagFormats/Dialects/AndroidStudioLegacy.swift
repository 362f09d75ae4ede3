/// What Android Studio's old Logcat window copies (before Electric Eel):
/// `2022-07-05 11:09:22.036 16925-17157/com.app E/Tag: message` (`?` when the package is unknown).
/// Releases before 2.x printed no year (`12-26 19:24:26.360  23340-23662/com.app E/Tag﹕ message`)
/// and ended the tag with `﹕` (U+FE55, so the IDE would not link it), which pastes through a
/// non-Unicode hop turn into `?` (`D/WebRtcAudioRecord? InitRecording(…)`).
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
        // Older releases, as pasted into public issue threads of WebRTC Android apps.
        .init("12-26 19:24:26.360  23340-23662/fr.pchab.androidrtc E/AndroidRuntime﹕ FATAL EXCEPTION: AudioRecordJavaThread",
              time: "2024-12-26 19:24:26.360", level: .error, pid: 23340, tid: 23662, tag: "AndroidRuntime",
              message: "FATAL EXCEPTION: AudioRecordJavaThread"),
        .init("07-21 12:41:04.680    3411-3533/fr.pchab.AndroidRTC E/AudioRecord-JNI? Error creating AudioRecord instance: initialization check failed.",
              time: "2024-07-21 12:41:04.680", level: .error, pid: 3411, tid: 3533, tag: "AudioRecord-JNI",
              message: "Error creating AudioRecord instance: initialization check failed."),
        .init("11-03 23:34:27.018 6127-6127/? D/dalvikvm: Zygote::ForkAndSpecialize : 0",
              time: "2024-11-03 23:34:27.018", level: .debug, pid: 6127, tid: 6127, tag: "dalvikvm",
              message: "Zygote::ForkAndSpecialize : 0"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 30, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.date(into: &f.clock, yearOptional: true), c.eat(0x20), c.time(into: &f.clock),
              c.skipSpaces() > 0, let pid = c.number(), c.eat(UInt8(ascii: "-")), let tid = c.number(),
              c.eat(UInt8(ascii: "/")), c.seek(0x20) else { return false }
        c.skipSpaces()
        guard let b = c.peek(), let level = Level.fromLetter(b), c.peek(1) == UInt8(ascii: "/") else { return false }
        c.index += 2
        let tagStart = c.index
        // The tag ends at the first ": " unless a space comes first: then the word before that
        // space is the tag, ended by `﹕` or the `?` it became.
        let colon = c.colonSpace()
        let space = line.nextSpace(from: tagStart)
        var tagEnd: Int, messageStart: Int
        if let colon, colon < space {
            (tagEnd, messageStart) = (colon, colon + 2)
        } else if space - tagStart >= 2, space < line.count, line[space - 1] == UInt8(ascii: "?") {
            (tagEnd, messageStart) = (space - 1, space + 1)
        } else if space - tagStart >= 4, space < line.count, line[space - 3] == 0xEF, line[space - 2] == 0xB9, line[space - 1] == 0x95 {
            (tagEnd, messageStart) = (space - 3, space + 1)
        } else if let colon {
            (tagEnd, messageStart) = (colon, colon + 2)
        } else {
            return false
        }
        f.timeKind = .clock
        f.pid = pid
        f.tid = tid
        f.level = level
        f.tag = line.trimmedEnd(tagStart, tagEnd)
        f.message = min(messageStart, line.count)..<line.count
        return true
    }
}
