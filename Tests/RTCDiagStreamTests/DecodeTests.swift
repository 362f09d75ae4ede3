import Foundation
import Testing
@testable import RTCDiagStream

@Suite("Decoding by magic bytes")
struct DecodeTests {
    let text = logcatText(lines: 3000)

    func decodeAll(_ path: String, inputBuffer: Int = 256 << 10, outputBuffer: Int = 1 << 20) throws -> (bytes: [UInt8], codec: Codec) {
        let stream = DecodedStream(source: try ByteSource(path: path), inputBufferSize: inputBuffer, outputBufferSize: outputBuffer)
        var out: [UInt8] = []
        while let c = try stream.next() { out.append(contentsOf: c) }
        return (out, stream.codec)
    }

    @Test("each codec decodes to the original text, whatever the file is called")
    func codecs() throws {
        for (codec, bytes) in [(Codec.plain, text), (.zstd, Compress.zstd(text)), (.lz4, Compress.lz4(text)),
                               (.gzip, Compress.gzip(text))] {
            let path = temporaryFile(bytes, name: "upload.log")  // the name says nothing
            let (out, found) = try decodeAll(path)
            #expect(found == codec)
            #expect(out.count == text.count && out == text)
            // Tiny buffers move every frame and line boundary across reads.
            let (small, _) = try decodeAll(path, inputBuffer: 7, outputBuffer: 13)
            let same = small == text
            #expect(same, "codec \(codec) with tiny buffers: \(small.count) of \(text.count) bytes")
        }
    }

    @Test("concatenated frames, gzip members and skippable frames")
    func concatenated() throws {
        let a = Array(text[..<5000]), b = Array(text[5000...])
        let cases: [(String, [UInt8])] = [
            ("zstd", Compress.zstd(a) + Compress.skippable([1, 2, 3]) + Compress.zstd(b)),
            ("zstd-leading-skippable", Compress.skippable(Array(repeating: 9, count: 40)) + Compress.zstd(a) + Compress.zstd(b)),
            ("lz4", Compress.lz4(a) + Compress.lz4(b)),
            ("lz4-skippable", Compress.lz4(a) + Compress.skippable([7]) + Compress.lz4(b)),
            ("gzip", Compress.gzip(a) + Compress.gzip(b)),
        ]
        for (name, bytes) in cases {
            let (out, _) = try decodeAll(temporaryFile(bytes))
            let same = out == text
            #expect(same, "\(name): \(out.count) of \(text.count) bytes")
        }
    }

    /// `text` as UTF-16 code units, little- or big-endian, with or without a byte-order mark.
    func utf16(_ text: String, bigEndian: Bool = false, bom: Bool = true) -> [UInt8] {
        let units = (bom ? [UInt16(0xFEFF)] : []) + Array(text.utf16)
        return units.flatMap { u in bigEndian ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
    }

    @Test("UTF-16 logs (with a byte-order mark either way round, or little-endian without) read as UTF-8")
    func utf16Text() throws {
        // Non-ASCII on purpose: CJK (3 UTF-8 bytes), an emoji (a surrogate pair, 4 bytes).
        let original = String(decoding: text[..<20_000], as: UTF8.self)
            + "03-29 00:03:05.555 25797 26866 W RtcClient: 麦克风被占用 🎙️ mic busy\n"
        let utf8 = Array(original.utf8)
        for (codec, bytes) in [(Codec.utf16le, utf16(original)), (.utf16be, utf16(original, bigEndian: true)),
                               (.utf16le, utf16(original, bom: false)), (.utf16be, utf16(original, bigEndian: true, bom: false))] {
            let path = temporaryFile(bytes, name: "windows.log")
            let (out, found) = try decodeAll(path)
            #expect(found == codec)
            #expect(out == utf8, "\(codec): \(out.count) of \(utf8.count) bytes")
            // Odd-sized reads split code units and the surrogate pair across calls.
            let (small, _) = try decodeAll(path, inputBuffer: 7, outputBuffer: 13)
            #expect(small == utf8, "\(codec) in pieces: \(small.count) of \(utf8.count) bytes")
        }
        // 16-bit binary samples have zero bytes in step too, but are no text: still refused.
        let samples = (0..<20_000).flatMap { [UInt8($0 % 29), UInt8(0)] }
        #expect(frame(temporaryFile(samples)).error?.kind == .binary)
        // An unpaired surrogate is replaced, not dropped with its neighbours.
        let lone: [UInt8] = [0xFF, 0xFE] + [UInt16(0x61), 0xD800, 0x62, 0x0A].flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try decodeAll(temporaryFile(lone)).bytes == Array("a\u{FFFD}b\n".utf8))
        // Cut after an odd byte: every line before it, then the truncation with its offset.
        let cut = Array(utf16(original).dropLast(1))
        let r = frame(temporaryFile(cut))
        #expect(r.error?.kind == .truncated)
        #expect(r.error?.compressedOffset == Int64(cut.count - 1))
        // (the cut took the LF's second byte: the last line comes out whole, without its newline)
        #expect(r.lines.count == original.split(separator: "\n").count)
        let last = String(decoding: r.lines.last?.text ?? [], as: UTF8.self)
        #expect(last.hasSuffix("🎙️ mic busy"))
    }

