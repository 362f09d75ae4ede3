import CByteIndex
import RTCDiagStream
import Testing
@testable import RTCDiagFormats

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
            s.withUTF8 { #expect(scanner.matchesAny(UnsafeRawBufferPointer($0)) == expected.contains(true), "\(text)") }
        }
    }

    /// The decode thread marks keyword starts over whole chunks; every occurrence must be marked.
    @Test("marks over a whole text: every keyword occurrence a naive search finds, as start and end, ascending")
    func marksAgreeWithNaive() {
        let words = ["Switching selected connection", "loss=", "rtt=", "1053", "DTLS", "join", "token", "ab", "zz top"]
        let scanner = KeywordScanner(words)
        var rng: UInt64 = 99
        func next() -> UInt64 { rng = rng &* 6_364_136_223_846_793_005 &+ 1; return rng >> 33 }
        let pieces = words + ["x", " ", "LOSS=", "Join", "tOkEn", "10", "53", "\n", "a", "b", "z", "11-23 10:15:02.123 "]
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int(next() % 60) { text += pieces[Int(next() % UInt64(pieces.count))] }
            let bytes = Array(text.lowercased().utf8)
            var expected = Set<UInt64>()
            for (k, w) in words.map({ Array($0.lowercased().utf8) }).enumerated() where w.count <= bytes.count {
                for s in 0...(bytes.count - w.count) where Array(bytes[s..<(s + w.count)]) == w {
                    expected.insert(ChunkSpan.make(start: s, length: w.count, tag: k))
                }
            }
            var marks: [UInt64] = []
            var s = text
            s.withUTF8 { scanner.marks(UnsafeRawBufferPointer($0), into: &marks) }
            #expect(Set(marks) == expected, "\(text)")
            #expect(marks == marks.sorted())
        }
    }

    /// Whole chunks are scanned 32 bytes a step in C, in calls of at most 1,024 candidates each;
    /// re-anchoring must enter the new anchors in its table.
    @Test("marks over a 300 KB text after re-anchoring: every occurrence, across many candidate batches")
    func longMarksAfterTuning() {
        let words = ["IceConnectionState", "loss=", "rtt=", "join", "1053", "network changed", "qualityLimitationReason"]
        let scanner = KeywordScanner(words)
        var text = ""
        var rng: UInt64 = 5
        func next() -> UInt64 { rng = rng &* 6_364_136_223_846_793_005 &+ 1; return rng >> 33 }
        let pieces = words + ["stats ", "Network ", "JOIN", "los", "rtt", "\n", "x", "icecon", "10", "53"]
        while text.utf8.count < 300_000 { text += pieces[Int(next() % UInt64(pieces.count))] }
        let bytes = Array(text.lowercased().utf8)
        var expected: [UInt64] = []
        for (k, w) in words.map({ Array($0.lowercased().utf8) }).enumerated() {
            for s in 0...(bytes.count - w.count) where bytes[s] == w[0] && Array(bytes[s..<(s + w.count)]) == w {
                expected.append(ChunkSpan.make(start: s, length: w.count, tag: k))
            }
        }
        expected.sort()
        #expect(expected.count > 5000)
        for round in 0..<2 {
            var marks: [UInt64] = []
            text.withUTF8 { scanner.marks(UnsafeRawBufferPointer($0), into: &marks) }
            #expect(marks.count == expected.count && marks == expected, "round \(round): \(marks.count) vs \(expected.count)")
            // Anchor again on a sample where other grams are rare.
            let sample = Array("11-23 10:15:00.000  1 2 I Tag: join network changed 1053 IceConnectionState".utf8)
            sample.withUnsafeBytes { scanner.tune(to: [$0]) }
        }
    }

    /// The C candidate scan, with AVX2 and without, against the hash computed here, at every
    /// length up to 200 and with output room for 16 to 40 candidates per call (resumed after).
    @Test("gram candidates: the SIMD and the portable scan list every even offset whose gram hash is in the table")
    func gramCandidates() {
        var rng: UInt64 = 11
        func next() -> UInt64 { rng = rng &* 6_364_136_223_846_793_005 &+ 1; return rng >> 33 }
        var table = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<3000 { table[Int(next() % 65536)] = 1 }  // about one gram in 22 a candidate
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz ABC=:.0123456789\n".utf8)
        for length in 0...200 {
            let text = (0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            var expected: [UInt32] = []
            var e = 0
            while e + 2 < length {
                let gram = UInt32(text[e]) | UInt32(text[e + 1]) << 8 | UInt32(text[e + 2]) << 16
                if table[Int(((gram | 0x20_2020) &* 2_654_435_761) >> 16)] != 0 { expected.append(UInt32(e)) }
                e += 2
            }
            let cap = 16 + length % 25
            for portable in [false, true] {
                var got: [UInt32] = []
                var out = [UInt32](repeating: 0, count: cap)
                text.withUnsafeBufferPointer { t in
                    var from = 0
                    while from + 2 < length {
                        var resume = 0
                        let n = portable
                            ? rtcdiag_gram_candidates_portable(t.baseAddress! + from, length - from, table, &out, cap, &resume)
                            : rtcdiag_gram_candidates(t.baseAddress! + from, length - from, table, &out, cap, &resume)
                        got += out[0..<n].map { $0 + UInt32(from) }
                        from += resume
                    }
                }
                #expect(got == expected, "length \(length), portable \(portable)")
            }
        }
    }

    /// Re-anchoring on a sample changes which grams are looked up, never what is found.
    @Test("after tuning to a sample the scan still agrees with a naive search")
    func tunedAgreesWithNaive() {
        let words = ["IceConnectionState", "loss=", "rtt=", "reconnecting", "route change", "network changed", "join",
                     "status: 5", "RECORD_AUDIO", "qualityLimitationReason=cpu"]
        let scanner = KeywordScanner(words)
        let sampleText = [
            "11-23 10:15:00.000  1234  5678 I WindowManager: Skipping AppWindowToken{9 token=Token{1}} -- going to hide",
            "11-23 10:15:01.000  1234  5678 I RtcClient: stats rtt=48ms loss=0.0% jitter=4ms connection quality",
            "11-23 10:15:02.000  1234  5678 D AudioRecordChatter: recording change state network audio",
        ]
        let joined = Array(sampleText.joined(separator: "\n").utf8)
        joined.withUnsafeBytes { all in
            var lines: [UnsafeRawBufferPointer] = []
            var start = 0
            for (i, b) in all.enumerated() where b == 0x0A || i == all.count - 1 {
                let end = b == 0x0A ? i : i + 1
                lines.append(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = i + 1
            }
            scanner.tune(to: lines)
        }
        let pieces = words + ["connection ", "change", "recording", "status", "stats ", "Network ", "state", "x"]
        var rng: UInt64 = 7
        func next() -> UInt64 { rng = rng &* 6_364_136_223_846_793_005 &+ 1; return rng >> 33 }
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int(next() % 10) { text += pieces[Int(next() % UInt64(pieces.count))] }
            var hits = [Bool](repeating: false, count: words.count)
            text.withUTF8 { scanner.scan(UnsafeRawBufferPointer($0), into: &hits) }
            #expect(hits == words.map { text.lowercased().contains($0.lowercased()) }, "\(text)")
        }
    }

    @Test("a line's clock stamp and ids are skipped; a code that starts a line is not")
    func stampSkip() {
        let scanner = KeywordScanner(["1053", "token expired"])
        func matches(_ line: String) -> Bool {
            var line = line
            return line.withUTF8 { scanner.lineMatchesAny(UnsafeRawBufferPointer($0)) }
        }
        #expect(matches("1053: echo howling detected"))
        #expect(!matches("11-23 10:15:01.053  1053  1053 I Chatter: fine"))  // only the stamp and the ids hold it
        #expect(matches("11-23 10:15:01.000  8123  8123 W RtcClient: warning 1053"))
        #expect(matches("2024-05-01T10:00:01.000Z ERROR [signaling] token expired"))
        // A mark found in a chunk: past the stamp or not, by where it starts.
        func past(_ line: String, _ word: String) -> [Bool] {
            var line = line
            let bytes = Array(line.utf8), w = Array(word.utf8)
            let offsets = (0...(bytes.count - w.count)).filter { Array(bytes[$0..<($0 + w.count)]) == w }
            return line.withUTF8 { l in offsets.map { KeywordScanner.markPastStamp(UnsafeRawBufferPointer(l), at: $0) } }
        }
        #expect(past("11-23 10:15:01.053  1053  1053 I Chatter: fine", "1053") == [false, false])
        #expect(past("11-23 10:15:01.000  8123  8123 W RtcClient: warning 1053", "1053") == [true])
        #expect(past("11-23 10:15:01.000  1053  8123 W RtcClient: 1053", "1053") == [false, true])
        #expect(past("1053: echo howling detected", "1053") == [true])
        #expect(past("2024-05-01T10:00:01.000Z ERROR [signaling] token expired", "token expired") == [true])
        #expect(past("10:15:01.000 token expired", "token expired") == [true])
    }
}
