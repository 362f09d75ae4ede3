import CLZ4
import CXXHash
import CZlib
import CZstd

/// One step of a streaming decompressor: consumes some input, produces some output.
protocol FrameDecoder: AnyObject {
    /// Decodes from `input` into `output`; reports how much of each was used.
    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(DecodeFault) -> (consumed: Int, produced: Int)
    /// True while a frame has started and not ended: end of input here means truncation.
    var isMidFrame: Bool { get }
    /// A fault found in a call that also produced output: the stream hands that output out
    /// first and reports the fault on its next read (offset: the input consumed by then).
    var pendingFault: DecodeFault? { get }
    /// Output room with which the current frame decodes straight into the output rather than
    /// through a buffer of the library's own (0: no preference known).
    var directOutputRoom: Int { get }
}

extension FrameDecoder {
    var pendingFault: DecodeFault? { nil }
    var directOutputRoom: Int { 0 }
}

/// A decoder's complaint, before the stream adds the input name and offset.
struct DecodeFault: Error {
    var kind: InputError.Kind
    var detail: String
    /// Input bytes the decoder had consumed in the failing call before it stopped.
    var consumed: Int = 0
}

/// zstd, frame after frame (concatenated and skippable frames included).
///
/// By default through `ZSTD_decompressStream`, which decodes into a window buffer of its own
/// and copies out. When the caller keeps the decoded bytes in place (`keptHistory`: the decode
/// thread's ring keeps at least that many of the latest bytes untouched), frames whose window
/// fits are decoded block by block straight into the output with the buffer-less API
/// (`ZSTD_decompressContinue`), which reads back-references from the earlier output itself:
/// that copy (a tenth of `zstd -dc`'s time) is gone. Larger windows (`--long`) still stream.
final class ZstdDecoder: FrameDecoder {
    private let ctx: OpaquePointer
    private var lastHint = 0
    /// Bytes of earlier output the caller keeps in place; 0: always stream.
    private let keptHistory: Int
    private enum Mode { case betweenFrames, inPlace, streaming }
    private var mode: Mode
    private(set) var pendingFault: DecodeFault?
    /// Frames decoded in place so far (the tests check the ring takes this path).
    private(set) var framesInPlace = 0
    /// A zstd block decodes to at most this many bytes (`ZSTD_BLOCKSIZE_MAX`).
    static let maxBlockBytes = 128 << 10

    init(keptHistory: Int = 0) {
        ctx = ZSTD_createDCtx()
        // Logs are written by many tools; accept the usual 128 MiB windows of `--long`.
        ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, 27)
        self.keptHistory = keptHistory
        mode = keptHistory > 0 ? .betweenFrames : .streaming
    }

    deinit { ZSTD_freeDCtx(ctx) }

    /// The window of the frame `head` begins with, when its header is all there (nil for a
    /// skippable frame first or a header cut short: the caller then streams).
    static func firstWindow(_ head: UnsafeRawBufferPointer) -> Int? {
        guard let base = head.baseAddress else { return nil }
        var header = ZSTD_frameHeader()
        guard ZSTD_getFrameHeader(&header, base, head.count) == 0, header.frameType == ZSTD_frame else { return nil }
        return header.windowSize > UInt64(Int.max) ? nil : Int(header.windowSize)
    }

    var isMidFrame: Bool {
        switch mode {
        case .betweenFrames: false
        case .inPlace: true
        case .streaming: lastHint != 0
        }
    }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(DecodeFault) -> (consumed: Int, produced: Int)
    {
        var consumed = 0, produced = 0
        while true {
            switch mode {
            case .betweenFrames:
                // Only the frame header tells whether its window fits the kept history.
                guard consumed < input.count else { return (consumed, produced) }
                var header = ZSTD_frameHeader()
                let r = ZSTD_getFrameHeader(&header, input.baseAddress! + consumed, input.count - consumed)
                if ZSTD_isError(r) != 0 { return try fail(r, consumed, produced) }
                guard r == 0 else { return (consumed, produced) }  // the header is not all here yet
                if header.frameType == ZSTD_frame && header.windowSize > UInt64(keptHistory) {
                    ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only)
                    mode = .streaming
                } else {
                    ZSTD_decompressBegin(ctx)
                    mode = .inPlace
                    framesInPlace += 1
                }
            case .inPlace:
                while true {
                    let need = ZSTD_nextSrcSizeToDecompress(ctx)
                    guard input.count - consumed >= need else { return (consumed, produced) }
                    // A block (the last one has an input type of its own) needs room for its
                    // whole output; the ring hands out regions far larger than one block.
                    let next = ZSTD_nextInputType(ctx)
                    if next == ZSTDnit_block || next == ZSTDnit_lastBlock, output.count - produced < Self.maxBlockBytes {
                        return (consumed, produced)
                    }
                    let r = ZSTD_decompressContinue(ctx, output.baseAddress! + produced, output.count - produced,
                                                    input.baseAddress! + consumed, need)
                    if ZSTD_isError(r) != 0 { return try fail(r, consumed, produced) }
                    consumed += need
                    produced += r
                    if ZSTD_nextSrcSizeToDecompress(ctx) == 0 { break }
                }
                mode = .betweenFrames
            case .streaming:
                var inBuf = ZSTD_inBuffer(src: input.baseAddress.map { $0 + consumed }, size: input.count - consumed, pos: 0)
                var outBuf = ZSTD_outBuffer(dst: output.baseAddress.map { $0 + produced }, size: output.count - produced, pos: 0)
                let ret = ZSTD_decompressStream(ctx, &outBuf, &inBuf)
                if ZSTD_isError(ret) != 0 { return try fail(ret, consumed + inBuf.pos, produced) }
                lastHint = ret
                consumed += inBuf.pos
                produced += outBuf.pos
                // With kept history, the next frame may go in place again.
                if ret == 0 && keptHistory > 0 { mode = .betweenFrames; continue }
                return (consumed, produced)
            }
        }
    }

    /// A fault at input offset `consumed` of this call. Blocks decoded earlier in the call are
    /// handed out first (the stream reports the fault on its next read, at that offset).
    private func fail(_ code: Int, _ consumed: Int, _ produced: Int) throws(DecodeFault) -> (consumed: Int, produced: Int) {
        var fault = DecodeFault(kind: .corrupt, detail: "zstd: " + String(cString: ZSTD_getErrorName(code)), consumed: consumed)
        guard produced > 0 else { throw fault }
        fault.consumed = 0
        pendingFault = fault
        return (consumed, produced)
    }
}

