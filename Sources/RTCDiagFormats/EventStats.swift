/// Per-input counts for `rtcdiag stats`: levels, tags, time span. Tags are counted by a hash of
/// their bytes, so a `String` is made once per distinct tag, not once per line.
public struct EventStats: Sendable {
    public var events = 0
    public var levelCounts = [Int](repeating: 0, count: Level.allCases.count)
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var minTime: Int64?
    public var maxTime: Int64?
    /// Times that went backwards by more than a minute: clock jumps, or interleaved files.
    public var backwardJumps = 0
    private var tagIndex: [UInt64: Int] = [:]
    private var tagNames: [String] = []
    private var tagCounts: [Int] = []
    private var lastTagHash: UInt64 = 0
    private var lastTagSlot = -1

    public init() {}

    public mutating func add(_ e: EventView) {
        events += 1
        levelCounts[Int(e.level.rawValue)] += 1
        if let t = e.time, e.timeKind != .elapsed {
            if firstTime == nil { firstTime = t }
            if let last = lastTime, t < last - 60_000_000 { backwardJumps += 1 }
            lastTime = t
            minTime = min(minTime ?? t, t)
            maxTime = max(maxTime ?? t, t)
        }
        guard !e.tag.isEmpty else { return }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in e.tag { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        if h == lastTagHash, lastTagSlot >= 0 {
            tagCounts[lastTagSlot] += 1
            return
        }
        let slot: Int
        if let s = tagIndex[h] {
            slot = s
        } else {
            slot = tagNames.count
            tagIndex[h] = slot
            tagNames.append(String(decoding: e.tag, as: UTF8.self))
            tagCounts.append(0)
        }
        tagCounts[slot] += 1
        lastTagHash = h
        lastTagSlot = slot
    }

    public func count(_ level: Level) -> Int { levelCounts[Int(level.rawValue)] }

    public var distinctTags: Int { tagNames.count }

    /// The `n` most frequent tags, ties broken by name.
    public func topTags(_ n: Int) -> [(tag: String, count: Int)] {
        zip(tagNames, tagCounts).map { (tag: $0.0, count: $0.1) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.tag < $1.tag }
            .prefix(n).map { $0 }
    }
}
