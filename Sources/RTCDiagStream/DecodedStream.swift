#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Limits that keep one input from taking unbounded time or memory.
public struct StreamLimits: Sendable {
    /// Decompressed bytes allowed per compressed byte before the input counts as a compression bomb.
    /// Real logs compress 5–50×; 1000× is far beyond any log we have seen.
    public var maxRatio: Int64 = 1000
    /// The ratio is judged only after this much output, so tiny highly-compressible inputs pass.
    public var ratioGraceBytes: Int64 = 16 << 20
    /// Share of control bytes in the first block above which a plain input is called binary.
    public var maxBinaryShare: Double = 0.10

    public init() {}
}

/// Decoded bytes of one input, chunk by chunk, in fixed buffers whatever the input size.
///
/// The codec comes from the magic bytes. `next()` returns chunks valid until the following call.
/// A fault throws `InputError` after every byte decoded before it has been returned.
public final class DecodedStream {
    public var name: String { source.name }
    public var modificationTime: Int64? { source.modificationTime }
    /// The codec found by sniffing; `plain` until the first chunk.
    public var codec: Codec { ahead == nil ? directCodec : aheadInner!.directCodec }
    /// Compressed bytes read from the source so far (exact once the stream has ended).
    public var compressedBytesRead: Int64 { ahead == nil ? directCompressed : aheadInner!.directCompressed }
    /// Decoded bytes handed out so far (exact once the stream has ended).
    public var decodedBytes: Int64 { ahead == nil ? directDecoded : aheadInner!.directDecoded }

    private var directCodec: Codec = .plain
    private var directCompressed: Int64 = 0
    private var directDecoded: Int64 = 0
    /// With `decodeAhead`, a second stream decodes on its own thread and this one hands out its chunks.
    private var ahead: DecodeAhead?
    private var aheadInner: DecodedStream?

    private let source: ByteSource
    private let limits: StreamLimits
    private let input: UnsafeMutableRawBufferPointer
    private let ownOutput: UnsafeMutableRawBufferPointer
    /// Where the decoder writes: `ownOutput`, or a decode-ahead slot (`nextDirect(into:)`).
    private var output: UnsafeMutableRawBufferPointer
    private var inStart = 0, inEnd = 0
    /// Compressed bytes consumed by the decoder: the offset a fault is reported at.
    private var consumedOffset: Int64 = 0
    private var sourceEnded = false
    private var started = false
    private var finished = false
    private var decoder: FrameDecoder?
    /// Set by the decode thread's ring before the first read: this many of the latest decoded
    /// bytes stay where they were written, so zstd may decode in place (see `ZstdDecoder`).
    var keptHistory = 0
    /// Without a decode thread, a zstd input whose first frame's window fits `maxOwnHistory`
    /// is decoded in place too: into this ring of the window plus two output buffers' room,
    /// chunk after chunk (`ringPosition`), so that libzstd does not copy every block out of a
    /// window of its own (a tenth of decoding). See `nextDirect()` for why nothing live is
    /// overwritten. Rings come from `RingPool`: a batch worker opens one stream per upload.
    private var ownRing: UnsafeMutableRawBufferPointer?
    private var ringPosition = 0
    /// The largest window decoded in place on the calling thread (zstd up to level 19 without
    /// `--long` uses at most 8 MiB); a larger window streams, as before.
    static let maxOwnHistory = 8 << 20

    public init(source: ByteSource, limits: StreamLimits = StreamLimits(),
                inputBufferSize: Int = 256 << 10, outputBufferSize: Int = 1 << 20) {
        self.source = source
        self.limits = limits
        // At least 1 KiB, so the magic bytes (and a skippable frame before them) fit in one read.
        input = .allocate(byteCount: max(inputBufferSize, 1024), alignment: 64)
        ownOutput = .allocate(byteCount: outputBufferSize, alignment: 64)
        output = ownOutput
    }