/// lz4 frame format through `LZ4F_decompress`; the context starts a new frame after each one ends.
///
/// The frame's content checksum (XXH32 of the decoded bytes, which `lz4` writes by default) is
/// verified here with libxxhash rather than inside liblz4: the distribution's liblz4 computes it
/// with a baseline-SSE2 loop that took 40 % of decoding (0.4 s per GiB against libxxhash's
/// 0.17 s). liblz4 still checks everything when a frame carries block checksums.
final class LZ4Decoder: FrameDecoder {
    private var ctx: OpaquePointer?
    private var lastHint = 0
    private let hash = XXH32_createState()
    /// The current frame's header has been read (its flags are known).
    private var headerRead = false
    /// We hash the frame's content ourselves and compare it with its last four bytes.
    private var verifying = false
    /// The last four compressed bytes consumed: at a frame's end, its stored checksum.
    private var tail: UInt32 = 0
    private(set) var pendingFault: DecodeFault?
    /// The current frame's block size: `LZ4F_decompress` decodes a block straight into the
    /// output only when that much room is left there, else into its own buffer, then copies it
    /// (a fifth of the decode thread's time with 1 MiB chunks and `lz4`'s default 4 MiB blocks).
    private(set) var directOutputRoom = 0

    init() {
        LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION))
        XXH32_reset(hash, 0)
    }

    deinit {
        LZ4F_freeDecompressionContext(ctx)
        XXH32_freeState(hash)
    }

    var isMidFrame: Bool { lastHint != 0 }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(DecodeFault) -> (consumed: Int, produced: Int)
    {
        // No more input than liblz4's hint asks for (the rest of the current block and the next
        // block's header): a call then ends after one block, and the next call starts at a block
        // boundary with the whole room free, so each block can decode straight into it.
        var srcSize = lastHint > 0 ? min(input.count, lastHint) : input.count
        var dstSize = output.count
        var options = LZ4F_decompressOptions_t()
        options.skipChecksums = verifying ? 1 : 0
        let ret = LZ4F_decompress(ctx, output.baseAddress, &dstSize, input.baseAddress, &srcSize, &options)
        if LZ4F_isError(ret) != 0 {
            throw DecodeFault(kind: .corrupt, detail: "lz4: " + String(cString: LZ4F_getErrorName(ret)),
                              consumed: srcSize)
        }
        lastHint = ret
        // Every decoded byte of the frame is hashed, also those decoded before its flags were known.
        if dstSize > 0 { XXH32_update(hash, output.baseAddress, dstSize) }
        for i in max(0, srcSize - 4)..<srcSize { tail = tail >> 8 | UInt32(input[i]) << 24 }
        if !headerRead {
            var info = LZ4F_frameInfo_t()
            var none = 0
            if LZ4F_isError(LZ4F_getFrameInfo(ctx, &info, nil, &none)) == 0 {
                headerRead = true
                directOutputRoom = info.blockSizeID.rawValue >= 4 && info.blockSizeID.rawValue <= 7
                    ? 1 << (8 + 2 * Int(info.blockSizeID.rawValue)) : 0
                verifying = info.frameType == LZ4F_frame && info.contentChecksumFlag == LZ4F_contentChecksumEnabled
                    && info.blockChecksumFlag == LZ4F_noBlockChecksum
            }
        }
        if ret == 0 {
            // The frame ended (its checksum was the last thing read).
            let digest = XXH32_digest(hash)
            let checked = verifying
            verifying = false
            headerRead = false
            XXH32_reset(hash, 0)
            if checked, digest != tail {
                var fault = DecodeFault(kind: .corrupt, detail: "lz4: content checksum does not match the decoded bytes",
                                        consumed: srcSize)
                // The lines decoded in this call are still read; the fault follows them.
                guard dstSize > 0 else { throw fault }
                fault.consumed = 0
                pendingFault = fault
            }
        }
        return (srcSize, dstSize)
    }
}