    @Test("a leading skippable frame before an lz4 frame is still lz4")
    func skippableThenLZ4() throws {
        let (_, codec) = try decodeAll(temporaryFile(Compress.skippable([1, 2]) + Compress.lz4(text)))
        #expect(codec == .lz4)
    }

    @Test("empty input, binary garbage and wrong magic are refused with a reason")
    func refused() throws {
        let empty = frame(temporaryFile([]))
        #expect(empty.error?.kind == .empty)
        var garbage: [UInt8] = []
        var x: UInt32 = 12345
        for _ in 0..<100_000 { x = x &* 1_103_515_245 &+ 12345; garbage.append(UInt8(x >> 24)) }
        let bin = frame(temporaryFile(garbage))
        #expect(bin.error?.kind == .binary)
        #expect(bin.error?.compressedOffset == 0)
        #expect(bin.lines.isEmpty)
        // A zstd file whose magic was damaged is not text either.
        var damaged = Compress.zstd(text)
        damaged[3] = 0xFE
        #expect(frame(temporaryFile(damaged)).error?.kind == .binary)
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 40)
        #expect(frame(temporaryFile(zip)).error?.kind == .unsupportedFormat)
    }

    @Test("a truncated frame keeps every line before the cut and names the offset", arguments: ["zstd", "lz4", "gzip"])
    func truncated(codec: String) throws {
        let full = codec == "zstd" ? Compress.zstd(text) : codec == "lz4" ? Compress.lz4(text) : Compress.gzip(text)
        let cut = Array(full[..<(full.count * 2 / 3)])
        let r = frame(temporaryFile(cut), inputBuffer: 4096, outputBuffer: 4096)
        let error = try #require(r.error)
        #expect(error.kind == .truncated)
        #expect(error.compressedOffset > 0 && error.compressedOffset <= Int64(cut.count))
        #expect(error.description.contains("at compressed byte"))
        // Lines before the fault were all delivered, in order, intact.
        let expected = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(r.lines.count > expected.count / 3)
        let intact = r.lines.dropLast().enumerated().allSatisfy { $0.element.text == Array(expected[$0.offset]) }
        #expect(intact)
    }

    @Test("corrupted bytes in the middle stop decoding with the offset; earlier lines survive", arguments: ["zstd", "lz4", "gzip"])
    func corrupted(codec: String) throws {
        let big = logcatText(lines: 40_000, seed: 7)
        var bytes = codec == "zstd" ? Compress.zstd(big) : codec == "lz4" ? Compress.lz4(big) : Compress.gzip(big)
        let mid = bytes.count / 2
        for i in mid..<(mid + 64) { bytes[i] ^= 0x5A }
        let r = frame(temporaryFile(bytes), inputBuffer: 4096, outputBuffer: 8192)
        let error = try #require(r.error)
        #expect(error.kind == .corrupt || error.kind == .truncated)
        #expect(error.compressedOffset >= Int64(mid) - 70_000 && error.compressedOffset <= Int64(bytes.count))
        let count = r.lines.count
        #expect(count > 1000, "only \(count) lines before the fault")
        let expected = big.split(separator: 0x0A, omittingEmptySubsequences: false)
        let intact = r.lines.prefix(min(count, 1000)).enumerated().allSatisfy { $0.element.text == Array(expected[$0.offset]) }
        #expect(intact)
    }

    @Test("an lz4 frame's content checksum catches changed bytes that still decode, also when the stored sum arrives in pieces")
    func lz4ContentChecksum() throws {
        // One line holds a word found nowhere else, so lz4 keeps it as literal bytes we can change.
        var text = logcatText(lines: 2000, seed: 5)
        let marked = logcatText(lines: 1, seed: 9).dropLast() + Array(" token=QZXJVKWQ\n".utf8)
        text.insert(contentsOf: marked, at: text.count / 2)
        let good = Compress.lz4(text)
        let literal = try #require(good.firstRange(of: Array("QZXJVKWQ".utf8)))
        var changedLiteral = good
        changedLiteral[literal.lowerBound + 3] = UInt8(ascii: "Y")   // QZXYVKWQ: valid lz4, other text
        var changedSum = good
        changedSum[good.count - 2] ^= 0x01                           // the stored checksum itself
        // A second frame after the damaged one is not reached; every line of the first is read.
        let frames = changedSum + Compress.lz4(Array("next frame\n".utf8))
        let expected = text.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map(Array.init)
        // Through the stream, with small reads and a small output buffer.
        for input in 1024..<1032 {
            #expect(frame(temporaryFile(good), inputBuffer: input, outputBuffer: 4096).error == nil)
            for (name, bytes) in [("literal", changedLiteral), ("checksum", changedSum), ("two frames", frames)] {
                let r = frame(temporaryFile(bytes), inputBuffer: input, outputBuffer: 4096)
                let error = try #require(r.error, "\(name), reads of \(input): the damage went unnoticed")
                #expect(error.kind == .corrupt, "\(name)")
                #expect(error.description.contains("content checksum"), "\(name): \(error)")
                #expect(error.compressedOffset == Int64(good.count), "\(name), reads of \(input)")
                #expect(r.lines.count == expected.count, "\(name)")
                if name != "literal" { #expect(r.lines.map(\.text) == expected, "\(name)") }
            }
        }
        // Fed to the decoder in two pieces cut anywhere in the last eight bytes, so the stored
        // checksum arrives split across calls: the good frame passes, the damaged one does not.
        for cut in (good.count - 8)..<good.count {
            let whole = decodeInPieces(good, cut: cut)
            #expect(whole.fault == nil && whole.bytes == text, "cut at \(cut): \(String(describing: whole.fault))")
            let damaged = decodeInPieces(changedSum, cut: cut)
            #expect(damaged.fault?.detail.contains("content checksum") == true, "cut at \(cut)")
            #expect(damaged.bytes == text, "cut at \(cut)")
        }
        // Frames without a content checksum, or with block checksums (liblz4 checks those), decode.
        for bytes in [Compress.lz4(text, contentChecksum: false), Compress.lz4(text, blockChecksums: true)] {
            let r = frame(temporaryFile(bytes), inputBuffer: 1024, outputBuffer: 4096)
            #expect(r.error == nil)
            #expect(r.lines.map(\.text) == expected)
        }
        var blockDamaged = Compress.lz4(text, blockChecksums: true)
        let inBlock = try #require(blockDamaged.firstRange(of: Array("QZXJVKWQ".utf8)))
        blockDamaged[inBlock.lowerBound + 3] = UInt8(ascii: "Y")
        #expect(frame(temporaryFile(blockDamaged), inputBuffer: 1024, outputBuffer: 4096).error?.kind == .corrupt)
    }

    /// Runs an lz4 decoder over `bytes` given in two pieces, `bytes[..<cut]` then the rest.
    func decodeInPieces(_ bytes: [UInt8], cut: Int) -> (bytes: [UInt8], fault: DecodeFault?) {
        let decoder = LZ4Decoder()
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { output.deallocate() }
        var produced: [UInt8] = []
        for piece in [Array(bytes[..<cut]), Array(bytes[cut...])] {
            var rest = piece
            while !rest.isEmpty {
                do {
                    let step = try rest.withUnsafeBytes { try decoder.decode($0, into: output) }
                    produced += output[..<step.produced]
                    if let fault = decoder.pendingFault { return (produced, fault) }
                    rest.removeFirst(step.consumed)
                    if step.consumed == 0 && step.produced == 0 { break }
                } catch {
                    return (produced, error as? DecodeFault)
                }
            }
        }
        return (produced, nil)
    }

    @Test("a compression bomb stops at the ratio limit instead of running on")
    func bomb() throws {
        let zeros = [UInt8](repeating: 0x41, count: 64 << 20)  // 64 MiB of 'A' → a few KiB of zstd
        let bytes = Compress.zstd(zeros, level: 19)
        #expect(bytes.count * 10_000 < zeros.count)
        var limits = StreamLimits()
        limits.ratioGraceBytes = 1 << 20
        let r = frame(temporaryFile(bytes), maxLineBytes: 1 << 20, limits: limits)
        let error = try #require(r.error)
        #expect(error.kind == .ratioExceeded)
        #expect(error.description.contains("compression bomb"))
        #expect(r.framer.decodedStream.decodedBytes < 16 << 20)
    }
}

