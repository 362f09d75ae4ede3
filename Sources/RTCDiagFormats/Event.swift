/// Marks on an event that say how much to trust its parse.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// No dialect recognised the line; `message` is the raw text.
    public static var unparsed: EventFlags { EventFlags(rawValue: 1) }
    /// A line of the event was longer than the line cap and was cut into pieces.
    public static var truncated: EventFlags { EventFlags(rawValue: 2) }
    /// A glued line number, quote marker or indentation was stripped before parsing (a paste).
    public static var pasteCleaned: EventFlags { EventFlags(rawValue: 4) }
    /// Parsed by another dialect than the one detected for the input.
    public static var otherDialect: EventFlags { EventFlags(rawValue: 8) }
    /// The event hit the continuation limit; later lines became events of their own.
    public static var capped: EventFlags { EventFlags(rawValue: 16) }
}

/// One event as the reader hands it out: borrowed byte ranges, valid until the reader's next call.
///
/// This is the hot-path shape: analyzers match on bytes and only make `String`s (via
/// `materialize`) for what they keep as evidence. It is kept under 128 bytes (ranges as 32-bit
/// offsets into `raw`, sentinels instead of optionals) so handing one out is a few register
/// moves rather than a `memcpy` call per event.
public struct EventView {
    /// The whole header line (after paste cleaning).
    public let raw: UnsafeRawBufferPointer
    /// The following lines that belong to this event (stack traces, wrapped text), joined by LF.
    public let continuation: UnsafeRawBufferPointer
    /// Decoded byte offset of the header line.
    public let offset: Int64
    /// Line number of the header line.
    public let lineNumber: Int
    private let storedTime: Int64
    private let lines: Int32
    public let pid: Int32
    public let tid: Int32
    private let storedUTCOffset: Int32
    private let tagStart: UInt32, tagEnd: UInt32
    private let messageStart: UInt32, messageEnd: UInt32
    private let originStart: UInt32, originEnd: UInt32
    public let level: Level
    public let timeKind: LineFields.TimeKind
    public let flags: EventFlags
    public let messageIsJSONEscaped: Bool
    private let storedDialect: Int8

    private static let noTime = Int64.min
    private static let noOffset = Int32.min

    /// `tag`, `message` and `origin` must lie inside `raw` (or be empty).
    public init(lineNumber: Int, lineCount: Int, offset: Int64, time: Int64?, timeKind: LineFields.TimeKind,
                utcOffset: Int32?, level: Level, pid: Int32, tid: Int32, tag: UnsafeRawBufferPointer,
                message: UnsafeRawBufferPointer, continuation: UnsafeRawBufferPointer, origin: UnsafeRawBufferPointer,
                raw: UnsafeRawBufferPointer, dialectIndex: Int?, flags: EventFlags, messageIsJSONEscaped: Bool) {
        func bounds(_ p: UnsafeRawBufferPointer) -> (UInt32, UInt32) {
            guard let base = raw.baseAddress, let start = p.baseAddress, p.count > 0 else { return (0, 0) }
            let lower = start - base
            precondition(lower >= 0 && lower + p.count <= raw.count, "EventView: range outside the raw line")
            return (UInt32(lower), UInt32(lower + p.count))
        }
        self.init(raw: raw, continuation: continuation, offset: offset, lineNumber: lineNumber, lineCount: lineCount,
                  time: time, utcOffset: utcOffset, pid: pid, tid: tid, tag: bounds(tag), message: bounds(message),
                  origin: bounds(origin), level: level, timeKind: timeKind, flags: flags,
                  messageIsJSONEscaped: messageIsJSONEscaped, dialectIndex: dialectIndex)
    }

    /// The reader's own initializer: ranges already as offsets into `raw`.
    @inline(__always)
    init(raw: UnsafeRawBufferPointer, continuation: UnsafeRawBufferPointer, offset: Int64, lineNumber: Int,
         lineCount: Int, time: Int64?, utcOffset: Int32?, pid: Int32, tid: Int32, tag: (UInt32, UInt32),
         message: (UInt32, UInt32), origin: (UInt32, UInt32), level: Level, timeKind: LineFields.TimeKind,
         flags: EventFlags, messageIsJSONEscaped: Bool, dialectIndex: Int?) {
        self.raw = raw
        self.continuation = continuation
        self.offset = offset
        self.lineNumber = lineNumber
        storedTime = time ?? Self.noTime
        lines = Int32(clamping: lineCount)
        self.pid = pid
        self.tid = tid
        storedUTCOffset = utcOffset ?? Self.noOffset
        (tagStart, tagEnd) = tag
        (messageStart, messageEnd) = message
        (originStart, originEnd) = origin
        self.level = level
        self.timeKind = timeKind
        self.flags = flags
        self.messageIsJSONEscaped = messageIsJSONEscaped
        storedDialect = dialectIndex.map { Int8($0) } ?? -1
    }

