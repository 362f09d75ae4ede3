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
