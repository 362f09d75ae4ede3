import Foundation
@testable import RTCDiagStream

/// Writes `bytes` to a fresh temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], name: String = "input") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rtcdiag-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try! Data(bytes).write(to: url)
    return url.path
}

/// Realistic logcat text of about `lines` lines.
func logcatText(lines: Int, seed: UInt64 = 1) -> [UInt8] {
    var rng = seed
    func next() -> UInt64 { rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return rng >> 33 }
    let tags = ["WebRtcAudioRecord", "AudioFlinger", "org.webrtc.Logging", "ActivityManager", "chromium"]
    let levels = ["V", "D", "I", "W", "E"]
    var s = ""
    for i in 0..<lines {
        let ms = i * 7
        s += "11-23 10:\(String(format: "%02d:%02d.%03d", ms / 60000 % 60, ms / 1000 % 60, ms % 1000))  1234  \(5678 + Int(next() % 9)) "
        s += "\(levels[Int(next() % 5)]) \(tags[Int(next() % 5)]): message \(i) value=\(next() % 1000)\n"
    }
    return Array(s.utf8)
}

/// Every line of `path` as framed, with flags; the tests compare this with a plain split.
func frame(_ path: String, maxLineBytes: Int = 1 << 20, inputBuffer: Int = 256 << 10, outputBuffer: Int = 1 << 20,
           limits: StreamLimits = StreamLimits()) -> (lines: [(text: [UInt8], line: Line)], error: InputError?, framer: LineFramer) {
    let stream = DecodedStream(source: try! ByteSource(path: path), limits: limits,
                               inputBufferSize: inputBuffer, outputBufferSize: outputBuffer)
    let framer = LineFramer(stream: stream, maxLineBytes: maxLineBytes)
    var out: [(text: [UInt8], line: Line)] = []
    do {
        while let l = try framer.next() { out.append((Array(l.bytes), l)) }
        return (out, nil, framer)
    } catch {
        return (out, error as? InputError, framer)
    }
}
