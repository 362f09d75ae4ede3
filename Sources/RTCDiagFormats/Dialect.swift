/// One log line layout: how to recognise a header line, and sample lines that prove it.
///
/// Like lnav's format files, every dialect carries real-looking samples with the fields they
/// must parse to; the test suite runs them all, so a dialect cannot drift from its samples.
///
/// Everything is static: the registry holds metatypes, so calling the active dialect on every
/// line copies no value and touches no reference count.
public protocol Dialect: SendableMetatype {
    /// Stable name used by `--format` and printed by `stats` (`logcat-threadtime`, …).
    static var name: String { get }
    /// One line for `--help`: the layout, with an example prefix.
    static var summary: String { get }
    static var samples: [DialectSample] { get }
    /// Recognises a header line; fills `fields` with positions into `line`. Must not allocate.
    static func parse(_ line: UnsafeRawBufferPointer, into fields: inout LineFields) -> Bool
}

/// A sample line and what it must parse to. Times are written as `formatLogTime` prints them,
/// with yearless dialects read in `DialectSample.sampleYear`, and as `time of day HH:MM:SS.mmm`
/// for dialects that print no date.
public struct DialectSample: Sendable {
    public static let sampleYear: Int32 = 2024

    public var line: String
    public var time: String?
    public var level: Level
    public var pid: Int32?
    public var tid: Int32?
    public var tag: String
    public var message: String

    public init(_ line: String, time: String?, level: Level, pid: Int32? = nil, tid: Int32? = nil,
                tag: String, message: String) {
        self.line = line
        self.time = time
        self.level = level
        self.pid = pid
        self.tid = tid
        self.tag = tag
        self.message = message
    }
}

/// Every built-in dialect. Order breaks ties in detection: more specific layouts first.
public enum Dialects {
    public static let all: [any Dialect.Type] = [
        XLogDialect.self,
        ChromiumDialect.self,
        AndroidStudioDialect.self,
        AndroidStudioLegacyDialect.self,
        AppleUnifiedLogDialect.self,
        AppleConsoleDialect.self,
        LogcatThreadtimeDialect.self,
        LogcatTimeDialect.self,
        LogcatBriefDialect.self,
        JSONLinesDialect.self,
        WebRTCNativeDialect.self,
        ISO8601Dialect.self,
        // Last: no other layout looks like it, and lines of another dialect than the input's
        // try this list in order (placed second, it made parsing ~5 % slower).
        AgoraSDKDialect.self,
        TimeOfDayDialect.self,
        SafariConsoleDialect.self,
    ]

    public static var names: [String] { all.map { $0.name } }

    public static func named(_ name: String) -> (any Dialect.Type)? {
        all.first { $0.name == name }
    }
}
