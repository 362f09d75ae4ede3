import Testing
@testable import RTCDiagAnalyzers

/// The byte helpers every analyzer reads numbers and phrases with.
@Suite struct ByteMatchTests {
    private func withBytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        Array(text.utf8).withUnsafeBytes(body)
    }

    @Test func numbersReadAsTheNearestDouble() {
        // Up to 15 digits: exactly the double Swift's own parser gives (one rounding).
        let exact: [(String, Double?)] = [
            ("0.3", 0.3), ("12.5%", 12.5), ("  47ms", 47), ("0.05", 0.05), ("0.12", 0.12), ("100", 100),
            ("1.2.3", 1.2), ("007", 7), (".5", 0.5), ("3.", 3), ("0", 0), ("0.000", 0), ("0.7", 0.7), ("2.675", 2.675),
            ("ms", nil), ("", nil), (".", nil), ("-1", nil),
        ]
        for (text, expected) in exact {
            #expect(withBytes(text) { ByteMatch.number($0, at: 0) } == expected, "\(text)")
        }
        // Longer: the magnitude within a few roundings.
        let long: [(String, Double)] = [
            ("9007199254740993", 9.007_199_254_740_992e15), ("0.1234567890123456789", 0.1234567890123456789),
            ("1234567890123456789012345", 1.234567890123456789012345e24), ("12345678901234567890.5", 1.234_567_890_123_456_789e19),
        ]
        for (text, expected) in long {
            let got = withBytes(text) { ByteMatch.number($0, at: 0) }
            #expect(got.map { abs($0 - expected) <= expected.ulp * 4 } == true, "\(text): \(String(describing: got))")
        }
        #expect(withBytes("rtt=650 loss=0.3%") { ByteMatch.number(after: "loss=", in: $0) } == 0.3)
    }

    @Test func findsEveryPlaceAndNeedleLength() {
        let hay = "xrtt rt=1 rtt= rtt=5"
        for (needle, expected) in [("rtt=", 10), ("r", 1), ("rt=", 5), ("rtt=5", 15), ("rtt=50", nil), ("x", 0), ("q", nil)] {
            let got = withBytes(hay) { h in Array(needle.utf8).withUnsafeBytes { ByteMatch.find(h, $0.baseAddress!, $0.count) } }
            #expect(got == expected, "\(needle)")
        }
        // A first byte that matches often, the rest only at the end.
        let long = String(repeating: "ro", count: 40) + "route changed"
        #expect(withBytes(long) { ByteMatch.contains($0, "route changed") })
        #expect(!withBytes(long) { ByteMatch.contains($0, "route changes") })
    }
}
