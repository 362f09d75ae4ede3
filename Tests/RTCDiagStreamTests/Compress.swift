import RTCDiagStream

/// Fixture compressors: the library's own, at the levels the tests want.
enum Compress {
    static func zstd(_ data: [UInt8], level: Int32 = 3) -> [UInt8] { Compression.zstd(data, level: level) }
    static func lz4(_ data: [UInt8], contentChecksum: Bool = true, blockChecksums: Bool = false) -> [UInt8] {
        Compression.lz4(data, contentChecksum: contentChecksum, blockChecksums: blockChecksums)
    }
    static func gzip(_ data: [UInt8]) -> [UInt8] { Compression.gzip(data) }

    /// A zstd skippable frame (magic 0x184D2A5x) carrying `payload`.
    static func skippable(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [0x50, 0x2A, 0x4D, 0x18, UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
            + payload
    }
}
