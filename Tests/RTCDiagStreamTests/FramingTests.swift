import Testing
@testable import RTCDiagStream

@Suite("Line framing on bytes")
struct FramingTests {
    @Test("LF, CRLF, blank lines, NUL bytes, invalid UTF-8 and a last line without newline")
    func shapes() {
        let input: [UInt8] = Array("one\r\ntwo\n\nthr".utf8) + [0x00, 0xFF, 0xFE] + Array("ee\nlast".utf8)
        let r = frame(temporaryFile(input))
        #expect(r.error == nil)
        #expect(r.lines.map(\.text) == [Array("one".utf8), Array("two".utf8), [], Array("thr".utf8) + [0, 0xFF, 0xFE] + Array("ee".utf8), Array("last".utf8)])
        #expect(r.lines.map(\.line.number) == [1, 2, 3, 4, 5])
        #expect(r.lines.map(\.line.offset) == [0, 5, 9, 10, 19])
        #expect(r.lines[0].line.flags.contains(.crlf))
        #expect(r.lines[4].line.flags.contains(.noNewline))
        #expect(r.framer.newlineCount == 4)  // what wc -l says
        #expect(r.framer.lineCount == 5)
    }

    @Test("framing equals a plain split for any buffer sizes", arguments: [(1024, 1), (1024, 5), (1500, 7), (4096, 1 << 16)])
    func bufferSizes(input: Int, output: Int) {
        let text = Array("a\nbb\r\n\nccc\n".utf8) + logcatText(lines: 200) + Array("tail".utf8)
        for (codec, bytes) in [("plain", text), ("zstd", Compress.zstd(text)), ("gzip", Compress.gzip(text))] {
            let r = frame(temporaryFile(bytes), inputBuffer: input, outputBuffer: output)
            var expected = text.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
            expected = expected.map { $0.last == 0x0D ? Array($0.dropLast()) : $0 }
            let same = r.lines.map(\.text) == expected
            let firstDiff = Array(zip(r.lines.map(\.text), expected)).firstIndex { $0.0 != $0.1 } ?? -1
            #expect(same, "\(codec): framed \(r.lines.count) lines, expected \(expected.count), first difference at \(firstDiff), error \(String(describing: r.error))")
        }
    }

    @Test("a 50 MiB line comes out in capped pieces, with the lines around it intact")
    func giantLine() {
        var input = Array("before\n".utf8)
        input += [UInt8](repeating: UInt8(ascii: "x"), count: 50 << 20)
        input += Array("\nafter\n".utf8)
        let r = frame(temporaryFile(input), maxLineBytes: 1 << 20)
        #expect(r.error == nil)
        #expect(r.lines.count == 52)
        #expect(String(decoding: r.lines.first?.text ?? [], as: UTF8.self) == "before")
        #expect(String(decoding: r.lines.last?.text ?? [], as: UTF8.self) == "after")
        let pieces = r.lines.dropFirst().dropLast()
        #expect(pieces.count == 50)
        #expect(pieces.allSatisfy { $0.text.count == 1 << 20 && $0.line.number == 2 })
        #expect(pieces.first!.line.flags.contains(.split) && !pieces.first!.line.flags.contains(.continued))
        #expect(pieces.dropFirst().allSatisfy { $0.line.flags.contains(.continued) })
        #expect(pieces.last!.line.offset == 7 + 49 << 20)
        #expect(r.framer.splitLineCount == 1)
        #expect(r.framer.newlineCount == 3)
        #expect(r.lines.last?.line.number == 3)
    }

    @Test("the line-feed list of a chunk is every LF, at any alignment and length, and stops at its capacity")
    func lineFeedOffsets() {
        var rng: UInt64 = 7
        for length in [0, 1, 15, 16, 17, 63, 64, 65, 200, 4099] {
            for shift in 0..<3 {
                var bytes = [UInt8](repeating: 0, count: length + shift)
                for i in bytes.indices {
                    rng = rng &* 6_364_136_223_846_793_005 &+ 1
                    bytes[i] = rng >> 60 == 0 ? 0x0A : UInt8(truncatingIfNeeded: rng >> 40) | 0x80  // also bytes ≥ 0x80
                }
                bytes.withUnsafeBytes { raw in
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[shift...])
                    let expected = chunk.indices.filter { chunk[$0] == 0x0A }.map(Int32.init)
                    let out = UnsafeMutablePointer<Int32>.allocate(capacity: max(expected.count, 1))
                    defer { out.deallocate() }
                    let n = LineFeeds.offsets(in: chunk, into: out, capacity: max(expected.count, 1))
                    #expect(Array(UnsafeBufferPointer(start: out, count: n)) == expected, "length \(length) shift \(shift)")
                    if expected.count > 2 {
                        #expect(LineFeeds.offsets(in: chunk, into: out, capacity: 2) == 2)
                        #expect(Array(UnsafeBufferPointer(start: out, count: 2)) == Array(expected.prefix(2)))
                    }
                }
            }
        }
    }

    @Test("a chunk with more lines than its line-feed list holds frames the same (the rest is searched)")
    func moreLinesThanListed() {
        // 300,000 lines in one 1 MiB chunk: the list holds the first 65,536 LFs.
        var text: [UInt8] = []
        for i in 0..<300_000 { text += i % 3 == 0 ? [0x0A] : i % 3 == 1 ? [0x61, 0x0D, 0x0A] : [0x62, 0x62, 0x0A] }
        text += Array("end".utf8)
        let r = frame(temporaryFile(text), outputBuffer: 1 << 20)
        #expect(r.error == nil)
        #expect(r.framer.lineCount == 300_001)
        #expect(r.framer.newlineCount == 300_000)
        let expected = text.split(separator: 0x0A, omittingEmptySubsequences: false).map { $0.last == 0x0D ? Array($0.dropLast()) : Array($0) }
        let same = r.lines.map(\.text) == expected  // (a Bool: the arrays are too long to print)
        #expect(same, "first difference at line \(zip(r.lines.map(\.text), expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1)")
        #expect(r.lines[1].line.flags.contains(.crlf))
        #expect(r.lines.last?.line.offset == Int64(text.count - 3))
    }

    @Test("a line exactly at the cap is whole, one byte more is split")
    func capEdge() {
        let exact = [UInt8](repeating: 0x61, count: 64) + [0x0A] + [UInt8](repeating: 0x62, count: 65) + [0x0A]
        let r = frame(temporaryFile(exact), maxLineBytes: 64)
        #expect(r.lines.map(\.text.count) == [64, 64, 1])
        #expect(r.lines[0].line.flags.isEmpty)
        #expect(r.lines[1].line.flags.contains(.split))
        #expect(r.lines[2].line.flags.contains(.continued))
    }
}
