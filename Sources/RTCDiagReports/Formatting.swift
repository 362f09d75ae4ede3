#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `v` with `places` decimals, without Foundation's formatter (shared by the CLI and the benchmark).
public func fixed(_ v: Double, _ places: Int) -> String {
    guard v.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let n = Int64((abs(v) * scale).rounded())
    let whole = n / Int64(scale)
    var out = (v < 0 && n != 0 ? "-" : "") + String(whole)
    if places > 0 {
        let frac = String(n % Int64(scale))
        out += "." + String(repeating: "0", count: places - frac.count) + frac
    }
    return out
}

/// Seconds on the monotonic clock, for timing.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
