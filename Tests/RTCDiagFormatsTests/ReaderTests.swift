import Foundation
import Testing
import RTCDiagStream
@testable import RTCDiagFormats

@Suite("Event reader")
struct ReaderTests {
    @Test("stack traces and wrapped lines belong to the event above; nothing is dropped")
    func continuation() throws {
        let text = """
            11-23 10:15:02.123  1234  5678 E AndroidRuntime: FATAL EXCEPTION: WebRtcAudioRecordThread
            java.lang.IllegalStateException: startRecording() called on an uninitialized AudioRecord.
            \tat android.media.AudioRecord.startRecording(AudioRecord.java:1075)
            \tat org.webrtc.audio.WebRtcAudioRecord.startRecording(WebRtcAudioRecord.java:351)
            11-23 10:15:02.200  1234  5678 I WebRtcAudioRecord: stopRecording
            """
        let (events, reader) = try readEvents(text)
        #expect(events.count == 2)
        #expect(events[0].lineCount == 4)
        #expect(events[0].message.hasPrefix("FATAL EXCEPTION: WebRtcAudioRecordThread\njava.lang.IllegalStateException"))
        #expect(events[0].message.hasSuffix("(WebRtcAudioRecord.java:351)"))
        #expect(events[1].lineNumber == 5)
        #expect(reader.counts.continuationLines == 3)
    }

