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
    // Ranges are kept as 32-bit offsets (a line is at most the framer's cap, far below 2 GiB):
    // this struct is reset, filled and copied once per line, so its size shows.
    private var tagBounds: (Int32, Int32) = (0, 0)
    private var messageBounds: (Int32, Int32) = (0, 0)
    private var originBounds: (Int32, Int32) = (0, 0)

    public var tag: Range<Int> {
        @inline(__always) get { Int(tagBounds.0)..<Int(tagBounds.1) }
        @inline(__always) set { tagBounds = (Int32(truncatingIfNeeded: newValue.lowerBound), Int32(truncatingIfNeeded: newValue.upperBound)) }
    }
    public var message: Range<Int> {
        @inline(__always) get { Int(messageBounds.0)..<Int(messageBounds.1) }
        @inline(__always) set { messageBounds = (Int32(truncatingIfNeeded: newValue.lowerBound), Int32(truncatingIfNeeded: newValue.upperBound)) }
    }
    /// Source position the line names (`file.cc:123`), when the dialect prints one.
    public var origin: Range<Int> {
        @inline(__always) get { Int(originBounds.0)..<Int(originBounds.1) }
        @inline(__always) set { originBounds = (Int32(truncatingIfNeeded: newValue.lowerBound), Int32(truncatingIfNeeded: newValue.upperBound)) }
    }
    /// The message is a JSON string body: escapes are undone when it becomes a `String`.
    public var messageIsJSONEscaped = false

    public init() {}

    @inline(__always)
    public mutating func reset() { self = LineFields() }
}
