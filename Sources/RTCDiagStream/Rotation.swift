import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Rotated logs of one upload (`sdk.log.2`, `sdk.log.1`, `sdk.log`, each maybe compressed) read
/// as one log, oldest first, so a call that runs across a rotation is one call. Remembers where
/// each file starts, so evidence can name its own file and line again.
public final class RotatedLogs {
    /// Files that form one rotation set, oldest first, keyed by their base name. Files that
    /// rotate alone are not returned.
    public static func sets(_ files: [(path: String, name: String)]) -> [String: [(path: String, name: String)]] {
        var groups: [String: [(index: Int, file: (path: String, name: String))]] = [:]
        for f in files {
            var base = f.name
            for ext in [".gz", ".zst", ".lz4"] where base.hasSuffix(ext) { base = String(base.dropLast(ext.count)) }
            var index = 0
            if let dot = base.lastIndex(of: "."), let n = Int(base[base.index(after: dot)...]), n > 0, n < 10_000 {
                index = n
                base = String(base[..<dot])
            }
            groups[base, default: []].append((index, f))
        }
        return groups.filter { $0.value.count > 1 }.mapValues { $0.sorted { $0.index > $1.index }.map(\.file) }
    }

    /// The files' names, oldest first, and how to open the k-th one.
    public let names: [String]
    private let open: (Int) throws -> DecodedStream
    private var current = -1
    private var stream: DecodedStream?
    private var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
    private var offset = 0
    private var lastByte: UInt8 = 0x0A
    private var newlines = 0
    /// The 1-based line of the concatenation where each file starts.
    private(set) var firstLines: [Int] = []

    public init(names: [String], open: @escaping (Int) throws -> DecodedStream) {
        self.names = names
        self.open = open
    }

    /// Files on disk.
    public convenience init(_ files: [(path: String, name: String)], limits: StreamLimits) {
        self.init(names: files.map(\.name)) { try DecodedStream(path: files[$0].path, limits: limits) }
    }

    /// Members of an archive: each is reached by reading the archive again up to it (libarchive
    /// reads forward only, and the oldest file is often stored last). Cheap for zip, which
    /// seeks past the other members; a compressed tar is decompressed up to the member.
    public convenience init(archive: String, members: [String], limits: ArchiveLimits, streamLimits: StreamLimits) {
        self.init(names: members) { k in
            let reader = try ArchiveReader(path: archive, limits: limits)
            while let entry = try reader.next() {
                if case .member(let name, let source, _) = entry, name == members[k] {
                    return DecodedStream(source: source, limits: streamLimits)
                }
            }
            throw InputError(input: archive, kind: .corrupt, compressedOffset: reader.offset,
                             detail: "member \(members[k]) not found on a second reading")
        }
    }

    /// The concatenation as a source for the usual stream: the files' decoded bytes in order,
    /// with a newline between two files when the first does not end with one.
    /// `modificationTime` (the newest file's) lets logs that print no year take its year.
    public func source(name: String, modificationTime: Int64? = nil) -> ByteSource {
        ByteSource(name: name, modificationTime: modificationTime) { [self] buffer in try read(into: buffer) }
    }

    /// A file's modification time in seconds, or nil.
    public static func modificationTime(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        #if canImport(Darwin)
        return Int64(st.st_mtimespec.tv_sec)
        #else
        return Int64(st.st_mtim.tv_sec)
        #endif
    }

    private func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while offset == chunk.count {
            if let s = stream, let next = try s.next() {
                chunk = next
                offset = 0
                continue
            }
            // The next file; a missing final newline is added so lines do not run together.
            current += 1
            guard current < names.count else { return 0 }
            if current > 0, lastByte != 0x0A {
                buffer[0] = 0x0A
                lastByte = 0x0A
                newlines += 1
                stream = try open(current)
                firstLines.append(newlines + 1)
                return 1
            }
            stream = try open(current)
            firstLines.append(newlines + 1)
        }
        let n = min(buffer.count, chunk.count - offset)
        let from = chunk.baseAddress! + offset
        buffer.baseAddress!.copyMemory(from: from, byteCount: n)
        var p = from, left = n
        while left > 0, let hit = memchr(p, 0x0A, left) {
            newlines += 1
            let step = UnsafeRawPointer(hit) - p + 1
            p += step
            left -= step
        }
        lastByte = from.load(fromByteOffset: n - 1, as: UInt8.self)
        offset += n
        return n
    }

    /// The file and line a line of the concatenation came from.
    public func locate(_ line: Int) -> (name: String, line: Int) {
        var k = 0
        while k + 1 < firstLines.count, firstLines[k + 1] <= line { k += 1 }
        guard k < firstLines.count else { return (names.last ?? "", line) }
        return (names[k], line - firstLines[k] + 1)
    }
}

extension ArchiveReader {
    /// What an upload archive holds, in reading order.
    public enum Unit {
        /// A member as stored (see `Entry.member`); `source` is valid during the call only.
        case member(name: String, source: ByteSource, note: String?)
        /// A member that is not read, and why.
        case skipped(name: String, reason: String)
        /// Rotated members (`sdk.log.2`, `sdk.log.1.gz`, `sdk.log`) as one log, oldest first,
        /// after all other members; `source` reads them (named `archive:first + …`).
        case rotated(RotatedLogs, source: ByteSource)
    }

    /// Reads an upload archive member by member, rotated members last as one log each. An
    /// archive that cannot be opened throws at once; a damaged one throws after every unit
    /// before the damage — and after the rotated sets, which are read on openings of their own.
    public static func readUpload(path: String, limits: ArchiveLimits, streamLimits: StreamLimits,
                                  _ body: (Unit) -> Void) throws {
        let names = (try? memberNames(path: path, limits: limits)) ?? []
        let rotations = RotatedLogs.sets(names.map { (path: $0, name: $0) })
        let rotated = Set(rotations.values.flatMap { $0.map(\.name) })
        let archive = try ArchiveReader(path: path, limits: limits)
        var damage: Error?
        do {
            while let entry = try archive.next() {
                switch entry {
                case .skipped(let name, let reason): body(.skipped(name: name, reason: reason))
                case .member(let name, let source, let note):
                    if !rotated.contains(name) { body(.member(name: name, source: source, note: note)) }
                }
            }
        } catch {
            damage = error
        }
        for base in rotations.keys.sorted() {
            let set = rotations[base]!.map(\.name)
            let chain = RotatedLogs(archive: path, members: set, limits: limits, streamLimits: streamLimits)
            body(.rotated(chain, source: chain.source(name: "\(path):\(set.joined(separator: " + "))",
                                                          modificationTime: RotatedLogs.modificationTime(path))))
        }
        if let damage { throw damage }
    }
}
