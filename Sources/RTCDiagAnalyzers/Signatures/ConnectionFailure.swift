import RTCDiagFormats

/// `connection_failure`: the call could not connect or was cut — on the network path (ICE
/// failed, DTLS failed, join timed out) or by the service (token rejected, kicked, HTTP 5xx).
///
/// Sources: libwebrtc `pc/peer_connection.cc` ("Changing IceConnectionState <old> => <new>",
/// numbers 0 new … 4 failed … 6 closed in older builds, names in newer ones); Android/iOS
/// `PeerConnection.Observer.onIceConnectionChange(FAILED)`; RTC vendor connection-state reasons
/// (token expired, banned by server, join failed/timeout) from their public docs.
public struct ConnectionFailureAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "connection_failure",
        name: "Connection failure",
        summary: "The call could not connect or was cut: ICE/DTLS failure or join timeout (link), or rejected by the service (server).",
        defaultCause: .link, defaultSeverity: .p0,
        remediation: linkRemediation + " / " + serverRemediation,
        // "expired"/"invalid" rather than "token": Android WindowManager chatter (AppWindowToken) puts
        // "token" on every tenth line of a busy logcat.
        keywords: ["IceConnectionState", "onIceConnectionChange", "ice connection state", "DTLS", "expired", "invalid", "kicked",
                   "banned", "join timeout", "join timed out", "HTTP 5", "status=5", "status: 5", "401 Unauthorized",
                   "403 Forbidden"],
        triggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.580  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 0 => 1
                ↓11-23 10:15:30.580  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 1 => 4
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:01.000Z ERROR [signaling] join rejected: token expired (code 109)
                """),
            AnalyzerExample("""
                ↓2024-11-23 10:15:00.812000+0800 RTCDemo[1234:567901] Signaling: POST https://edge.example.net/v1/join -> 401 Unauthorized
                """),
            AnalyzerExample("""
                [1:15:0501/080001.000001:INFO:peer_connection.cc(2032)] Changing IceConnectionState checking => connected
                ↓[1:15:0501/080041.000001:INFO:peer_connection.cc(2032)] Changing IceConnectionState connected => failed
                """),
        ],
        nonTriggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.580  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 0 => 1
                11-23 10:15:00.812  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 1 => 2
                11-23 10:15:27.200  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 2 => 6
                """),
            AnalyzerExample("""
                11-23 10:15:00.300  8123  8123 I RtcClient: renew token ok, expires in 3600 s
                """),
        ])

    static let linkRemediation = "Check UDP reachability and TURN/TCP/TLS fallback for the user's network "
        + "(firewall, captive portal, VPN, symmetric NAT)."
    static let serverRemediation = "Check token issuing and expiry, the kick/ban reason, and the signalling service's "
        + "error logs for this session."

    private var iceFailed = EvidenceLog()
    private var everConnected = false
    private var recoveredAfterFailure = false
    private var serverRejected = EvidenceLog()
    private var serverKind = "auth_rejected"

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        if let at = ByteMatch.after(m, "IceConnectionState ") ?? ByteMatch.after(m, "onIceConnectionChange: ")
            ?? ByteMatch.after(m, "ICE connection state changed to ") {
            let rest = UnsafeRawBufferPointer(rebasing: m[at...])
            // The new state is what follows "=>", or the whole tail for callback-style lines.
            let state = ByteMatch.after(rest, "=> ").map { UnsafeRawBufferPointer(rebasing: rest[$0...]) } ?? rest
            let s = String(decoding: state.prefix(16), as: UTF8.self).lowercased()
            if e.timeKind != .elapsed { context.timeline.mark(e.time, "ICE", "ICE → " + s) }
            if s.hasPrefix("4") || s.hasPrefix("failed") || s.hasPrefix("kiceconnectionfailed") {
                iceFailed.add(e, source: context.source)
            } else if s.hasPrefix("2") || s.hasPrefix("3") || s.hasPrefix("connected") || s.hasPrefix("completed") {
                if !iceFailed.isEmpty { recoveredAfterFailure = true }
                everConnected = true
            }
            return
        }
        if ByteMatch.contains(m, "DTLS") && (ByteMatch.contains(m, "failed") || ByteMatch.contains(m, "handshake error")) {
            iceFailed.add(e, source: context.source)
            return
        }
        func has(_ s: StaticString) -> Bool { ByteMatch.containsLowercased(m, s) }
        if has("join timeout") || has("join timed out") {
            iceFailed.add(e, source: context.source)
        } else if has("token") && (has("expired") || has("invalid")) && !has("renew") {
            serverKind = "auth_rejected"
            serverRejected.add(e, source: context.source)
        } else if has("401 unauthorized") || has("403 forbidden") {
            serverKind = "auth_rejected"
            serverRejected.add(e, source: context.source)
        } else if has("kicked") || has("banned") {
            serverKind = "kicked_by_server"
            serverRejected.add(e, source: context.source)
        } else if has("http 5") || has("status=5") || has("status: 5") {
            serverKind = "server_error"
            serverRejected.add(e, source: context.source)
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        var out: [Finding] = []
        if !serverRejected.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: serverKind, cause: .server, severity: .p0,
                               confidence: 0.85,
                               detail: "The service refused or dropped the session (\(serverKind.replacingUnderscores)); "
                                   + "\(serverRejected.count) line(s)", evidence: serverRejected, remediation: Self.serverRemediation))
        }
        if !iceFailed.isEmpty {
            let severity: Severity = recoveredAfterFailure ? .p1 : .p0
            let what = everConnected ? (recoveredAfterFailure ? "the call dropped and reconnected" : "the call dropped and did not recover")
                : "the call never connected"
            out.append(Finding(signature: d.id, title: d.name, subkind: everConnected ? "ice_dropped" : "ice_failed",
                               cause: .link, severity: severity, confidence: 0.8,
                               detail: "ICE/DTLS failed: \(what)", evidence: iceFailed, remediation: Self.linkRemediation))
        }
        return out
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