    /// With `decodeAhead`, decompression runs on a thread of its own (two cores: one decodes,
    /// one parses); memory grows by a ring of 12 MiB, 8 chunks of up to 1 MiB in use (and, for
    /// readers that parse ahead on that thread, up to 2 MiB of parsed headers per chunk).
    public convenience init(path: String, limits: StreamLimits = StreamLimits(), decodeAhead: Bool = false) throws {
        let source = try ByteSource(path: path)
        if decodeAhead {
            self.init(source: source, limits: limits, inputBufferSize: 1024, outputBufferSize: 1024)
            let inner = DecodedStream(source: source, limits: limits)
            aheadInner = inner
            ahead = DecodeAhead(inner: inner)
        } else {
            self.init(source: source, limits: limits)
        }
    }

    deinit {
        ahead?.cancel()
        input.deallocate()
        ownOutput.deallocate()
        if let ring = ownRing { RingPool.shared.give(ring) }
    }

    /// With decode-ahead: whenever the decode thread is ahead (the ring is full), it runs
    /// `annotate` over chunks the consumer has not reached yet, so work that needs only the
    /// bytes leaves the consuming thread; chunks it did not get to have no marks (the consumer
    /// does the work itself). False without decode-ahead (nothing to offload to).
    @discardableResult
    public func annotateAhead(_ annotate: @escaping ChunkAnnotator) -> Bool {
        guard let ahead else { return false }
        ahead.setAnnotator(annotate)
        return true
    }

    /// The annotator's spans for the chunk `next()` returned last, or nil (not annotated).
    public var currentMarks: [UInt64]? { ahead?.currentMarks }

    /// With decode-ahead: whenever the decode thread is ahead (the ring is full), it runs
    /// `prepare` over chunks the consumer has not reached yet, so both cores share the
    /// consumer's work. False without decode-ahead.
    @discardableResult
    public func prepareAhead(_ prepare: @escaping ChunkPreparer) -> Bool {
        guard let ahead else { return false }
        ahead.setPreparer(prepare)
        return true
    }

    /// The preparer's result for the chunk `next()` returned last, or nil (not prepared).
    public var currentPrepared: AnyObject? { ahead?.currentPrepared }

    /// The next chunk of decoded bytes, or nil at the end of the input.
    public func next() throws -> UnsafeRawBufferPointer? {
        if let ahead { return try ahead.next() }
        return try nextDirect()
    }

    /// Decodes on the calling thread straight into `target` (a compressed input's chunk then
    /// lies in `target`; a plain input's chunk still lies in the input buffer).
    func nextDirect(into target: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        output = target
        defer { output = ownOutput }
        return try nextDirect()
    }

    /// zstd frames (skippable ones included) decoded in place, by this stream or its decode thread.
    var framesDecodedInPlace: Int {
        ahead == nil ? (decoder as? ZstdDecoder)?.framesInPlace ?? 0 : aheadInner!.framesDecodedInPlace
    }

    /// Output room with which the current frame decodes straight into the caller's buffer
    /// (lz4: its block size, known once a frame header was read); 0 when any room will do.
    var directOutputRoom: Int { decoder?.directOutputRoom ?? 0 }

    /// Decode calls the decode thread gave room for a whole lz4 block of several slots (read
    /// after the end of the stream).
    var wholeBlockDecodes: Int { ahead?.groupedDecodes ?? 0 }

    /// Chunks reached while the decode thread was still preparing them (see `ChunkPreparer`;
    /// read after the end of the stream).
    public var preparingWaits: Int { ahead?.preparingWaits ?? 0 }

    /// Sniffs the codec (and refuses what cannot be read) without decoding anything yet.
    func prime() throws -> Codec {
        if !started { try start() }
        return directCodec
    }

