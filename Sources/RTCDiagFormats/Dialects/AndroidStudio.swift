/// What Android Studio's Logcat window (Electric Eel and later) copies:
/// `2023-01-11 18:21:58.161 14409-14475 Tag<pad> com.app<pad> I  message`.
/// The package column may be `pid-14409` when the process is gone.
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
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 30, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.date(into: &f.clock, yearOptional: false), c.eat(0x20), c.time(into: &f.clock),
              c.skipSpaces() > 0, let pid = c.number(), c.eat(UInt8(ascii: "-")), let tid = c.number(),
              c.skipSpaces() > 0 else { return false }
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
        f.tag = lastStart > columnsStart ? columnsStart..<previousEnd : columnsStart..<lastEnd
        f.timeKind = .clock
        f.pid = pid
        f.tid = tid
        f.level = Level.fromLetter(line[levelAt])!
        f.message = line.nextNonSpace(from: levelAt + 1)..<line.count
        return true
    }
}
