import Dispatch
import Foundation

/// Runs a `DecodedStream` on its own thread, filling a small ring of buffers, so that
/// decompression and parsing use both cores. Memory stays `(slots + 2) × slotSize`.
///
/// Chunks arrive in order; a fault arrives after every chunk decoded before it. A chunk is
/// valid until the next call to `next()`, as with the direct stream.
///
/// For zstd and lz4 the chunks lie back to back in one ring (each starts where the last ended,
/// and wraps to the front when too little is left). For zstd the ring is large enough that the
/// bytes a frame's window may refer back to are never overwritten: zstd then decodes in place
/// (`ZstdDecoder(keptHistory:)`). lz4 decodes a block in place only into room for a whole
/// block (4 MiB with `lz4`'s defaults), so its blocks are decoded into up to `maxGroup`
/// adjacent slots at once, then handed out a slot at a time. Other codecs fill fixed slots.
final class DecodeAhead: @unchecked Sendable {
    private let inner: DecodedStream
    private let ring: UnsafeMutableRawBufferPointer
    private let slotSize: Int
    /// Per slot: where its chunk starts in `ring`, and its length (-1: the end).
    private var starts: [Int]
    private var lengths: [Int]
    private let filled = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private var readIndex = 0
    private var holding = false
    private var finished = false
    // Written by the producer before it signals the end, read by the consumer after.
    private var endError: Error?
    private let cancelled = ManagedAtomicFlag()
    /// Per slot: what the annotator found in it (valid only while the slot is held).
    private let slotMarks: [ChunkMarks]
    /// Work the decode thread takes over from the consumer when the ring is full (see
    /// `setAnnotator`, `setPreparer`): per slot, its state and its result. Guarded by `work`.
    private let work = NSCondition()
    private var annotator: ChunkAnnotator?
    private var preparer: ChunkPreparer?
    private var slotWork: [SlotWork]
    private var prepared: [AnyObject?]

    private enum SlotWork {
        /// Nothing was to be done when the slot was filled, or the consumer has taken it.
        case none
        /// Filled and waiting for the consumer; the producer may still annotate and prepare it.
        case queued
        /// The producer is working on it; the consumer waits for that to end.
        case preparing
        /// Done: `slotMarks[slot]` and `prepared[slot]` belong to this chunk.
        case done
    }

    /// At most this many slots are decoded into at once (an lz4 block of 4 MiB).
    static let maxGroup = 4
    /// Decode calls given the room of several slots (written by the producer; read once the
    /// stream has ended).
    private(set) var groupedDecodes = 0
    /// Chunks the consumer reached while the decode thread was still preparing them (read
    /// once the stream has ended).
    private(set) var preparingWaits = 0
    /// Asks the preparer at work to stop early (see `ChunkPreparer`).
    private let stopPreparing = StopRequest()

    init(inner: DecodedStream, slots count: Int = 8, slotSize: Int = 1 << 20) {
        self.inner = inner
        self.slotSize = slotSize
        // `maxGroup` slots more than can be in use: see `produce` for why nothing live is overwritten.
        ring = .allocate(byteCount: (count + Self.maxGroup) * slotSize, alignment: 64)
        starts = (0..<count).map { $0 * slotSize }
        lengths = Array(repeating: 0, count: count)
        slotMarks = (0..<count).map { _ in ChunkMarks() }
        slotWork = Array(repeating: .none, count: count)
        prepared = Array(repeating: nil, count: count)
        // Created at 0 and raised to `count`: libdispatch traps when a semaphore is freed below
        // the value it was created with, which is how a cancelled ring ends.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<count { free.signal() }
        let thread = Thread { [self] in produce() }
        thread.name = "rtcdiag-decode"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops the producer (at its next buffer) and frees the ring once it has stopped.
    func cancel() {
        cancelled.set()
        free.signal()
    }

    deinit {
        ring.deallocate()
    }

    private var slotCount: Int { lengths.count }

    /// The chunk in slot `i`.
    private func chunk(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(ring)[starts[i]..<(starts[i] + lengths[i])])
    }

    /// From the next chunk decoded on, whenever the ring is full (the decode thread would
    /// wait), the decode thread runs `annotate` over the newest chunk the consumer has not
    /// reached yet. A chunk the consumer reaches first has no marks, and the consumer does that
    /// work itself: whichever thread has time does it, so neither waits on the other.
    func setAnnotator(_ annotate: @escaping ChunkAnnotator) {
        work.lock()
        annotator = annotate
        work.unlock()
    }

