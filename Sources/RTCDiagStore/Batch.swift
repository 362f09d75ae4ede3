import Foundation
import RTCDiagAnalyzers
import RTCDiagFormats
import RTCDiagStream
import RTCDiagTriage

#if canImport(Glibc)
import Glibc
#endif

/// What a batch learned about one upload: written to the store in one transaction.
public struct UploadResult: Sendable {
    public enum Status: String, Sendable { case analyzed, failed }
    public enum MemberStatus: String, Sendable { case analyzed, skipped, failed }

    public struct Member: Sendable {
        public var name: String
        public var status: MemberStatus
        public var reason: String?
        public var dialect: String?
        public var lines = 0
        public var events = 0
        public var calls = 0
        public var firstTime: Int64?
        public var lastTime: Int64?
        /// The calls found, ready for the store.
        public var sessions = StoreRows()
    }

    public var path: String
    public var contentHash: String
    public var bytes: Int64
    public var status: Status
    public var reason: String?
    public var analyzedAt: String
    public var members: [Member]

    public init(path: String, contentHash: String, bytes: Int64, status: Status, reason: String?, analyzedAt: String,
                members: [Member]) {
        self.path = path
        self.contentHash = contentHash
        self.bytes = bytes
        self.status = status
        self.reason = reason
        self.analyzedAt = analyzedAt
        self.members = members
    }
}

/// The calls of one member as the store writes them: the `session` and `finding` columns of
/// every call, packed on the worker thread into one text buffer and one list of values. The
/// batch's single store writer then binds them straight from that buffer and frees two
/// allocations per member; with a `String` per column it spent a sixth of its time allocating,
/// retaining and freeing them, work the second job had to wait for.
public struct StoreRows: Sendable {
    /// One column value; text as a range of `text`.
    enum Value {
        case null
        case int(Int64)
        case real(Double)
        case text(start: Int, count: Int)
    }

    /// `session` columns after `member_id`, in the store's order: idx, 12 text columns,
    /// confidence, first_time, last_time.
    static let sessionColumns = 16
    /// `finding` columns after `session_id`: signature, subkind, cause, severity, confidence,
    /// detail, evidence_count, evidence.
    static let findingColumns = 8

    /// Every text value, back to back (one byte in front, so an empty value still has an address).
    var text: [UInt8] = [0]
    /// Per call: its session columns, its number of findings (an `.int`), then each finding's columns.
    var values: [Value] = []
    /// Calls packed, and those with findings.
    public private(set) var count = 0
    public private(set) var failing = 0

    public init() {}

    public init(_ verdicts: [Verdict]) {
        for v in verdicts { add(v) }
    }

    public mutating func add(_ v: Verdict) {
        let s = v.session
        count += 1
        if !v.findings.isEmpty { failing += 1 }
        values.append(.int(Int64(s.index)))
        for t in [s.channel, s.uid, s.sdkVersion, s.edge, s.region, s.network,
                  v.device.manufacturer, v.device.model, v.device.os, v.device.hardware,
                  v.severity?.description, v.primary?.cause.rawValue] { add(t) }
        add(v.primary?.confidence)
        add(v.firstTime.map { formatLogTime($0) })
        add(v.lastTime.map { formatLogTime($0) })
        values.append(.int(Int64(v.findings.count)))
        for f in v.findings {
            add(f.signature)
            add(f.subkind)
            add(f.cause.rawValue)
            add(f.severity.description)
            add(f.confidence)
            add(f.detail)
            values.append(.int(Int64(f.evidence.count)))
            // The kept lines as the JSON array the store keeps: [{"source","line","time","text"}].
            var w = JSONWriter()
            w.evidence(f.evidence.examples)
            add(bytes: w.bytes)
        }
    }

    private mutating func add(_ s: String?) {
        guard var s else { values.append(.null); return }
        s.withUTF8 { add(bytes: $0) }
    }

    private mutating func add<C: Collection<UInt8>>(bytes: C) {
        values.append(.text(start: text.count, count: bytes.count))
        text.append(contentsOf: bytes)
    }

    private mutating func add(_ d: Double?) {
        values.append(d.map { .real($0) } ?? .null)
    }
}

