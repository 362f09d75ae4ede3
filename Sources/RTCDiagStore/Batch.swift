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
        public var verdicts: [Verdict] = []
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
    /// Files to analyze: each argument as is, directories walked recursively (sorted, hidden
    /// files left out).
    public static func expand(_ inputs: [String]) -> [String] {
        var out: [String] = []
        for input in inputs {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir) else { out.append(input); continue }
            guard isDir.boolValue else { out.append(input); continue }
            let base = URL(fileURLWithPath: input)
            var files: [String] = []
            if let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey],
                                                           options: [.skipsHiddenFiles]) {
                for case let url as URL in walker
                where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                    files.append(url.path)
                }
            }
            out += files.sorted()
        }
        return out
    }

    /// A 64-bit hash of a file's bytes (read in 1 MiB blocks, 8 bytes at a step) with its
    /// length: the upload's identity in the store. Not cryptographic; it tells uploads apart.
    public static func contentHash(_ path: String) throws -> (hash: String, bytes: Int64) {
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

    /// Reads one upload: every member of an archive, or the file itself.
    public static func analyze(_ path: String, hash: String, bytes: Int64, options: BatchOptions) -> UploadResult {
        var result = UploadResult(path: path, contentHash: hash, bytes: bytes, status: .analyzed, reason: nil,
                                  analyzedAt: ISO8601DateFormatter().string(from: Date()), members: [])
        func run(_ name: String, _ stream: DecodedStream) -> UploadResult.Member {
            var member = UploadResult.Member(name: name, status: .analyzed)
            do {
                let events = try EventReader(framer: LineFramer(stream: stream), options: options.reader)
                let r = Analysis(runtime: options.rules).run(events)
                member.dialect = r.dialect
                member.lines = r.lines
                member.events = r.events
                member.calls = r.sessionCount
                member.firstTime = r.firstTime
                member.lastTime = r.lastTime
                if let fault = r.inputFault {
                    if r.lines == 0, fault.kind == .binary {
                        member.status = .skipped
                        member.reason = "not a log: \(fault.detail)"
                        return member
                    }
                    member.status = .failed
                    member.reason = fault.description
                }
                member.verdicts = Triage.verdicts(for: r)
            } catch {
                member.status = .failed
                member.reason = "\(error)"
            }
            return member
        }
        do {
            if ArchiveReader.isArchive(path) {
                let archive = try ArchiveReader(path: path, limits: options.archiveLimits)
                do {
                    while let entry = try archive.next() {
                        switch entry {
                        case .skipped(let name, let reason):
                            result.members.append(.init(name: name, status: .skipped, reason: reason))
                        case .member(let name, let source, _):
                            result.members.append(run(name, DecodedStream(source: source, limits: options.limits)))
                        }
                    }
                } catch {
                    result.reason = "archive damaged after \(result.members.count) member(s): \(error)"
                }
            } else {
                let name = (path as NSString).lastPathComponent
                result.members.append(run(name, try DecodedStream(path: path, limits: options.limits)))
            }
        } catch {
            result.status = .failed
            result.reason = "\(error)"
        }
        if result.status == .analyzed, !result.members.isEmpty,
           result.members.allSatisfy({ $0.status == .failed }) {
            result.status = .failed
            result.reason = result.reason ?? "no member could be read"
        }
        return result
    }

    /// State the worker threads share, always used under `lock`.
    private final class Shared: @unchecked Sendable {
        let lock = NSCondition()
        var results: [UploadResult?]
        var next = 0
        var waiting = 0   // results done but not yet delivered
        var stop = false
        init(count: Int) { results = Array(repeating: nil, count: count) }
    }

    /// Runs `analyze` over `work` on `options.jobs` threads; `deliver` gets each result on the
    /// calling thread, in input order, as soon as it and every one before it are ready. The
    /// workers stay at most 4 × jobs results ahead of delivery, so memory is bounded by the jobs.
    public static func run(_ work: [(path: String, hash: String, bytes: Int64)], options: BatchOptions,
                           deliver: (Int, UploadResult) throws -> Void) throws {
        let shared = Shared(count: work.count)
        let jobs = max(1, min(options.jobs, work.count))
        for _ in 0..<jobs {
            let t = Thread {
                while true {
                    shared.lock.lock()
                    while !shared.stop, shared.next < work.count, shared.waiting >= 4 * jobs { shared.lock.wait() }
                    guard !shared.stop, shared.next < work.count else { shared.lock.unlock(); return }
                    let i = shared.next
                    shared.next += 1
                    shared.lock.unlock()
                    let r = analyze(work[i].path, hash: work[i].hash, bytes: work[i].bytes, options: options)
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
        for i in work.indices {
            shared.lock.lock()
            while shared.results[i] == nil { shared.lock.wait() }
            let r = shared.results[i]!
            shared.results[i] = nil
            shared.waiting -= 1
            shared.lock.broadcast()
            shared.lock.unlock()
            try deliver(i, r)
        }
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
