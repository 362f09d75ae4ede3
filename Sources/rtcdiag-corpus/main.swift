// rtcdiag-corpus --out DIR [--count N] [--seed S] [--compress]
//
// With --compress the logs cycle through plain, zstd, lz4 and gzip (the committed corpus in
// Samples/corpus is `--count 150 --seed 1 --compress`).
//
// Writes N labeled logs (one call each) round-robin over five dialects and every fault, with
// realistic noise, and a NAME.expected.json sidecar per log: the expected signatures, root
// cause, severity and the evidence line numbers. The same seed writes the same bytes.
import Foundation
import RTCDiagStream

let args = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
guard let out = option("--out") else {
    print("usage: rtcdiag-corpus --out DIR [--count N] [--seed S]")
    exit(2)
}
let count = Int(option("--count") ?? "150") ?? 150
let seed = UInt64(option("--seed") ?? "1") ?? 1
let compress = args.contains("--compress")
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

let dialects = Dialect.allCases
let faults = Fault.allCases
for i in 0..<count {
    var r = SeededRandom(state: seed &* 1_000_003 &+ UInt64(i))
    let dialect = dialects[i % dialects.count]
    // Healthy calls take every third slot (about 30 %), faults the rest in turn.
    let fault = i % 3 == 0 ? Fault.healthy : faults[1 + (i / 3 * 2 + i % 3 - 1) % (faults.count - 1)]
    // Every seventh log holds two calls: a healthy one, then this slot's.
    let calls: [Fault] = i % 7 == 6 && fault != .healthy ? [.healthy, fault] : [fault]
    var lines: [Line] = []
    var offset = 0.0
    for (c, f) in calls.enumerated() {
        var call = f.lines(&r, callID: i * 10 + c)
        let duration = call.map(\.t).max() ?? 60
        call += Noise.lines(&r, duration: duration - 0.1, count: 20 + r.int(60))
        if r.int(3) == 0 { call += Noise.stackTrace(&r, at: r.double(1, duration - 1)) }
        if r.int(4) == 0 { call.append(Noise.garbled(&r, at: r.double(1, duration - 1))) }
        call.sort { $0.t < $1.t }
        // Some devices' clocks jump (an NTP correction): later lines an hour ahead.
        if i % 5 == 2 && !f.usesTimeWindow {
            let jumpAt = duration / 2
            call = call.map { var l = $0; if l.t > jumpAt { l.t += 3600 }; return l }
        }
        lines += call.map { var l = $0; l.t += offset; return l }
        offset += duration + 4200
    }
    let start = 1_732_356_000 + Double(r.int(86_400 * 30))  // November 2024
    let rendered = lines.map { dialect.render($0, start: start) }
    var text = dialect.header(start: start)
    var evidence: [Int] = []
    var lineNumber = dialect.headerLines
    for (k, l) in lines.enumerated() {
        text += rendered[k] + "\n"
        lineNumber += 1
        if l.evidence { evidence.append(lineNumber) }
        lineNumber += l.message.filter { $0 == "\n" }.count
    }
    let name = String(format: "%03d-%@-%@", i, dialect.rawValue, fault.rawValue)
    let bytes = Array(text.utf8)
    let (suffix, stored): (String, [UInt8]) = !compress ? (".log", bytes) : [
        (".log", bytes), (".log.zst", Compression.zstd(bytes)), (".log.lz4", Compression.lz4(bytes)), (".log.gz", Compression.gzip(bytes)),
    ][i % 4]
    try Data(stored).write(to: URL(fileURLWithPath: "\(out)/\(name)\(suffix)"))
    let sessions: [[String: Any]] = calls.map { f in
        let t = f.truth
        return ["signatures": t.signatures, "root_cause": t.rootCause.map { $0 as Any } ?? NSNull(),
                "severity": t.severity.map { $0 as Any } ?? NSNull(), "evidence_lines": f == fault ? evidence : []]
    }
    let sidecar: [String: Any] = [
        "log": "\(name)\(suffix)", "dialect": dialect.dialectName, "seed": Int(seed), "fault": fault.rawValue, "sessions": sessions,
    ]
    let json = try JSONSerialization.data(withJSONObject: sidecar, options: [.prettyPrinted, .sortedKeys])
    try json.write(to: URL(fileURLWithPath: "\(out)/\(name).expected.json"))
}
print("wrote \(count) logs with sidecars to \(out)")
