/// One log line layout: how to recognise a header line, and sample lines that prove it.
///
/// Like lnav's format files, every dialect carries real-looking samples with the fields they
/// must parse to; the test suite runs them all, so a dialect cannot drift from its samples.
public protocol Dialect: Sendable {
    /// Stable name used by `--format` and printed by `stats` (`logcat-threadtime`, …).
    var name: String { get }
    /// One line for `--help`: the layout, with an example prefix.
    var summary: String { get }
    var samples: [DialectSample] { get }
    /// Recognises a header line; fills `fields` with positions into `line`. Must not allocate.
    func parse(_ line: UnsafeRawBufferPointer, into fields: inout LineFields) -> Bool
}

/// A sample line and what it must parse to. Times are written as `formatLogTime` prints them,
/// with yearless dialects read in `DialectSample.sampleYear`.
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
    public static let all: [any Dialect] = [
        XLogDialect(),
        ChromiumDialect(),
        AndroidStudioDialect(),
        AndroidStudioLegacyDialect(),
        AppleUnifiedLogDialect(),
        AppleConsoleDialect(),
        LogcatThreadtimeDialect(),
        LogcatTimeDialect(),
        LogcatBriefDialect(),
        JSONLinesDialect(),
        WebRTCNativeDialect(),
        ISO8601Dialect(),
    ]

    public static func named(_ name: String) -> (any Dialect)? {
        all.first { $0.name == name }
    }
}
