import Foundation
import RTCDiagFormats
import Testing
@testable import RTCDiagAnalyzers
@testable import RTCDiagTriage

/// Writes `text` to a fresh file and opens it as the real pass does (year 2024 unless given).
func openLog(_ text: String, year: Int = 2024) throws -> EventReader {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rtcdiag-an-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("example.log")
    try Data(text.utf8).write(to: url)
    var options = ReaderOptions()
    options.year = year
    return try LogInput.open(url.path, options: options)
}

/// Runs one analyzer over a log text, as the real pass does.
func analyze(_ text: String, with type: any Analyzer.Type, year: Int = 2024) throws -> AnalysisResult {
    Analysis(analyzers: [type]).run(try openLog(text, year: year))
}

/// Every registered analyzer's own examples: adding a signature adds its tests.
@Suite("Analyzer examples")
struct AnalyzerExampleTests {
    static let triggering: [(String, Int)] = Analyzers.builtIn.flatMap { t in
        t.description.triggeringExamples.indices.map { (t.description.id, $0) }
    }
    static let nonTriggering: [(String, Int)] = Analyzers.builtIn.flatMap { t in
        t.description.nonTriggeringExamples.indices.map { (t.description.id, $0) }
    }

    @Test("triggering examples produce a finding whose evidence holds every marked line", arguments: triggering)
    func triggers(id: String, index: Int) throws {
        let type = try #require(Analyzers.named(id))
        let example = type.description.triggeringExamples[index]
        let result = try analyze(example.plainText, with: type)
        let mine = result.findings.filter { $0.signature == id }
        #expect(!mine.isEmpty, "\(id) example \(index) found nothing")
        let evidenceLines = Set(mine.flatMap { $0.evidence.examples.map(\.line) })
        for line in example.markedLines {
            #expect(evidenceLines.contains(line), "\(id) example \(index): line \(line) is not evidence (\(evidenceLines.sorted()))")
        }
        #expect(mine.allSatisfy { $0.confidence > 0 && $0.confidence <= 1 && !$0.remediation.isEmpty })
    }

    @Test("non-triggering examples produce no finding", arguments: nonTriggering)
    func quiet(id: String, index: Int) throws {
        let type = try #require(Analyzers.named(id))
        let result = try analyze(type.description.nonTriggeringExamples[index].plainText, with: type)
        #expect(result.findings.isEmpty, "\(id) fired on a non-triggering example: \(result.findings.map(\.detail))")
    }

    @Test("audio refusals only the framework reports are a weaker finding that names the process")
    func frameworkOnly() throws {
        // A whole-device logcat during a call: the assistant's hotword recorder is refused.
        let hotword = """
            12-07 15:58:34.320  2450  2470 W APM_AudioPolicyManager: startInput() HOTWORD will be blocked in call
            12-07 15:58:34.323 13256 14124 E AudioRecord: start() status -22
            12-07 15:58:34.324 13256 14124 E AudioProvider: recording stopped, not in RECORDSTATE_RECORDING state
            """
        let weak = try #require(try analyze(hotword, with: DeviceFragmentationAnalyzer.self).findings.first)
        #expect(weak.severity == .p2 && weak.confidence < 0.8)
        #expect(weak.detail.contains("process 13256") && weak.detail.contains("BAD_VALUE"))
        // The same refusal with WebRTC's own report of it is the major impairment it is.
        let sdk = hotword + "\n12-07 15:58:34.330 13256 14124 E WebRtcAudioRecord: Start recording error: AUDIO_RECORD_START_STATE_MISMATCH. AudioRecord.startRecording failed - incorrect state :1"
        let strong = try #require(try analyze(sdk, with: DeviceFragmentationAnalyzer.self).findings.first)
        #expect(strong.severity == .p1 && !strong.detail.contains("only the Android framework"))
        // WebRTC's OpenSL ES layer is the SDK's own report.
        let opensl = "02-14 09:12:03.118  9031  9102 E OpenSLESRecorder: opensles_recorder.cc:338 (*engine_)->CreateAudioRecorder(…) failed: SL_RESULT_CONTENT_UNSUPPORTED"
        #expect(try analyze(opensl, with: DeviceFragmentationAnalyzer.self).findings.first?.severity == .p1)
    }

