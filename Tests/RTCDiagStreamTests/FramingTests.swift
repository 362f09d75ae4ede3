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