@Suite("Decoding on its own thread")
struct DecodeAheadTests {
    @Test("decode-ahead hands out the same bytes, and the same fault after them", arguments: ["plain", "zstd", "lz4", "gzip"])
    func sameAsDirect(codec: String) throws {
        let text = logcatText(lines: 60_000, seed: 3)  // several ring slots' worth
        let bytes = codec == "zstd" ? Compress.zstd(text) : codec == "lz4" ? Compress.lz4(text)
            : codec == "gzip" ? Compress.gzip(text) : text
        let whole = temporaryFile(bytes)
        let stream = try DecodedStream(path: whole, decodeAhead: true)
        var out: [UInt8] = []
        while let c = try stream.next() { out.append(contentsOf: c) }
        let same = out == text
        #expect(same, "\(codec): \(out.count) of \(text.count) bytes")
        #expect(stream.codec.rawValue == codec)
        #expect(stream.decodedBytes == Int64(text.count))
        guard codec != "plain" else { return }
        let cut = temporaryFile(Array(bytes[..<(bytes.count / 2)]))
        let truncated = try DecodedStream(path: cut, decodeAhead: true)
        var got = 0
        let error = #expect(throws: InputError.self) {
            while let c = try truncated.next() { got += c.count }
        }
        #expect(error?.kind == .truncated)
        #expect(got > text.count / 4)
    }

    /// A log repeated five times with a line between: 19 MB whose matches lie megabytes back.
    func repeatedLog(seed: UInt64) -> [UInt8] {
        let base = logcatText(lines: 40_000, seed: seed)
        var text: [UInt8] = []
        for round in 0..<5 { text += base + Array("round \(round)\n".utf8) }
        return text
    }

    /// Every chunk up to the end or the fault, and the fault. A chunk longer than a slot
    /// (1 MiB) ends the read early: the ring hands out a slot at a time, however much was
    /// decoded at once. `slowly`: the reader lags, so the ring fills and the decode thread
    /// waits for room.
    func readAll(_ stream: DecodedStream, slowly: Bool = false) -> (out: [UInt8], error: InputError?) {
        var out: [UInt8] = []
        do {
            while let chunk = try stream.next() {
                if chunk.count > 1 << 20 { return (out, nil) }
                if slowly { Thread.sleep(forTimeInterval: 0.003) }
                out.append(contentsOf: chunk)
            }
        } catch {
            return (out, error as? InputError)
        }
        return (out, nil)
    }

    /// Each case decodes to `text`, with its count of frames decoded in place.
    func expectDecoded(_ cases: [(name: String, bytes: [UInt8], inPlace: Int)], to text: [UInt8], decodeAhead: Bool) throws {
        for c in cases {
            let stream = try DecodedStream(path: temporaryFile(c.bytes), decodeAhead: decodeAhead)
            let (out, error) = readAll(stream)
            let same = out == text
            #expect(error == nil && same, "\(c.name): \(out.count) of \(text.count) bytes")
            #expect(stream.framesDecodedInPlace == c.inPlace, "\(c.name)")
        }
    }

    @Test("zstd decodes in place in the ring: matches megabytes back across wraps, frame after frame; larger windows stream")
    func zstdInPlace() throws {
        // The encoder refers megabytes back, and 19 MB wrap the 12 MiB ring.
        let text = repeatedLog(seed: 11)
        let (a, b) = (Array(text[..<7_000_000]), Array(text[7_000_000...]))
        let cases: [(name: String, bytes: [UInt8], inPlace: Int)] = [
            ("8 MiB window", Compression.zstd(text, level: 3, windowLog: 23), 1),
            ("frames and a skippable frame", Compress.zstd(a) + Compress.skippable([1, 2, 3]) + Compress.zstd(b), 3),
            ("16 MiB window, then 2 MiB", Compression.zstd(a, level: 3, windowLog: 24) + Compression.zstd(b, level: 3, windowLog: 21), 1),
        ]
        try expectDecoded(cases, to: text, decodeAhead: true)
        // Damage in the middle: the bytes decoded before it come out, then the fault, at the damage.
        var bytes = Compression.zstd(text, level: 3, windowLog: 23)
        let mid = bytes.count / 2
        for i in mid..<(mid + 64) { bytes[i] ^= 0x5A }
        let path = temporaryFile(bytes)
        let ahead = readAll(try DecodedStream(path: path, decodeAhead: true))
        let direct = readAll(try DecodedStream(path: path))
        #expect(ahead.error?.kind == .corrupt && direct.error?.kind == .corrupt)
        let offset = ahead.error?.compressedOffset ?? 0
        #expect(offset >= Int64(mid) - (128 << 10) && offset <= Int64(mid) + 64, "fault at \(offset), damage at \(mid)")
        // In place (with a decode thread or without, since session 18), every block before the
        // damaged one comes out (streaming lost the rest of its last 1 MiB output buffer).
        #expect(ahead.out.count > 1 << 20 && ahead.out.count >= direct.out.count)
        #expect(ahead.out.count == direct.out.count)
        let same = ahead.out.prefix(direct.out.count) == direct.out[...] && ahead.out.prefix(1 << 20) == text.prefix(1 << 20)
        #expect(same)
    }

    @Test("without a decode thread zstd decodes in place too, in a ring of its first frame's window; past 8 MiB it streams")
    func zstdInPlaceOnCallingThread() throws {
        let text = repeatedLog(seed: 12)
        let (a, b) = (Array(text[..<7_000_000]), Array(text[7_000_000...]))
        let cases: [(name: String, bytes: [UInt8], inPlace: Int)] = [
            // 19 MB wrap a ring of 8 + 2 MiB twice, with matches megabytes back.
            ("8 MiB window", Compression.zstd(text, level: 3, windowLog: 23), 1),
            ("1 MiB window", Compression.zstd(text, level: 3, windowLog: 20), 1),
            ("frames and a skippable frame", Compress.zstd(a) + Compress.skippable([1, 2, 3]) + Compress.zstd(b), 3),
            // The first frame decides the ring: a larger window later streams, a smaller one
            // goes in place again.
            ("2 MiB window, then 8 MiB, then 1 MiB", Compression.zstd(Array(a[..<3_000_000]), level: 3, windowLog: 21)
                + Compression.zstd(Array(a[3_000_000...]), level: 3, windowLog: 23) + Compression.zstd(b, level: 3, windowLog: 20), 2),
            ("16 MiB window first: no ring", Compression.zstd(a, level: 3, windowLog: 24) + Compression.zstd(b, level: 3, windowLog: 21), 0),
            ("a skippable frame first: no ring", Compress.skippable([9]) + Compress.zstd(text), 0),
        ]
        try expectDecoded(cases, to: text, decodeAhead: false)
        // Matches reaching nearly a whole 1 MiB window back, across the ring's wraps: the
        // bytes before a wrap that the window still needs must survive the next rooms. A
        // short first frame puts the second one's chunks off the rooms' 1 MiB grid, so a wrap
        // comes where the ring's last room was only partly used.
        let unit = Array(logcatText(lines: 9_000, seed: 5).prefix(1_040_000))
        let lead = Array(unit[..<50_000])
        var far: [UInt8] = []
        for round in 0..<12 { far += unit + Array("round \(round)\n".utf8) }
        let stream = try DecodedStream(path: temporaryFile(Compression.zstd(lead, level: 3, windowLog: 20)
                                                             + Compression.zstd(far, level: 3, windowLog: 20)))
        let (out, error) = readAll(stream)
        let same = out == lead + far
        #expect(error == nil && same, "1 MiB window, matches 1,040,000 bytes back: \(out.count) of \(lead.count + far.count) bytes")
        #expect(stream.framesDecodedInPlace == 2)
    }

    @Test("rings are kept for the next stream: the smallest large enough is reused, at most two are kept")
    func ringPool() throws {
        let pool = RingPool()
        let a = try #require(pool.take(4 << 20)), b = try #require(pool.take(10 << 20))
        a.storeBytes(of: 7, toByteOffset: (4 << 20) - 1, as: UInt8.self)  // the memory is usable to its end
        pool.give(a)
        pool.give(b)
        // A 3 MiB request takes the 4 MiB ring; a 12 MiB one needs a new mapping.
        let c = try #require(pool.take(3 << 20))
        #expect(c.baseAddress == a.baseAddress && c.count == 4 << 20)
        let d = try #require(pool.take(12 << 20))
        #expect(d.baseAddress != b.baseAddress && d.count == 12 << 20)
        // Three given back, two kept: the largest (12 MiB) is unmapped.
        pool.give(c)
        pool.give(d)
        let e = try #require(pool.take(9 << 20))
        #expect(e.baseAddress == b.baseAddress)
        let f = try #require(pool.take(1 << 20))
        #expect(f.baseAddress == a.baseAddress)
        let g = try #require(pool.take(1 << 20))
        #expect(g.baseAddress != a.baseAddress && g.baseAddress != b.baseAddress && g.count == 1 << 20)
        for r in [e, f, g] { pool.give(r) }
    }

    @Test("lz4 blocks of 4 MiB decode into adjacent slots of the ring, frame after frame; small blocks into one")
    func lz4WholeBlocks() throws {
        // 19 MB: wraps the 12 MiB ring; frames end mid-room, blocks are linked or independent.
        let text = repeatedLog(seed: 12)
        let (a, b) = (Array(text[..<7_000_000]), Array(text[7_000_000...]))
        let cases: [(name: String, bytes: [UInt8], grouped: ClosedRange<Int>)] = [
            ("4 MiB blocks", Compression.lz4(text, blockSize: 4 << 20), 3...6),
            ("4 MiB linked blocks, two frames", Compression.lz4(a, blockSize: 4 << 20, linked: true)
                + Compression.lz4(b, blockSize: 4 << 20), 3...6),
            ("1 MiB blocks", Compression.lz4(text, blockSize: 1 << 20), 0...0),
            ("64 KiB then 4 MiB blocks", Compression.lz4(a) + Compression.lz4(b, blockSize: 4 << 20), 1...4),
        ]
        for c in cases {
            for slowly in [false, true] {
                let stream = try DecodedStream(path: temporaryFile(c.bytes), decodeAhead: true)
                let (out, error) = readAll(stream, slowly: slowly)
                let same = out == text
                #expect(error == nil && same, "\(c.name): \(out.count) of \(text.count) bytes")
                #expect(c.grouped.contains(stream.wholeBlockDecodes), "\(c.name): \(stream.wholeBlockDecodes)")
            }
        }
        // Damage in the middle: the blocks before it come out, then the fault, as without the
        // decode thread (a damaged block without its own checksum may decode to garbage; the
        // frame's checksum tells at the end).
        var bytes = Compression.lz4(text, blockSize: 4 << 20)
        let mid = bytes.count / 2
        for i in mid..<(mid + 64) { bytes[i] ^= 0x5A }
        let path = temporaryFile(bytes)
        let damaged = readAll(try DecodedStream(path: path, decodeAhead: true))
        let direct = readAll(try DecodedStream(path: path))
        #expect(damaged.error?.kind == .corrupt && damaged.error?.compressedOffset == direct.error?.compressedOffset)
        #expect(damaged.out.count >= 4 << 20 && damaged.out.prefix(4 << 20) == text.prefix(4 << 20) && damaged.out == direct.out,
                "\(damaged.out.count) bytes with the decode thread, \(direct.out.count) without")
    }

    @Test("in place, a block (also a frame's last) waits for room for its whole output")
    func zstdInPlaceRoom() throws {
        // 100 KB of text at level 3 is one frame of one block, which is also its last.
        let text = Array(logcatText(lines: 3000, seed: 5).prefix(100_000))
        let frame = Compress.zstd(text)
        let decoder = ZstdDecoder(keptHistory: 1 << 20)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { output.deallocate() }
        try frame.withUnsafeBytes { input in
            // Less room than a block may need: only the headers are read, nothing is written.
            let first = try decoder.decode(input, into: UnsafeMutableRawBufferPointer(rebasing: output[..<(64 << 10)]))
            #expect(first.produced == 0 && first.consumed < 20 && decoder.isMidFrame)
            let rest = try decoder.decode(UnsafeRawBufferPointer(rebasing: input[first.consumed...]), into: output)
            #expect(first.consumed + rest.consumed == frame.count && !decoder.isMidFrame)
            #expect(rest.produced == text.count && Array(output[..<rest.produced]) == text)
        }
        #expect(decoder.framesInPlace == 1)
    }

    @Test("dropping a decode-ahead stream early stops its thread without hanging")
    func earlyDrop() throws {
        let text = logcatText(lines: 60_000, seed: 4)
        // (lz4 with 4 MiB blocks: the decode thread waits for several slots at once.)
        for path in [temporaryFile(Compress.zstd(text)), temporaryFile(Compression.lz4(text, blockSize: 4 << 20))] {
        for _ in 0..<20 {
            let stream = try DecodedStream(path: path, decodeAhead: true)
            _ = try stream.next()
        }
        }
    }
}