    /// Decodes on the calling thread.
    func nextDirect() throws -> UnsafeRawBufferPointer? {
        if finished { return nil }
        if !started { try start() }
        guard let decoder else { return try nextPlain() }
        if let ring = ownRing, output.baseAddress == ownOutput.baseAddress {
            // Chunks lie back to back and wrap to the front when a room C no longer fits. The
            // ring holds the history H (≥ C) plus two rooms, so a wrap comes only past H + C:
            // the window's bytes from before it then lie above C, and each byte written after
            // it replaces one of them in the window, so the write head never reaches a byte the
            // window still needs. The chunk handed out last lies above C too: it stays intact
            // while the next one is decoded.
            let room = ownOutput.count
            if ringPosition + room > ring.count { ringPosition = 0 }
            output = UnsafeMutableRawBufferPointer(rebasing: ring[ringPosition..<(ringPosition + room)])
        }
        defer { output = ownOutput }
        while true {
            if let fault = decoder.pendingFault {
                finished = true
                throw InputError(input: name, kind: fault.kind, compressedOffset: consumedOffset + Int64(fault.consumed),
                                 detail: fault.detail)
            }
            if inStart == inEnd && !sourceEnded { try refill() }
            // All input read and the last frame closed: a clean end. (Asking a decoder for more
            // here would make it expect the next frame's header.)
            if inStart == inEnd && sourceEnded && !decoder.isMidFrame {
                finished = true
                return nil
            }
            let pending = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(input)[inStart..<inEnd])
            let step: (consumed: Int, produced: Int)
            do {
                step = try decoder.decode(pending, into: output)
            } catch {
                finished = true
                throw InputError(input: name, kind: error.kind, compressedOffset: consumedOffset + Int64(error.consumed),
                                 detail: error.detail)
            }
            inStart += step.consumed
            consumedOffset += Int64(step.consumed)
            if step.produced > 0 {
                directDecoded += Int64(step.produced)
                if ownRing != nil, output.baseAddress != ownOutput.baseAddress { ringPosition += step.produced }
                try checkRatio()
                return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(output)[..<step.produced])
            }
            if step.consumed == 0 {
                if sourceEnded || (inStart == 0 && inEnd == input.count) {
                    finished = true
                    throw InputError(input: name, kind: .truncated, compressedOffset: consumedOffset,
                                     detail: decoder is UTF16Decoder
                                        ? "\(codec.rawValue): input ends inside a character (an odd number of bytes: truncated upload?)"
                                        : "\(codec.rawValue): input ends inside a frame (truncated upload?)")
                }
                try refill()
            }
        }
    }

    /// Plain text: hand out the input buffer itself, no copy.
    private func nextPlain() throws -> UnsafeRawBufferPointer? {
        if inStart == inEnd {
            if sourceEnded { finished = true; return nil }
            try refill()
            if inStart == inEnd { finished = true; return nil }
        }
        let chunk = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(input)[inStart..<inEnd])
        consumedOffset += Int64(chunk.count)
        directDecoded += Int64(chunk.count)
        inStart = inEnd
        return chunk
    }

    /// Moves unread input to the front and reads more behind it.
    private func refill() throws {
        if inStart > 0 {
            let rest = inEnd - inStart
            if rest > 0 { input.baseAddress!.copyMemory(from: input.baseAddress! + inStart, byteCount: rest) }
            inStart = 0
            inEnd = rest
        }
        guard inEnd < input.count else { return }
        let n = try readSource(into: UnsafeMutableRawBufferPointer(rebasing: input[inEnd...]))
        if n == 0 { sourceEnded = true }
        inEnd += n
    }

    private func readSource(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            let n = try source.read(into: buffer)
            directCompressed += Int64(n)
            return n
        } catch var e as InputError {
            finished = true
            e.compressedOffset = directCompressed
            throw e
        }
    }

    /// Reads enough to sniff the codec, and refuses empty, binary and unsupported inputs.
    private func start() throws {
        started = true
        while !sourceEnded && inEnd < min(512, input.count) { try refill() }
        let head = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(input)[..<inEnd])
        if head.isEmpty {
            finished = true
            throw InputError(input: name, kind: .empty, compressedOffset: 0, detail: "input is empty")
        }
        switch Codec.sniff(head, atEnd: true) {
        case .unsupported(let what):
            finished = true
            throw InputError(input: name, kind: .unsupportedFormat, compressedOffset: 0,
                             detail: "\(what) is not a supported input format")
        case .codec(.zstd):
            directCodec = .zstd
            if keptHistory == 0, let window = ZstdDecoder.firstWindow(head), window <= Self.maxOwnHistory,
               ownOutput.count >= 4 * ZstdDecoder.maxBlockBytes {
                // On the calling thread: a ring of our own (no decode thread's ring above us).
                let history = max(window, ownOutput.count)
                if let ring = RingPool.shared.take(history + 2 * ownOutput.count) {  // else: stream, as without a ring
                    keptHistory = history
                    ownRing = ring
                }
            }
            decoder = ZstdDecoder(keptHistory: keptHistory)
        case .codec(.lz4): directCodec = .lz4; decoder = LZ4Decoder()
        case .codec(.gzip): directCodec = .gzip; decoder = GzipDecoder()
        case .codec(.utf16le): directCodec = .utf16le; decoder = UTF16Decoder(bigEndian: false)
        case .codec(.utf16be): directCodec = .utf16be; decoder = UTF16Decoder(bigEndian: true)
        case .codec(.plain), .needMoreBytes:
            directCodec = .plain
            while !sourceEnded && inEnd < min(input.count, 64 << 10) { try refill() }
            let sample = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(input)[..<inEnd])
            if let utf16 = Codec.utf16WithoutBOM(sample) {
                directCodec = utf16
                decoder = UTF16Decoder(bigEndian: utf16 == .utf16be)
                return
            }
            let share = Codec.binaryShare(sample)
            if share > limits.maxBinaryShare {
                finished = true
                let first = sample.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")
                throw InputError(input: name, kind: .binary, compressedOffset: 0,
                                 detail: "not text and not a known compressed format "
                                     + "(\(Int(share * 100))% control bytes; first bytes \(first))")
            }
        }
    }

    private func checkRatio() throws {
        guard directDecoded > limits.ratioGraceBytes,
              directDecoded > limits.maxRatio * max(consumedOffset, 1) else { return }
        finished = true
        throw InputError(input: name, kind: .ratioExceeded, compressedOffset: consumedOffset,
                         detail: "decompressed \(directDecoded) bytes from \(consumedOffset): ratio above "
                             + "\(limits.maxRatio):1, stopped as a likely compression bomb (raise --max-ratio to go on)")
    }
}

