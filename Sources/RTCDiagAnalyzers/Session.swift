import RTCDiagFormats

/// One call in a log: from a join to the next session's join (or the end), with the context the
/// join and leave lines carry.
public struct SessionInfo: Sendable {
    public var index: Int
    public var channel: String?
    public var uid: String?
    public var sdkVersion: String?
    /// The edge/media server address the client joined through.
    public var edge: String?
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
        network = network ?? probe.network
    }
}

/// Findings of one session.
public struct SessionResult: Sendable {
    public var info: SessionInfo
    public var findings: [Finding]
}

/// Recognises join / leave lines of RTC SDKs and app wrappers: `join channel=room-42 uid=1001`,
/// `joinChannel room=…`, `onJoinChannelSuccess`, `leave channel=…`, `leaveChannel`.
enum SessionLine {
    case join, leave

    static let keywords = ["join", "leave"]

    static func classify(_ e: EventView) -> SessionLine? {
        let m = UnsafeRawBufferPointer(rebasing: e.message.prefix(512))
        func has(_ s: StaticString) -> Bool { ByteMatch.containsLowercased(m, s) }
        if has("leavechannel") || has("leave channel") || has("leaveroom") || has("leave room") { return .leave }
        if (has("joinchannel") || has("join channel") || has("joinroom") || has("join room"))
            && !has("joinchannelsuccess") && !has("failed") && !has("rejected") {
            return .join
        }
        return nil
    }

    /// Fills in what a join/leave line says about the session.
    static func update(_ s: inout SessionInfo, from e: EventView) {
        let owned = e.materialize(source: "")
        for (k, v) in owned.fields {
            switch k.lowercased() {
            case "channel", "room", "channelid", "roomid": if s.channel == nil { s.channel = v }
            case "uid", "userid", "user": if s.uid == nil { s.uid = v }
            case "sdk", "sdkversion", "version": if s.sdkVersion == nil { s.sdkVersion = v }
            case "edge", "server", "ip", "edge_ip": if s.edge == nil { s.edge = v }
            case "net", "network", "nettype", "network_type": if s.network == nil { s.network = v }
            default: break
            }
        }
        // mars/xlog style "join channel: room-42 uid=1001"
        if s.channel == nil, let r = owned.message.range(of: "channel: ") {
            s.channel = owned.message[r.upperBound...].split(separator: " ").first.map(String.init)
        }
    }
}
