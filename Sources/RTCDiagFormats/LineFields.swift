/// What a dialect recognised in one header line: positions into the line, no copies.
public struct LineFields {
    public enum TimeKind: UInt8, Sendable {
        case none
        /// A wall-clock reading in `clock`; its year may still be missing.
        case clock
        /// Microseconds since the process's logging started (libwebrtc `[sss:mmm]`), in `instant`.
        case elapsed
        /// Microseconds since 1970 UTC (JSON epoch numbers), in `instant`.
        case epoch
    }

    public var timeKind: TimeKind = .none
    public var clock = ClockReading()
    public var instant: Int64 = 0
    public var level: Level = .unknown
    public var pid: Int32 = -1
    public var tid: Int32 = -1
    public var tag: Range<Int> = 0..<0
    public var message: Range<Int> = 0..<0
    /// Source position the line names (`file.cc:123`), when the dialect prints one.
    public var origin: Range<Int> = 0..<0
    /// The message is a JSON string body: escapes are undone when it becomes a `String`.
    public var messageIsJSONEscaped = false

    public init() {}

    @inline(__always)
    public mutating func reset() { self = LineFields() }
}
