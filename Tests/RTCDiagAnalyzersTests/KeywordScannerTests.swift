import Testing
@testable import RTCDiagAnalyzers

@Suite("Keyword scanner")
struct KeywordScannerTests {
    /// The scan must agree with a plain case-insensitive search for any text.
    @Test("finds exactly the keywords a naive search finds, at any position and case")
    func agreesWithNaive() {
        let words = ["Switching selected connection", "loss=", "rtt=", "1053", "DTLS", "join", "token", "AUDIOFOCUS_LOSS",
                     "echo_canceller:", "ab", "abc", "zz top"]
        let scanner = KeywordScanner(words)
        var rng: UInt64 = 42
        func next() -> UInt64 { rng = rng &* 6_364_136_223_846_793_005 &+ 1; return rng >> 33 }
        let pieces = words + ["x", " ", "LOSS", "Join", "tOkEn", "10", "53", "=", "a", "b", "z"]
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int(next() % 12) { text += pieces[Int(next() % UInt64(pieces.count))] }
            var hits = [Bool](repeating: false, count: words.count)
            var s = text
            s.withUTF8 { scanner.scan(UnsafeRawBufferPointer($0), into: &hits) }
            let expected = words.map { text.lowercased().contains($0.lowercased()) }
            #expect(hits == expected, "\(text)")
        }
    }
}
