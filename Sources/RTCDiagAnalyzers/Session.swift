import RTCDiagFormats

/// One call in a log: from a join to the next session's join (or the end), with the context the
/// join and leave lines carry.
public struct SessionInfo: Sendable {
    public var index: Int
    public var channel: String?
    public var uid: String?
    public var sdkVersion: String?
    /// The edge/media server address the client joined through, and the region it serves.
    public var edge: String?
    public var region: String?
    public var network: String?
    public var firstLine: Int
    public var lastLine: Int
    public var start: Int64?
    public var end: Int64?
    public var joined = false
    public var left = false
    /// Joins of the same channel after the first one (rejoins after a drop).
    public var reconnects = 0

    public init(index: Int, firstLine: Int) {
        self.index = index
        self.firstLine = firstLine
        lastLine = firstLine
    }
}

extension SessionInfo {
    /// Takes the context a join line gave (`probe`) where this session has none yet.
    mutating func adopt(_ probe: SessionInfo) {
        channel = channel ?? probe.channel
        uid = uid ?? probe.uid
        sdkVersion = sdkVersion ?? probe.sdkVersion
        edge = edge ?? probe.edge
        region = region ?? probe.region
        network = network ?? probe.network
    }
}

/// Sessions past the report's limit: counted, not kept (a log of many thousand calls must not
/// grow memory with each one).
public struct OmittedSessions: Sendable {
    public var count = 0
    public var healthy = 0
    /// Sessions per most severe finding (P0…P3).
    public var bySeverity = [Int](repeating: 0, count: Severity.allCases.count)
    /// Sessions per signature found in them.
    public var bySignature: [String: Int] = [:]

    public init() {}

    mutating func add(_ s: SessionResult) {
        count += 1
        guard let worst = SessionStore.worst(s) else { healthy += 1; return }
        bySeverity[worst.rawValue] += 1
        // A handful of findings: counting each signature once needs no set. By index, reading
        // only the signature: this runs for nearly every call of a call-dense log, and a copy of
        // a whole finding retains and releases each of its strings and arrays.
        let findings = s.findings
        for i in findings.indices where !(0..<i).contains(where: { findings[$0].signature == findings[i].signature }) {
            bySignature[findings[i].signature, default: 0] += 1
        }
    }
}

/// Keeps at most `limit` sessions — the most severe ones, earlier first among equals — and
/// counts the rest. Evicting takes O(1): one stack of slots per severity level.
struct SessionStore {
    let limit: Int
    private(set) var kept: [SessionResult] = []
    private(set) var omitted = OmittedSessions()
    /// Per level (0 healthy, 1 P3 … 4 P0): slots in `kept`, latest last.
    private var slots = [[Int]](repeating: [], count: 5)

    init(limit: Int) { self.limit = max(1, limit) }

    static func level(_ s: SessionResult) -> Int { worst(s).map { 4 - $0.rawValue } ?? 0 }

    /// The most severe finding's severity, or nil for a healthy session.
    static func worst(_ s: SessionResult) -> Severity? {
        var worst: Severity?
        for i in s.findings.indices where worst.map({ s.findings[i].severity > $0 }) ?? true { worst = s.findings[i].severity }
        return worst
    }

    mutating func add(_ s: SessionResult) {
        let level = Self.level(s)
        if kept.count < limit {
            slots[level].append(kept.count)
            kept.append(s)
            return
        }
        // Full: the new session replaces the latest of the least severe kept ones, if it is worse.
        guard let lowest = slots.indices.first(where: { !slots[$0].isEmpty }), lowest < level else {
            omitted.add(s)
            return
        }
        let slot = slots[lowest].removeLast()
        omitted.add(kept[slot])
        kept[slot] = s
        slots[level].append(slot)
    }

    /// The kept sessions in log order.
    var sessions: [SessionResult] { kept.sorted { $0.info.index < $1.info.index } }
}