/// The rings of streams that decode zstd in place on the calling thread, kept for the next
/// stream: a batch worker opens one stream per upload, and a ring of a few MiB taken from the
/// heap and freed per upload raised a worker's peak memory by half (the heap kept the freed
/// rings apart), while a fresh mapping per upload costs a page fault per 4 KiB written. Mapped
/// memory, at most `capacity` rings kept (one per worker of a two-job batch; past it the
/// largest goes).
final class RingPool: @unchecked Sendable {
    static let shared = RingPool()
    private let lock = NSLock()
    private var kept: [UnsafeMutableRawBufferPointer] = []
    static let capacity = 2

    deinit {
        for ring in kept { munmap(ring.baseAddress, ring.count) }
    }

    /// A ring of at least `size` bytes (a kept one when one is large enough), or nil when
    /// memory cannot be mapped.
    func take(_ size: Int) -> UnsafeMutableRawBufferPointer? {
        lock.lock()
        if let i = kept.indices.filter({ kept[$0].count >= size }).min(by: { kept[$0].count < kept[$1].count }) {
            let ring = kept.remove(at: i)
            lock.unlock()
            return ring
        }
        lock.unlock()
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else { return nil }
        return UnsafeMutableRawBufferPointer(start: p, count: size)
    }

    /// Keeps `ring` for a later stream, or unmaps it (or the largest kept one) past `capacity`.
    func give(_ ring: UnsafeMutableRawBufferPointer) {
        lock.lock()
        kept.append(ring)
        var drop: UnsafeMutableRawBufferPointer?
        if kept.count > Self.capacity, let i = kept.indices.max(by: { kept[$0].count < kept[$1].count }) {
            drop = kept.remove(at: i)
        }
        lock.unlock()
        if let drop { munmap(drop.baseAddress, drop.count) }
    }
}
