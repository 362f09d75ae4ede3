// rtcdiag-corpus --out DIR [--count N] [--seed S] [--compress]
//
// Writes N labeled logs with a NAME.expected.json sidecar each (expected signatures, root cause,
// severity and evidence line numbers per session). With --compress the logs cycle through
// plain, zstd, lz4 and gzip. The same seed writes the same bytes. The committed corpus in
// Samples/corpus is `--count 150 --seed 1 --compress`.
import Foundation
import RTCDiagCorpus

let args = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
guard let out = option("--out") else {
    print("usage: rtcdiag-corpus --out DIR [--count N] [--seed S] [--compress]")
    exit(2)
}
let count = Int(option("--count") ?? "150") ?? 150
let seed = UInt64(option("--seed") ?? "1") ?? 1
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
for i in 0..<count {
    let log = try CorpusGenerator.log(index: i, seed: seed, compress: args.contains("--compress"))
    try Data(log.stored).write(to: URL(fileURLWithPath: "\(out)/\(log.name)"))
    let base = log.name.split(separator: ".").first.map(String.init) ?? log.name
    try log.sidecar.write(to: URL(fileURLWithPath: "\(out)/\(base).expected.json"))
}
print("wrote \(count) logs with sidecars to \(out)")