/// Findings of one session.
public struct SessionResult: Sendable {
    public var info: SessionInfo
    public var findings: [Finding]
    public var timeline = Timeline()
}

/// Recognises join / leave lines of RTC SDKs and app wrappers: `join channel=room-42 uid=1001`,
/// `joinChannel room=…`, `onJoinChannelSuccess`, `leave channel=…`, `leaveChannel`.
enum SessionLine {
    case join, leave

    static let keywords = ["join", "leave"]

    /// A leave: `leave` followed by `channel` or `room` (a space between or not); a join the same
    /// with `join`, unless the line reports `joinChannelSuccess`, a failure or a rejection. Each
    /// occurrence of the verb is looked at once (lines with the keyword are frequent).
    static func classify(_ e: EventView) -> SessionLine? {
        let m = UnsafeRawBufferPointer(rebasing: e.message.prefix(512))
        func verb(_ word: StaticString) -> Bool {
            var from = 0
            while let at = ByteMatch.firstLowercased(m, word, from: from) {
                var next = at + word.utf8CodeUnitCount
                if next < m.count, m[next] == 0x20 { next += 1 }
                if ByteMatch.hasLowercased(m, "channel", at: next) || ByteMatch.hasLowercased(m, "room", at: next) { return true }
                from = at + 1
            }
            return false
        }
        if verb("leave") { return .leave }
        if verb("join"), !ByteMatch.containsLowercased(m, "joinchannelsuccess"), !ByteMatch.containsLowercased(m, "failed"),
           !ByteMatch.containsLowercased(m, "rejected") {
            return .join
        }
        return nil
    }

    /// Fills in what a join/leave line says about the session.
    static func update(_ s: inout SessionInfo, from e: EventView) {
        if !e.messageIsJSONEscaped && e.continuation.isEmpty {
            update(&s, message: e.message)
        } else {
            var text = e.messageText
            text.withUTF8 { update(&s, message: UnsafeRawBufferPointer($0)) }
        }
    }

    /// The field names a join line's context goes by, lowercase, and where each goes (0 channel,
    /// 1 uid, 2 SDK version, 3 edge, 4 region, 5 network).
    private static let contextKeys: [(name: StaticString, slot: Int)] = [
        ("channel", 0), ("room", 0), ("channelid", 0), ("roomid", 0),
        ("uid", 1), ("userid", 1), ("user", 1),
        ("sdk", 2), ("sdkversion", 2), ("version", 2),
        ("edge", 3), ("server", 3), ("ip", 3), ("edge_ip", 3),
        ("region", 4), ("area", 4), ("area_code", 4), ("dc", 4),
        ("net", 5), ("network", 5), ("nettype", 5), ("network_type", 5),
    ]

    /// On the message bytes: a string is made only for the values kept. (Join lines are one in
    /// every few dozen lines of a call-dense log, each with several fields: the names are
    /// compared from a table, no argument list built per field.)
    private static func update(_ s: inout SessionInfo, message m: UnsafeRawBufferPointer) {
        FieldExtractor.forEachField(in: m) { k, v in
            guard k.count <= 12, let slot = contextKeys.first(where: { ByteMatch.equalsLowercased(k, $0.name) })?.slot else { return }
            func take(_ value: inout String?) { if value == nil { value = String(decoding: v, as: UTF8.self) } }
            switch slot {
            case 0: take(&s.channel)
            case 1: take(&s.uid)
            case 2: take(&s.sdkVersion)
            case 3: take(&s.edge)
            case 4: take(&s.region)
            default: take(&s.network)
            }
        }
        // mars/xlog style "join channel: room-42 uid=1001"
        if s.channel == nil, var at = ByteMatch.after(m, "channel: ") {
            while at < m.count, m[at] == 0x20 { at += 1 }
            var end = at
            while end < m.count, m[end] != 0x20 { end += 1 }
            if end > at { s.channel = String(decoding: UnsafeRawBufferPointer(rebasing: m[at..<end]), as: UTF8.self) }
        }
    }
}
