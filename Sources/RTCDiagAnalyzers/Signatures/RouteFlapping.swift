import RTCDiagFormats

/// `route_flapping`: the path keeps changing — network switches, ICE selected-pair switches,
/// ICE restarts, reconnects — N times within W seconds (link). Audio-route toggling (speaker,
/// earpiece, Bluetooth SCO, wired) is its own sub-kind, attributed to the client.
///
/// Sources: libwebrtc `p2p_transport_channel.cc` ("Switching selected connection due to: …");
/// WebRTC `NetworkMonitorAutoDetect.java` ("Network becomes available", "Network … disconnected");
/// Android `AudioManager` (`setSpeakerphoneOn`, `startBluetoothSco`, `setCommunicationDevice`);
/// iOS `RTCAudioSession.mm` ("Audio route changed").
public struct RouteFlappingAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "route_flapping",
        name: "Route flapping",
        summary: "The network path (or the audio route) changed at least 4 times within 30 seconds.",
        defaultCause: .link, defaultSeverity: .p2,
        remediation: "Network: check Wi-Fi roaming/handover to cellular and VPN changes; prefer a stable network; "
            + "check the SDK's ICE restart policy. Audio route: check Bluetooth headset stability and the app's route handling.",
        keywords: ["Switching selected connection", "Network becomes", "network changed", "ICE restart", "reconnecting",
                   "setSpeakerphoneOn", "BluetoothSco", "setCommunicationDevice", "Audio route changed", "route change"],
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

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        guard let t = e.time else { return }
        let m = e.message
        let isAudio = ByteMatch.contains(m, "setSpeakerphoneOn") || ByteMatch.contains(m, "BluetoothSco")
            || ByteMatch.contains(m, "setCommunicationDevice") || ByteMatch.contains(m, "Audio route changed")
            || ByteMatch.contains(m, "route change")
        if isAudio { audio.add(e, at: t, source: context.source) } else { network.add(e, at: t, source: context.source) }
        if e.timeKind != .elapsed {
            context.timeline.mark(t, isAudio ? "audio route" : "network", String(decoding: m.prefix(100), as: UTF8.self))
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
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
            serial += 1
            times.append(t)
            pending.append((serial, evidence.examples.count < evidence.limit ? Evidence(e, source: source) : nil))
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