    @Test("a Bluetooth voice channel that opens at a later attempt is informational, one that never opens is not")
    func bluetoothRetries() throws {
        let failed = """
            11-02 21:14:03.112 30411 30411 D AppRTCBluetoothManager: Starting Bluetooth SCO and waits for ACTION_AUDIO_STATE_CHANGED...
            11-02 21:14:07.118 30411 30411 W AppRTCBluetoothManager: BT failed to connect after timeout
            """
        let stuck = try #require(try analyze(failed, with: DeviceFragmentationAnalyzer.self).findings.first)
        #expect(stuck.subkind == "bluetooth_sco" && stuck.severity == .p2 && stuck.detail.contains("would not open"))
        let opened = failed + "\n11-02 21:14:08.530 30411 30411 D AppRTCBluetoothManager: +++ Bluetooth audio SCO is now connected"
        let late = try #require(try analyze(opened, with: DeviceFragmentationAnalyzer.self).findings.first)
        #expect(late.severity == .p3 && late.detail.contains("failed to open once") && late.detail.contains("then opened"))
        // A failure after the channel had opened is a failure again.
        let again = opened + "\n11-02 21:20:01.002 30411 30411 E AppRTCBluetoothManager: BT SCO connection fails - no more attempts"
        let lost = try #require(try analyze(again, with: DeviceFragmentationAnalyzer.self).findings.first)
        #expect(lost.severity == .p2 && lost.evidence.count == 2)
    }

    @Test("a signalling connection that never opened and one lost mid-call are told apart, with the reason")
    func signalFailures() throws {
        let never = "2024-05-01T10:00:03.412Z ERROR [livekit] could not establish signal connection: Failed to fetch"
        let a = try #require(try analyze(never, with: ConnectionFailureAnalyzer.self).findings.first)
        #expect(a.subkind == "signal_failed" && a.cause == .link && a.severity == .p0)
        #expect(a.detail.contains("could not be opened (Failed to fetch)") && a.detail.contains("never connected"))
        let lost = "2024-05-01T10:04:40.006Z ERROR [janus] Lost connection to the server (is it down?)"
        let b = try #require(try analyze(lost, with: ConnectionFailureAnalyzer.self).findings.first)
        #expect(b.detail.contains("was lost (Janus: lost connection to the server)") && b.detail.contains("call was cut"))
        // The service refusing the client is not a signalling failure.
        let refused = "2024-05-01T10:00:03.118Z ERROR [opentok] OT_AUTHENTICATION_ERROR (1004) Invalid token format"
        let c = try #require(try analyze(refused, with: ConnectionFailureAnalyzer.self).findings.first)
        #expect(c.subkind == "auth_rejected" && c.cause == .server)
    }

    @Test("no audio route on iOS is a major impairment until a route comes back")
    func noSuitableRoute() throws {
        let lost = "2024-05-01 10:03:40.120101+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:622 -[RTCAudioSession handleRouteChangeNotification:]): Audio route changed: NoSuitableRouteForCategory"
        let stuck = try #require(try analyze(lost, with: DeviceFragmentationAnalyzer.self).findings.first)
        #expect(stuck.subkind == "audio_route" && stuck.severity == .p1 && stuck.detail.contains("from then on"))
        let back = lost + "\n2024-05-01 10:03:44.002101+0800 RTCDemo[1234:567921] (RTCAudioSession.mm:610 -[RTCAudioSession handleRouteChangeNotification:]): Audio route changed: NewDeviceAvailable"
        let brief = try #require(try analyze(back, with: DeviceFragmentationAnalyzer.self).findings.first)
        #expect(brief.severity == .p2 && brief.detail.contains("until a device appeared"))
    }

    @Test("the device comes from WebRTC's device line, else from the client info in LiveKit's signalling URL")
    func deviceContext() throws {
        let url = "I/flutter (27777): 13:31:45: SignalClient connecting with url: wss://x.livekit.cloud/rtc?access_token=abc"
            + "&sdk=flutter&version=1.0.0&network=wifi&os=android&os_version=11&device_model=Pixel+2%20XL"
        #expect(try analyze(url, with: ConnectionFailureAnalyzer.self).device.summary == "Pixel 2 XL, Android 11")
        let ios = "2024-05-01T10:00:00.000Z INFO [livekit] connecting to wss://x.livekit.cloud/rtc?sdk=swift&version=2.0.0"
            + "&protocol=12&os=ios&os_version=17.4&device_model=iPhone15,2"
        #expect(try analyze(ios, with: ConnectionFailureAnalyzer.self).device.summary == "iPhone15,2, iOS 17.4")
        let both = """
            11-23 10:15:00.210  8123  8150 D WebRtcAudioManager: Android SDK: 30, Release: 11, Brand: samsung, Device: a51, Id: RP1A, Hardware: exynos9611, Manufacturer: samsung, Model: SM-A515F, Product: a51nsxx
            11-23 10:15:00.300  8123  8150 I LiveKit: connecting to wss://x.livekit.cloud/rtc?os=android&os_version=11&device_model=SM-A515F
            """
        #expect(try analyze(both, with: ConnectionFailureAnalyzer.self).device.summary == "samsung SM-A515F, Android 11 (API 30) (exynos9611)")
    }

