/// Builds JSON text into a byte array. Log text is untrusted: every string is escaped here, and
/// invalid UTF-8 was already replaced when it became a `String`.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    public init() { bytes.reserveCapacity(512) }

    public mutating func beginObject() { value(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { value(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func key(_ k: String) {
        value()
        Self.appendString(k, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    public mutating func string(_ s: String) { value(); Self.appendString(s, to: &bytes) }
    public mutating func int<T: BinaryInteger>(_ v: T) { value(); bytes.append(contentsOf: Array(String(v).utf8)) }
    public mutating func bool(_ v: Bool) { value(); bytes.append(contentsOf: Array((v ? "true" : "false").utf8)) }
    public mutating func null() { value(); bytes.append(contentsOf: Array("null".utf8)) }
    public mutating func double(_ v: Double, decimals: Int = 3) {
        value()
        guard v.isFinite else { bytes.append(contentsOf: Array("null".utf8)); return }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let r = (v * scale).rounded() / scale
        bytes.append(contentsOf: Array(String(r).utf8))
    }

    public mutating func field(_ k: String, _ s: String?) { key(k); if let s { string(s) } else { null() } }
    public mutating func field<T: BinaryInteger>(_ k: String, _ v: T?) { key(k); if let v { int(v) } else { null() } }

    private mutating func value() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    /// Appends `s` as a JSON string literal.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