/// gzip through zlib's inflate, member after member (`cat a.gz b.gz` is a valid gzip file).
final class GzipDecoder: FrameDecoder {
    private var strm = z_stream()
    private var inMember = false
    private var memberEnded = false

    init() {
        _ = rtcdiag_inflateInit_auto(&strm)
    }

    deinit { inflateEnd(&strm) }

    var isMidFrame: Bool { inMember }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(DecodeFault) -> (consumed: Int, produced: Int)
    {
        guard !input.isEmpty else { return (0, 0) }
        if memberEnded {
            // Another member must follow; anything else is trailing garbage.
            guard input[0] == 0x1F else {
                throw DecodeFault(kind: .corrupt, detail: "gzip: trailing bytes after the last member")
            }
            inflateReset(&strm)
            memberEnded = false
        }
        inMember = true
        strm.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        strm.avail_in = uInt(input.count)
        strm.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
        strm.avail_out = uInt(output.count)
        let ret = inflate(&strm, Z_NO_FLUSH)
        let consumed = input.count - Int(strm.avail_in)
        let produced = output.count - Int(strm.avail_out)
        switch ret {
        case Z_OK, Z_BUF_ERROR:
            break
        case Z_STREAM_END:
            inMember = false
            memberEnded = true
        default:
            let msg = strm.msg.map { String(cString: $0) } ?? "error \(ret)"
            throw DecodeFault(kind: .corrupt, detail: "gzip: " + msg, consumed: consumed)
        }
        return (consumed, produced)
    }
}

/// UTF-16 text (Windows tools write it: PowerShell's `>` redirection, many desktop apps'
/// exports) transcoded to UTF-8 as it streams, so everything after sees the same bytes as for
/// a UTF-8 log. A byte-order mark is dropped; an unpaired surrogate becomes U+FFFD. A code unit
/// or surrogate pair cut by the end of `input` waits for the next call; an odd byte at the very
/// end of the input is reported as truncation by the stream (after every line before it).
final class UTF16Decoder: FrameDecoder {
    private let bigEndian: Bool
    private var atStart = true
    init(bigEndian: Bool) { self.bigEndian = bigEndian }

    var isMidFrame: Bool { false }

    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(DecodeFault) -> (consumed: Int, produced: Int)
    {
        var i = 0, o = 0
        let n = input.count, room = output.count
        @inline(__always) func unit(_ k: Int) -> UInt32 {
            bigEndian ? UInt32(input[k]) << 8 | UInt32(input[k + 1]) : UInt32(input[k]) | UInt32(input[k + 1]) << 8
        }
        if atStart, n >= 2 {
            atStart = false
            if unit(0) == 0xFEFF { i = 2 }
        }
        while i + 2 <= n, o + 4 <= room {
            var c = unit(i)
            var used = 2
            if c < 0x80 {
                output[o] = UInt8(c)
                o += 1
                i += 2
                continue
            }
            if c & 0xFC00 == 0xD800 {
                guard i + 4 <= n else { break }    // the low half is in the next call's input
                let low = unit(i + 2)
                if low & 0xFC00 == 0xDC00 {
                    c = 0x10000 + ((c & 0x3FF) << 10 | (low & 0x3FF))
                    used = 4
                } else {
                    c = 0xFFFD
                }
            } else if c & 0xFC00 == 0xDC00 {
                c = 0xFFFD
            }
            if c < 0x800 {
                output[o] = UInt8(0xC0 | c >> 6); output[o + 1] = UInt8(0x80 | c & 0x3F)
                o += 2
            } else if c < 0x10000 {
                output[o] = UInt8(0xE0 | c >> 12); output[o + 1] = UInt8(0x80 | c >> 6 & 0x3F)
                output[o + 2] = UInt8(0x80 | c & 0x3F)
                o += 3
            } else {
                output[o] = UInt8(0xF0 | c >> 18); output[o + 1] = UInt8(0x80 | c >> 12 & 0x3F)
                output[o + 2] = UInt8(0x80 | c >> 6 & 0x3F); output[o + 3] = UInt8(0x80 | c & 0x3F)
                o += 4
            }
            i += used
        }
        return (i, o)
    }
}