    /// The annotator's spans for the chunk last returned by `next()`; nil when the decode thread
    /// did not get to it.
    var currentMarks: [UInt64]? {
        guard holding else { return nil }
        let m = slotMarks[(readIndex + slotCount - 1) % slotCount]
        return m.valid ? m.spans : nil
    }

    /// From the next chunk decoded on, whenever the ring is full (the decode thread would
    /// wait), the decode thread runs `prepare` over the newest chunk the consumer has not
    /// reached yet, so the consumer finds part of its own work done (`currentPrepared`).
    /// Without a full ring (the consumer is the faster side) nothing is prepared.
    func setPreparer(_ prepare: @escaping ChunkPreparer) {
        work.lock()
        preparer = prepare
        work.unlock()
    }

    /// What the preparer made of the chunk last returned by `next()`, or nil when the consumer
    /// got there first.
    private(set) var currentPrepared: AnyObject?

    func next() throws -> UnsafeRawBufferPointer? {
        if finished { return nil }
        if holding {
            holding = false
            free.signal()
        }
        filled.wait()
        let i = readIndex
        if lengths[i] < 0 {
            finished = true
            if let e = endError { throw e }
            return nil
        }
        work.lock()
        if slotWork[i] == .preparing {
            // The decode thread is preparing the very chunk wanted now: have it stop at its
            // next check and take the part it did, rather than wait for the whole chunk.
            stopPreparing.request()
            preparingWaits += 1
        }
        while slotWork[i] == .preparing { work.wait() }
        currentPrepared = slotWork[i] == .done ? prepared[i] : nil
        slotWork[i] = .none
        work.unlock()
        readIndex = (i + 1) % slotCount
        holding = true
        return chunk(i)
    }

    /// Waits for a free slot; while there is none, annotates and prepares queued chunks, newest
    /// first.
    private func acquireSlot() {
        while free.wait(timeout: .now()) == .timedOut {
            guard prepareNewestQueued() else { free.wait(); return }
        }
    }

    /// Annotates and prepares the newest chunk still waiting for the consumer; false when there
    /// is none.
    private func prepareNewestQueued() -> Bool {
        work.lock()
        guard preparer != nil || annotator != nil,
              let slot = (1...slotCount).lazy.map({ (self.writeIndex + self.slotCount - $0) % self.slotCount })
                  .first(where: { self.slotWork[$0] == .queued }) else {
            work.unlock()
            return false
        }
        slotWork[slot] = .preparing
        stopPreparing.reset()
        let previous = prepared[slot]
        let annotate = annotator, prepare = preparer
        work.unlock()
        let chunk = chunk(slot)
        if let annotate {
            annotate(chunk, &slotMarks[slot].spans)
            slotMarks[slot].valid = true
        }
        let result = prepare?(chunk, annotate != nil ? slotMarks[slot].spans : nil, previous, stopPreparing)
        work.lock()
        prepared[slot] = result
        slotWork[slot] = .done
        work.broadcast()
        work.unlock()
        return true
    }

    /// The slot the producer fills next (only the producer touches it).
    private var writeIndex = 0

