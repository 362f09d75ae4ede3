import RTCDiagFormats

/// `connection_failure`: the call could not connect or was cut — on the network path (ICE
/// failed, DTLS failed, join timed out) or by the service (token rejected, kicked, HTTP 5xx).
///
/// Sources: libwebrtc `pc/peer_connection.cc` ("Changing IceConnectionState <old> => <new>" and
/// "Changing standardized IceConnectionState …", numbers 0 new … 4 failed … 6 closed in older
/// builds, names in newer ones); WebRTC's example clients and the apps forked from them
/// (Android `PeerConnectionClient`: "IceConnectionState: FAILED", "PeerConnectionState: FAILED",
/// "Peerconnection error: ICE connection failed." / "DTLS connection failed."; iOS
/// `ARDAppClient`: "ICE state changed: 4", "ICE+DTLS state changed: 4"); pion's examples ("ICE
/// Connection State has changed: failed"); Firefox's console ("ICE failed, add a TURN server and
/// see about:webrtc for more details", "ICE failed, your TURN server appears to be broken, …");
/// Twilio Video's errors (53405 "Media connection failed or Media activity ceased": ICE failed;
/// 53407 "… due to DTLS handshake failure"; 20104 "Access Token expired …");
/// RTC vendor connection-state reasons (token expired, banned by server, join failed/timeout)
/// from their public docs — Agora's
/// `CONNECTION_CHANGED_*` reasons (`BANNED_BY_SERVER`, `JOIN_FAILED`, `INVALID_APP_ID`,
/// `INVALID_CHANNEL_NAME`, `INVALID_TOKEN`, `TOKEN_EXPIRED`, `REJECTED_BY_SERVER`), as their
/// native SDKs name them and as the Flutter/React Native wrappers print them
/// (`connectionChangedRejectedByServer`); LiveKit's `DisconnectReason` names
/// (`PARTICIPANT_REMOVED`, `ROOM_DELETED`, `SERVER_SHUTDOWN` → server; `JOIN_FAILURE` → link;
/// `DUPLICATE_IDENTITY` → the app's configuration); Agora's Web SDK, whose reconnect after a
/// drop fails once the token ("dynamic key") has expired ("reconnect failed AgoraRTCError
/// CAN_NOT_GET_GATEWAY_SERVER: dynamic key expired"); Agora's native SDK log, whose connection
/// manager logs "[cm] connection state changed from 4 to 5" with the documented
/// `CONNECTION_STATE_TYPE` numbers (1 disconnected, 2 connecting, 3 connected, 4 reconnecting,
/// 5 failed); LiveKit's Android engine, which retries a lost connection ("Reconnecting to
/// signal, attempt 3", "Error during reconnection.") and either gets back ("reconnected to ICE")
/// or gives up after a minute ("Close - Failed reconnecting"); Jitsi's web client
/// (`JingleSessionPC`: "(TIME) ICE connected JVB:", "(TIME) ICE failed P2P? false:", "JVB PC
/// state is now failed (ICE state disconnected)"); LiveKit's clients (JS `RTCEngine` /
/// `SignalClient`, Android `RTCEngine`, Rust `rtc_session`) when a connect attempt ends: "could not
/// establish publisher connection[, state failed | : timeout]" and "could not establish pc
/// connection" (ICE to the SFU never came up), "could not establish signal connection: <reason>"
/// (the WebSocket to the server: "Failed to fetch", TLS or DNS trouble; a token reason such as
/// "invalid authorization token" is the service's refusal; "Abort handler called" is the app
/// cancelling its own attempt, no failure); Twilio's signalling errors, which its docs put on the
/// network path (firewalls blocking WSS on 443, reconnects exhausted): Video 53000 "Signaling
/// connection error", 53001 "… disconnected", 53002 "… timed out" (JS class names
/// `SignalingConnectionError`, `…DisconnectedError`, `…TimeoutError`), Voice 31005 "Connection
/// error" ("ConnectionError (31005): Error sent from gateway in HANGUP"); the Janus client
/// (`janus.js` and its ports): "Error connecting to the Janus WebSockets server… <url>" and "Error
/// connecting to any of the provided Janus servers: Is the server down?" (never connected), "Lost
/// connection to the server (is it down?)" (long polls failing mid-session), and the server's
/// errors as "Ooops: <code> <reason>" — 403 "Unauthorized request (wrong or missing
/// secret/token)" is the service refusing the client; Vonage / OpenTok — Android's `OpentokError`
/// ("SessionErrorDomain : ConnectionFailed - Unable to connect to the session: check the network
/// connection.", also `ConnectionRefused`, `ConnectionTimedOut`, `ConnectionDropped` for a session
/// lost mid-call, and `AuthorizationFailure`: an invalid API key or token), the JS names
/// (`OT_CONNECT_FAILED`, `OT_SOCKET_CLOSE_TIMEOUT`, `OT_AUTHENTICATION_ERROR`), and the native
/// core's "otk_anvil_on_session_info failed" (the session lookup before connecting).
/// Amazon Chime SDK's `MeetingSessionStatusCode` names, which apps and the SDK log when a
/// session stops: `AudioAuthenticationRejected` (the service's refusal), `AudioAttendeeRemoved`
/// and `TURNCredentialsForbidden` (removed, or joining a meeting that ended), `AudioCallAtCapacity`,
/// `AudioInternalServerError`, `AudioServiceUnavailable`, `SignalingInternalServerError` (the
/// service's side), `ICEGatheringTimeoutWorkaround` (ICE gathering timed out: the network or
/// the browser after a VPN change). libwebrtc's `turn_port.cc` tells why ICE
/// could not fall back to a relay: "Received TURN allocate error response, id=…, code=403, rtt=…"
/// (401 is the normal credential challenge, 300 a redirect, 437 handled; "TURN allocate
/// requested successfully" means a relay was had): ICE failing while the TURN server refused
/// every allocation points at the TURN service — its credentials, quota or allow-list.
public struct ConnectionFailureAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "connection_failure",
        name: "Connection failure",
        summary: "The call could not connect or was cut: ICE/DTLS failure or join timeout (link), or rejected by the service (server).",
        defaultCause: .link, defaultSeverity: .p0,
        remediation: linkRemediation + " / " + serverRemediation,
        // "expired"/"invalid" rather than "token": Android WindowManager chatter (AppWindowToken) puts
        // "token" on every tenth line of a busy logcat.
        keywords: ["IceConnectionState", "PeerConnectionState", "onIceConnectionChange", "ice connection state", "ICE state changed",
                   "Connection State has changed", "ICE connection failed", "ICE failed,", "Media connection failed", "DTLS", "expired", "invalid", "kicked",
                   "banned", "join timeout", "join timed out", "HTTP 5", "status=5", "status: 5", "401 Unauthorized",
                   "403 Forbidden", "JOIN_FAILED", "JoinFailed", "REJECTED_BY_SERVER", "RejectedByServer", "INVALID_APP_ID",
                   "InvalidAppId", "INVALID_CHANNEL_NAME", "InvalidChannelName", "PARTICIPANT_REMOVED", "ParticipantRemoved",
                   "ROOM_DELETED", "RoomDeleted", "SERVER_SHUTDOWN", "ServerShutdown", "DUPLICATE_IDENTITY", "DuplicateIdentity",
                   "JOIN_FAILURE", "JoinFailure", "connection state changed from",
                   "Failed reconnecting", "reconnected to ICE", "(TIME) ICE ", "PC state is now",
                   "TURN allocate error response", "TURN allocate requested successfully", "could not establish",
                   "Signaling connection error", "Signaling connection disconnected", "Signaling connection timed out",
                   "SignalingConnection", "(31005)", "Code=31005", "31005 Connection error", "Janus WebSockets server", "Janus servers",
                   "(is it down?)", "Ooops: 403", "SessionErrorDomain", "OT_CONNECT_FAILED",
                   "OT_SOCKET_CLOSE_TIMEOUT", "OT_AUTHENTICATION_ERROR", "otk_anvil_on_session_info failed",
                   "AudioAuthenticationRejected", "AudioAttendeeRemoved", "TURNCredentialsForbidden", "AudioCallAtCapacity",
                   "AudioInternalServerError", "AudioServiceUnavailable", "SignalingInternalServerError",
                   "ICEGatheringTimeoutWorkaround"],
        triggeringExamples: [
            AnalyzerExample("""
                11-23 10:15:00.580  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 0 => 1
                ↓11-23 10:15:30.580  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 1 => 4
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:01.000Z ERROR [signaling] join rejected: token expired (code 109)
                """),
            AnalyzerExample("""
                14:13:02:100 Agora-SDK [INFO]: [client-42fb7] signal connection state change: CONNECTED -> RECONNECTING
                ↓14:13:04:158 Agora-SDK [WARNING]: [client-42fb7] Choose server https://webrtc2-ap-web-1.agora.io/api/v1 failed, message: AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: dynamic key expired, retry: false
                ↓14:13:04:461 Agora-SDK [ERROR]: [gateway-client-42fb7] reconnect failed AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: dynamic key expired data: {"retry":false}
                """),
            // ICE fails and the TURN server refused the relay (after the normal 401 challenge).
            AnalyzerExample("""
                [000:443] [3335] (turnport.cc:1281): Port[0x1128b4e00:0:1:0:relay:Net[en0:192.168.50.0/24:Wifi:id=1]]: TURN allocate request sent, id=61426b36764d637244316e47
                [000:454] [3335] (turnport.cc:1333): Port[0x1128b4e00:0:1:0:relay:Net[en0:192.168.50.0/24:Wifi:id=1]]: Received TURN allocate error response, id=61426b36764d637244316e47, code=401, rtt=14
                ↓[000:468] [3335] (turnport.cc:1333): Port[0x1128b4e00:0:1:0:relay:Net[en0:192.168.50.0/24:Wifi:id=1]]: Received TURN allocate error response, id=47305a4e534736355a4e6945, code=403, rtt=13
                [000:580] [3335] (peer_connection.cc:1837): Changing IceConnectionState 0 => 1
                ↓[030:580] [3335] (peer_connection.cc:1837): Changing IceConnectionState 1 => 4
                """),
            // Jitsi's web client, copied from Chrome's console with its source links.
            AnalyzerExample("""
                Logger.js:155 2025-04-16T14:25:20.100Z [modules/xmpp/JingleSessionPC] <peerconnection.oniceconnectionstatechange>:  (TIME) ICE connected JVB:\t 19000.1
                ↓Logger.js:155 2025-04-16T14:25:46.249Z [modules/xmpp/JingleSessionPC] <peerconnection.onconnectionstatechange>:  (TIME) JVB PC state is now failed (ICE state disconnected):\t 19245.69
                Logger.js:155 2025-04-16T14:25:47.251Z [JitsiConference] triggering ice restart after 1000
                ↓Logger.js:155 2025-04-16T14:25:49.430Z [modules/connectivity/IceFailedHandling] <dp._actOnIceFailed>:  ICE failed, enableForcedReload: undefined
                """),
            // LiveKit's Android engine losing the connection and giving up after its retries.
            AnalyzerExample("""
                06-12 10:00:01.000  4000  4010 I LiveKit : Reconnecting to signal, attempt 1
                06-12 10:00:01.200  4000  4010 W LiveKit : Error during reconnection.
                06-12 10:00:03.300  4000  4010 I LiveKit : Reconnecting to signal, attempt 2
                06-12 10:00:03.400  4000  4010 V LiveKit : Attempting full reconnect.
                06-12 10:00:08.000  4000  4010 W LiveKit : Error during reconnection.
                ↓06-12 10:01:02.000  4000  4010 V LiveKit : Close - Failed reconnecting
                """),
            // Agora's native SDK log: connected, lost (reconnecting), then given up.
            AnalyzerExample("""
                INFO    (10: 6:54:569 |    0)   6342; [cm] connection state changed from 2 to 3
                INFO    (10: 7:31:002 |  113)   6342; [cm] connection state changed from 3 to 4
                ↓ERROR   (10: 7:51:240 |   98)   6342; [cm] connection state changed from 4 to 5
                """),
            AnalyzerExample("""
                ↓2024-11-23 10:15:00.812000+0800 RTCDemo[1234:567901] Signaling: POST https://edge.example.net/v1/join -> 401 Unauthorized
                """),
            AnalyzerExample("""
                ↓2024-11-23 10:15:00.812000+0800 RTCDemo[1234:567901] Signaling: join failed, HTTP 503 Service Unavailable
                """),
            AnalyzerExample("""
                11-23 10:15:00.300  8123  8123 I flutter : onConnectionStateChanged: ConnectionStateType.connectionStateConnecting, ConnectionChangedReasonType.connectionChangedConnecting
                ↓11-23 10:15:01.410  8123  8123 I flutter : onConnectionStateChanged: ConnectionStateType.connectionStateFailed, ConnectionChangedReasonType.connectionChangedRejectedByServer
                """),
            AnalyzerExample("""
                ↓11-23 10:15:00.900  8123  8190 E RtcClient: onConnectionStateChanged state=CONNECTION_STATE_FAILED reason=CONNECTION_CHANGED_INVALID_APP_ID
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:12:44.081Z WARN [livekit] room disconnected, reason: PARTICIPANT_REMOVED
                """),
            AnalyzerExample("""
                [1:15:0501/080001.000001:INFO:peer_connection.cc(2032)] Changing IceConnectionState checking => connected
                ↓[1:15:0501/080041.000001:INFO:peer_connection.cc(2032)] Changing IceConnectionState connected => failed
                """),
            // The Android apps built on WebRTC's example client log the observer callbacks.
            AnalyzerExample("""
                03-29 00:03:04.100 25797 26866 D PCRTCClient: IceConnectionState: CHECKING
                ↓03-29 00:03:34.100 25797 26866 D PCRTCClient: IceConnectionState: FAILED
                ↓03-29 00:03:34.101 25797 26866 D PCRTCClient: PeerConnectionState: FAILED
                ↓03-29 00:03:34.102 25797 26866 E PCRTCClient: Peerconnection error: ICE connection failed.
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:31.402Z ERROR [console] WebRTC: ICE failed, add a TURN server and see about:webrtc for more details
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:41.220Z ERROR [twilio-video] TwilioError 53405: Media connection failed or Media activity ceased
                """),
            // A Cordova app on iOS logs the JavaScript event and state.
            AnalyzerExample("""
                2016-07-08 17:51:59.905 MyApp[2915:709715] PluginRTCPeerConnection | oniceconnectionstatechange [iceConnectionState:checking]
                ↓2016-07-08 17:52:29.910 MyApp[2915:709715] PluginRTCPeerConnection | oniceconnectionstatechange [iceConnectionState:failed]
                """),
            // LiveKit's JS client: the WebSocket to the server cannot be opened (here a TLS
            // certificate the browser refuses), then the media connection to the SFU.
            AnalyzerExample("""
                ↓2024-05-01T10:00:03.118Z ERROR [livekit] ConnectionError: could not establish signal connection: Failed to fetch
                """),
            AnalyzerExample("""
                ↓2025-11-28 14:27:29.710 12345-12400 LKLog com.example.app E  io.livekit.android.room.RoomException$ConnectException: could not establish publisher connection
                """),
            // Twilio: the signalling WebSocket is lost mid-call (Video), or closed under a Voice call.
            AnalyzerExample("""
                ↓2024-05-01T10:04:12.530Z ERROR [twilio-video] Room disconnected: TwilioError 53001: Signaling connection disconnected
                ↓2024-05-01T10:04:40.006Z ERROR [twilio.js] ConnectionError (31005): Error sent from gateway in HANGUP
                """),
            AnalyzerExample("""
                ↓06-12 10:20:31.442  4810  4810 E VoiceActivity: Call failed: 31005 Connection error
                ↓2024-05-01 10:20:31.442101+0800 VoiceApp[812:41123] Call failed: Error Domain=com.twilio.voice.error Code=31005 "Connection error" UserInfo={NSLocalizedDescription=Connection error}
                """),
            // janus.js in the browser console: the gateway cannot be reached, or refuses the token.
            AnalyzerExample("""
                ↓janus.js:1523 Error connecting to the Janus WebSockets server... wss://janus.example.com/ws
                ↓janus.js:1530 Error connecting to any of the provided Janus servers: Is the server down?
                """),
            AnalyzerExample("""
                ↓janus.js:2041 Ooops: 403 Unauthorized request (wrong or missing secret/token)
                """),
            // OpenTok on Android: the session lookup fails, then the SDK's error reaches the app.
            AnalyzerExample("""
                ↓2020-05-21 17:14:16.511 9063-9117/com.example.rtc D/opentok: [ERROR] otk_anvil.cpp:467 - otk_anvil_on_session_info failed. nCode=1
                ↓2020-05-21 17:14:16.515 9063-9063/com.example.rtc E/MainActivity: onError: SessionErrorDomain : ConnectionFailed - Unable to connect to the session: check the network connection. in session: 2_MX40Njcz
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:03.118Z ERROR [opentok] session.connect failed: OT_AUTHENTICATION_ERROR (1004) Invalid token format
                """),
            // Amazon Chime SDK apps logging why the session stopped.
            AnalyzerExample("""
                ↓2024-05-01T10:00:05.220Z ERROR [chime] audioVideoDidStop: session stopped with status code AudioAuthenticationRejected (4)
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:31.004Z WARN [chime] audioVideoDidStop: ICEGatheringTimeoutWorkaround
                """),
            // …and the iOS ones print the state enums as numbers.
            AnalyzerExample("""
                2024-05-01 10:00:00.123456+0800 AppRTCMobile[812:41123] ICE state changed: 1
                ↓2024-05-01 10:00:30.123456+0800 AppRTCMobile[812:41123] ICE state changed: 4
                ↓2024-05-01 10:00:30.124456+0800 AppRTCMobile[812:41123] ICE+DTLS state changed: 4
                """),
        ],
        nonTriggeringExamples: [
            // TURN's normal credential challenge, then a relay: nothing wrong.
            AnalyzerExample("""
                [000:454] [3335] (turnport.cc:1333): Port[0x1128b4e00:0:1:0:relay:Net[en0:192.168.50.0/24:Wifi:id=1]]: Received TURN allocate error response, id=61426b36764d637244316e47, code=401, rtt=14
                [000:468] [3335] (turnport.cc:1287): Port[0x1128b4e00:0:1:0:relay:Net[en0:192.168.50.0/24:Wifi:id=1]]: TURN allocate requested successfully, id=47305a4e534736355a4e6945, code=0, rtt=13
                [000:980] [3335] (peer_connection.cc:1837): Changing IceConnectionState 1 => 2
                """),
            // An epoch that happens to hold Twilio's code, beside some other connection error.
            AnalyzerExample("""
                2024-11-07T19:00:00.000Z WARN [metrics] ts=1731005123 upload retry: Connection error, will retry
                """),
            // Chime: the attendee left, the meeting ended normally.
            AnalyzerExample("""
                2024-05-01T10:30:00.004Z INFO [chime] audioVideoDidStop: Left
                2024-05-01T10:30:00.005Z INFO [chime] audioVideoDidStop: MeetingEnded
                """),
            // The app cancelling its own LiveKit connect (React strict mode mounting twice).
            AnalyzerExample("""
                2024-05-01T10:00:03.118Z WARN [livekit] could not establish signal connection: Abort handler called
                """),
            // LiveKit losing the connection and getting it back.
            AnalyzerExample("""
                06-12 10:00:01.000  4000  4010 I LiveKit : Reconnecting to signal, attempt 1
                06-12 10:00:01.100  4000  4010 V LiveKit : Attempting soft reconnect.
                06-12 10:00:02.900  4000  4010 V LiveKit : reconnected to ICE
                """),
            // Agora reconnecting after a network change, and back (logcat, as AGORA_SDK prints it);
            // another SDK's numbers mean nothing here.
            AnalyzerExample("""
                12-09 16:41:51.078  3105  3494 I AGORA_SDK: INFO    (16:41:51: 78 |    0)   3494; [cm] connection state changed from 3 to 4
                12-09 16:41:53.301  3105  3494 I AGORA_SDK: INFO    (16:41:53:301 |  223)   3494; [cm] connection state changed from 4 to 3
                12-09 16:41:54.000  3105  3500 I RtcClient: connection state changed from 2 to 5
                """),
            AnalyzerExample("""
                11-23 10:15:00.580  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 0 => 1
                11-23 10:15:00.812  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 1 => 2
                11-23 10:15:27.200  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 2 => 6
                """),
            AnalyzerExample("""
                11-23 10:15:00.300  8123  8123 I RtcClient: renew token ok, expires in 3600 s
                11-23 10:15:02.120  8123  8190 D RtcClient: publish state changed status=5 (PUBLISHED)
                11-23 10:15:02.400  8123  8190 D RtcClient: signaling response status: 200, 512 bytes
                """),
            AnalyzerExample("""
                03-29 00:03:04.100 25797 26866 D PCRTCClient: IceConnectionState: CHECKING
                03-29 00:03:04.300 25797 26866 D PCRTCClient: IceConnectionState: CONNECTED
                03-29 00:03:04.310 25797 26866 D PCRTCClient: PeerConnectionState: CONNECTED
                03-29 00:03:40.000 25797 26866 D PCRTCClient: IceConnectionState: DISCONNECTED
                03-29 00:03:41.200 25797 26866 D PCRTCClient: IceConnectionState: CONNECTED
                2024-05-01 10:00:00.123456+0800 AppRTCMobile[812:41123] ICE state changed: 2
                2024-05-01 10:00:00.124456+0800 AppRTCMobile[812:41123] ICE+DTLS state changed: 2
                2024-05-01 10:00:40.124456+0800 AppRTCMobile[812:41123] ICE+DTLS state changed: 3
                """),
        ])

    static let linkRemediation = "Check UDP reachability and TURN/TCP/TLS fallback for the user's network "
        + "(firewall, captive portal, VPN, symmetric NAT)."
    static let configRemediation = "Check the app ID and the channel name the app passes when joining (project, "
        + "environment, allowed characters and length), and that each participant joins with an identity of its own."
    static let signalRemediation = "Check that the signalling URL is reachable from the user's network over wss:// "
        + "(DNS, a certificate the client trusts, proxies and firewalls that allow WebSockets), and that the server is up."
    static let serverRemediation = "Check token issuing and expiry, the kick/ban reason, and the signalling service's "
        + "error logs for this session."

    private var iceFailed = EvidenceLog()
    private var everConnected = false
    private var recoveredAfterFailure = false
    private var serverRejected = EvidenceLog()
    private var serverKind = "auth_rejected"
    private var badConfig = EvidenceLog()
    private var turnRefused = EvidenceLog()
    private var turnRefusedCode: Int?
    private var turnAllocated = false
    /// LiveKit's WebSocket to the server could not be opened, and why.
    private var signalFailed = EvidenceLog()
    private var signalReason: String?

    public init() {}

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        // The signalling failures and the service's refusals go on the timeline too.
        let before = (signalFailed.count, serverRejected.count)
        defer {
            if e.timeKind != .elapsed, signalFailed.count > before.0 || serverRejected.count > before.1 {
                context.timeline.mark(e.time, signalFailed.count > before.0 ? "signalling" : "service",
                                      String(decoding: m.prefix(100), as: UTF8.self))
            }
        }
        if let change = Self.stateChange(m) {
            if e.timeKind != .elapsed {
                let word = String(decoding: m[change.word], as: UTF8.self).lowercased()
                context.timeline.mark(e.time, "ICE", (change.ice ? "ICE → " : "connection → ") + word)
            }
            note(change.state, e, source: context.source)
            return
        }
        if let state = Self.agoraStateChange(m, tag: e.tag) {
            note(state, e, source: context.source)
            return
        }
        if ByteMatch.contains(m, "Failed reconnecting") {    // a connection that was up and could not be restored
            everConnected = true
            note(.failed, e, source: context.source)
            return
        }
        if ByteMatch.contains(m, "reconnected to ICE") {
            note(.connected, e, source: context.source)
            return
        }
        if ByteMatch.contains(m, "TURN allocate requested successfully") {
            turnAllocated = true
            return
        }
        if ByteMatch.contains(m, "TURN allocate error response"), let code = ByteMatch.number(after: "code=", in: m).map(Int.init),
           ![401, 300, 437].contains(code) {
            turnRefused.add(e, source: context.source)
            if turnRefusedCode == nil { turnRefusedCode = code }
            return
        }
        if ByteMatch.contains(m, "DTLS") && (ByteMatch.contains(m, "failed") || ByteMatch.contains(m, "handshake error")) {
            iceFailed.add(e, source: context.source)
            return
        }
        func has(_ s: StaticString) -> Bool { ByteMatch.containsLowercased(m, s) }
        if let (reason, midCall) = Self.twilioSignalingError(m) {
            noteSignalFailure(e, context.source, reason: reason, midCall: midCall)
            return
        }
        if let (refused, reason, midCall) = Self.openTokError(m) {
            if refused {
                serverKind = "auth_rejected"
                serverRejected.add(e, source: context.source)
            } else {
                noteSignalFailure(e, context.source, reason: reason, midCall: midCall)
            }
            return
        }
        if ByteMatch.contains(m, "Janus WebSockets server") || ByteMatch.contains(m, "provided Janus servers") {
            noteSignalFailure(e, context.source, reason: "Janus: the gateway could not be reached", midCall: false)
            return
        }
        if ByteMatch.contains(m, "Lost connection to the server (is it down?)") {
            noteSignalFailure(e, context.source, reason: "Janus: lost connection to the server", midCall: true)
            return
        }
        if let at = ByteMatch.after(m, "could not establish ") {
            let rest = UnsafeRawBufferPointer(rebasing: m[at...])
            if ByteMatch.contains(rest, "publisher connection") || ByteMatch.contains(rest, "pc connection") {
                iceFailed.add(e, source: context.source)
                return
            }
            // A token reason falls through to the service's refusal below; an abort is the app's own.
            if ByteMatch.contains(rest, "signal connection"), !has("token"), !has("api key"), !has("abort") {
                let reason = ByteMatch.after(rest, "connection: ").flatMap { colon in
                    colon < rest.count ? String(decoding: rest[colon...].prefix(80), as: UTF8.self) : nil
                }
                noteSignalFailure(e, context.source, reason: reason, midCall: false)
                return
            }
        }
        if has("invalid_app_id") || has("invalidappid") || has("invalid_channel_name") || has("invalidchannelname")
            || has("duplicate_identity") || has("duplicateidentity") {
            badConfig.add(e, source: context.source)
        } else if has("join timeout") || has("join timed out") || has("ice connection failed") || has("ice failed,") || has("join_failed")
                    || has("icegatheringtimeoutworkaround")
                    || has("media connection failed or media activity ceased")
                    || has("join_failure") || has("joinfailure")
                    || has("joinfailed") {
            iceFailed.add(e, source: context.source)
        } else if (has("token") || has("dynamic key")) && (has("expired") || has("invalid")) && !has("renew") {
            serverKind = "auth_rejected"
            serverRejected.add(e, source: context.source)
        } else if has("401 unauthorized") || has("403 forbidden") || ByteMatch.contains(m, "Ooops: 403")
                    || has("audioauthenticationrejected") {
            serverKind = "auth_rejected"
            serverRejected.add(e, source: context.source)
        } else if has("kicked") || has("banned") || has("rejected_by_server") || has("rejectedbyserver")
                    || has("participant_removed") || has("participantremoved") || has("room_deleted") || has("roomdeleted")
                    || has("audioattendeeremoved") || has("turncredentialsforbidden") {
            serverKind = "kicked_by_server"
            serverRejected.add(e, source: context.source)
        } else if Self.serverErrorStatus(m) || has("server_shutdown") || has("servershutdown") || has("audiocallatcapacity")
                    || has("audiointernalservererror") || has("audioserviceunavailable") || has("signalinginternalservererror") {
            serverKind = "server_error"
            serverRejected.add(e, source: context.source)
        }
    }

    /// A signalling connection that would not open (or, `midCall`, was lost); the first reason is kept.
    private mutating func noteSignalFailure(_ e: EventView, _ source: String, reason: String?, midCall: Bool) {
        signalFailed.add(e, source: source)
        if signalReason == nil { signalReason = reason }
        if midCall { everConnected = true }
    }

    /// OpenTok's session errors (see the type's comment): whether the service refused the
    /// client (key or token), else the connection problem named, and whether it ended a session
    /// that was up.
    static func openTokError(_ m: UnsafeRawBufferPointer) -> (refused: Bool, reason: String, midCall: Bool)? {
        if ByteMatch.contains(m, "OT_AUTHENTICATION_ERROR") || ByteMatch.contains(m, "SessionErrorDomain : AuthorizationFailure") {
            return (true, "OpenTok authorization failure", false)
        }
        if ByteMatch.contains(m, "otk_anvil_on_session_info failed") { return (false, "OpenTok session lookup failed", false) }
        if ByteMatch.contains(m, "OT_CONNECT_FAILED") { return (false, "OpenTok OT_CONNECT_FAILED", false) }
        if ByteMatch.contains(m, "OT_SOCKET_CLOSE_TIMEOUT") { return (false, "OpenTok OT_SOCKET_CLOSE_TIMEOUT", true) }
        guard let at = ByteMatch.after(m, "SessionErrorDomain : ") else { return nil }
        let rest = UnsafeRawBufferPointer(rebasing: m[at...])
        for (name, midCall): (StaticString, Bool) in [("ConnectionFailed", false), ("ConnectionRefused", false),
                                                       ("ConnectionTimedOut", false), ("ConnectionDropped", true)]
        where ByteMatch.startsWith(rest, name) {
            return (false, "OpenTok \(name)", midCall)
        }
        return nil
    }

    /// Twilio's signalling errors (see the type's comment), named as its docs name them, and
    /// whether they end a call that was up (53001, and 31005: "closed unexpectedly during the call").
    static func twilioSignalingError(_ m: UnsafeRawBufferPointer) -> (String, Bool)? {
        if ByteMatch.contains(m, "Signaling connection error") || ByteMatch.contains(m, "SignalingConnectionError") {
            return ("Twilio 53000 Signaling connection error", false)
        }
        if ByteMatch.contains(m, "Signaling connection disconnected") || ByteMatch.contains(m, "SignalingConnectionDisconnected") {
            return ("Twilio 53001 Signaling connection disconnected", true)
        }
        if ByteMatch.contains(m, "Signaling connection timed out") || ByteMatch.contains(m, "SignalingConnectionTimeout") {
            return ("Twilio 53002 Signaling connection timed out", false)
        }
        // JS "ConnectionError (31005): …", iOS "Error Domain=com.twilio.voice.error Code=31005
        // "Connection error"", and "31005 Connection error" as apps print the code and message.
        // (Keywords with letters or brackets around the code: a bare "31005" anchors on digit
        // grams that are everywhere in logs, as "Signaling connection" alone anchors on common
        // words; the two slowed the prefilter by a tenth.)
        // (A number of its own: an epoch such as 1731005123 holds the digits too.)
        if ByteMatch.contains(m, "(31005)") || (ByteMatch.containsNumber(m, "31005") && ByteMatch.contains(m, "onnection error")) {
            return ("Twilio 31005 Connection error", true)
        }
        return nil
    }

    /// An HTTP 5xx from signalling: `HTTP 503`, `status=502`, `status: 500` — three digits, so
    /// `status=5` (a state number) or `status: 52` is not one.
    static func serverErrorStatus(_ m: UnsafeRawBufferPointer) -> Bool {
        for key: StaticString in ["HTTP ", "http ", "HTTP/1.1 ", "status=", "status: ", "Status: ", "status code "] {
            guard let at = ByteMatch.after(m, key), at + 3 <= m.count else { continue }
            if m[at] == UInt8(ascii: "5"), isASCIIDigit(m[at + 1]), isASCIIDigit(m[at + 2]),
               at + 3 == m.count || !isASCIIDigit(m[at + 3]) {
                return true
            }
        }
        return false
    }

    enum State { case connected, failed, other }

    /// Whether `m` can hold one of the shapes `stateChange` reads: each holds `ice` in some case,
    /// or `Pe` / `PC` (`PeerConnectionState`, `Peer Connection State`, `PC state`).
    /// One pass instead of a dozen searches on the many lines that are not state changes (route
    /// and network lines reach this check too).
    static func mayNameState(_ m: UnsafeRawBufferPointer) -> Bool {
        guard m.count >= 3, let base = m.baseAddress else { return false }
        @inline(__always) func startsShape(_ i: Int) -> Bool {
            let b = m[i]
            if b | 0x20 == UInt8(ascii: "i") { return m[i + 1] | 0x20 == UInt8(ascii: "c") && m[i + 2] | 0x20 == UInt8(ascii: "e") }
            return b == UInt8(ascii: "P") && (m[i + 1] == UInt8(ascii: "e") || m[i + 1] == UInt8(ascii: "C"))
        }
        // Eight bytes a step: only the `i`, `I` and `P` bytes (a zero byte after XOR) are looked
        // at (the test may flag a byte above a real zero too; the check sorts them out).
        let last = m.count - 2  // shapes start before this
        var i = 0
        while i + 8 <= last {
            let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let iBytes = (x | 0x2020_2020_2020_2020) ^ 0x6969_6969_6969_6969
            let pBytes = x ^ 0x5050_5050_5050_5050
            var hits = ((iBytes &- 0x0101_0101_0101_0101) & ~iBytes | (pBytes &- 0x0101_0101_0101_0101) & ~pBytes)
                & 0x8080_8080_8080_8080
            while hits != 0 {
                if startsShape(i + hits.trailingZeroBitCount >> 3) { return true }
                hits &= hits - 1
            }
            i += 8
        }
        while i < last {
            if startsShape(i) { return true }
            i += 1
        }
        return false
    }

    /// The new state of a connection-state line, in the shapes WebRTC and the apps built on it
    /// print: native `Changing [standardized ]IceConnectionState checking => failed` (numbers
    /// in older builds), the Android apps' observer logs `IceConnectionState: FAILED` /
    /// `PeerConnectionState: FAILED` / `onIceConnectionChange: FAILED`, browsers' `ICE connection
    /// state changed to failed`, and the iOS apps' `ICE state changed: 4` / `ICE+DTLS state
    /// changed: 4` (`RTCIceConnectionState` 0 new … 2 connected, 3 completed, 4 failed;
    /// `RTCPeerConnectionState` 2 connected, 3 disconnected, 4 failed), the JavaScript name
    /// hybrid apps print (`oniceconnectionstatechange [iceConnectionState:failed]`) and
    /// OpenWebRTC's "ICE state changed from disconnected to failed". `word` is where the
    /// state's name stands in the message. Works on bytes: it runs for every such line.
    static func stateChange(_ m: UnsafeRawBufferPointer) -> (ice: Bool, word: Range<Int>, state: State)? {
        guard mayNameState(m) else { return nil }
        var ice = true    // numbers are RTCIceConnectionState's, else RTCPeerConnectionState's
        var at: Int
        if let a = ByteMatch.after(m, "IceConnectionState") ?? ByteMatch.after(m, "iceConnectionState")
            ?? ByteMatch.after(m, "onIceConnectionChange") ?? ByteMatch.after(m, "ICE connection state changed to")
            ?? ByteMatch.after(m, "ICE Connection State has changed") ?? ByteMatch.after(m, "ICE state changed:") {
            at = a
        } else if let a = ByteMatch.after(m, "ICE state changed from "), let to = ByteMatch.after(UnsafeRawBufferPointer(rebasing: m[a...]), " to ") {
            at = a + to
        } else if let a = ByteMatch.after(m, "(TIME) ICE ") {    // Jitsi: "(TIME) ICE connected JVB:", "… ICE failed P2P? false:"
            at = a
        } else if let a = ByteMatch.after(m, "PeerConnectionState") ?? ByteMatch.after(m, "ICE+DTLS state changed:")
                    ?? ByteMatch.after(m, "Peer Connection State has changed") ?? ByteMatch.after(m, "PC state is now ") {
            at = a
            ice = false
        } else {
            return nil
        }
        // The new state is what follows "=>", or the next word for callback-style lines.
        if let arrow = ByteMatch.after(UnsafeRawBufferPointer(rebasing: m[at...]), "=>") {
            at += arrow
        } else if ByteMatch.after(UnsafeRawBufferPointer(rebasing: m[at...]), "Change") == 6 {    // onIceConnectionStateChange(d): failed
            at += m.count > at + 6 && m[at + 6] == UInt8(ascii: "d") ? 7 : 6
        }
        while at < m.count, m[at] == 0x20 || m[at] == UInt8(ascii: ":") || m[at] == UInt8(ascii: "=") || m[at] == UInt8(ascii: ".") {
            at += 1
        }
        var end = at
        while end < m.count, isASCIIDigit(m[end]) || (m[end] | 0x20) >= UInt8(ascii: "a") && (m[end] | 0x20) <= UInt8(ascii: "z") {
            end += 1
        }
        guard end > at else { return nil }
        for prefix: StaticString in ["kiceconnection", "rtciceconnectionstate", "rtcpeerconnectionstate"]
        where end - at > prefix.utf8CodeUnitCount
            && ByteMatch.equalsLowercased(UnsafeRawBufferPointer(rebasing: m[at..<at + prefix.utf8CodeUnitCount]), prefix) {
            at += prefix.utf8CodeUnitCount
        }
        let w = UnsafeRawBufferPointer(rebasing: m[at..<end])
        let digit: UInt8? = w.count == 1 ? w[0] : nil
        let state: State = if ByteMatch.equalsLowercased(w, "failed") || digit == UInt8(ascii: "4") {
            .failed
        } else if ByteMatch.equalsLowercased(w, "connected") || ByteMatch.equalsLowercased(w, "completed")
                    || digit == UInt8(ascii: "2") || (ice && digit == UInt8(ascii: "3")) {
            .connected
        } else {
            .other
        }
        return (ice, at..<end, state)
    }

    static let turnRemediation = "Check the TURN service: the credentials the app hands out (expiry, realm), the server's "
        + "allocation quota and allow-lists, and its logs for this user's address."

    /// STUN/TURN error codes (RFC 8489, RFC 8656) a refused allocation carries.
    static func turnErrorName(_ code: Int) -> String? {
        switch code {
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 420: "Unknown Attribute"
        case 438: "Stale Nonce"
        case 440: "Address Family not Supported"
        case 441: "Wrong Credentials"
        case 442: "Unsupported Transport Protocol"
        case 486: "Allocation Quota Reached"
        case 500: "Server Error"
        case 508: "Insufficient Capacity"
        default: nil
        }
    }

    /// A connection's new state: a failure is evidence; connecting after one is a recovery.
    private mutating func note(_ state: State, _ e: EventView, source: String) {
        switch state {
        case .failed: iceFailed.add(e, source: source)
        case .connected:
            if !iceFailed.isEmpty { recoveredAfterFailure = true }
            everConnected = true
        case .other: break
        }
    }

    /// The new state in Agora's "connection state changed from 3 to 4": its connection manager's
    /// line (module `cm`, as the tag in an `agora-sdk` log or as "[cm] " inside an `AGORA_SDK`
    /// logcat line); numbers elsewhere may follow another enum, so only these count.
    static func agoraStateChange(_ m: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer) -> State? {
        let fromTag = tag.count == 2 && tag[0] == UInt8(ascii: "c") && tag[1] == UInt8(ascii: "m")
        guard let a = fromTag ? ByteMatch.after(m, "connection state changed from ")
                              : ByteMatch.after(m, "[cm] connection state changed from "),
              let to = ByteMatch.after(UnsafeRawBufferPointer(rebasing: m[a...]), " to "), a + to < m.count else { return nil }
        switch m[a + to] {
        case UInt8(ascii: "5"): return .failed
        case UInt8(ascii: "3"): return .connected
        default: return .other
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
        if !badConfig.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "invalid_config", cause: .client, severity: .p0,
                               confidence: 0.85,
                               detail: "The service refused the app's configuration (invalid app ID or channel name, "
                                   + "or an identity already in use)", evidence: badConfig, remediation: Self.configRemediation))
        }
        if !iceFailed.isEmpty, !turnRefused.isEmpty, !turnAllocated {
            // No relay to fall back to because the TURN server said no: the service's side.
            var evidence = iceFailed
            evidence.merge(turnRefused)
            let code = turnRefusedCode.map { " (code \($0)\(Self.turnErrorName($0).map { " \($0)" } ?? ""))" } ?? ""
            out.append(Finding(signature: d.id, title: d.name, subkind: "turn_refused", cause: .server,
                               severity: recoveredAfterFailure ? .p1 : .p0, confidence: 0.75,
                               detail: "ICE failed and the TURN server refused every relay allocation\(code): no relay to fall back to",
                               evidence: evidence, remediation: Self.turnRemediation))
            return out
        }
        if !signalFailed.isEmpty, iceFailed.isEmpty {
            // Nothing of the call got through; the address, its TLS, or the server itself may be at fault.
            out.append(Finding(signature: d.id, title: d.name, subkind: "signal_failed", cause: .link,
                               severity: .p0, confidence: 0.6,
                               detail: "The signalling connection to the service "
                                   + (everConnected ? "was lost" : "could not be opened") + (signalReason.map { " (\($0))" } ?? "")
                                   + (everConnected ? ": the call was cut" : ": the call never connected"),
                               evidence: signalFailed, remediation: Self.signalRemediation))
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
    var replacingUnderscores: String { String(decoding: utf8.map { $0 == UInt8(ascii: "_") ? 0x20 : $0 }, as: UTF8.self) }
}