/// How a batch reads each upload.
public struct BatchOptions: Sendable {
    public var reader = ReaderOptions()
    public var limits = StreamLimits()
    public var archiveLimits = ArchiveLimits()
    public var rules: [Analysis.Factory] = []
    public var jobs = 2

    public init() {}
}

/// Analyzes uploads (plain or compressed logs, or archives of them) into `UploadResult`s,
/// several at a time, and hands them out in input order.
public enum Batch {
    /// The uploads in `inputs`. A file is one upload. In a directory, each file is one upload and
    /// each subdirectory is one upload holding every file under it — the rotated `sdk.log`,
    /// `sdk.log.1` and the logcat dump of one ticket are stored, counted and keyed together.
    /// Sorted by name; hidden files left out.
    public static func expand(_ inputs: [String]) -> [String] {
        var out: [String] = []
        for input in inputs {
            guard isDirectory(input) else { out.append(input); continue }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            out += names.map { (input as NSString).appendingPathComponent($0) }
        }
        return out
    }

    public static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Regular files under a directory, recursively, sorted, with their paths relative to it.
    public static func files(in dir: String) -> [(path: String, name: String)] {
        let base = URL(fileURLWithPath: dir).standardizedFileURL
        var files: [(String, String)] = []
        if let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey],
                                                       options: [.skipsHiddenFiles]) {
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                let full = url.standardizedFileURL.path
                let name = full.hasPrefix(base.path + "/") ? String(full.dropFirst(base.path.count + 1)) : url.lastPathComponent
                files.append((url.path, name))
            }
        }
        return files.sorted { $0.1 < $1.1 }
    }

    /// A 64-bit hash of a file's bytes (read in 1 MiB blocks, 8 bytes at a step) with its
    /// length: the upload's identity in the store. Not cryptographic; it tells uploads apart.
    public static func contentHash(_ path: String) throws -> (hash: String, bytes: Int64) {
        guard isDirectory(path) else { return try fileHash(path) }
        // A directory upload: its files' hashes and names, in order.
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        var total: Int64 = 0
        for f in files(in: path) {
            let (fileHash, n) = try fileHash(f.path)
            for b in (f.name + "\u{0}" + fileHash).utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
            total += n
        }
        return (String(h, radix: 16).leftPadded(to: 16) + "-" + String(total) + "-dir", total)
    }

    static func fileHash(_ path: String) throws -> (hash: String, bytes: Int64) {
        let source = try ByteSource(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        var total: Int64 = 0
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            var i = 0
            while i + 8 <= n {
                let w = buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
                i += 8
            }
            while i < n { h = (h ^ UInt64(buffer[i])) &* 0x100_0000_01B3; i += 1 }
            total += Int64(n)
        }
        h ^= UInt64(bitPattern: total)
        h = (h ^ (h >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return (String(h, radix: 16).leftPadded(to: 16) + "-" + String(total), total)
    }

    /// Reads one upload: every member of an archive, or the file itself. `analysis` (a worker's
    /// own, reused from upload to upload; made here when not given) saves building the analyzers
    /// and the keyword scanner per member, which costs a small upload as much as reading it;
    /// each pass ends with every analyzer reset, and the scanner is tuned anew per input.
    public static func analyze(_ path: String, hash: String, bytes: Int64, options: BatchOptions,
                               analysis: Analysis? = nil) -> UploadResult {
        let analysis = analysis ?? Analysis(runtime: options.rules)
        analysis.recordsTimeline = false  // the store keeps findings, not timelines
        var result = UploadResult(path: path, contentHash: hash, bytes: bytes, status: .analyzed, reason: nil,
                                  analyzedAt: Batch.utcNow(), members: [])
        /// `relocate` (rotated logs read as one) re-points evidence before the rows are made.
        func run(_ name: String, _ stream: DecodedStream,
                 relocate: ((inout EvidenceLog) -> Void)? = nil) -> UploadResult.Member {
            var member = UploadResult.Member(name: name, status: .analyzed)
            do {
                let events = try EventReader(framer: LineFramer(stream: stream), options: options.reader)
                let r = analysis.run(events)
                member.dialect = r.dialect
                member.lines = r.lines
                member.events = r.events
                member.calls = r.sessionCount
                member.firstTime = r.firstTime
                member.lastTime = r.lastTime
                if let fault = r.inputFault {
                    if r.lines == 0, fault.kind == .binary {
                        member.status = .skipped
                        member.calls = 0
                        member.reason = "not a log: \(fault.detail)"
                        return member
                    }
                    member.status = .failed
                    member.reason = fault.description
                }
                var verdicts = Triage.verdicts(for: r)
                if let relocate {
                    for v in verdicts.indices { for i in verdicts[v].findings.indices { relocate(&verdicts[v].findings[i].evidence) } }
                }
                member.sessions = StoreRows(verdicts)
            } catch {
                member.status = .failed
                member.reason = "\(error)"
            }
            return member
        }
        /// A rotation set read as one log; each evidence line names its own file and line again.
        func runRotated(_ chain: RotatedLogs, name: String, stream: DecodedStream,
                        source: @escaping (String) -> String) -> UploadResult.Member {
            run(name, stream) { $0.relocate(chain.locate, source: source) }
        }
        /// One file of the upload: an archive's members (named under `prefix`), or the file itself.
        func add(_ file: String, name: String, prefix: String?) throws {
            if ArchiveReader.isArchive(file) {
                let shown = { (member: String) in (prefix.map { $0 + "/" } ?? "") + member }
                let before = result.members.count
                do {
                    try ArchiveReader.readUpload(path: file, limits: options.archiveLimits, streamLimits: options.limits) { unit in
                        switch unit {
                        case .skipped(let member, let reason):
                            result.members.append(.init(name: shown(member), status: .skipped, reason: reason))
                        case .member(let member, let source, _):
                            result.members.append(run(shown(member), DecodedStream(source: source, limits: options.limits)))
                        case .rotated(let chain, let source):
                            result.members.append(runRotated(chain, name: shown(chain.names.joined(separator: " + ")),
                                                             stream: DecodedStream(source: source, limits: options.limits))
                                                  { "\(file):\($0)" })
                        }
                    }
                } catch {
                    // Nothing read at all: the upload (or this file of it) failed.
                    guard result.members.count > before else { throw error }
                    let note = "\(name): archive damaged after \(result.members.count - before) member(s): \(error)"
                    result.reason = result.reason.map { $0 + "; " + note } ?? note
                }
            } else {
                result.members.append(run(name, try DecodedStream(path: file, limits: options.limits)))
            }
        }
        if isDirectory(path) {
            let all = files(in: path)
            // Rotated logs (sdk.log.2, sdk.log.1, sdk.log) are read as one log, oldest first.
            let rotations = RotatedLogs.sets(all.filter { !ArchiveReader.isArchive($0.path) })
            var setOf: [String: String] = [:]
            for (base, set) in rotations { for f in set { setOf[f.path] = base } }
            var read = Set<String>()
            for f in all {
                if let base = setOf[f.path] {
                    guard read.insert(base).inserted, let set = rotations[base] else { continue }
                    let chain = RotatedLogs(set, limits: options.limits)
                    let name = set.map(\.name).joined(separator: " + ")
                    let source = chain.source(name: "\(path)/\(name)",
                                              modificationTime: set.last.flatMap { RotatedLogs.modificationTime($0.path) })
                    result.members.append(runRotated(chain, name: name, stream: DecodedStream(source: source, limits: options.limits))
                                          { "\(path)/\($0)" })
                    continue
                }
                do { try add(f.path, name: f.name, prefix: f.name) } catch {
                    result.members.append(.init(name: f.name, status: .failed, reason: "\(error)"))
                }
            }
        } else {
            do { try add(path, name: (path as NSString).lastPathComponent, prefix: nil) } catch {
                result.status = .failed
                result.reason = "\(error)"
            }
        }
        if result.status == .analyzed, !result.members.isEmpty,
           result.members.allSatisfy({ $0.status == .failed }) {
            result.status = .failed
            result.reason = result.reason ?? "no member could be read"
        }
        return result
    }

    /// The current time as `ISO8601DateFormatter` writes it (`2026-11-23T18:40:00Z`), made by
    /// hand: creating a formatter per upload was a quarter of the work on a small upload.
    static func utcNow() -> String {
        var now = time(nil)
        var t = tm()
        gmtime_r(&now, &t)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(t.tm_year + 1900)-\(two(t.tm_mon + 1))-\(two(t.tm_mday))T\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec))Z"
    }

    /// What became of one upload in a batch run.
    public enum Outcome: Sendable {
        /// Read now (analyzed, or failed with the reason): to be written to the store.
        case read(UploadResult)
        /// Its content hash was already in the store (or earlier in this run): skipped.
        case alreadyStored(path: String)
    }

    /// Bytes an upload holds on disk (a directory: its files), for progress and ETA.
    public static func size(_ path: String) -> Int64 {
        guard isDirectory(path) else {
            return ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
        }
        return files(in: path).reduce(0) { $0 + size($1.path) }
    }

    /// Hashes, then (unless `known` has the hash) analyzes one upload. An upload that cannot be
    /// read at all is still a result, keyed by its path, so the store lists it as failed.
    static func process(_ path: String, known: Set<String>, options: BatchOptions, analysis: Analysis) -> Outcome {
        let hash: String, bytes: Int64
        do { (hash, bytes) = try contentHash(path) } catch {
            guard !known.contains("unreadable:" + path) else { return .alreadyStored(path: path) }
            return .read(UploadResult(path: path, contentHash: "unreadable:" + path, bytes: 0, status: .failed,
                                      reason: "\(error)", analyzedAt: Batch.utcNow(), members: []))
        }
        guard !known.contains(hash) else { return .alreadyStored(path: path) }
        return .read(analyze(path, hash: hash, bytes: bytes, options: options, analysis: analysis))
    }

    /// State the worker threads share, always used under `lock`.
    final class Shared: @unchecked Sendable {
        let lock = NSCondition()
        var results: [Outcome?]
        var next = 0
        var waiting = 0   // results done but not yet delivered
        var stop = false
        init(count: Int) { results = Array(repeating: nil, count: count) }
    }

    /// Hashes and analyzes `uploads` on `options.jobs` threads, skipping those whose content hash
    /// is in `known` (the store's) or came earlier in the run. `deliver` gets each outcome on
    /// the calling thread, in input order, as soon as it and every one before it are ready. The
    /// workers stay at most 4 × jobs results ahead of delivery, so memory is bounded by the jobs.
    /// Hashing runs on the workers too, so a re-run over a stored archive is parallel as well.
    public static func run(_ uploads: [String], known: Set<String>, options: BatchOptions,
                           deliver: (Int, Outcome) throws -> Void) throws {
        let shared = Shared(count: uploads.count)
        let jobs = max(1, min(options.jobs, uploads.count))
        for _ in 0..<jobs {
            let t = Thread {
                // Batch streams decode on the worker itself (no decode-ahead thread holds the
                // scanner past a pass), so one analysis serves the worker's uploads in turn.
                let analysis = Analysis(runtime: options.rules)
                while true {
                    shared.lock.lock()
                    while !shared.stop, shared.next < uploads.count, shared.waiting >= 4 * jobs { shared.lock.wait() }
                    guard !shared.stop, shared.next < uploads.count else { shared.lock.unlock(); return }
                    let i = shared.next
                    shared.next += 1
                    shared.lock.unlock()
                    let r = process(uploads[i], known: known, options: options, analysis: analysis)
                    shared.lock.lock()
                    shared.results[i] = r
                    shared.waiting += 1
                    shared.lock.broadcast()
                    shared.lock.unlock()
                }
            }
            t.stackSize = 8 << 20
            t.start()
        }
        defer {
            shared.lock.lock()
            shared.stop = true
            shared.lock.broadcast()
            shared.lock.unlock()
        }
        var seen = known
        for i in uploads.indices {
            shared.lock.lock()
            while shared.results[i] == nil { shared.lock.wait() }
            let r = shared.results[i]!
            shared.results[i] = nil
            shared.waiting -= 1
            shared.lock.broadcast()
            shared.lock.unlock()
            // Two copies of one upload in a run: the first in input order is kept.
            if case .read(let u) = r, !seen.insert(u.contentHash).inserted {
                try deliver(i, .alreadyStored(path: u.path))
            } else {
                try deliver(i, r)
            }
        }
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
