// rtcdiag-corpus --out DIR [--count N] [--seed S] [--compress] [--dialect NAME] [--size-mib M]
//
// Writes N labeled logs with a NAME.expected.json sidecar each (expected signatures, root cause,
// severity and evidence line numbers per session). With --compress the logs cycle through
// plain, zstd, lz4 and gzip; --dialect writes only that dialect. With --size-mib it instead
// writes one log of about M MiB, calls after calls (no sidecar), e.g. for benchmarks.
// The same seed writes the same bytes. The committed corpus in Samples/corpus is
// `--count 150 --seed 1 --compress`.
import Foundation
import RTCDiagCorpus

let args = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
guard let out = option("--out") else {
    print("usage: rtcdiag-corpus --out DIR [--count N] [--seed S] [--compress] [--dialect NAME] [--size-mib M]")
    exit(2)
}
let count = Int(option("--count") ?? "150") ?? 150
let seed = UInt64(option("--seed") ?? "1") ?? 1
var only: Layout?
if let name = option("--dialect") {
    guard let l = Layout(dialect: name) else {
        print("rtcdiag-corpus: unknown dialect \(name); known: \(Layout.allCases.map(\.dialectName).joined(separator: ", "))")
        exit(2)
    }
    only = l
}
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
if let mib = option("--size-mib").flatMap(Int.init) {
    let path = "\(out)/\(only?.dialectName ?? "mixed")-\(mib)MiB.log"
    guard FileManager.default.createFile(atPath: path, contents: nil) else {
        print("rtcdiag-corpus: cannot create \(path)")
        exit(1)
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    var written = 0, i = 0
    while written < mib << 20 {
        let log = try CorpusGenerator.log(index: i, seed: seed, compress: false, only: only)
        let data = Data(log.text.utf8)
        handle.write(data)
        written += data.count
        i += 1
    }
    try handle.close()
    print("wrote \(i) calls, \(written) bytes to \(path)")
    exit(0)
}
for i in 0..<count {
    let log = try CorpusGenerator.log(index: i, seed: seed, compress: args.contains("--compress"), only: only)
    try Data(log.stored).write(to: URL(fileURLWithPath: "\(out)/\(log.name)"))
    let base = log.name.split(separator: ".").first.map(String.init) ?? log.name
    try log.sidecar.write(to: URL(fileURLWithPath: "\(out)/\(base).expected.json"))
}
print("wrote \(count) logs with sidecars to \(out)")
