// swift-tools-version: 6.0
// A team's own signature on top of rtcdiag, without forking it: depend on RTCDiagKit, write an
// `Analyzer`, run it beside the built-in ones.
import PackageDescription

let package = Package(
    name: "CustomAnalyzer",
    dependencies: [.package(name: "rtcdiag", path: "../..")],
    targets: [
        .executableTarget(name: "custom-diagnose", dependencies: [.product(name: "RTCDiagKit", package: "rtcdiag")]),
    ]
)
