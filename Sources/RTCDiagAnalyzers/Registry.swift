/// Every built-in signature. Adding one: a file in `Signatures/` and a line here.
public enum Analyzers {
    public static let builtIn: [any Analyzer.Type] = [
        AECFailureAnalyzer.self,
        ConnectionFailureAnalyzer.self,
        PacketLossAnalyzer.self,
        RouteFlappingAnalyzer.self,
        CodecMismatchAnalyzer.self,
        DeviceFragmentationAnalyzer.self,
        CaptureStallAnalyzer.self,
        PermissionDeniedAnalyzer.self,
    ]

    public static func named(_ id: String) -> (any Analyzer.Type)? {
        builtIn.first { $0.description.id == id }
    }
}
