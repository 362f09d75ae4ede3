/// How an input's bytes are stored. Chosen by magic bytes, never by file name:
/// uploads are renamed, and `.log` files that are really gzip are common.
public enum Codec: String, Sendable, CaseIterable {
    case plain, zstd, lz4, gzip
    /// UTF-16 text, little- or big-endian, transcoded to UTF-8 while read.
    case utf16le = "utf-16le", utf16be = "utf-16be"

    /// What the first bytes of an input say it is.
    public enum Sniff: Equatable, Sendable {
        case codec(Codec)
        /// A known format that this reader does not decode, with its name.
        case unsupported(String)
        /// Fewer bytes than a magic needs and no other clue.
        case needMoreBytes
    }

    /// Classifies an input from its first bytes (at least 4, more if a skippable frame leads).
    public static func sniff(_ p: UnsafeRawBufferPointer, atEnd: Bool) -> Sniff {
        if p.count < 4 { return atEnd ? .codec(.plain) : .needMoreBytes }
        let m = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
        switch m {
        case 0xFD2F_B528: return .codec(.zstd)
        case 0x184D_2204: return .codec(.lz4)
        case 0x184C_2102: return .unsupported("legacy lz4 (lz4 -l); recompress with the lz4 frame format")
        case 0x0403_4B50, 0x0605_4B50: return .unsupported("zip archive")
        case 0x0021_FD37 where p.count >= 6 && p[4] == 0x5A: return .unsupported("xz")
        default: break
        }
        // Skippable frames (0x184D2A50…5F) are shared by zstd and lz4: look behind them.
        if m & 0xFFFF_FFF0 == 0x184D_2A50 {
            guard p.count >= 8 else { return atEnd ? .codec(.zstd) : .needMoreBytes }
            let size = Int(UInt32(p[4]) | UInt32(p[5]) << 8 | UInt32(p[6]) << 16 | UInt32(p[7]) << 24)
            let next = 8 + size
            if next + 4 <= p.count {
                let rest = UnsafeRawBufferPointer(rebasing: p[next...])
                if case .codec(let c) = sniff(rest, atEnd: atEnd), c == .lz4 { return .codec(.lz4) }
            }
            return .codec(.zstd)
        }
        if p[0] == 0x1F && p[1] == 0x8B { return .codec(.gzip) }
        // Byte-order marks (UTF-32's FF FE 00 00 is not UTF-16).
        if p[0] == 0xFF && p[1] == 0xFE && !(p[2] == 0 && p[3] == 0) { return .codec(.utf16le) }
        if p[0] == 0xFE && p[1] == 0xFF { return .codec(.utf16be) }
        if p[0] == 0x42 && p[1] == 0x5A && p[2] == 0x68 { return .unsupported("bzip2") }
        if p.count >= 262, p[257] == 0x75, p[258] == 0x73, p[259] == 0x74, p[260] == 0x61, p[261] == 0x72 {
            return .unsupported("tar archive")
        }
        return .codec(.plain)
    }

    /// UTF-16 without a byte-order mark: text whose every other byte is zero (ASCII in UTF-16),
    /// on one side only. Nil for anything else (UTF-8 text has no zero bytes).
    public static func utf16WithoutBOM(_ p: UnsafeRawBufferPointer) -> Codec? {
        guard p.count >= 64 else { return nil }
        var zeros = (even: 0, odd: 0)
        for k in 0..<(p.count & ~1) where p[k] == 0 {
            if k & 1 == 0 { zeros.even += 1 } else { zeros.odd += 1 }
        }
        let half = p.count / 2
        // Binary data with zero bytes in step (16-bit samples, tables) is not text: the other
        // byte of those units must read as text too.
        func textual(_ side: Int) -> Bool {
            var units = 0, control = 0
            for k in stride(from: 0, to: p.count & ~1, by: 2) where p[k + 1 - side] == 0 {
                units += 1
                let b = p[k + side]
                if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { control += 1 }
            }
            return control * 10 < units
        }
        if zeros.odd * 10 >= half * 4, zeros.even * 20 <= half, textual(0) { return .utf16le }
        if zeros.even * 10 >= half * 4, zeros.odd * 20 <= half, textual(1) { return .utf16be }
        return nil
    }

    /// Share of bytes in `p` that do not occur in text (control bytes other than tab, CR, LF,
    /// form feed, escape). UTF-8 and Latin-1 bytes count as text: wrong encodings are normal here.
    public static func binaryShare(_ p: UnsafeRawBufferPointer) -> Double {
        guard !p.isEmpty else { return 0 }
        var bad = 0
        for b in p where b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C && b != 0x1B {
            bad += 1
        }
        return Double(bad) / Double(p.count)
    }
}
