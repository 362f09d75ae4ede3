// swift-tools-version: 6.0
// rtcdiag: find out why a real-time audio/video call went wrong, from client SDK logs.
//
// The targets follow the data path, and each only imports the ones before it:
//   stream (decompress, frame lines) → formats (detect, parse to events)
//   → analyzers → triage → reports → CLI.
import PackageDescription

/// The per-line path keeps its state in a few classes; Swift's dynamic exclusivity checks on
/// their properties cost a quarter of all instructions there (measured with callgrind), and
/// the code never hands out overlapping accesses, so those two targets skip them.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "rtcdiag",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "RTCDiagKit", targets: ["RTCDiagKit"]),
        .executable(name: "rtcdiag", targets: ["rtcdiag"]),
        .executable(name: "rtcdiag-bench", targets: ["rtcdiag-bench"]),
        .executable(name: "rtcdiag-corpus", targets: ["rtcdiag-corpus"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries: linked through pkg-config; `.ci/run` installs the -dev packages.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // XXH32 for lz4 frames' content checksums (faster than the distribution liblz4's own).
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),

        // The one hand-written C kernel: where a chunk's line feeds are, in one SIMD pass.
        .target(name: "CByteIndex"),

        // 1. Stream: bytes in (file, stdin or an archive member), codec by magic, fixed buffers,
        //    line framing.
        .target(name: "RTCDiagStream", dependencies: ["CZstd", "CLZ4", "CXXHash", "CZlib", "CArchive", "CByteIndex"],
                swiftSettings: hotPath),
        // 2. Formats: dialect detection and parsing of lines into events.
        .target(name: "RTCDiagFormats", dependencies: ["RTCDiagStream", "CByteIndex"], swiftSettings: hotPath),
        // 3. Analyzers: one type per failure signature, fed by one streaming pass.
        .target(name: "RTCDiagAnalyzers", dependencies: ["RTCDiagFormats"], swiftSettings: hotPath),
        // 3b. Rules: signatures written as YAML (parsed with Yams), run as analyzers in the same pass.
        .target(name: "RTCDiagRules", dependencies: ["RTCDiagAnalyzers", .product(name: "Yams", package: "Yams")]),
        // The shipped packs, validated and embedded at build time by the plugin.
        .target(name: "RTCDiagBuiltinRules", dependencies: ["RTCDiagRules"], plugins: ["RulePackPlugin"]),
        .executableTarget(name: "rtcdiag-rulepack", dependencies: ["RTCDiagRules"]),
        .plugin(name: "RulePackPlugin", capability: .buildTool(), dependencies: ["rtcdiag-rulepack"]),
        // 4. Triage: findings → root cause (client / link / server) and severity P0–P3.
        .target(name: "RTCDiagTriage", dependencies: ["RTCDiagAnalyzers"]),
        // 4b. Store: batch results in SQLite (GRDB), keyed by upload content hash; the batch runner.
        .target(name: "RTCDiagStore", dependencies: ["RTCDiagStream", "RTCDiagFormats", "RTCDiagAnalyzers", "RTCDiagTriage",
                                                     .product(name: "GRDB", package: "GRDB.swift"),
                                                     .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // 5. Reports: text, Markdown and JSON renderings of verdicts and of batch stores.
        .target(name: "RTCDiagReports", dependencies: ["RTCDiagFormats", "RTCDiagAnalyzers", "RTCDiagTriage", "RTCDiagStore"],
                exclude: ["Schema"]),
        // The public library: one import for users of the whole pipeline.
        .target(name: "RTCDiagKit",
                dependencies: ["RTCDiagStream", "RTCDiagFormats", "RTCDiagAnalyzers", "RTCDiagRules", "RTCDiagBuiltinRules",
                               "RTCDiagTriage", "RTCDiagReports", "RTCDiagStore"]),

        .executableTarget(
            name: "rtcdiag",
            dependencies: ["RTCDiagKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "rtcdiag-bench", dependencies: ["RTCDiagKit", "RTCDiagCorpus"]),
        // Labeled log generator for `rtcdiag eval` and the benchmark (deterministic by seed).
        .target(name: "RTCDiagCorpus", dependencies: ["RTCDiagStream", "RTCDiagFormats"]),
        .executableTarget(name: "rtcdiag-corpus", dependencies: ["RTCDiagCorpus"]),

        .testTarget(name: "RTCDiagStreamTests", dependencies: ["RTCDiagStream"]),
        .testTarget(name: "RTCDiagFormatsTests", dependencies: ["RTCDiagFormats", "CByteIndex"]),
        .testTarget(name: "RTCDiagAnalyzersTests",
                    dependencies: ["RTCDiagAnalyzers", "RTCDiagTriage", "RTCDiagRules", "RTCDiagBuiltinRules"]),
        // End-to-end: runs the built `rtcdiag` binary as a user would.
        .testTarget(name: "RTCDiagCLITests", dependencies: ["RTCDiagKit", "rtcdiag", "rtcdiag-corpus", "CArchive",
                                                      .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