    @Test("every analyzer documents itself and has examples of both kinds")
    func descriptions() {
        var ids = Set<String>()
        for t in Analyzers.builtIn {
            let d = t.description
            #expect(ids.insert(d.id).inserted, "duplicate id \(d.id)")
            #expect(!d.summary.isEmpty && !d.remediation.isEmpty && !d.keywords.isEmpty)
            #expect(!d.triggeringExamples.isEmpty && !d.nonTriggeringExamples.isEmpty)
            #expect(d.triggeringExamples.allSatisfy { !$0.markedLines.isEmpty }, "\(d.id): a triggering example without ↓")
        }
    }
}

@Suite("Triage")
struct TriageTests {
    func finding(_ sig: String, _ cause: RootCause, _ sev: Severity, sub: String? = nil) -> Finding {
        Finding(signature: sig, title: sig, subkind: sub, cause: cause, severity: sev, confidence: 0.8, detail: sig,
                evidence: EvidenceLog(), remediation: "fix \(sig)")
    }

    func result(_ findings: [Finding]) -> AnalysisResult {
        AnalysisResult(source: "x", dialect: nil, device: DeviceInfo(),
                       sessions: [SessionResult(info: SessionInfo(index: 0, firstLine: 1), findings: findings)],
                       toolProblems: [], lines: 1, events: 1, inputFault: nil, firstTime: nil, lastTime: nil, checked: [])
    }

    @Test("a healthy log has no severity and no hypotheses")
    func healthy() {
        let v = Triage.verdicts(for: result([]))[0]
        #expect(v.isHealthy && v.severity == nil && v.hypotheses.isEmpty)
    }

    @Test("route flapping with loss is a link problem, and says why")
    func flappingAndLoss() {
        let v = Triage.verdicts(for: result([finding("route_flapping", .link, .p2, sub: "network"),
                                            finding("packet_loss", .link, .p2, sub: "loss"),
                                            finding("aec_failure", .client, .p2)]))[0]
        #expect(v.primary?.cause == .link)
        #expect(v.primary?.reasons.contains { $0.contains("route changes") } == true)
        #expect(v.severity == .p2)
    }

    @Test("server errors with a clean client and network point to the server")
    func serverOnly() {
        let v = Triage.verdicts(for: result([finding("connection_failure", .server, .p0, sub: "auth_rejected")]))[0]
        #expect(v.primary?.cause == .server)
        #expect(v.severity == .p0)
        #expect(v.primary?.reasons.contains { $0.contains("look clean") } == true)
        #expect(v.nextSteps == ["fix connection_failure"])
    }

    @Test("server errors beside link trouble lose confidence")
    func serverWithLink() {
        let alone = Triage.verdicts(for: result([finding("connection_failure", .server, .p0)]))[0]
        let mixed = Triage.verdicts(for: result([finding("connection_failure", .server, .p0),
                                                finding("packet_loss", .link, .p2)]))[0]
        let a = alone.hypotheses.first { $0.cause == .server }!.confidence
        let b = mixed.hypotheses.first { $0.cause == .server }!.confidence
        #expect(b < a)
    }

    @Test("one P0 outweighs several P2s of another cause")
    func weights() {
        let v = Triage.verdicts(for: result([finding("connection_failure", .link, .p0),
                                            finding("aec_failure", .client, .p2),
                                            finding("route_flapping", .client, .p2, sub: "audio_route")]))[0]
        #expect(v.primary?.cause == .link)
    }

