import CArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one archive may expand to before it is stopped as a bomb.
public struct ArchiveLimits: Sendable {
    /// Largest member, as stored in the archive after its own compression is undone.
    public var maxMemberBytes: Int64 = 16 << 30
    /// Largest ratio of bytes read out of the archive to archive bytes consumed, once
    /// `ratioGraceBytes` have been read out.
    public var maxRatio: Int64 = 1000
    public var ratioGraceBytes: Int64 = 64 << 20
    /// Most entries looked at in one archive.
    public var maxEntries = 100_000

    public init() {}
}

/// Reads a zip, 7z or tar archive (tar also compressed with gzip, bzip2, xz, zstd or lz4)
/// entry by entry through libarchive, without extracting anything: each regular file comes
/// out as a `ByteSource` that the usual stream reads, so a `sdk.log.zst` inside a zip is
/// decoded like a file on disk. Entry names are only ever shown, never used as paths, so
/// `../` or absolute names cannot write anywhere.
public final class ArchiveReader {
    public enum Entry {
        /// A regular file; `source` is valid until the next call to `next()`. `note` flags
        /// what is odd about the name (absolute, `..`).
        case member(name: String, source: ByteSource, note: String?)
        /// An entry that is not read, and why (encrypted, a link, a device, …).
        case skipped(name: String, reason: String)
    }

    public let path: String
    public let limits: ArchiveLimits
    private let archive: OpaquePointer
    private var entries = 0
    /// The archive file's own modification time: the year of a member that records none.
    private let archiveTime: Int64?
    /// Bytes read out of all members so far (for the ratio check).
    private var producedTotal: Int64 = 0

    /// Whether `path` is an archive this reader opens (as opposed to a single, possibly
    /// compressed, log). Checks magic bytes; a compressed file is looked into (its first
    /// block) to tell a `.tar.gz` from a `.log.gz`.
    public static func isArchive(_ path: String) -> Bool {
        guard path != "-", let f = fopen(path, "rb") else { return false }
        var head = [UInt8](repeating: 0, count: 512)
        let n = fread(&head, 1, head.count, f)
        fclose(f)
        guard n >= 4 else { return false }
        if head[0] == 0x50, head[1] == 0x4B, (head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6) { return true }
        if n >= 6, head[0..<6] == [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C] { return true }
        if n >= 262, head[257..<262] == Array("ustar".utf8)[...] { return true }
        let compressed = (head[0] == 0x1F && head[1] == 0x8B) || (head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD)
            || (head[0] == 0x04 && head[1] == 0x22 && head[2] == 0x4D && head[3] == 0x18)
            || (head[0] == 0xFD && head[1] == 0x37 && head[2] == 0x7A && head[3] == 0x58) || (head[0] == 0x42 && head[1] == 0x5A && head[2] == 0x68)
        guard compressed, let probe = try? ArchiveReader(path: path) else { return false }
        var entry: OpaquePointer?
        return archive_read_next_header(probe.archive, &entry) == ARCHIVE_OK
    }

    public init(path: String, limits: ArchiveLimits = ArchiveLimits()) throws {
        self.path = path
        self.limits = limits
        var st = stat()
        #if canImport(Darwin)
        archiveTime = stat(path, &st) == 0 ? Int64(st.st_mtimespec.tv_sec) : nil
        #else
        archiveTime = stat(path, &st) == 0 ? Int64(st.st_mtim.tv_sec) : nil
        #endif
        guard let a = archive_read_new() else {
            throw InputError(input: path, kind: .unreadable, compressedOffset: 0, detail: "cannot start libarchive")
        }
        archive = a
        archive_read_support_filter_all(a)
        archive_read_support_format_zip(a)
        archive_read_support_format_7zip(a)
        archive_read_support_format_tar(a)
        guard archive_read_open_filename(a, path, 256 << 10) == ARCHIVE_OK else {
            // Every stored property is set, so `deinit` runs and frees the handle.
            let detail = Self.errorText(a)
            throw InputError(input: path, kind: .unsupportedFormat, compressedOffset: 0, detail: "not a readable archive: \(detail)")
        }
    }

