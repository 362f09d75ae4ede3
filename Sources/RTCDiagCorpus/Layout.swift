import Foundation
import RTCDiagFormats

/// How a generated line is written in each dialect (layouts as the dialect parsers document).
public enum Layout: String, CaseIterable, Sendable {
    case logcat, chromium, ios, jsonl, iso, logcatTime, studio, xlog, unified, logcatBrief, agora

    public var dialectName: String {
        switch self {
        case .logcat: "logcat-threadtime"
        case .chromium: "chromium"
        case .ios: "apple-console"
        case .jsonl: "json-lines"
        case .iso: "iso8601"
        case .logcatTime: "logcat-time"
        case .studio: "android-studio"
        case .xlog: "xlog"
        case .unified: "apple-unified-log"
        case .logcatBrief: "logcat-brief"
        case .agora: "agora-sdk"
        }
    }

    /// The layout written as the dialect `name` (as `rtcdiag stats` prints it).
    public init?(dialect name: String) {
        guard let l = Layout.allCases.first(where: { $0.dialectName == name }) else { return nil }
        self = l
    }

    /// `-v brief` prints no time at all.
    public var hasTime: Bool { self != .logcatBrief }

    /// Lines written before the call: the device info line on Android.
    var headerLines: Int { self == .logcat || self == .logcatTime || self == .studio || self == .logcatBrief ? 1 : 0 }

    func header(start: Double) -> String {
        guard headerLines == 1 else { return "" }
        return render(CallLine(t: -1, level: "D", tag: "WebRtcAudioManager",
                           message: "Android SDK: 31, Release: 12, Brand: samsung, Device: a52q, Id: SP1A, Hardware: qcom, Manufacturer: samsung, Model: SM-A525F, Product: a52qnsxx"),
                      start: start) + "\n"
    }

    func render(_ l: CallLine, start: Double) -> String {
        let t = start + l.t
        let secs = Int(t.rounded(.down))
        let micros = Int(((t - Double(secs)) * 1_000_000).rounded(.down))
        let days = secs / 86_400
        let c = civilFromDays(Int64(days))
        let (y, mo, d) = (Int(c.year), Int(c.month), Int(c.day))
        let rem = secs % 86_400
        let h = rem / 3600, mi = rem / 60 % 60, s = rem % 60
        func p(_ v: Int, _ n: Int) -> String { String(format: "%0\(n)d", v) }
        switch self {
        case .logcat:
            return "\(p(mo, 2))-\(p(d, 2)) \(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(micros / 1000, 3))  8123  \(8150 + l.tag.count) \(l.level) \(l.tag): \(l.message)"
        case .chromium:
            let level = ["E": "ERROR", "W": "WARNING", "I": "INFO", "D": "VERBOSE1", "V": "VERBOSE2"][String(l.level)] ?? "INFO"
            return "[8123:\(8150 + l.tag.count):\(p(mo, 2))\(p(d, 2))/\(p(h, 2))\(p(mi, 2))\(p(s, 2)).\(p(micros, 6)):\(level):\(l.tag).cc(\(100 + l.tag.count * 7))] \(l.message)"
        case .ios:
            return "\(y)-\(p(mo, 2))-\(p(d, 2)) \(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(micros, 6))+0800 RTCDemo[1234:\(567_000 + l.tag.count)] \(l.tag): \(l.message)"
        case .jsonl:
            let level = ["E": "error", "W": "warn", "I": "info", "D": "debug", "V": "trace"][String(l.level)] ?? "info"
            let msg = l.message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "{\"ts\":\"\(y)-\(p(mo, 2))-\(p(d, 2))T\(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(micros / 1000, 3))Z\",\"level\":\"\(level)\",\"tag\":\"\(l.tag)\",\"msg\":\"\(msg)\"}"
        case .iso:
            let level = ["E": "ERROR", "W": "WARN", "I": "INFO", "D": "DEBUG", "V": "TRACE"][String(l.level)] ?? "INFO"
            return "\(y)-\(p(mo, 2))-\(p(d, 2))T\(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(micros / 1000, 3))Z \(level) [\(l.tag)] \(l.message)"
        case .logcatTime:
            let pid = String(8123)
            return "\(p(mo, 2))-\(p(d, 2)) \(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(micros / 1000, 3)) \(l.level)/\(l.tag)( \(pid)): \(l.message)"
        case .studio:
            let tag = l.tag.count >= 23 ? l.tag : l.tag + String(repeating: " ", count: 23 - l.tag.count)
            return "\(y)-\(p(mo, 2))-\(p(d, 2)) \(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(micros / 1000, 3)) 8123-\(8150 + l.tag.count) \(tag) com.example.rtc                      \(l.level)  \(l.message)"
        case .unified:
            let type = ["E": "Error", "W": "Default", "I": "Default", "D": "Debug", "V": "Debug"][String(l.level)] ?? "Default"
            let padType = type + String(repeating: " ", count: 12 - type.count)
            return "\(y)-\(p(mo, 2))-\(p(d, 2)) \(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(micros, 6))+0800 0x\(String(0x2b00 + l.tag.count, radix: 16))     \(padType)0x0                  1234   0    RTCDemo: (\(l.tag)) \(l.message)"
        case .logcatBrief:
            let tag = l.tag.count >= 8 ? l.tag : l.tag + String(repeating: " ", count: 8 - l.tag.count)
            return "\(l.level)/\(tag)( 8123): \(l.message)"
        case .xlog:
            return "[\(l.level)][\(y)-\(p(mo, 2))-\(p(d, 2)) +8.0 \(p(h, 2)):\(p(mi, 2)):\(p(s, 2)).\(p(micros / 1000, 3))][8123, \(8150 + l.tag.count)][\(l.tag)][\(l.tag.lowercased()).cc:\(100 + l.tag.count * 7), Run][\(l.message)"
        case .agora:
            // Agora pads each clock field with spaces; the milliseconds since the line before are a
            // stand-in here (nothing reads them).
            let level = ["E": "ERROR", "W": "WARN", "I": "INFO", "D": "DEBUG", "V": "DEBUG"][String(l.level)] ?? "INFO"
            func sp(_ v: Int, _ n: Int) -> String { String(format: "%\(n)d", v) }
            let padded = level + String(repeating: " ", count: 8 - level.count)
            return "\(padded)(\(sp(h, 2)):\(sp(mi, 2)):\(sp(s, 2)):\(sp(micros / 1000, 3)) | \(sp(micros / 1000 % 97, 4)))  \(55043 + l.tag.count); [\(l.tag)] \(l.message)"
        }
    }
}
