import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// A call with loss, ICE changes and an echo warning whose text carries markup.
let hostileCall = """
    11-23 10:15:00.000  8123  8123 I RtcClient: join channel=<b>room</b> uid=7 sdk=4.2.1 edge=203.0.113.7:4443
    11-23 10:15:00.580  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 0 => 1
    11-23 10:15:00.812  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 1 => 2
    11-23 10:15:05.000  8123  8190 I RtcClient: stats rtt=48ms loss=0.0% jitter=4ms
    11-23 10:15:10.000  8123  8190 I RtcClient: stats rtt=52ms loss=12.5% jitter=30ms
    11-23 10:15:15.000  8123  8190 I RtcClient: stats rtt=60ms loss=9.1% jitter=28ms
    11-23 10:15:20.000  8123  8190 I RtcClient: stats rtt=49ms loss=15.0% jitter=5ms
    11-23 10:15:21.000  8123  8190 W RtcClient: onWarning warn=1053 (WARN_APM_RESIDUAL_ECHO) <script>alert('x')</script> & more
    11-23 10:15:25.000  8123  8190 I RtcClient: stats rtt=51ms loss=1.0% jitter=4ms
    11-23 10:15:30.000  8123  8123 I RtcClient: leave channel=<b>room</b>
    """

/// An attribute of an element (FoundationXML's `attribute(forName:)` misses them on namespaced elements).
func attr(_ node: XMLNode, _ name: String) -> String? {
    (node as? XMLElement)?.attributes?.first { $0.name == name }?.stringValue
}

func xml(_ path: String) throws -> XMLDocument {
    try XMLDocument(contentsOf: URL(fileURLWithPath: path), options: [])
}

@Suite("HTML reports", .serialized)
struct HTMLTests {
    @Test("diagnose --format html: one well-formed page, log text escaped, a timeline with loss, RTT and ICE marks")
    func diagnosisPage() throws {
        let dir = try scratchDirectory()
        let log = dir.appendingPathComponent("call.log")
        try Data(hostileCall.utf8).write(to: log)
        let page = dir.appendingPathComponent("ticket.html").path
        let r = try run(["diagnose", "--year", "2024", "--format", "html", "-o", page, log.path])
        #expect(r.status == 1 && r.stdout.isEmpty)
        let raw = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!raw.contains("<script") && !raw.contains("<b>room"))
        #expect(!raw.contains("http://") || !raw.contains("src=\"http"))  // no external assets
        let doc = try xml(page)
        #expect(try doc.nodes(forXPath: "//*[local-name()='script']").isEmpty)
        let evidence = try doc.nodes(forXPath: "//*[local-name()='pre']").compactMap(\.stringValue).joined(separator: "\n")
        #expect(evidence.contains("<script>alert('x')</script> & more"))
        let loss = try #require(try doc.nodes(forXPath: "//*[local-name()='polyline'][@data-series='loss %']").first)
        let points = attr(loss, "points")?.split(separator: " ") ?? []
        #expect(points.count == 5)  // one per stats line
        #expect(try doc.nodes(forXPath: "//*[local-name()='polyline'][@data-series='RTT ms']").count == 1)
        #expect(try doc.nodes(forXPath: "//*[local-name()='line'][@data-kind='ICE']").count == 2)
        #expect(try doc.nodes(forXPath: "//*[local-name()='line'][@data-kind='echo']").count == 1)
        #expect(try doc.nodes(forXPath: "//*[local-name()='line'][@data-kind='session']").count == 2)
        let verdict = try doc.nodes(forXPath: "//*[local-name()='p'][contains(@class, 'verdict')]").first?.stringValue ?? ""
        #expect(verdict.hasPrefix("P2 — link") || verdict.hasPrefix("P1 — client"), "\(verdict)")
        let call = try doc.nodes(forXPath: "//*[local-name()='li']").compactMap(\.stringValue).first { $0.hasPrefix("Call:") } ?? ""
        #expect(call.contains("channel <b>room</b>"))
    }

    @Test("signalling failures are marked on the timeline, with their kind in the legend")
    func signallingMarks() throws {
        let dir = try scratchDirectory()
        let page = dir.appendingPathComponent("lk.html").path
        let sample = packageRoot.appendingPathComponent("Samples/logs/livekit-signal-failed.console.log").path
        #expect(try run(["diagnose", "--date", "2024-05-01", "--format", "html", "-o", page, sample]).status == 1)
        let doc = try xml(page)
        #expect(try doc.nodes(forXPath: "//*[local-name()='line'][@data-kind='signalling']").count == 4)
        let legend = try doc.nodes(forXPath: "//*[local-name()='figcaption']").compactMap(\.stringValue).joined()
        #expect(legend.contains("signalling"))
    }

    @Test("--bundle writes report.md, report.json and report.html")
    func bundle() throws {
        let dir = try scratchDirectory()
        let out = dir.appendingPathComponent("out").path
        let r = try run(["diagnose", "--bundle", out, packageRoot.appendingPathComponent("Samples/logs/android-call.log.zst").path])
        #expect(r.status == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == ["report.html", "report.json", "report.md"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any]
        #expect(json?["schema"] as? String == "rtcdiag.diagnosis/1")
        #expect(try xml(out + "/report.html").rootElement()?.name == "html")
        // The page draws the call's timeline: the pass recorded it for the HTML report.
        #expect(try String(contentsOfFile: out + "/report.html", encoding: .utf8).contains("<svg class=\"timeline\""))
        #expect(try String(contentsOfFile: out + "/report.md", encoding: .utf8).contains("aec_failure"))
    }

    @Test("report --format html: a dashboard whose bars carry the store's numbers")
    func dashboard() throws {
        let dir = try scratchDirectory()
        let db = dir.appendingPathComponent("store.sqlite").path
        #expect(try run(["batch", packageRoot.appendingPathComponent("Samples/logs").path, "--db", db]).status == 0)
        let page = dir.appendingPathComponent("weekly.html").path
        #expect(try run(["report", "--db", db, "--format", "html", "-o", page]).status == 0)
        let doc = try xml(page)
        let bars = try doc.nodes(forXPath: "//*[local-name()='svg'][@id='by-signature']/*[local-name()='rect']")
        let shown = Dictionary(uniqueKeysWithValues: bars.compactMap { bar -> (String, Int)? in
            guard let key = attr(bar, "data-key"), let n = attr(bar, "data-count").flatMap({ Int($0) }) else { return nil }
            return (key, n)
        })
        let stored = try run(["query", "--db", db, "SELECT signature, COUNT(DISTINCT session_id) FROM finding GROUP BY signature"])
        let expected = Dictionary(uniqueKeysWithValues: stored.stdout.split(separator: "\n").dropFirst().map { line in
            let parts = line.split(separator: "\t")
            return (String(parts[0]), Int(parts[1])!)
        })
        #expect(!shown.isEmpty && shown == expected)
        let calls = try doc.nodes(forXPath: "//*[@id='calls']").first?.stringValue
        let count = try run(["query", "--db", db, "SELECT COUNT(*) FROM session"]).stdout.split(separator: "\n").last.map(String.init)
        #expect(calls == count)
    }
}