    /// How many lines (with continuations) the event spans.
    public var lineCount: Int { Int(lines) }
    /// Microseconds: the log's own clock for `.clock`, UTC for `.epoch`, since logging began for `.elapsed`.
    public var time: Int64? { storedTime == Self.noTime ? nil : storedTime }
    /// Seconds east of UTC when the line states its zone.
    public var utcOffset: Int32? { storedUTCOffset == Self.noOffset ? nil : storedUTCOffset }
    /// Index into `Dialects.all`, or nil for unparsed lines.
    public var dialectIndex: Int? { storedDialect < 0 ? nil : Int(storedDialect) }

    @inline(__always)
    private func slice(_ start: UInt32, _ end: UInt32) -> UnsafeRawBufferPointer {
        end > start ? UnsafeRawBufferPointer(rebasing: raw[Int(start)..<Int(end)]) : UnsafeRawBufferPointer(start: nil, count: 0)
    }

    public var tag: UnsafeRawBufferPointer { slice(tagStart, tagEnd) }
    public var message: UnsafeRawBufferPointer { slice(messageStart, messageEnd) }
    /// `file.cc:123` when the line names its source position.
    public var origin: UnsafeRawBufferPointer { slice(originStart, originEnd) }

    public var dialectName: String? { dialectIndex.map { Dialects.all[$0].name } }

    /// The message with its continuation lines, JSON escapes undone (lossy for invalid UTF-8):
    /// what `materialize` makes, without the other strings.
    public var messageText: String {
        var text = messageIsJSONEscaped ? unescapeJSON(message) : String(decoding: message, as: UTF8.self)
        if !continuation.isEmpty { text += "\n" + String(decoding: continuation, as: UTF8.self) }
        return text
    }

    /// An owned copy with `String`s, for output and evidence. Invalid UTF-8 becomes U+FFFD here.
    public func materialize(source: String) -> Event {
        Event(source: source, lineNumber: lineNumber, lineCount: lineCount, offset: offset, time: time,
                     timeKind: timeKind, utcOffset: utcOffset, level: level, pid: pid >= 0 ? pid : nil,
                     tid: tid >= 0 ? tid : nil, tag: String(decoding: tag, as: UTF8.self), message: messageText,
                     origin: origin.isEmpty ? nil : String(decoding: origin, as: UTF8.self),
                     raw: String(decoding: raw, as: UTF8.self), dialect: dialectName, flags: flags)
    }
}

/// An event that owns its text: what outlives one reader step (evidence, JSON output, tests).
public struct Event: Sendable, Hashable {
    public var source: String
    public var lineNumber: Int
    public var lineCount: Int
    public var offset: Int64
    public var time: Int64?
    public var timeKind: LineFields.TimeKind
    public var utcOffset: Int32?
    public var level: Level
    public var pid: Int32?
    public var tid: Int32?
    public var tag: String
    public var message: String
    public var origin: String?
    public var raw: String
    public var dialect: String?
    public var flags: EventFlags

    /// `key=value`, `key: value` and embedded-JSON pairs in the message, pulled when asked for.
    public var fields: [(key: String, value: String)] { FieldExtractor.fields(in: message) }

    /// The time as printed by `events`: log clock, or `+HH:MM:SS.mmm` for elapsed-only dialects.
    public var timeText: String? {
        guard let time else { return nil }
        return timeKind == .elapsed ? "+" + formatElapsed(time) : formatLogTime(time)
    }
}

/// `HH:MM:SS.mmm` for a duration in microseconds.
public func formatElapsed(_ micros: Int64) -> String {
    let ms = micros / 1000
    func pad(_ v: Int64, _ n: Int) -> String {
        let s = String(v)
        return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
    }
    return "\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):\(pad(ms / 1000 % 60, 2)).\(pad(ms % 1000, 3))"
}

/// Undoes JSON string escapes (`\n`, `\"`, `\u00e9`, surrogate pairs); bad escapes stay as written.
func unescapeJSON(_ p: UnsafeRawBufferPointer) -> String {
    guard p.contains(UInt8(ascii: "\\")) else { return String(decoding: p, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(p.count)
    var i = 0
    func hex4(_ at: Int) -> UInt32? {
        guard at + 4 <= p.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 { guard let d = hexValue(p[at + k]) else { return nil }; v = v << 4 | UInt32(d) }
        return v
    }
    while i < p.count {
        let b = p[i]
        guard b == UInt8(ascii: "\\"), i + 1 < p.count else { out.append(b); i += 1; continue }
        let e = p[i + 1]
        i += 2
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
            guard var scalar = hex4(i) else { out.append(contentsOf: [0x5C, e]); continue }
            i += 4
            if scalar >= 0xD800, scalar < 0xDC00, i + 6 <= p.count, p[i] == 0x5C, p[i + 1] == UInt8(ascii: "u"),
               let low = hex4(i + 2), low >= 0xDC00, low < 0xE000 {
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            }
            out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
        default: out.append(e)
        }
    }
    return String(decoding: out, as: UTF8.self)
}
