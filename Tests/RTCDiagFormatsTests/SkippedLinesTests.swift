import Testing
@testable import RTCDiagFormats
@testable import RTCDiagStream

/// Sparse reading keeps the last lines it skipped (`SkippedLines`), so that a keyword line no
/// dialect takes can be joined to its header among them. Lines come one by one or as whole
/// runs (cut into lines only when asked for); both must keep exactly what appending every
/// line one by one keeps: when full (64 lines), the older half goes; pinned, the newest lines
/// that fit its memory.
@Suite("Skipped lines")
struct SkippedLinesTests {
    @Test("runs and single lines keep what one-by-one appending keeps; pinning keeps the text")
    func sameAsOneByOne() {
        // 3,000 numbered lines, some ending in CR LF.
        var text: [UInt8] = []
        var starts: [Int] = []
        for i in 0..<3000 {
            starts.append(text.count)
            text += Array("line \(i) \(String(repeating: "x", count: i % 23))".utf8)
            text += i % 7 == 0 ? [0x0D, 0x0A] : [0x0A]
        }
        starts.append(text.count)
        text.withUnsafeBytes { all in
            func line(_ i: Int) -> Line {
                var end = starts[i + 1] - 1
                var flags: LineFlags = []
                if all[end - 1] == 0x0D { end -= 1; flags = .crlf }
                return Line(bytes: UnsafeRawBufferPointer(rebasing: all[starts[i]..<end]), number: i + 1,
                            offset: Int64(starts[i]), flags: flags)
            }
            let kept = SkippedLines(maxLines: 64, maxBytes: 1024)
            var model: [Int] = []  // line indices, oldest first
            func modelAppend(_ i: Int) {
                if model.count == 64 { model.removeFirst(32) }
                model.append(i)
            }
            var rng: UInt64 = 3
            func next(_ n: Int) -> Int { rng = rng &* 6_364_136_223_846_793_005 &+ 1; return Int(rng >> 33) % n }
            var i = 0, checks = 0
            while i < 2900 {
                switch next(10) {
                case 0:
                    kept.reset()
                    model.removeAll()
                case 1...3:
                    kept.append(line(i))
                    modelAppend(i)
                    i += 1
                default:
                    let n = 1 + next(next(4) == 0 ? 150 : 12)
                    guard i + n <= 3000 else { i = 3000; break }
                    kept.append(LineFramer.SkippedRun(bytes: UnsafeRawBufferPointer(rebasing: all[starts[i]..<starts[i + n]]),
                                                      firstNumber: i + 1, offset: Int64(starts[i]), count: n))
                    for j in i..<(i + n) { modelAppend(j) }
                    i += n
                }
                if next(3) == 0 {
                    if next(4) == 0 {
                        // Copies the lines into its own 1 KiB, the newest that fit.
                        kept.pin()
                        var total = model.reduce(0) { $0 + line($1).bytes.count }
                        while total > 1024 { total -= line(model.removeFirst()).bytes.count }
                    }
                    checks += 1
                    #expect(kept.count == model.count)
                    for (k, m) in model.enumerated() where k < kept.count {
                        let got = kept[k], want = line(m)
                        #expect(got.number == want.number && got.offset == want.offset && got.flags == want.flags
                                && Array(got.bytes) == Array(want.bytes), "line \(m + 1) at \(k)")
                    }
                }
            }
            #expect(checks > 50)
        }
    }
}
