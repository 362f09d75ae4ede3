import CLZ4
import CZlib
import CZstd

/// One-shot compressors for the codecs the stream reads: used to write the labeled corpus and
/// test fixtures. (Reading never needs them; it streams.)
public enum Compression {
    /// A zstd frame; with `windowLog`, written as a stream (no content size in the header), so
    /// the frame declares that window whatever the data's size, as `zstd --long` output does.
    public static func zstd(_ data: [UInt8], level: Int32 = 19, windowLog: Int32? = nil) -> [UInt8] {
        if let windowLog { return zstdStream(data, level: level, windowLog: windowLog) }
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
        let n = out.withUnsafeMutableBytes { o in
            data.withUnsafeBytes { i in ZSTD_compress(o.baseAddress, o.count, i.baseAddress, i.count, level) }
        }
        precondition(ZSTD_isError(n) == 0, "zstd compression failed")
        return Array(out[..<n])
    }

    private static func zstdStream(_ data: [UInt8], level: Int32, windowLog: Int32) -> [UInt8] {
        let cctx = ZSTD_createCCtx()
        defer { ZSTD_freeCCtx(cctx) }
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, windowLog)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count) + 64)
        let n = out.withUnsafeMutableBytes { o in
            data.withUnsafeBytes { i -> Int in
                var inBuf = ZSTD_inBuffer(src: i.baseAddress, size: i.count, pos: 0)
                var outBuf = ZSTD_outBuffer(dst: o.baseAddress, size: o.count, pos: 0)
                // Fed as a stream: the size is never pledged, so the window is not shrunk to it.
                while inBuf.pos < inBuf.size {
                    precondition(ZSTD_isError(ZSTD_compressStream2(cctx, &outBuf, &inBuf, ZSTD_e_continue)) == 0)
                }
                while true {
                    let left = ZSTD_compressStream2(cctx, &outBuf, &inBuf, ZSTD_e_end)
                    precondition(ZSTD_isError(left) == 0, "zstd compression failed")
                    if left == 0 { return outBuf.pos }
                }
            }
        }
        return Array(out[..<n])
    }

    /// lz4 frame with a content checksum, as the `lz4` command writes by default; optionally
    /// without it, or with a checksum per block. Blocks of 64 KiB, 256 KiB, 1 MiB or 4 MiB
    /// (the `lz4` command's default), independent unless `linked` (`lz4 -BD`).
    public static func lz4(_ data: [UInt8], contentChecksum: Bool = true, blockChecksums: Bool = false,
                           blockSize: Int = 64 << 10, linked: Bool = false) -> [UInt8] {
        var prefs = LZ4F_preferences_t()
        let id: [Int: LZ4F_blockSizeID_t] = [64 << 10: LZ4F_max64KB, 256 << 10: LZ4F_max256KB, 1 << 20: LZ4F_max1MB, 4 << 20: LZ4F_max4MB]
        prefs.frameInfo.blockSizeID = id[blockSize] ?? LZ4F_max64KB
        prefs.frameInfo.blockMode = linked ? LZ4F_blockLinked : LZ4F_blockIndependent
        prefs.frameInfo.contentChecksumFlag = contentChecksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum
        prefs.frameInfo.blockChecksumFlag = blockChecksums ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum
        var out = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(data.count, &prefs))
        let n = out.withUnsafeMutableBytes { o in
            data.withUnsafeBytes { i in LZ4F_compressFrame(o.baseAddress, o.count, i.baseAddress, i.count, &prefs) }
        }
        precondition(LZ4F_isError(n) == 0, "lz4 compression failed")
        return Array(out[..<n])
    }

    /// A gzip member (no name, no timestamp, so the bytes depend on the data only).
    public static func gzip(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
        var strm = z_stream()
        precondition(rtcdiag_deflateInit_gzip(&strm, level) == Z_OK)
        defer { deflateEnd(&strm) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&strm, uLong(data.count))) + 64)
        let produced = out.withUnsafeMutableBytes { o -> Int in
            data.withUnsafeBytes { i -> Int in
                strm.next_in = UnsafeMutablePointer(mutating: i.baseAddress?.assumingMemoryBound(to: Bytef.self))
                strm.avail_in = uInt(i.count)
                strm.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
                strm.avail_out = uInt(o.count)
                precondition(deflate(&strm, Z_FINISH) == Z_STREAM_END)
                return o.count - Int(strm.avail_out)
            }
        }
        return Array(out[..<produced])
    }
}
