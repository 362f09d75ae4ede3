/// Generic ISO-8601 lines from desktop SDKs, servers and scripts:
/// `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±hh:mm] LEVEL [tag] message`; the level may be bracketed
/// (`[WARN]`) and the tag is optional. The layouts of the C++ loggers native RTC stacks use fit
/// the same reading — up to three bracket groups after the time, in any order: a level word is
/// the level, a number of up to ten digits the thread, a longer one (epoch milliseconds) is
/// skipped, anything else the tag:
/// - spdlog's default `[2024-05-01 10:00:00.123] [logger] [info] message` (the time bracketed);
/// - plog's (libdatachannel) `2021-02-25 10:24:10.557 VERB  [4581553] [rtc::PeerConnection::…@74] message`;
/// - Amazon Kinesis Video WebRTC samples' `[… .597] [1620775593597] [1885336656][info] message`;
/// - Jitsi's web client, which prints no level: `2025-04-16T14:25:49.430Z [modules/…] <fn>: message`.
/// A line needs a level word or a bracketed tag, so other dialects' dated lines are not taken.
public struct ISO8601Dialect: Dialect {
    public static var name: String { "iso8601" }
    public static var summary: String { "generic ISO-8601: 2024-05-01T10:00:00.123Z WARN [tag] msg (also spdlog, plog)" }

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
        .init("[2024-05-01 10:00:03.456] [rtc] [warning] ICE connection state changed: failed",
              time: "2024-05-01 10:00:03.456", level: .warning, tag: "rtc", message: "ICE connection state changed: failed"),
        .init("2021-02-25 10:24:10.557 VERB  [4581553] [rtc::PeerConnection::initIceTransport@415] Starting ICE transport",
              time: "2021-02-25 10:24:10.557", level: .verbose, tid: 4581553, tag: "rtc::PeerConnection::initIceTransport@415",
              message: "Starting ICE transport"),
        .init("[2021-05-11 23:26:33.597] [1620775593597] [1885336656][info]    KvsAPI.cpp:537:OnConnectionStateChange()        New peer connection state state_1",
              time: "2021-05-11 23:26:33.597", level: .info, tid: 1885336656, tag: "",
              message: "KvsAPI.cpp:537:OnConnectionStateChange()        New peer connection state state_1"),
    ] }

    public static func parse(_ line: UnsafeRawBufferPointer, into f: inout LineFields) -> Bool {
        guard line.count >= 21 else { return false }
        let bracketedTime = line[0] == UInt8(ascii: "[")
        guard isDigit(line[bracketedTime ? 1 : 0]) else { return false }
        var c = ByteCursor(line, at: bracketedTime ? 1 : 0)
        guard c.date(into: &f.clock, yearOptional: false), c.eat(UInt8(ascii: "T")) || c.eat(0x20),
              c.time(into: &f.clock) else { return false }
        _ = c.zone(into: &f.clock)
        if bracketedTime { guard c.eat(UInt8(ascii: "]")) else { return false } }
        guard c.skipSpaces() > 0 else { return false }
        var level: Level?
        var tag: Range<Int>?
        for _ in 0..<4 {
            if c.peek() == UInt8(ascii: "[") {
                let open = c.index + 1
                let close = line.nextByte(UInt8(ascii: "]"), from: open, to: min(line.count, open + 96))
                guard close < line.count, close > open else { break }
                let content = UnsafeRawBufferPointer(rebasing: line[open..<close])
                if level == nil, close - open >= 3, let l = Level.fromWord(content) {
                    level = l
                } else if content.allSatisfy(isDigit) {
                    if close - open <= 10, let tid = Int32(exactly: content.reduce(0) { $0 * 10 + Int64($1 - 48) }) { f.tid = tid }
                } else if tag == nil {
                    tag = open..<close
                } else {
                    break
                }
                c.index = close + 1
                _ = c.eat(UInt8(ascii: ":"))
                c.skipSpaces()
            } else if level == nil {
                // A bare level word (INFO, WARN, ERR…): single letters belong to other layouts (Apple's compact `E`).
                let start = c.index
                while let b = c.peek(), b != 0x20, b != UInt8(ascii: "]"), b != UInt8(ascii: ":") { c.index += 1 }
                guard c.index - start >= 3, let l = Level.fromWord(UnsafeRawBufferPointer(rebasing: line[start..<c.index])) else {
                    c.index = start
                    break
                }
                level = l
                _ = c.eat(UInt8(ascii: ":"))
                c.skipSpaces()
            } else {
                break
            }
        }
        guard level != nil || tag != nil else { return false }
        f.timeKind = .clock
        f.level = level ?? .unknown
        if let tag { f.tag = tag }
        f.message = c.index..<line.count
        return true
    }
}
