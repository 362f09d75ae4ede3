/// What Android Studio's Logcat window (Electric Eel and later) copies:
/// `2023-01-11 18:21:58.161 14409-14475 Tag<pad> com.app<pad> I  message`.
/// The package column may be `pid-14409` when the process is gone. Users can hide the
/// process/thread column (`2026-03-16 15:01:28.668 LkLog  com.app  D  message`); then the tag
/// and package must both be there and the level padded as the IDE pads it.
public struct AndroidStudioDialect: Dialect {
    public static var name: String { "android-studio" }
    public static var summary: String { "Android Studio Logcat: 2023-01-11 18:21:58.161 14409-14475 Tag  com.app  I  msg" }

    public static var samples: [DialectSample] { [
        .init("2023-01-11 18:21:58.161 14409-14475 WebRtcAudioTrack        com.example.rtc                      E  AudioTrack.play failed: state=1",
              time: "2023-01-11 18:21:58.161", level: .error, pid: 14409, tid: 14475, tag: "WebRtcAudioTrack",
              message: "AudioTrack.play failed: state=1"),
        .init("2023-01-11 18:21:59.002 14409-14409 AudioManager            pid-14409                            W  Use of stream types is deprecated",
              time: "2023-01-11 18:21:59.002", level: .warning, pid: 14409, tid: 14409, tag: "AudioManager",
              message: "Use of stream types is deprecated"),
        // The IDs hidden, and a message logged with a full-width colon (as pasted in a LiveKit thread).
        .init("2026-03-16 15:01:28.687 LkLog                com...rexm.improject  D  RTC connect：Reconnecting to signal, attempt 1",
              time: "2026-03-16 15:01:28.687", level: .debug, tag: "LkLog", message: "RTC connect：Reconnecting to signal, attempt 1"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 30, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.date(into: &f.clock, yearOptional: false), c.eat(0x20), c.time(into: &f.clock),
              c.skipSpaces() > 0 else { return false }
        var pid: Int32 = -1, tid: Int32 = -1
        let hasIDs = c.peek().map(isDigit) ?? false
        if hasIDs {
            guard let p = c.number(), c.eat(UInt8(ascii: "-")), let t = c.number(), c.skipSpaces() > 0 else { return false }
            (pid, tid) = (p, t)
        }
        let columnsStart = c.index
        // The level is the first lone letter with spaces on both sides after the tag and package
        // columns. Walk word by word, remembering the last two words: the last is the package,
        // the tag runs from the columns' start to the end of the word before it.
        var i = columnsStart
        var lastStart = -1, lastEnd = -1, previousEnd = -1
        var levelAt = -1
        while i < line.count {
            let wordEnd = line.nextSpace(from: i)
            previousEnd = lastEnd
            lastStart = i
            lastEnd = wordEnd
            i = line.nextNonSpace(from: wordEnd)
            if i + 1 < line.count, line[i + 1] == 0x20, Level.fromLetter(line[i]) != nil {
                levelAt = i
                break
            }
        }
        guard levelAt > 0 else { return false }
        // Without the IDs: a tag and a package before the level, which has two spaces after it.
        if !hasIDs, lastStart == columnsStart || levelAt + 2 >= line.count || line[levelAt + 2] != 0x20 { return false }
        f.tag = lastStart > columnsStart ? columnsStart..<previousEnd : columnsStart..<lastEnd
        f.timeKind = .clock
        f.pid = pid
        f.tid = tid
        f.level = Level.fromLetter(line[levelAt])!
        f.message = line.nextNonSpace(from: levelAt + 1)..<line.count
        return true
    }
}
