import Foundation
import Testing

/// Runs the built `rtcdiag` the way a support engineer would, and checks what comes out.
@Suite("rtcdiag command line", .serialized)
struct CLITests {
    static let sample = packageRoot.appendingPathComponent("Samples/logs/android-call.log").path

    @Test("stats reads the same text compressed four ways to the same counts as wc -l")
    func fourCodecs() throws {
        let dir = try scratchDirectory()
        let plain = dir.appendingPathComponent("call.log").path
        try FileManager.default.copyItem(atPath: Self.sample, toPath: plain)
        // Names that lie about the codec: detection is by magic bytes.
        try shell("zstd -q -3 -c '\(plain)' > '\(dir.path)/a.bin' && lz4 -q -c '\(plain)' > '\(dir.path)/b.txt' "
                  + "&& gzip -c '\(plain)' > '\(dir.path)/c.log'")
        let wc = try shell("wc -l < '\(plain)'").trimmingCharacters(in: .whitespacesAndNewlines)
        var seen: [String: Int] = [:]
        for (name, codec) in [("call.log", "plain"), ("a.bin", "zstd"), ("b.txt", "lz4"), ("c.log", "gzip")] {
            let r = try run(["stats", "--json", dir.appendingPathComponent(name).path])
            #expect(r.status == 0, "\(r.stderr)")
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(obj["codec"] as? String == codec)
            #expect(obj["newlines"] as? Int == Int(wc))
            #expect(obj["format"] as? String == "logcat-threadtime")
            seen[codec] = obj["lines"] as? Int
        }
        #expect(Set(seen.values).count == 1)
        #expect(seen["zstd"] == Int(wc))
    }

    @Test("stdin with '-', and cat restores the text exactly")
    func stdinAndCat() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.sample))
        let compressed = try shell("zstd -q -c '\(Self.sample)' | base64 -w0")
        let r = try run(["cat", "-"], stdin: Data(base64Encoded: compressed)!)
        #expect(r.status == 0)
        #expect(Data(r.stdout.utf8) == original)
        let s = try run(["stats", "-"], stdin: original)
        #expect(s.stdout.contains("format      logcat-threadtime"))
        #expect(s.stdout.contains("detection   logcat-threadtime 1.00"))
    }

    @Test("events --json is one valid object per event with the parsed fields")
    func eventsJSON() throws {
        let r = try run(["events", "--json", "--fields", Self.sample + ".zst"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 28)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let aec = try #require(objects.first { ($0["message"] as? String)?.contains("Built-in AEC") == true })
        #expect(aec["level"] as? String == "error")
        #expect(aec["tag"] as? String == "WebRtcAudioRecord")
        #expect(aec["pid"] as? Int == 8123)
        #expect(aec["line"] as? Int == 7)
        let stats = try #require(objects.first { ($0["message"] as? String)?.hasPrefix("stats rtt=52ms") == true })
        #expect((stats["fields"] as? [String: String])?["loss"] == "0.3%")
    }

    @Test("--since/--until select a window in the log's own clock")
    func window() throws {
        let r = try run(["events", "--since", "11-23 10:15:10", "--until", "11-23 10:15:20", "--year", "2024", Self.sample])
        #expect(r.status == 0)
        let times = r.stdout.split(separator: "\n").map { String($0.prefix(23)) }
        #expect(times.first == "2024-11-23 10:15:10.000")
        #expect(times.last == "2024-11-23 10:15:20.000")
        #expect(times.count == 5)
    }

    @Test("--date dates a log that prints only a time of day; a bad date is a usage error")
    func timeOfDayDate() throws {
        let log = packageRoot.appendingPathComponent("Samples/logs/audio-session-busy.agorasdk.log").path
        let r = try run(["events", "--json", "--date", "2021-03-16", log])
        #expect(r.status == 0)
        let first = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("\"time\":\"2021-03-16 17:33:40.102\""))
        let d = try run(["diagnose", "--date", "2021-03-16", log])
        #expect(d.stdout.contains("2021-03-16 17:33:40.102 → 2021-03-16 17:34:20.811"))
        #expect(try run(["stats", "--date", "2021-13-01", log]).status == 2)
        // A window given as times of day alone falls on that date.
        let w = try run(["events", "--date", "2021-03-16", "--since", "17:33:43", "--until", "17:33:45", log])
        let times = w.stdout.split(separator: "\n").map { String($0.prefix(23)) }
        #expect(times == ["2021-03-16 17:33:43.340", "2021-03-16 17:33:43.362", "2021-03-16 17:33:43.476",
                          "2021-03-16 17:33:43.589", "2021-03-16 17:33:44.931"])
    }

    @Test("a truncated upload: exit 3, the error names input and offset, earlier events still printed")
    func truncated() throws {
        let dir = try scratchDirectory()
        let big = dir.appendingPathComponent("big.log").path
        try shell("seq 1 200000 | awk '{printf \"11-23 10:%02d:%02d.%03d  1234  5678 I Tag: value %d\\n\", $1/60000%60, $1/1000%60, $1%1000, $1*7919}' > '\(big)' "
                  + "&& zstd -q -1 -c '\(big)' | head -c 20000 > '\(big).zst'")
        let r = try run(["events", big + ".zst"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("big.log.zst"))
        #expect(r.stderr.contains("at compressed byte"))
        #expect(r.stdout.split(separator: "\n").count > 100)
        let s = try run(["stats", big + ".zst", Self.sample])
        #expect(s.status == 3)
        #expect(s.stdout.contains("error       "))
        #expect(s.stdout.contains("android-call.log\n  codec       plain"))  // the next input was still read
    }

    @Test("usage errors exit 2 with a message")
    func usage() throws {
        let r = try run(["events", "--format", "no-such-dialect", Self.sample])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown format"))
        #expect(try run(["no-such-command"]).status == 2)
        #expect(try run(["events", "--since", "yesterday-ish", Self.sample]).status == 2)
        let help = try run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("3  an input was partly or wholly unreadable"))
    }

    @Test("no colours in pipes, and log text cannot send terminal escapes")
    func escapes() throws {
        let dir = try scratchDirectory()
        let hostile = dir.appendingPathComponent("hostile.log")
        try Data("11-23 10:15:00.000  1  2 E Tag: \u{1B}]0;pwned\u{07} <script>alert(1)</script>\n".utf8).write(to: hostile)
        let r = try run(["events", hostile.path])
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(r.stdout.contains("?]0;pwned? <script>"))
        let colored = try run(["events", "--color", "always", Self.sample])
        #expect(colored.stdout.contains("\u{1B}[31mE\u{1B}[0m"))
    }
}

// MARK: - Helpers

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The `rtcdiag` built beside this test bundle.
let binary: URL = {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("rtcdiag")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir.deleteLastPathComponent()
    }
    return packageRoot.appendingPathComponent(".build/debug/rtcdiag")
}()

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

@discardableResult
func run(_ arguments: [String], stdin: Data? = nil) throws -> RunResult {
    let p = Process()
    p.executableURL = binary
    p.arguments = arguments
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let stdin { inp.fileHandleForWriting.write(stdin) }
    try inp.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                     stderr: String(decoding: e, as: UTF8.self))
}

@discardableResult
func shell(_ command: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw ShellError(command: command, status: p.terminationStatus) }
    return String(decoding: o, as: UTF8.self)
}

struct ShellError: Error {
    var command: String
    var status: Int32
}

func scratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rtcdiag-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
