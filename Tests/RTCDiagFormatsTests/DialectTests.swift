import Testing
@testable import RTCDiagFormats

/// Runs every dialect's own samples: adding a dialect adds its tests.
@Suite("Dialect samples")
struct DialectSampleTests {
    static let cases: [(String, Int)] = Dialects.all.flatMap { d in d.samples.indices.map { (d.name, $0) } }

    @Test("every sample parses to the fields it declares", arguments: cases)
    func sample(dialect: String, index: Int) throws {
        let d = try #require(Dialects.named(dialect))
        let s = d.samples[index]
        let r = parseSample(d, s.line)
        #expect(r.ok, "\(dialect) did not parse its sample: \(s.line)")
        #expect(r.tag == s.tag)
        #expect(r.message == s.message)
        #expect(r.fields.level == s.level)
        if let pid = s.pid { #expect(r.fields.pid == pid) }
        if let tid = s.tid { #expect(r.fields.tid == tid) }
        switch r.fields.timeKind {
        case .clock where !r.fields.clock.hasDate:
            // A time of day alone: the reader dates it; here only the clock is compared.
            var dated = r.fields.clock
            dated.month = 1
            dated.day = 1
            let text = formatLogTime(logClockMicros(dated, year: DialectSample.sampleYear))
            #expect("time of day " + text.split(separator: " ")[1] == s.time)
        case .clock:
            let year = r.fields.clock.year != 0 ? r.fields.clock.year : DialectSample.sampleYear
            #expect(formatLogTime(logClockMicros(r.fields.clock, year: year)) == s.time)
        case .elapsed:
            #expect("elapsed " + formatElapsed(r.fields.instant) == s.time)
        case .epoch:
            #expect(formatLogTime(r.fields.instant) == s.time)
        case .none:
            #expect(s.time == nil)
        }
    }

    @Test("each dialect's samples are detected as that dialect", arguments: Dialects.names)
    func detection(dialect: String) throws {
        let d = try #require(Dialects.named(dialect))
        let text = d.samples.map(\.line).joined(separator: "\n") + "\n"
        let (events, reader) = try readEvents(text)
        #expect(reader.detection.chosen == dialect)
        #expect(events.count == d.samples.count)
        #expect(events.allSatisfy { $0.dialect == dialect && !$0.flags.contains(.unparsed) })
    }

    @Test("no dialect claims another dialect's samples with the same fields")
    func noCrossTalk() {
        for d in Dialects.all {
            for s in d.samples {
                for other in Dialects.all where other.name != d.name {
                    let r = parseSample(other, s.line)
                    if r.ok {
                        // Tolerated only when the other reading is equally right (e.g. logcat with year
                        // versus generic ISO): same tag and message.
                        #expect(r.tag == s.tag && r.message == s.message,
                                "\(other.name) misreads a \(d.name) sample: \(s.line)")
                    }
                }
            }
        }
    }
}

/// The parsers' eight-bytes-per-step searches against a plain byte loop, at every length up to
/// past two words and every position of the target, with look-alike bytes around it.
@Suite("Byte searches")
struct ByteSearchTests {
    @Test("nextByte, nextSpace and nextNonSpace find what a byte loop finds")
    func agreeWithLoop() {
        var checked = 0
        for length in 0...20 {
            for at in -1..<length {
                // Bytes one bit away from ':' and ' ' must not match.
                var bytes = (0..<length).map { i in UInt8(i % 2 == 0 ? 0x3B : 0x21) }
                if at >= 0 { bytes[at] = 0x3A }
                var spaces = [UInt8](repeating: 0x20, count: length)
                if at >= 0 { spaces[at] = 0x41 }
                bytes.withUnsafeBytes { b in
                    spaces.withUnsafeBytes { s in
                        for from in 0...length {
                            let loop = (from..<length).first { b[$0] == 0x3A } ?? length
                            #expect(b.nextByte(0x3A, from: from, to: length) == loop)
                            let loopSpace = (from..<length).first { b[$0] == 0x20 } ?? length
                            #expect(b.nextSpace(from: from) == loopSpace)
                            let loopNon = (from..<length).first { s[$0] != 0x20 } ?? length
                            #expect(s.nextNonSpace(from: from) == loopNon)
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked > 2000)
    }

    @Test("a search stops at its end bound even when the byte follows it")
    func honoursEnd() {
        let bytes: [UInt8] = Array("abcdefghij:klmnop".utf8)
        bytes.withUnsafeBytes { b in
            #expect(b.nextByte(UInt8(ascii: ":"), from: 0, to: 10) == 10)
            #expect(b.nextByte(UInt8(ascii: ":"), from: 0, to: 11) == 10)
            #expect(b.nextByte(UInt8(ascii: ":"), from: 11, to: b.count) == b.count)
        }
    }
}

@Suite("Level words")
struct LevelWordTests {
    @Test("every level word in any case, the vlog levels, and what is not a level")
    func words() {
        let cases: [(String, Level?)] = [
            ("e", .error), ("E", .error), ("err", .error), ("ERROR", .error), ("Error", .error), ("severe", .error),
            ("W", .warning), ("Warn", .warning), ("WARNING", .warning), ("wrn", .warning),
            ("i", .info), ("INF", .info), ("Info", .info), ("notice", .info), ("Default", .info), ("log", .info),
            ("D", .debug), ("dbg", .debug), ("DEBUG", .debug), ("fine", .debug),
            ("v", .verbose), ("verb", .verbose), ("TRACE", .verbose), ("Verbose", .verbose), ("VERBOSE1", .verbose), ("verbose9", .verbose),
            ("finest", .verbose), ("FATAL", .fatal), ("Critical", .fatal), ("fault", .fatal), ("emerg", .fatal), ("assert", .fatal),
            ("", nil), ("x", nil), ("er", nil), ("errors", nil), ("warnings", nil), ("VERBOSEX", nil), ("information", nil),
            ("inf0", nil), ("ERR[", nil), ("Érror", nil), ("\u{0}info", nil), ("{nfo", nil), ("@rror", nil),
        ]
        for (word, level) in cases {
            #expect(Level.fromWord(word) == level, "\(word.debugDescription)")
        }
        // The lowercasing at the edges of A–Z, and above 0x80.
        func pack(_ bytes: [UInt8]) -> UInt64 { bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
        #expect(asciiLowercased(pack(Array("@AZ[`az{".utf8))) == pack(Array("@az[`az{".utf8)))
        #expect(asciiLowercased(pack([0xC1, 0xDA, 0x80, 0xFF, 0x41, 0x5A, 0x00, 0x7F])) == pack([0xC1, 0xDA, 0x80, 0xFF, 0x61, 0x7A, 0x00, 0x7F]))
        // Inside a longer buffer: only the given bytes count.
        let line = Array("[ERROR] x".utf8)
        line.withUnsafeBytes { b in
            #expect(Level.fromWord(UnsafeRawBufferPointer(rebasing: b[1..<6])) == .error)
            #expect(Level.fromWord(UnsafeRawBufferPointer(rebasing: b[1..<4])) == .error)
            #expect(Level.fromWord(UnsafeRawBufferPointer(rebasing: b[1..<7])) == nil)
        }
    }
}
