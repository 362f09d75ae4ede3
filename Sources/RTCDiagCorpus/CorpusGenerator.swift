import Foundation
import RTCDiagStream

/// One generated log: its file name, stored bytes and ground truth per session.
public struct GeneratedLog: Sendable {
    public var name: String
    public var text: String
    public var stored: [UInt8]
    public var sidecar: Data
}

/// Labeled client SDK logs for `rtcdiag eval` and the benchmark, deterministic by seed.
///
/// Log `i` of a seed is always the same: the layout goes round-robin over every dialect, a third
/// of the slots are healthy calls and the rest take the faults in turn, every seventh log holds
/// two calls, some have a clock jump; noise, stack traces and garbled lines are mixed in.
public enum CorpusGenerator {
    /// Log `i` of `seed`; `only` fixes the layout instead of taking them in turn.
    public static func log(index i: Int, seed: UInt64, compress: Bool, only: Layout? = nil) throws -> GeneratedLog {
        var r = SeededRandom(state: seed &* 1_000_003 &+ UInt64(i))
        let layouts = only.map { [$0] } ?? Layout.allCases
        let faults = Fault.allCases
        let layout = layouts[i % layouts.count]
        var fault = i % 3 == 0 ? Fault.healthy : faults[1 + (i / 3 * 2 + i % 3 - 1) % (faults.count - 1)]
        // A layout without times cannot show a burst within seconds: plain loss instead.
        if !layout.hasTime && fault.usesTimeWindow { fault = .loss }
        let calls: [Fault] = i % 7 == 6 && fault != .healthy ? [.healthy, fault] : [fault]
        var lines: [CallLine] = []
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
        var text = layout.header(start: start)
        var evidence: [Int] = []
        var lineNumber = layout.headerLines
        for l in lines {
            text += layout.render(l, start: start) + "\n"
            lineNumber += 1
            if l.evidence { evidence.append(lineNumber) }
            lineNumber += l.message.filter { $0 == "\n" }.count
        }
        let name = String(format: "%03d-%@-%@", i, layout.rawValue, fault.rawValue)
        let bytes = Array(text.utf8)
        let (suffix, stored): (String, [UInt8]) = !compress ? (".log", bytes) : [
            (".log", bytes), (".log.zst", Compression.zstd(bytes)), (".log.lz4", Compression.lz4(bytes)), (".log.gz", Compression.gzip(bytes)),
        ][i % 4]
        let sessions: [[String: Any]] = calls.map { f in
            let t = f.truth
            return ["signatures": t.signatures, "root_cause": t.rootCause.map { $0 as Any } ?? NSNull(),
                    "severity": t.severity.map { $0 as Any } ?? NSNull(), "evidence_lines": f == fault ? evidence : []]
        }
        let sidecar: [String: Any] = [
            "log": "\(name)\(suffix)", "dialect": layout.dialectName, "seed": Int(seed), "fault": fault.rawValue, "sessions": sessions,
        ]
        return GeneratedLog(name: name + suffix, text: text, stored: stored,
                            sidecar: try JSONSerialization.data(withJSONObject: sidecar, options: [.prettyPrinted, .sortedKeys]))
    }
}
