import RTCDiagFormats

/// ANSI colours for terminal output, and the scrubbing of control bytes from log text so a
/// hostile log cannot move the cursor or retitle the terminal of the engineer reading it.
public struct TerminalStyle: Sendable {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    public func level(_ text: String, _ level: Level) -> String {
        guard enabled else { return text }
        let code: String
        switch level {
        case .fatal: code = "1;35"
        case .error: code = "31"
        case .warning: code = "33"
        case .info: code = "32"
        case .debug, .verbose: code = "2"
        case .unknown: return text
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    public func dim(_ text: String) -> String { enabled ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    public func bold(_ text: String) -> String { enabled ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

    /// Replaces control characters (ESC, BEL, …) except tab and newline with `?`.
    public static func scrub(_ s: String) -> String {
        guard s.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A) || $0 == 0x7F }) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.map {
            ($0.value < 0x20 && $0 != "\t" && $0 != "\n") || $0.value == 0x7F ? "?" : $0
        }))
    }
}