    private func produce() {
        // A plain input's chunk lies in the inner stream's input buffer and may be copied over
        // several slots; a compressed one is decoded straight into the slot.
        var rest: UnsafeRawBufferPointer?
        var used = 0
        // zstd and lz4: chunks back to back. A decode call takes `group` free slots (1 for
        // zstd) and wraps to the front when less than `group` slots' room is left, so each wrap
        // leaves a gap under `maxGroup` slots. With `group` slots taken, at most
        // `slotCount - group` chunks of at most a slot each are in use, behind at most one such
        // gap: they and the new room fit in `slotCount + maxGroup` slots, so the new room never
        // reaches a chunk in use. For zstd (group 1, gaps under a slot) the `slotCount` slots'
        // worth of bytes before a new chunk (the frame window allowed in place) stay as they were.
        inner.keptHistory = slotCount * slotSize
        var contiguous = false
        var position = 0
        do {
            let codec = try inner.prime()
            contiguous = codec == .zstd || codec == .lz4
        } catch {
            endError = error
        }
        while true {
            let group = contiguous ? min(Self.maxGroup, max(1, (inner.directOutputRoom + slotSize - 1) / slotSize)) : 1
            for _ in 0..<group {
                acquireSlot()
                if cancelled.isSet { return }
            }
            var start = starts[writeIndex]
            if contiguous {
                if ring.count - position < group * slotSize { position = 0 }
                start = position
            }
            let room = UnsafeMutableRawBufferPointer(rebasing: ring[start..<(start + group * slotSize)])
            if group > 1 { groupedDecodes += 1 }
            if endError == nil {
                do {
                    if rest == nil || used == rest!.count {
                        rest = try inner.nextDirect(into: room)
                        used = 0
                    }
                } catch {
                    endError = error
                    rest = nil
                }
            } else {
                rest = nil
            }
            guard let chunk = rest else {
                lengths[writeIndex] = -1
                filled.signal()
                return
            }
            let n: Int
            if chunk.baseAddress == UnsafeRawPointer(room.baseAddress) {
                n = chunk.count
            } else {
                n = min(chunk.count - used, room.count)
                room.baseAddress!.copyMemory(from: chunk.baseAddress! + used, byteCount: n)
            }
            used += n
            position = start + n
            // Handed out a slot at a time; the slots taken but not filled are free again.
            var offset = 0, filledSlots = 0
            repeat {
                let piece = min(n - offset, slotSize)
                starts[writeIndex] = start + offset
                lengths[writeIndex] = piece
                slotMarks[writeIndex].valid = false
                work.lock()
                slotWork[writeIndex] = preparer == nil && annotator == nil ? .none : .queued
                work.unlock()
                writeIndex = (writeIndex + 1) % slotCount
                filled.signal()
                offset += piece
                filledSlots += 1
            } while offset < n
            for _ in filledSlots..<group { free.signal() }
        }
    }
}

/// Finds spans of interest in a decoded chunk, on the decode thread: each a `ChunkSpan`,
/// ascending.
public typealias ChunkAnnotator = @Sendable (UnsafeRawBufferPointer, inout [UInt64]) -> Void

/// A span an annotator found in a chunk, in one word: `start << 32 | length << 16 | tag` —
/// its byte offset in the chunk, its length (below 2^16) and what the annotator found there
/// (its own number below 2^16, e.g. which keyword), so that readers need not look it up again.
/// Ascending words are ascending starts.
public enum ChunkSpan {
    @inlinable @inline(__always)
    public static func make(start: Int, length: Int, tag: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: start) << 32 | UInt64(truncatingIfNeeded: length) << 16 | UInt64(truncatingIfNeeded: tag)
    }
    @inlinable @inline(__always) public static func start(_ s: UInt64) -> Int { Int(truncatingIfNeeded: s >> 32) }
    @inlinable @inline(__always) public static func end(_ s: UInt64) -> Int { Int(truncatingIfNeeded: (s >> 32) + (s >> 16 & 0xFFFF)) }
    @inlinable @inline(__always) public static func tag(_ s: UInt64) -> Int { Int(truncatingIfNeeded: s & 0xFFFF) }
}

/// Work on a decoded chunk that the decode thread can take over when it is ahead: gets the
/// chunk, the annotator's spans for it (nil without an annotator), the object it returned for
/// the slot last time (to reuse) and a stop request, returns its result. When the consumer reaches the chunk first, it requests a stop: the preparer
/// checks now and then (every few dozen lines) and returns what it has — a prefix of the work.
public typealias ChunkPreparer = @Sendable (UnsafeRawBufferPointer, [UInt64]?, AnyObject?, StopRequest) -> AnyObject

/// A flag the consumer raises for the decode thread's preparer (see `ChunkPreparer`).
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    public func request() { lock.lock(); value = true; lock.unlock() }
    func reset() { lock.lock(); value = false; lock.unlock() }
    public var isRequested: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// A preparer's result that also lists where the chunk's line feeds are, so the framer takes
/// lines from the list instead of searching for each LF again: `lineEnds` holds, ascending,
/// every LF offset of the chunk from its first up to the last listed (valid while the result
/// is held); nil when this result lists none (the framer then lists them itself).
public protocol ChunkLineEnds: AnyObject {
    var lineEnds: UnsafeBufferPointer<Int32>? { get }
}

/// One slot's annotation: written by the producer while it owns the slot, read by the
/// consumer while it holds it (the ring's semaphores order the two).
final class ChunkMarks: @unchecked Sendable {
    var spans: [UInt64] = []
    var valid = false
}

/// A set-once flag shared between the two threads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