    @Test("a ticket paste: line numbers, quote markers, blank lines, typographic quotes")
    func pastedTicket() throws {
        let text = """
            > 11-23 10:15:02.123  1234  5678 W WebRtcAudioEffects: “AEC” not available

            12 11-23 10:15:02.150  1234  5678 E AudioRecord: start() status -38
            13: 11-23 10:15:02.160  1234  5678 E AudioRecord: start() status -38
            1411-23 10:15:02.170  1234  5678 I WebRtcAudioRecord: glued line number
               11-23 10:15:02.180  1234  5678 I WebRtcAudioRecord: indented
            """
        let (events, reader) = try readEvents(text)
        #expect(reader.detection.chosen == "logcat-threadtime")
        #expect(events.count == 5)
        #expect(events.allSatisfy { $0.dialect == "logcat-threadtime" && $0.pid == 1234 })
        #expect(events[0].message == "“AEC” not available")
        #expect(events.map(\.lineNumber) == [1, 3, 4, 5, 6])
        #expect(events.map { $0.timeText! } == ["2024-11-23 10:15:02.123", "2024-11-23 10:15:02.150",
                                                "2024-11-23 10:15:02.160", "2024-11-23 10:15:02.170",
                                                "2024-11-23 10:15:02.180"])
        #expect(events.filter { $0.flags.contains(.pasteCleaned) }.count == 5)
        #expect(reader.counts.blankLines == 1)
    }

    @Test("lines of no dialect are kept as unparsed events with their raw text")
    func unparsed() throws {
        let text = "hello world\n\u{01}\u{02}binary-ish \u{FFFD} junk\nplain text again\n"
        let (events, reader) = try readEvents(text)
        #expect(reader.detection.chosen == nil)
        #expect(events.count == 3)
        #expect(events.allSatisfy { $0.flags.contains(.unparsed) && $0.dialect == nil })
        #expect(events[2].message == "plain text again")
    }

    @Test("a line of another dialect inside a log is parsed by that dialect")
    func mixedDialects() throws {
        let text = """
            11-23 10:15:02.123  1234  5678 I WebRtcAudioRecord: a
            11-23 10:15:02.124  1234  5678 I WebRtcAudioRecord: b
            [12345:67890:1123/101502.123456:ERROR:webrtc_video_engine.cc(1810)] Failed to set remote video description
            """
        let (events, _) = try readEvents(text)
        #expect(events.count == 3)
        #expect(events[2].dialect == "chromium")
        #expect(events[2].level == .error)
        #expect(events[2].flags.contains(.otherDialect))
    }

    @Test("yearless logs across New Year step into the next year")
    func newYear() throws {
        let text = """
            12-31 23:59:59.900  1  2 I Tag: before midnight
            01-01 00:00:00.100  1  2 I Tag: after midnight
            12-31 23:59:59.950  1  2 I Tag: a late line from the old year
            """
        let (events, _) = try readEvents(text, year: 2023)
        #expect(events.map { $0.timeText! } == ["2023-12-31 23:59:59.900", "2024-01-01 00:00:00.100",
                                                "2023-12-31 23:59:59.950"])
    }

    @Test("the year comes from the file's mtime when not given, a year back if the log starts later in the year")
    func yearFromModificationTime() {
        // mtime 2025-02-10: a log starting in December began in 2024.
        let feb2025: Int64 = daysFromCivil(2025, 2, 10) * 86_400
        var r = YearResolver(explicitYear: nil, modificationTime: feb2025, now: 0)
        #expect(r.year(forMonth: 12) == 2024)
        #expect(r.year(forMonth: 1) == 2025)
        var same = YearResolver(explicitYear: nil, modificationTime: feb2025, now: 0)
        #expect(same.year(forMonth: 2) == 2025)
    }

    @Test("a browser console's source link before each line is stripped like a paste's line number")
    func consoleLinks() throws {
        let text = """
            Logger.js:155 2025-04-16T14:25:20.100Z [modules/xmpp/JingleSessionPC] <fn>:  (TIME) ICE connected JVB:
            app.bundle.min.js:138:1174172 2025-04-16T14:25:21.000Z [features/base/media] <fn>:  Start muted: false
            r @ Logger.js:155
            main.ts:9 not a log line
            """
        let (events, reader) = try readEvents(text)
        #expect(reader.detection.chosen == "iso8601")
        #expect(events.count == 2)    // the last two lines continue the event above
        #expect(events.map(\.tag) == ["modules/xmpp/JingleSessionPC", "features/base/media"])
        #expect(events.allSatisfy { $0.flags.contains(.pasteCleaned) && $0.time != nil })
        #expect(events[1].lineCount == 3)
    }

    @Test("a log of times of day alone takes the file's date and steps a day at midnight")
    func timeOfDayOnly() {
        let mtime: Int64 = daysFromCivil(2021, 3, 16) * 86_400 + 9 * 3600
        var r = YearResolver(explicitYear: nil, modificationTime: mtime, now: 0)
        let start = daysFromCivil(2021, 3, 16)
        #expect(r.day(forTimeOfDay: 23 * 3600 + 59 * 60) == start)
        #expect(r.day(forTimeOfDay: 23 * 3600 + 58 * 60) == start)     // a line out of order: same day
        #expect(r.day(forTimeOfDay: 5) == start + 1)                   // past midnight
        #expect(r.day(forTimeOfDay: 3600) == start + 1)
    }

    @Test("Agora SDK lines are read with their time of day, level, thread and module")
    func agoraLines() throws {
        let text = """
            INFO    (23:59:59:900 |    0)   3494; [cm] connection state changed from 1 to 2
            WARN    ( 0: 0: 0:100 |  200)   3494; [adm][w] ActivateAudioSession: Failed to activate the audio session for the 1 time
            """
        let (events, reader) = try readEvents(text)
        #expect(reader.detection.chosen == "agora-sdk")
        let times = events.compactMap(\.time)
        #expect(times.count == 2)
        #expect(times[1] - times[0] == 200_000)    // across midnight, 0.2 s later, not a day back
        #expect(events.map(\.tag) == ["cm", "adm"])
        #expect(events[1].level == .warning && events[1].tid == 3494)
    }

    @Test("--since/--until keep events in the window, with their untimed neighbours")
    func window() throws {
        let text = """
            2024-05-01 10:00:00.000 INFO a
            2024-05-01 10:00:05.000 INFO b
            2024-05-01 10:00:10.000 INFO c
            2024-05-01 10:00:15.000 INFO d
            """
        let since = parseTimeBound("2024-05-01 10:00:05", defaultYear: 2024)
        let until = parseTimeBound("05-01 10:00:10", defaultYear: 2024)
        let (events, reader) = try readEvents(text, since: since, until: until)
        #expect(events.map(\.message) == ["b", "c"])
        #expect(reader.counts.skippedByWindow == 2)
    }

    @Test("a forced dialect wins over detection; an unknown name is refused")
    func forced() throws {
        let text = "2024-05-01 10:00:00.000 INFO a\n"
        let (events, reader) = try readEvents(text, dialect: "iso8601")
        #expect(reader.detection.forced)
        #expect(events.first?.dialect == "iso8601")
        #expect(throws: EventReader.ReaderError.self) { try readEvents(text, dialect: "no-such-format") }
    }

    @Test("JSON messages are unescaped; invalid UTF-8 is replaced only when shown")
    func jsonAndEncoding() throws {
        let text = #"{"ts":"2024-05-01T10:00:00Z","level":"error","msg":"tab\there \"q\" \u00e9 \ud83d\ude00"}"# + "\n"
        let (events, _) = try readEvents(text)
        #expect(events.first?.message == "tab\there \"q\" é 😀")
        #expect(events.first?.level == .error)
    }

    @Test("key-value fields are pulled from messages")
    func fields() {
        let f = FieldExtractor.fields(in: #"stats rtt=120 loss: 2.5% codec="opus/48000" {"jitter":30,"x":"y"}"#)
        let dict = Dictionary(f.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(dict["rtt"] == "120")
        #expect(dict["loss"] == "2.5%")
        #expect(dict["codec"] == "opus/48000")
        #expect(dict["jitter"] == "30")
        #expect(dict["x"] == "y")
    }

    @Test("over-long lines are flagged truncated and the text is capped, not lost")
    func longLine() throws {
        let long = String(repeating: "z", count: 3000)
        let text = "2024-05-01 10:00:00.000 INFO start \(long)\n2024-05-01 10:00:01.000 INFO next\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rtcdiag-long-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("l.log")
        try Data(text.utf8).write(to: url)
        let reader = try LogInput.open(url.path, maxLineBytes: 1024)
        var events: [Event] = []
        while let e = try reader.next() { events.append(e.materialize(source: "l")) }
        #expect(events.count == 2)
        #expect(events[0].flags.contains(.truncated))
        #expect(events[0].message.count == 3006)
        #expect(events[1].message == "next")
    }
}


@Suite("Sparse reading")
struct SparseReadingTests {
    static let log = """
        11-23 10:15:00.000  1234  5678 I Chatter: one
        11-23 10:15:01.000  1234  5678 E AndroidRuntime: FATAL EXCEPTION: main
        java.lang.IllegalStateException: boom
        \tat org.webrtc.audio.WebRtcAudioRecord.startRecording(WebRtcAudioRecord.java:351)
        11-23 10:15:02.000  1234  5678 I Chatter: two
        11-23 10:15:03.000  1234  5678 I RtcClient: stats rtt=48ms loss=0.0%
          wrapped tail of the stats line
        11-23 10:15:04.000  1234  5678 I Chatter: three
        11-23 10:15:09.000  1234  5678 I Chatter: last
        """

    func read(_ text: String, keywords: [String]) throws -> (events: [Event], reader: EventReader) {
        try readEvents(text, keywords: keywords)
    }

    @Test("only keyword events come out, whole, with their line numbers")
    func keywordEventsOnly() throws {
        let (events, reader) = try read(Self.log, keywords: ["WebRtcAudioRecord.startRecording", "loss="])
        try #require(events.count == 2)
        // The keyword sits in a stack-trace line: its header, two lines up and skipped, comes back.
        #expect(events[0].lineNumber == 2 && events[0].lineCount == 3)
        #expect(events[0].tag == "AndroidRuntime" && events[0].message.hasSuffix("(WebRtcAudioRecord.java:351)"))
        #expect(events[1].lineNumber == 6 && events[1].lineCount == 2)
        #expect(events[1].message.hasSuffix("wrapped tail of the stats line"))
        #expect(reader.counts.skippedLines == 4)
        #expect(reader.counts.unparsedEvents == 0)
        // The time span still covers the first and the last line, though neither was handed out.
        #expect(reader.firstTime.map { formatLogTime($0) } == "2024-11-23 10:15:00.000")
        #expect(reader.lastTime.map { formatLogTime($0) } == "2024-11-23 10:15:09.000")
    }

    @Test("sparse and full reading hand out the same keyword events")
    func sameAsFull() throws {
        let keywords = ["Chatter: t", "FATAL", "loss="]
        let sparse = try read(Self.log, keywords: keywords).events
        let scanner = KeywordScanner(keywords)
        let full = try readEvents(Self.log).events.filter { e in
            var hits = [Bool](repeating: false, count: keywords.count)
            var raw = e.raw + "\n" + e.message
            raw.withUTF8 { scanner.scan(UnsafeRawBufferPointer($0), into: &hits) }
            return hits.contains(true)
        }
        #expect(sparse == full)
    }

    /// Sparse reading takes a line when its last mark lies past the clock stamp; a code keyword
    /// (`1053`) is measured against the stamp, which may hold the same digits as an id.
    @Test("a code keyword counts past the clock stamp only, also when the pid holds the same digits")
    func codeKeywordPastStamp() throws {
        var lines: [String] = []
        for i in 0..<6000 {
            let stamp = "11-23 10:\(10 + i / 1000):00.\(100 + i % 900)  1053  5678"
            switch i % 5 {
            case 0: lines.append("\(stamp) W RtcClient: onWarning warn=1053")  // the code past the stamp too
            case 1: lines.append("\(stamp) W RtcClient: warn 1051 then 1053")  // two codes: the last one decides
            case 2: lines.append("\(stamp) I Chatter: line \(i)")  // "1053" only in the pid
            default: lines.append("\(stamp) D Filler: nothing to see")
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let (sparse, _) = try read(text, keywords: ["1053", "1051"])
        let (all, _) = try readEvents(text)
        let expected = all.filter { $0.message.contains("1053") || $0.message.contains("1051") }
        #expect(expected.count == 2400)
        #expect(sparse == expected)
    }

    /// Past the detection sample, lines without a keyword are skipped in runs
    /// (`LineFramer.skipUnmarked`), not one by one; what comes out must not change.
    @Test("a long CRLF log: runs of skipped lines give the same events, line numbers, counts and time span as reading every line")
    func skippedRuns() throws {
        var lines: [String] = []
        for i in 0..<9000 {
            let s = 10 + i / 1000, ms = i % 1000
            let stamp = "11-23 10:\(s):00.\(String(repeating: "0", count: ms < 10 ? 2 : ms < 100 ? 1 : 0))\(ms)  1234  5678"
            if i % 97 == 0 {
                lines.append("\(stamp) I RtcClient: stats rtt=48ms loss=\(i % 5).0%")
                if i % 679 == 0 {
                    // A crash whose keyword is in its 41st frame: the header is 41 lines back among the skipped ones.
                    lines.append("\(stamp) E AndroidRuntime: FATAL EXCEPTION: main")
                    for f in 0..<40 { lines.append("\tat org.example.Frame\(f).run(Frame.java:\(f))") }
                    lines.append("\tat org.webrtc.audio.WebRtcAudioRecord.startRecording(WebRtcAudioRecord.java:351)")
                }
            } else {
                lines.append("\(stamp) I Chatter: line \(i) of filler text")
            }
        }
        let text = lines.joined(separator: "\r\n") + "\r\n"
        let keywords = ["WebRtcAudioRecord.startRecording", "loss="]
        let (sparse, reader) = try read(text, keywords: keywords)
        let (all, full) = try readEvents(text)
        let scanner = KeywordScanner(keywords)
        let expected = all.filter { e in
            var hits = [Bool](repeating: false, count: keywords.count)
            var raw = e.raw + "\n" + e.message
            raw.withUTF8 { scanner.scan(UnsafeRawBufferPointer($0), into: &hits) }
            return hits.contains(true)
        }
        #expect(sparse.count == expected.count && sparse.count > 100)
        #expect(sparse == expected)
        let crash = try #require(sparse.first { $0.tag == "AndroidRuntime" })
        #expect(crash.lineCount == 42 && crash.message.hasSuffix("(WebRtcAudioRecord.java:351)"))
        #expect(reader.framer.lineCount == full.framer.lineCount && reader.framer.newlineCount == full.framer.newlineCount)
        #expect(reader.counts.skippedLines > 8000)
        #expect(reader.firstTime == full.firstTime && reader.lastTime == full.lastTime)
        #expect(reader.firstTime.map { formatLogTime($0) } == "2024-11-23 10:10:00.000")
    }

    /// Sparse reading hands out each event's keywords as found in the chunk's marks
    /// (`eventKeywords`); they must be exactly those a scan of the tag, the message and the
    /// continuation lines finds — not a keyword in the clock stamp or across the tag's end.
    /// With 65,535 keywords in front, the real ones number past what a mark's tag holds: their
    /// marks come untagged and are looked up by text.
    @Test("an event's keywords from the chunk's marks equal a scan of its tag, message and continuation lines",
          arguments: [0, 65_535])
    func keywordsFromMarks(padding: Int) throws {
        var lines: [String] = []
        for i in 0..<6000 {
            let stamp = "11-23 10:\(10 + i / 1000):00.\(100 + i % 900)  1053  5678"
            switch i % 7 {
            case 0: lines.append("\(stamp) I RtcClient: stats rtt=48ms loss=\(i % 5).0%")
            case 1: lines.append("\(stamp) W AudioRecordThread: restarting")  // keyword in the tag only
            case 2: lines.append("\(stamp) I Chatter: line \(i)")  // "1053" only in the pid
            case 3:
                lines.append("\(stamp) E AndroidRuntime: FATAL EXCEPTION: main")
                lines.append("\tat org.webrtc.audio.WebRtcAudioRecord.startRecording(WebRtcAudioRecord.java:351)")
                lines.append("\tat org.example.Loss.run(Loss.java:12) loss=in a frame")
            case 4: lines.append("\(stamp) I Chatter: talk: loss=1% and RTT= 3")
            case 5: lines.append("\(stamp) I AudioRecord: start requested")  // "AudioRecord: start" only across the tag's end
            default: lines.append("\(stamp) D Filler: nothing to see \(i)")
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let keywords = (0..<padding).map { "qzx\($0)qzx" } + ["loss=", "AudioRecordThread", "1053",
                        "WebRtcAudioRecord.startRecording", "rtt=", "AudioRecord: start", "FATAL"]
        let scanner = KeywordScanner(keywords)
        let (events, fromMarks, mismatches) = try keywordsAgainstScan(text, scanner)
        #expect(events > 3000 && fromMarks > events * 9 / 10)
        #expect(mismatches.count == 0, "events at lines \(mismatches.prefix(5))")
        // The marks carry their keyword ("1053" in the pid, "rtt=", "loss="), or past 65,534 the untagged sign.
        var marks: [UInt64] = []
        var sample = lines[0] + "\n"
        sample.withUTF8 { scanner.marks(UnsafeRawBufferPointer($0), into: &marks) }
        #expect(marks.map(ChunkSpan.tag) == (padding == 0 ? [2, 4, 0] : Array(repeating: KeywordScanner.untagged, count: 3)))
    }

    /// JSON lines put the message before the tag or after it: the keywords of both, and none
    /// from the keys, the time or the text between them.
    @Test("an event's keywords from the marks equal a scan also when the message comes before the tag")
    func keywordsFromMarksJSON() throws {
        var lines: [String] = []
        for i in 0..<6000 {
            let ts = "\"ts\":\"2024-05-01T10:\(10 + i / 1000):\(10 + i % 50).000Z\""
            switch i % 4 {
            case 0: lines.append("{\(ts),\"level\":\"info\",\"tag\":\"stats\",\"msg\":\"rtt=650 loss=0\"}")
            case 1: lines.append("{\(ts),\"msg\":\"restarting now\",\"level\":\"warn\",\"tag\":\"AudioRecordThread\"}")
            case 2: lines.append("{\(ts),\"msg\":\"rtt=700 seen\",\"tag\":\"msg rtt=\",\"level\":\"info\"}")
            default: lines.append("{\(ts),\"level\":\"debug\",\"tag\":\"filler\",\"msg\":\"nothing \(i)\"}")
            }
        }
        let scanner = KeywordScanner(["loss=", "AudioRecordThread", "rtt=", "level", "msg"])
        let (events, fromMarks, mismatches) = try keywordsAgainstScan(lines.joined(separator: "\n") + "\n", scanner)
        #expect(events > 4000 && fromMarks > events * 9 / 10)
        #expect(mismatches.count == 0, "events at lines \(mismatches.prefix(5))")
    }

    /// Reads `text` sparsely with `scanner`: the events, those whose keywords came from the
    /// marks, and the lines of those whose keywords differ from a scan of tag, message and
    /// continuation lines.
    private func keywordsAgainstScan(_ text: String, _ scanner: KeywordScanner) throws -> (Int, Int, [Int]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rtcdiag-kw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("log.txt")
        try Data(text.utf8).write(to: url)
        var options = ReaderOptions()
        options.year = 2024
        let reader = try LogInput.open(url.path, options: options)
        reader.keywordFilter = scanner
        var fromMarks = 0, events = 0, mismatches: [Int] = []
        let scanned = UnsafeMutablePointer<UInt64>.allocate(capacity: scanner.bitWords)
        defer { scanned.deallocate() }
        while let e = try reader.next() {
            events += 1
            guard let known = reader.eventKeywords else { continue }
            fromMarks += 1
            scanned.update(repeating: 0, count: scanner.bitWords)
            scanner.scan(e.tag, into: scanned)
            scanner.scan(e.message, into: scanned)
            scanner.scan(e.continuation, into: scanned)
            if (0..<scanner.bitWords).contains(where: { known[$0] != scanned[$0] }) { mismatches.append(e.lineNumber) }
        }
        return (events, fromMarks, mismatches)
    }
}

/// With decode-ahead, the decode thread parses header lines of the chunks it is ahead on;
/// the reader must hand out exactly what it hands out when it parses every line itself.
@Suite("Parsing ahead on the decode thread")
struct PreparsedReadingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every plain sample and corpus log (all dialects, pastes, stack traces, garbage) one
    /// after another, repeated to 12 MiB: dialects change every few hundred lines.
    static func mixedInput() throws -> URL {
        var text = Data()
        let logs = ["Samples/logs", "Samples/corpus"].flatMap { dir -> [String] in
            let path = root.appendingPathComponent(dir).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { $0.hasSuffix(".log") || $0.hasSuffix(".txt") }.sorted().map { "\(path)/\($0)" }
        }
        guard logs.count > 30 else { throw CocoaError(.fileNoSuchFile) }
        while text.count < 12 << 20 {
            for path in logs { text += try Data(contentsOf: URL(fileURLWithPath: path)); text += Data("\n".utf8) }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rtcdiag-prepared-\(UUID().uuidString).log")
        try text.write(to: file)
        return file
    }

    @Test("parsing ahead stops where asked, with the lines before that done and the line-feed list whole")
    func preparedPrefix() {
        var text = Array("half a line from the chunk before\n".utf8)
        for i in 0..<200 { text += Array("11-23 10:15:02.\(100 + i)  1234  5678 I WebRtcAudioRecord: line \(i)\n".utf8) }
        text.withUnsafeBytes { chunk in
            let parser = HeaderParser(activeIndex: Dialects.all.firstIndex { $0.name == "logcat-threadtime" }!)
            let whole = PreparsedChunk()
            whole.prepare(chunk, parser: parser, maxLineBytes: 1 << 20)
            #expect(whole.count == 200)
            #expect(whole.lineEnds?.count == 201)
            let stop = StopRequest()
            stop.request()
            let part = PreparsedChunk()
            part.prepare(chunk, parser: parser, maxLineBytes: 1 << 20, stop: stop)
            // Checked every 64 list entries: the lines before the first check are there, as parsed whole.
            #expect(part.count == 63)
            #expect(part.lineEnds?.count == 201)
            for i in 0..<part.count {
                #expect(part.entries[i].start == whole.entries[i].start && part.entries[i].dialect == whole.entries[i].dialect)
            }
        }
    }

    /// Sparse reading (`diagnose`): only the lines the reader will parse — those with a keyword
    /// mark past the clock stamp, and after each the lines up to the next header without one.
    @Test("parsing ahead around keyword marks takes the marked lines and the lines that end their events")
    func preparedAroundMarks() {
        let lines = [
            "11-23 10:15:02.100  1234  5678 I Tag: nothing here",                  // 0
            "11-23 10:15:02.101  1234  5678 E WebRtcAudioRecord: startRecording failed",  // 1 marked
            "\tat org.webrtc.WebRtcAudioRecord.start(WebRtcAudioRecord.java:120)",   // 2 continues it
            "",                                                                    // 3 blank: read on
            "11-23 10:15:02.102  1234  5678 I Tag: next header, no mark",          // 4 ends the event
            "11-23 10:15:02.103  1234  5678 I Tag: skipped",                       // 5
            "11-23 10:15:02.104  1234  5678 W Tag: startRecording again",          // 6 marked
            "11-23 10:15:02.105  1234  5678 W Tag: startRecording once more",      // 7 marked: read on
            "11-23 10:15:02.106  1234  5678 I Tag: ends it",                       // 8
            "11-23 10:15:02.107  1234  5678 I Tag: skipped",                       // 9
            "11-23 10:15:02.108  1234  5678 I Tag: skipped",                       // 10 (mark in the stamp below)
            "11-23 10:15:02.109  1234  5678 I Tag: skipped too",                   // 11
        ]
        var text = Array("half a line from the chunk before\n".utf8)
        var starts: [Int] = []
        for l in lines { starts.append(text.count); text += Array((l + "\n").utf8) }
        func mark(_ line: Int, _ word: String) -> UInt64 {
            let l = Array(lines[line].utf8), w = Array(word.utf8)
            let i = (0...(l.count - w.count)).first { Array(l[$0..<($0 + w.count)]) == w }!
            return ChunkSpan.make(start: starts[line] + i, length: w.count, tag: 0)
        }
        // Line 10: a "mark" inside the clock stamp only (`10:15`), which the reader ignores.
        let marks = [mark(1, "startRecording"), mark(6, "startRecording"), mark(7, "startRecording"),
                     ChunkSpan.make(start: starts[10] + 6, length: 5, tag: 0)].sorted()
        text.withUnsafeBytes { chunk in
            let parser = HeaderParser(activeIndex: Dialects.all.firstIndex { $0.name == "logcat-threadtime" }!)
            let prepared = PreparsedChunk()
            prepared.prepareMarked(chunk, marks: marks, parser: parser, maxLineBytes: 1 << 20)
            let got = (0..<prepared.count).map { i in starts.firstIndex(of: Int(prepared.entries[i].start)) ?? -1 }
            #expect(got == [1, 2, 4, 6, 7, 8])
            #expect((0..<prepared.count).map { prepared.entries[$0].dialect >= 0 } == [true, false, true, true, true, true])
            #expect(prepared.lineEnds == nil)  // the framer lists the line feeds itself
        }
    }

    @Test("a 12 MiB mixed input: the same events and counts with and without parsing ahead",
          arguments: [nil, "logcat-threadtime"])
    func sameEvents(dialect: String?) throws {
        let file = try Self.mixedInput()
        defer { try? FileManager.default.removeItem(at: file) }
        var options = ReaderOptions()
        options.year = 2024
        options.dialect = dialect
        let ahead = try EventReader(framer: LineFramer(stream: DecodedStream(path: file.path, decodeAhead: true)),
                                    options: options)
        let inline = try LogInput.open(file.path, options: options)
        var n = 0
        var firstDifference: String?
        while true {
            let a = try ahead.next()?.materialize(source: "x")
            let b = try inline.next()?.materialize(source: "x")
            if a != b, firstDifference == nil {
                firstDifference = "event \(n): \(a.map { "\($0.lineNumber) \($0.dialect ?? "-") \($0.raw)" } ?? "none") "
                    + "vs \(b.map { "\($0.lineNumber) \($0.dialect ?? "-") \($0.raw)" } ?? "none")"
            }
            if a == nil && b == nil { break }
            n += 1
        }
        #expect(firstDifference == nil, "\(firstDifference ?? "")")
        #expect(n > 50_000)
        // The decode thread did take part (it is far ahead of a debug-built reader).
        #expect(ahead.counts.preparedLines > 10_000)
        var counts = ahead.counts
        counts.preparedLines = 0
        #expect("\(counts)" == "\(inline.counts)")
        #expect(ahead.detection.chosen == inline.detection.chosen)
    }
}
