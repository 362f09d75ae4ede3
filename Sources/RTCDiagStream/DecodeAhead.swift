import Dispatch
import Foundation

/// Runs a `DecodedStream` on its own thread, filling a small ring of fixed buffers, so that
/// decompression and parsing use both cores. Memory stays `slots × slotSize`.
///
/// Chunks arrive in order; a fault arrives after every chunk decoded before it. A chunk is
/// valid until the next call to `next()`, as with the direct stream.
final class DecodeAhead: @unchecked Sendable {
    private let inner: DecodedStream
    private let slots: [UnsafeMutableRawBufferPointer]
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
    private let annotatorLock = NSLock()
    private var annotator: ChunkAnnotator?

    init(inner: DecodedStream, slots count: Int = 4, slotSize: Int = 1 << 20) {
        self.inner = inner
        slots = (0..<count).map { _ in .allocate(byteCount: slotSize, alignment: 64) }
        lengths = Array(repeating: 0, count: count)
        slotMarks = (0..<count).map { _ in ChunkMarks() }
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
        slots.forEach { $0.deallocate() }
    }

    /// From the next chunk decoded on, `annotate` also runs on the decode thread over each chunk.
    func setAnnotator(_ annotate: @escaping ChunkAnnotator) {
        annotatorLock.lock()
        annotator = annotate
        annotatorLock.unlock()
    }

    /// The annotator's spans for the chunk last returned by `next()`; nil when it was decoded
    /// before an annotator was set.
    var currentMarks: [UInt64]? {
        guard holding else { return nil }
        let m = slotMarks[(readIndex + slots.count - 1) % slots.count]
        return m.valid ? m.spans : nil
    }

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
        readIndex = (i + 1) % slots.count
        holding = true
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(slots[i])[..<lengths[i]])
    }

    private func produce() {
        var w = 0
        var chunk: UnsafeRawBufferPointer?
        var used = 0
        do {
            while true {
                if chunk == nil || used == chunk!.count {
                    chunk = try inner.nextDirect()
                    used = 0
                    guard chunk != nil else { break }
                }
                free.wait()
                if cancelled.isSet { return }
                // Copy as much of the decoded chunk as fits one slot.
                let n = min(chunk!.count - used, slots[w].count)
                slots[w].baseAddress!.copyMemory(from: chunk!.baseAddress! + used, byteCount: n)
                used += n
                lengths[w] = n
                annotatorLock.lock()
                let annotate = annotator
                annotatorLock.unlock()
                slotMarks[w].valid = annotate != nil
                if let annotate {
                    annotate(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(slots[w])[..<n]), &slotMarks[w].spans)
                }
                w = (w + 1) % slots.count
                filled.signal()
            }
        } catch {
            endError = error
        }
        free.wait()
        if cancelled.isSet { return }
        lengths[w] = -1
        filled.signal()
    }
}

/// Finds spans of interest in a decoded chunk, on the decode thread: each `start << 32 | end`
/// (byte offsets in the chunk, end exclusive), ascending.
public typealias ChunkAnnotator = @Sendable (UnsafeRawBufferPointer, inout [UInt64]) -> Void

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
