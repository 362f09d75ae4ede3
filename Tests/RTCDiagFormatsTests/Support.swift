import Foundation
import RTCDiagStream
@testable import RTCDiagFormats

/// Reads `text` through the whole pipeline and returns owned events (and the reader, for counts).
/// With `keywords`, reads sparsely: only events holding one of them.
func readEvents(_ text: String, dialect: String? = nil, year: Int? = 2024, since: Int64? = nil, until: Int64? = nil,
                keywords: [String]? = nil) throws -> (events: [Event], reader: EventReader)
{
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rtcdiag-fmt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("log.txt")
    try Data(text.utf8).write(to: url)
    var options = ReaderOptions()
    options.dialect = dialect
    options.year = year
    options.since = since
    options.until = until
    let reader = try LogInput.open(url.path, options: options)
    reader.keywordFilter = keywords.map { KeywordScanner($0) }
    var out: [Event] = []
    while let e = try reader.next() { out.append(e.materialize(source: "log.txt")) }
    return (out, reader)
}

/// Parses one line with one dialect, as the reader would, into an owned event.
func parseSample(_ d: any Dialect.Type, _ line: String) -> (ok: Bool, tag: String, message: String, fields: LineFields) {
    var s = line
    return s.withUTF8 { raw in
        let p = UnsafeRawBufferPointer(raw)
        var f = LineFields()
        guard d.parse(p, into: &f) else { return (false, "", "", f) }
        let tag = String(decoding: p[f.tag], as: UTF8.self)
        let msgBytes = UnsafeRawBufferPointer(rebasing: p[f.message])
        let msg = f.messageIsJSONEscaped ? unescapeJSON(msgBytes) : String(decoding: msgBytes, as: UTF8.self)
        return (true, tag, msg.trimmingCharacters(in: .whitespaces), f)
    }
}
