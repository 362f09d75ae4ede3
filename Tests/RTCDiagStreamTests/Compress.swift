import CLZ4
import CZlib
import CZstd

/// In-process compressors for fixtures, so stream tests need no command-line tools.
enum Compress {
    static func zstd(_ data: [UInt8], level: Int32 = 3) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
        let n = out.withUnsafeMutableBytes { o in
            data.withUnsafeBytes { i in ZSTD_compress(o.baseAddress, o.count, i.baseAddress, i.count, level) }
        }
        precondition(ZSTD_isError(n) == 0)
        return Array(out[..<n])
    }

    /// With a content checksum, as the `lz4` command writes by default.
    static func lz4(_ data: [UInt8]) -> [UInt8] {
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        var out = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(data.count, &prefs))
        let n = out.withUnsafeMutableBytes { o in
            data.withUnsafeBytes { i in LZ4F_compressFrame(o.baseAddress, o.count, i.baseAddress, i.count, &prefs) }
        }
        precondition(LZ4F_isError(n) == 0)
        return Array(out[..<n])
    }

    static func gzip(_ data: [UInt8]) -> [UInt8] {
        var strm = z_stream()
        precondition(rtcdiag_deflateInit_gzip(&strm, 6) == Z_OK)
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
        deflateEnd(&strm)
        return Array(out[..<produced])
    }

    /// A zstd skippable frame (magic 0x184D2A5x) carrying `payload`.
    static func skippable(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [0x50, 0x2A, 0x4D, 0x18, UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
            + payload
    }
}
