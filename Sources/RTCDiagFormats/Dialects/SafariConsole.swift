#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Safari's Web Inspector console as users copy it from an iPhone or a Mac: the level in
/// brackets, the message, and the source in parentheses at the end (`[Error] WebSocket connection
/// to 'wss://…' failed: … (livekit-client.esm.mjs, line 15021)`). No time stamp; the file name
/// is the tag. The only way to get a log out of an iOS web app, so common in web-RTC tickets.
public struct SafariConsoleDialect: Dialect {
    public static var name: String { "safari-console" }
    public static var summary: String { "Safari Web Inspector: [Error] msg (file.js, line 12)" }

    public static var samples: [DialectSample] { [
        .init("[Error] could not establish signal connection: Load failed (livekit-client.esm.mjs, line 15021)",
              time: nil, level: .error, tag: "livekit-client.esm.mjs",
              message: "could not establish signal connection: Load failed (livekit-client.esm.mjs, line 15021)"),
        .init("[Warning] getUserMedia took 2104 ms",
              time: nil, level: .warning, tag: "", message: "getUserMedia took 2104 ms"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 6, line[0] == UInt8(ascii: "["), line[1] &- UInt8(ascii: "A") < 26 else { return false }
        let close = line.nextByte(UInt8(ascii: "]"), from: 2, to: min(line.count, 10))
        guard close < line.count - 1, line[close + 1] == 0x20 else { return false }
        let word = UnsafeRawBufferPointer(rebasing: line[1..<close])
        // Safari's own words only (not any bracketed level: other layouts start with `[tag]`).
        guard isSafariLevel(word), let level = Level.fromWord(word) else { return false }
        f.level = level
        f.message = line.nextNonSpace(from: close + 1)..<line.count
        // `(file, line N)` at the end names the source.
        if line.last == UInt8(ascii: ")"), let open = sourceStart(line) {
            var comma = open + 1
            while comma < line.count, line[comma] != UInt8(ascii: ",") { comma += 1 }
            if comma > open + 1, comma < line.count { f.tag = (open + 1)..<comma }
        }
        return true
    }

    /// The level words Safari's console prints.
    private static func isSafariLevel(_ w: UnsafeRawBufferPointer) -> Bool {
        for name: StaticString in ["Log", "Info", "Warning", "Error", "Debug"]
        where w.count == name.utf8CodeUnitCount && memcmp(w.baseAddress!, name.utf8Start, w.count) == 0 {
            return true
        }
        return false
    }

    /// Where ` (file, line N)` opens at the end of the line, or nil.
    private static func sourceStart(_ line: UnsafeRawBufferPointer) -> Int? {
        var i = line.count - 2
        while i > 0, isDigit(line[i]) { i -= 1 }
        let suffix: [UInt8] = Array(", line ".utf8)
        guard i < line.count - 2, i + 1 >= suffix.count else { return nil }
        let start = i + 1 - suffix.count
        for (k, b) in suffix.enumerated() where line[start + k] != b { return nil }
        var open = start - 1
        while open > 0, line[open] != UInt8(ascii: "("), line[open] != 0x20 { open -= 1 }
        return open > 0 && line[open] == UInt8(ascii: "(") ? open : nil
    }
}
