/// Generic ISO-8601 lines from desktop SDKs, servers and scripts:
/// `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±hh:mm] LEVEL [tag] message`; the level may be bracketed
/// (`[WARN]`) and the tag is optional. Jitsi's web client (lib-jitsi-meet's logger) prints no
/// level: `2025-04-16T14:25:49.430Z [modules/connectivity/IceFailedHandling] <fn>: message` —
/// a bracket that holds no level word is the tag, the level stays unknown.
public struct ISO8601Dialect: Dialect {
    public static var name: String { "iso8601" }
    public static var summary: String { "generic ISO-8601: 2024-05-01T10:00:00.123Z WARN [tag] msg" }

    public static var samples: [DialectSample] { [
        .init("2024-05-01T10:00:00.123Z WARN [ice] ICE connection state changed: checking -> failed",
              time: "2024-05-01 10:00:00.123", level: .warning, tag: "ice",
              message: "ICE connection state changed: checking -> failed"),
        .init("2024-05-01 10:00:01,250+08:00 [ERROR] [signaling] HTTP 503 Service Unavailable from edge 203.0.113.7",
              time: "2024-05-01 10:00:01.250", level: .error, tag: "signaling",
              message: "HTTP 503 Service Unavailable from edge 203.0.113.7"),
        .init("2024-05-01 10:00:02 INFO audio device started",
              time: "2024-05-01 10:00:02.000", level: .info, tag: "", message: "audio device started"),
        .init("2025-04-16T14:25:49.430Z [modules/connectivity/IceFailedHandling] <dp._actOnIceFailed>:  ICE failed, enableForcedReload: undefined",
              time: "2025-04-16 14:25:49.430", level: .unknown, tag: "modules/connectivity/IceFailedHandling",
              message: "<dp._actOnIceFailed>:  ICE failed, enableForcedReload: undefined"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 21, isDigit(line[0]) else { return false }
        var c = ByteCursor(line)
        guard c.date(into: &f.clock, yearOptional: false), c.eat(UInt8(ascii: "T")) || c.eat(0x20),
              c.time(into: &f.clock) else { return false }
        _ = c.zone(into: &f.clock)
        guard c.skipSpaces() > 0 else { return false }
        let bracketed = c.eat(UInt8(ascii: "["))
        let levelStart = c.index
        while let b = c.peek(), b != 0x20, b != UInt8(ascii: "]"), b != UInt8(ascii: ":") { c.index += 1 }
        // A level word (INFO, WARN, ERR…): single letters here belong to other layouts (Apple's compact `E`).
        let word = c.index - levelStart >= 3 ? Level.fromWord(UnsafeRawBufferPointer(rebasing: line[levelStart..<c.index])) : nil
        guard let level = word ?? (bracketed ? Level.unknown : nil) else { return false }
        if word == nil {
            // Jitsi's `[module] <fn>: message`: the bracket is the tag.
            guard c.seek(UInt8(ascii: "]")), c.index > levelStart else { return false }
            f.timeKind = .clock
            f.level = level
            f.tag = levelStart..<c.index
            c.index += 1
            c.skipSpaces()
            f.message = c.index..<line.count
            return true
        }
        if bracketed { guard c.eat(UInt8(ascii: "]")) else { return false } }
        _ = c.eat(UInt8(ascii: ":"))
        c.skipSpaces()
        f.timeKind = .clock
        f.level = level
        if c.peek() == UInt8(ascii: "[") {
            let open = c.index
            if c.seek(UInt8(ascii: "]")) {
                f.tag = (open + 1)..<c.index
                c.index += 1
                c.skipSpaces()
            }
        }
        f.message = c.index..<line.count
        return true
    }
}