    deinit { archive_read_free(archive) }

    /// Archive bytes consumed so far: where a fault is reported.
    public var offset: Int64 { archive_filter_bytes(archive, -1) }

    /// The next entry, or nil at the end. A damaged archive throws; members before it were read.
    public func next() throws -> Entry? {
        while true {
            var entry: OpaquePointer?
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { return nil }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw InputError(input: path, kind: .corrupt, compressedOffset: offset,
                                 detail: "damaged archive: \(Self.errorText(archive))")
            }
            entries += 1
            if entries > limits.maxEntries {
                throw InputError(input: path, kind: .ratioExceeded, compressedOffset: offset,
                                 detail: "more than \(limits.maxEntries) entries; stopped")
            }
            let name = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
                ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? "?"
            let type = archive_entry_filetype(entry) & 0o170000
            if type == 0o040000 { continue }  // directories hold nothing to read
            guard type == 0o100000 else {
                return .skipped(name: name, reason: type == 0o120000 ? "a symbolic link" : "not a regular file")
            }
            if archive_entry_is_encrypted(entry) != 0 {
                return .skipped(name: name, reason: "encrypted")
            }
            // A zip writer that records no time leaves the DOS epoch (1980-01-01); logcat's
            // year would come out as 1979. Such a member takes the archive's own time.
            let recorded: Int64? = archive_entry_mtime_is_set(entry) != 0 ? Int64(archive_entry_mtime(entry)) : nil
            let mtime = recorded.flatMap { $0 > 315_619_200 ? $0 : nil } ?? archiveTime
            var note: String?
            if name.hasPrefix("/") || name.split(separator: "/").contains("..") {
                note = "unsafe name (absolute or with ..): read in memory only, nothing is extracted"
            }
            return .member(name: name, source: memberSource(name: name, modificationTime: mtime), note: note)
        }
    }

    /// Names of the regular files in the archive at `path`, in stored order (headers only; zip
    /// seeks past the data, a compressed tar is decompressed once).
    public static func memberNames(path: String, limits: ArchiveLimits = ArchiveLimits()) throws -> [String] {
        let reader = try ArchiveReader(path: path, limits: limits)
        var names: [String] = []
        while let entry = try reader.next() {
            if case .member(let name, _, _) = entry { names.append(name) }
        }
        return names
    }

    /// The current member's bytes, with the size and ratio caps applied as they are read.
    private func memberSource(name: String, modificationTime: Int64?) -> ByteSource {
        var produced: Int64 = 0
        let label = "\(path):\(name)"
        // The source holds the reader (not the other way round): a member read later, on a
        // second opening of the archive, keeps that opening alive.
        return ByteSource(name: label, modificationTime: modificationTime) { [self] buffer in
            let n = archive_read_data(self.archive, buffer.baseAddress, buffer.count)
            if n < 0 {
                throw InputError(input: label, kind: .corrupt, compressedOffset: self.offset,
                                 detail: "damaged member: \(Self.errorText(self.archive))")
            }
            produced += Int64(n)
            self.producedTotal += Int64(n)
            if produced > self.limits.maxMemberBytes {
                throw InputError(input: label, kind: .ratioExceeded, compressedOffset: self.offset,
                                 detail: "member larger than \(self.limits.maxMemberBytes) bytes; stopped (zip bomb?)")
            }
            if self.producedTotal > self.limits.ratioGraceBytes,
               self.producedTotal > self.limits.maxRatio * max(self.offset, 1) {
                throw InputError(input: label, kind: .ratioExceeded, compressedOffset: self.offset,
                                 detail: "archive expands more than \(self.limits.maxRatio)× its size; stopped (zip bomb?)")
            }
            return n
        }
    }

    private static func errorText(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unknown error"
    }
}
