import RTCDiagFormats

/// `route_flapping`: the path keeps changing — network switches, ICE selected-pair switches,
/// ICE restarts, reconnects — N times within W seconds (link). Audio-route toggling (speaker,
/// earpiece, Bluetooth SCO, wired) is its own sub-kind, attributed to the client.
///
/// Not every change is flapping: while ICE converges (before it first connects, and a few
/// seconds after) the selected pair switches as better candidates come up, and the network
/// monitor reports each interface present at start-up, before ICE starts; those changes are not
/// counted when the log shows the ICE state. On iOS, WebRTC logs each route change twice ("Audio route
/// changed:" then "Audio route changed: <reason>"); only reasons that move the audio between
/// devices count (new device, old device gone, override, no suitable route), not category or
/// configuration changes. Repeated `setSpeakerphoneOn` with the same value is no change.
///
/// Sources: libwebrtc `p2p_transport_channel.cc` ("Switching selected connection due to: …");
/// WebRTC `NetworkMonitorAutoDetect.java` ("Network becomes available", "Network … disconnected");
/// Android `AudioManager` (`setSpeakerphoneOn`, `startBluetoothSco`, `setCommunicationDevice`);
/// iOS `RTCAudioSession.mm` ("Audio route changed: NewDeviceAvailable / OldDeviceUnavailable /
/// CategoryChange to :… / Override / WakeFromSleep / NoSuitableRouteForCategory /
/// RouteConfigurationChange").
public struct RouteFlappingAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "route_flapping",
        name: "Route flapping",
        summary: "The network path (or the audio route) changed at least 4 times within 30 seconds.",
        defaultCause: .link, defaultSeverity: .p2,
        remediation: "Network: check Wi-Fi roaming/handover to cellular and VPN changes; prefer a stable network; "
            + "check the SDK's ICE restart policy. Audio route: check Bluetooth headset stability and the app's route handling.",
        keywords: ["Switching selected connection", "Network becomes", "network changed", "ICE restart", "reconnecting",
                   "setSpeakerphoneOn", "BluetoothSco", "setCommunicationDevice", "Audio route changed", "route change",
                   "IP_ADDRESS_CHANGED", "IpAddressChanged",    // Agora's CONNECTION_CHANGED_CLIENT_IP_ADDRESS_CHANGED
                   // ICE state, to know when the path has converged
                   "IceConnectionState", "onIceConnectionChange", "ice connection state", "ICE state changed"],
        triggeringExamples: [
            AnalyzerExample("""
                ↓11-23 10:15:01.000  8123  8171 I p2p_transport_channel: Switching selected connection due to: nomination on the controlled side
                ↓11-23 10:15:06.000  8123  8150 I org.webrtc.Logging: NetworkMonitorAutoDetect: Network becomes available: 101
                ↓11-23 10:15:09.000  8123  8171 I p2p_transport_channel: Switching selected connection due to: selected candidate pair destroyed
                ↓11-23 10:15:15.000  8123  8150 I org.webrtc.Logging: NetworkMonitorAutoDetect: Network becomes available: 102
                """),
            AnalyzerExample("""
                ↓2024-05-01 10:00:00.123456+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed: NewDeviceAvailable
                ↓2024-05-01 10:00:03.123456+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed: OldDeviceUnavailable
                ↓2024-05-01 10:00:06.123456+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed: NewDeviceAvailable
                ↓2024-05-01 10:00:09.123456+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed: OldDeviceUnavailable
                """),
        ],
        nonTriggeringExamples: [
            // Start-up: ICE converges and the monitor lists both networks; the speaker is set twice.
            AnalyzerExample("""
                11-23 10:15:00.100  8123  8150 I org.webrtc.Logging: NetworkMonitorAutoDetect: Network becomes available: 100
                11-23 10:15:00.102  8123  8150 I org.webrtc.Logging: NetworkMonitorAutoDetect: Network becomes available: 101
                11-23 10:15:00.580  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 0 => 1
                11-23 10:15:00.702  8123  8171 I p2p_transport_channel: Switching selected connection due to: candidate pair state changed
                11-23 10:15:00.812  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 1 => 2
                11-23 10:15:01.020  8123  8171 I p2p_transport_channel: Switching selected connection due to: nomination on the controlled side
                11-23 10:15:02.310  8123  8171 I p2p_transport_channel: Switching selected connection due to: data received
                11-23 10:15:02.400  8123  8123 I AudioManager: setSpeakerphoneOn(true) from u/pid:10245/8123
                11-23 10:15:03.100  8123  8123 I AudioManager: setSpeakerphoneOn(true) from u/pid:10245/8123
                """),
            // Start-up interfaces, then one Wi-Fi → cellular handover: two changes, not four.
            AnalyzerExample("""
                11-23 10:15:00.050  8123  8150 D NetworkMonitorAutoDetect: Network becomes available: 100
                11-23 10:15:00.060  8123  8150 D NetworkMonitorAutoDetect: Network becomes available: 101
                11-23 10:15:00.200  8123  8171 I PeerConnection: Changing IceConnectionState 0 => 1
                11-23 10:15:00.600  8123  8171 I PeerConnection: Changing IceConnectionState 1 => 2
                11-23 10:15:12.000  8123  8150 D NetworkMonitorAutoDetect: Network becomes available: 102
                11-23 10:15:12.400  8123  8171 I p2p_transport_channel: Switching selected connection due to: selected candidate pair destroyed
                """),
            AnalyzerExample("""
                2024-05-01 10:00:00.123456+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed:
                2024-05-01 10:00:00.123501+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed: CategoryChange to :AVAudioSessionCategoryPlayAndRecord
                2024-05-01 10:00:00.402210+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed:
                2024-05-01 10:00:00.402264+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed: RouteConfigurationChange
                2024-05-01 10:00:05.010101+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed:
                2024-05-01 10:00:05.010150+0800 0x2b7c     Default     0x0                  1234   0    RTCDemo: (WebRTC) Audio route changed: NewDeviceAvailable
                """),
            AnalyzerExample("""
                11-23 10:15:01.000  8123  8171 I p2p_transport_channel: Switching selected connection due to: nomination on the controlled side
                11-23 10:16:06.000  8123  8150 I org.webrtc.Logging: NetworkMonitorAutoDetect: Network becomes available: 101
                11-23 10:17:09.000  8123  8171 I p2p_transport_channel: Switching selected connection due to: selected candidate pair destroyed
                11-23 10:18:15.000  8123  8150 I org.webrtc.Logging: NetworkMonitorAutoDetect: Network becomes available: 102
                """),
        ])

    static let threshold = 4
    static let windowMicros: Int64 = 30_000_000

    private var network = Burst()
    private var audio = Burst()
    private var iceSeen = false
    /// Network changes seen before any ICE state line: the interfaces listed at start-up, unless
    /// the log never shows the ICE state (then they count, in order, at the end or once too many).
    private var beforeICE: [(time: Int64, line: Evidence?)] = []
    private var iceConnectedAt: Int64?
    private var speakerOn: Bool?

    /// How long after ICE first connects the path may still settle.
    static let settleMicros: Int64 = 5_000_000

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        guard let t = e.time else { return }
        let m = e.message
        if let change = ConnectionFailureAnalyzer.stateChange(m) {
            iceSeen = true
            beforeICE.removeAll()
            if change.state == .connected, iceConnectedAt == nil { iceConnectedAt = t }
            return
        }
        if let at = ByteMatch.after(m, "setSpeakerphoneOn(") {
            let on = at < m.count && m[at] == UInt8(ascii: "t")
            guard on != speakerOn else { return }
            speakerOn = on
        } else if let at = ByteMatch.after(m, "Audio route changed:"), !Self.movesAudio(UnsafeRawBufferPointer(rebasing: m[at...])) {
            return
        }
        let isAudio = ByteMatch.contains(m, "setSpeakerphoneOn") || ByteMatch.contains(m, "BluetoothSco")
            || ByteMatch.contains(m, "setCommunicationDevice") || ByteMatch.contains(m, "Audio route changed")
            || ByteMatch.contains(m, "route change")
        if e.timeKind != .elapsed {
            context.timeline.mark(t, isAudio ? "audio route" : "network", String(decoding: m.prefix(100), as: UTF8.self))
        }
        if isAudio {
            audio.add(e, at: t, source: context.source)
        } else if !iceSeen {
            beforeICE.append((t, beforeICE.count < 5 ? Evidence(e, source: context.source) : nil))
            if beforeICE.count > 32 { flushBeforeICE() }    // a log without ICE state lines
        } else if iceConnectedAt.map({ t >= $0 + Self.settleMicros }) == true {    // not while ICE converges
            network.add(e, at: t, source: context.source)
        }
    }

    private mutating func flushBeforeICE() {
        for x in beforeICE { network.add(x.line, at: x.time) }
        beforeICE.removeAll()
    }

    /// Whether an iOS route-change reason moves the audio to another device.
    static func movesAudio(_ reason: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i < reason.count, reason[i] == 0x20 { i += 1 }
        let rest = UnsafeRawBufferPointer(rebasing: reason[i...])
        if rest.isEmpty { return false }    // the first of the pair; the reason follows
        for still: StaticString in ["categorychange", "routeconfigurationchange", "wakefromsleep", "reasonunknown"]
        where ByteMatch.containsLowercased(rest, still) {
            return false
        }
        return true
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        flushBeforeICE()
        let d = Self.description
        var out: [Finding] = []
        if let worst = network.worst {
            out.append(Finding(signature: d.id, title: d.name, subkind: "network", cause: .link, severity: .p2, confidence: 0.75,
                               detail: "The network path changed \(worst) times within \(Self.windowMicros / 1_000_000) s",
                               evidence: network.evidence, measurements: [("changes_in_window", Double(worst))],
                               remediation: d.remediation))
        }
        if let worst = audio.worst {
            out.append(Finding(signature: d.id, title: d.name, subkind: "audio_route", cause: .client, severity: .p2, confidence: 0.7,
                               detail: "The audio route changed \(worst) times within \(Self.windowMicros / 1_000_000) s",
                               evidence: audio.evidence, measurements: [("changes_in_window", Double(worst))],
                               remediation: d.remediation))
        }
        return out
    }

    /// Changes within a sliding window; keeps the evidence of windows that reached the threshold.
    /// Each change is logged once (by serial number), and a change is turned into `Evidence`
    /// only while the log still has room for examples.
    struct Burst {
        var times: [Int64] = []
        var pending: [(serial: Int, evidence: Evidence?)] = []
        var head = 0  // entries before `head` have left the window
        var evidence = EvidenceLog()
        var worst: Int?
        var serial = 0
        var loggedThrough = 0

        mutating func add(_ e: EventView, at t: Int64, source: String) {
            add(evidence.examples.count < evidence.limit ? Evidence(e, source: source) : nil, at: t)
        }

        mutating func add(_ line: Evidence?, at t: Int64) {
            serial += 1
            times.append(t)
            pending.append((serial, line))
            while head < times.count, t - times[head] > RouteFlappingAnalyzer.windowMicros || times.count - head > 256 {
                head += 1
            }
            if head > 1024 {  // compact now and then, so memory stays bounded
                times.removeFirst(head)
                pending.removeFirst(head)
                head = 0
            }
            let inWindow = times.count - head
            if inWindow >= RouteFlappingAnalyzer.threshold {
                worst = max(worst ?? 0, inWindow)
                for i in head..<times.count where pending[i].serial > loggedThrough {
                    if let ev = pending[i].evidence { evidence.add(ev, time: times[i]) } else { evidence.count(time: times[i]) }
                }
                loggedThrough = serial
            }
        }
    }
}
