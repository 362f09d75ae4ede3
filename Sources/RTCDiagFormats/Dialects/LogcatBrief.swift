/// `adb logcat -v brief` (the old default): `L/TAG( PID): message` (logprint.c `FORMAT_BRIEF`).
public struct LogcatBriefDialect: Dialect {
    public static var name: String { "logcat-brief" }
    public static var summary: String { "adb logcat -v brief: E/Tag     ( 1234): msg" }

    public static var samples: [DialectSample] { [
        .init("E/AudioRecord( 1234): start() status -38", time: nil, level: .error, pid: 1234,
              tag: "AudioRecord", message: "start() status -38"),
        .init("W/WebRtcAudioEffects(21370): Built-in AEC is not supported on this platform", time: nil,
              level: .warning, pid: 21370, tag: "WebRtcAudioEffects",
              message: "Built-in AEC is not supported on this platform"),
        .init("I/Tag     (  99): padded tag", time: nil, level: .info, pid: 99, tag: "Tag", message: "padded tag"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 6 else { return false }
        var c = ByteCursor(line)
        return Self.parseBriefTail(line, &c, &f)
    }

    /// `L/TAG( PID): message` from the cursor on; shared with `-v time`.
    @inline(__always)
    static func parseBriefTail(_ line: UnsafeRawBufferPointer, _ c: inout ByteCursor, _ f: inout LineFields) -> Bool {
        guard let b = c.peek(), let level = Level.fromLetter(b), c.peek(1) == UInt8(ascii: "/") else { return false }
        c.index += 2
        let tagStart = c.index
        // The tag runs to the `(` that opens `( PID): `; tags may themselves hold parentheses.
        while c.seek(UInt8(ascii: "(")) {
            let open = c.index
            c.index += 1
            c.skipSpaces()
            if let pid = c.number(), c.eat(UInt8(ascii: ")")), c.eat(UInt8(ascii: ":")) {
                f.level = level
                f.pid = pid
                f.tag = line.trimmedEnd(tagStart, open)
                _ = c.eat(0x20)
                f.message = c.index..<line.count
                return true
            }
            c.index = open + 1
        }
        return false
    }
}