    @Test("k-of-n fires at k bad samples in n and records when it cleared")
    func kOfN() {
        var r = KOfN(k: 3, n: 5)
        let bad = [true, false, true, false, true, false, false, false]
        var fired: [Bool] = []
        for (i, b) in bad.enumerated() { fired.append(r.add(b, time: Int64(i))) }
        #expect(fired == [false, false, false, false, true, false, false, false])
        #expect(r.fired)
        #expect(r.clearedAt == 5)  // at sample 5 the window holds only 2 bad of 5
    }
}

@Suite("Connection-state lines")
struct ConnectionStateTests {
    @Test("every shape WebRTC and the apps print is read, and other lines are passed over",
          arguments: [
              ("Changing IceConnectionState 1 => 4", true), ("Changing standardized IceConnectionState checking => failed", true),
              ("IceConnectionState: FAILED", true), ("PeerConnectionState: FAILED", false),
              ("onIceConnectionChange: FAILED", true), ("ICE connection state changed to failed", true),
              ("ICE Connection State has changed: failed", true), ("ICE state changed: 4", true),
              ("ICE+DTLS state changed: 4", false), ("oniceconnectionstatechange [iceConnectionState:failed]", true),
              ("ICE state changed from disconnected to failed", true), ("(TIME) ICE failed P2P? false:", true),
              ("Peer Connection State has changed: failed", false), ("PC state is now failed", false),
          ])
    func shapes(message: String, ice: Bool) {
        let change = Array(message.utf8).withUnsafeBytes { ConnectionFailureAnalyzer.stateChange($0) }
        #expect(change?.state == .failed && change?.ice == ice)
    }

    /// `mayNameState` looks at eight bytes a step; it must answer as a byte-by-byte search does
    /// wherever the shape starts (every offset within a step, the last possible one, none).
    @Test("the state-line precheck finds `ice` in any case and `Pe` / `PC` at every offset and length")
    func precheck() {
        func reference(_ m: [UInt8]) -> Bool {
            guard m.count >= 3 else { return false }
            return (0..<(m.count - 2)).contains { i in
                (m[i] | 0x20 == 0x69 && m[i + 1] | 0x20 == 0x63 && m[i + 2] | 0x20 == 0x65)
                    || (m[i] == 0x50 && (m[i + 1] == 0x65 || m[i + 1] == 0x43))
            }
        }
        let filler = Array("selected connection: route to Wi-Fi at 12:00, Pixel".utf8)  // i, I-less, P without e/C
        var checked = 0
        for shape in ["ice", "ICE", "iCe", "Pe", "PC"] {
            for length in 0...40 {
                for at in stride(from: -1, through: length, by: 1) {
                    var m = Array(filler.prefix(length))
                    if at >= 0 {
                        let s = Array(shape.utf8)
                        guard at + s.count <= length else { continue }
                        m.replaceSubrange(at..<(at + s.count), with: s)
                    }
                    let got = m.withUnsafeBytes { ConnectionFailureAnalyzer.mayNameState($0) }
                    #expect(got == reference(m), "\(String(decoding: m, as: UTF8.self))")
                    checked += 1
                }
            }
        }
        #expect(checked > 3000)
    }

    @Test("route and network lines are no state change")
    func others() {
        for message in ["Switching selected connection due to: data received", "Network becomes available: 101",
                        "Pe", "", "stats rtt=48ms loss=0.0% jitter=4ms"] {
            #expect(Array(message.utf8).withUnsafeBytes { ConnectionFailureAnalyzer.stateChange($0) } == nil)
        }
    }
}

@Suite("Many calls in one log")
struct SessionLimitTests {
    /// A call: join, the lines of one analyzer's first triggering example (or none), leave.
    func call(_ i: Int, _ fault: (any Analyzer.Type)?) -> String {
        var lines = ["11-23 10:\(10 + i):00.000  8123  8123 I RtcClient: joinChannel channel=room-\(i) uid=100\(i)"]
        if let fault { lines.append(fault.description.triggeringExamples[0].plainText) }
        lines.append("11-23 10:\(10 + i):59.000  8123  8123 I RtcClient: leaveChannel channel=room-\(i)")
        return lines.joined(separator: "\n")
    }

