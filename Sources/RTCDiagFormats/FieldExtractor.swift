/// Pulls key–value pairs out of free-text messages: `rtt=120`, `state: failed`, `"loss":0.5`
/// inside an embedded JSON object. Used on demand, never on every line.
public enum FieldExtractor {
    public static func fields(in message: String) -> [(key: String, value: String)] {
        var out: [(key: String, value: String)] = []
        var text = message
        text.withUTF8 { utf8 in
            forEachField(in: UnsafeRawBufferPointer(utf8)) { key, value in
                out.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            }
        }
        return out
    }

    /// The same pairs as `fields(in:)`, on raw message bytes and without making strings, for
    /// callers that want only a few keys (quotes around a value are already stripped).
    public static func forEachField(in b: UnsafeRawBufferPointer,
                                    _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        var i = 0
        func isKeyByte(_ c: UInt8) -> Bool {
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c == 46 || c == 45
        }
        func valueEnd(from start: Int) -> Int {
            if start < b.count, b[start] == UInt8(ascii: "\"") || b[start] == UInt8(ascii: "'") {
                let q = b[start]
                var j = start + 1
                while j < b.count, b[j] != q { j += 1 }
                return min(j + 1, b.count)
            }
            var j = start
            while j < b.count, b[j] != 0x20, b[j] != UInt8(ascii: ","), b[j] != UInt8(ascii: ";"),
                  b[j] != UInt8(ascii: ")"), b[j] != UInt8(ascii: "}"), b[j] != UInt8(ascii: "]") { j += 1 }
            return j
        }
        func emit(_ key: Range<Int>, _ value: Range<Int>) {
            var r = value
            if r.count >= 2, b[r.lowerBound] == b[r.upperBound - 1],
               b[r.lowerBound] == UInt8(ascii: "\"") || b[r.lowerBound] == UInt8(ascii: "'") {
                r = (r.lowerBound + 1)..<(r.upperBound - 1)
            }
            body(UnsafeRawBufferPointer(rebasing: b[key]), UnsafeRawBufferPointer(rebasing: b[r]))
        }
        while i < b.count {
            // A key starts at a word boundary.
            guard isKeyByte(b[i]), i == 0 || !isKeyByte(b[i - 1]) else { i += 1; continue }
            var k = i
            while k < b.count, isKeyByte(b[k]) { k += 1 }
            var keyEnd = k
            // JSON style: "key": value
            if i > 0, b[i - 1] == UInt8(ascii: "\""), k < b.count, b[k] == UInt8(ascii: "\"") { k += 1 }
            if k < b.count, b[k] == UInt8(ascii: "=") {
                let v = k + 1
                let e = valueEnd(from: v)
                if e > v { emit(i..<keyEnd, v..<e) }
                i = max(e, k + 1)
                continue
            }
            if k < b.count, b[k] == UInt8(ascii: ":") {
                var v = k + 1
                while v < b.count, b[v] == 0x20 { v += 1 }
                // `key: value` needs the space; `"key":value` (JSON) does not.
                let jsonKey = keyEnd < k
                if (v > k + 1 || jsonKey), v < b.count, b[v] != UInt8(ascii: "{"), b[v] != UInt8(ascii: "[") {
                    let e = valueEnd(from: v)
                    if e > v, keyEnd - i <= 40 { emit(i..<keyEnd, v..<e) }
                    i = max(e, v)
                    continue
                }
            }
            keyEnd = k
            i = keyEnd
        }
    }
}