    @Test("past the limit the most severe calls are kept and the rest are counted")
    func keepsMostSevere() throws {
        let text = [call(0, nil), call(1, AECFailureAnalyzer.self), call(2, nil), call(3, AECFailureAnalyzer.self),
                    call(4, ConnectionFailureAnalyzer.self)].joined(separator: "\n")
        let all = Analysis().run(try openLog(text))
        #expect(all.sessions.count == 5 && all.omittedSessions.count == 0)
        #expect(all.sessions.map { $0.findings.map(\.signature) } == [[], ["aec_failure"], [], ["aec_failure"], ["connection_failure"]])

        let limited = Analysis()
        limited.maxSessions = 2
        let r = limited.run(try openLog(text))
        // Kept: the P0 call and the earlier of the two echo calls, in log order.
        #expect(r.sessions.map(\.info.index) == [1, 4])
        #expect(r.sessionCount == 5)
        #expect(r.omittedSessions.count == 3 && r.omittedSessions.healthy == 2)
        #expect(r.omittedSessions.bySeverity == [0, 0, 1, 0])  // that echo example is a P2
        #expect(r.omittedSessions.bySignature == ["aec_failure": 1])
        let verdicts = Triage.verdicts(for: r)
        #expect(verdicts.count == 2 && verdicts[0].omittedSessions?.count == 3 && verdicts[1].omittedSessions == nil)
        #expect(verdicts[1].sessionCount == 5)
    }

    /// Reports in every `finish` how many events it saw, whether or not it saw any.
    struct Probe: RuntimeAnalyzer {
        static let about = AnalyzerDescription(
            id: "probe", name: "Probe", summary: "Counts events.", defaultCause: .client, defaultSeverity: .p3,
            remediation: "-", keywords: ["howling"], triggeringExamples: [], nonTriggeringExamples: [])
        var description: AnalyzerDescription { Self.about }
        var seen = EvidenceLog()
        mutating func observe(_ event: EventView, _ context: inout AnalysisContext) { seen.add(event, source: context.source) }
        mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
            [Finding(signature: "probe", title: "Probe", cause: .client, severity: .p3, confidence: 1,
                     detail: "\(seen.count)", evidence: seen, remediation: "-")]
        }
        mutating func reset() { self = Probe() }
    }

    @Test("an analyzer is finished and reset only after calls in which it saw events")
    func finishOnlyWhenObserved() throws {
        func call(_ i: Int, howling: Int) -> String {
            let echo = (0..<howling).map { "11-23 10:\(10 + i):\(10 + $0).000  8123  8123 W RtcClient: howling detected" }
            return (["11-23 10:\(10 + i):00.000  8123  8123 I RtcClient: joinChannel channel=room-\(i) uid=100\(i)"] + echo
                + ["11-23 10:\(10 + i):59.000  8123  8123 I RtcClient: leaveChannel channel=room-\(i)"]).joined(separator: "\n")
        }
        let text = [call(0, howling: 2), call(1, howling: 0), call(2, howling: 1)].joined(separator: "\n")
        let r = Analysis(analyzers: [], runtime: [{ Probe() }]).run(try openLog(text))
        #expect(r.sessions.count == 3)
        // The quiet call has no finding; the third starts from a fresh state (1, not 3).
        #expect(r.sessions.map { $0.findings.map(\.detail) } == [["2"], [], ["1"]])
        #expect(r.sessions[2].findings.first?.evidence.examples.map(\.line) == [8])
    }
}

@Suite("Join and leave lines")
struct SessionLineTests {
    @Test("join/leave followed by channel or room, with or without a space, in any case; not successes, failures or rejections",
          arguments: [
              ("RtcClient: joinChannel channel=room-1 uid=7", "join"),
              ("Engine: Join Room 'standup'", "join"),
              ("rtc: rejoinChannel after network change", "join"),
              ("RtcClient: onJoinChannelSuccess channel=room-1", "-"),
              ("RtcClient: join channel failed: token expired", "-"),
              ("Signal: joinRoom rejected by server", "-"),
              ("UI: user joined the room", "-"),
              ("UI: join button tapped, joining channel list", "-"),
              ("RtcClient: leaveChannel channel=room-1", "leave"),
              ("Room: LEAVE ROOM requested", "leave"),
              ("Room: leaves channel view", "-"),
              ("Room: leave  channel (two spaces)", "-"),
          ])
    func classify(message: String, expected: String) throws {
        let reader = try openLog("11-23 10:15:00.000  8123  8123 I \(message)")
        let e = try #require(try reader.next())
        let kind = SessionLine.classify(e)
        #expect((kind == .join ? "join" : kind == .leave ? "leave" : "-") == expected, "\(message)")
    }
}
