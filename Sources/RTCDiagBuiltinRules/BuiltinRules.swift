import RTCDiagRules

/// The rule packs shipped with rtcdiag, embedded at build time.
public enum BuiltinRules {
    /// The packs' names and text, as embedded.
    public static var packs: [(name: String, yaml: String)] { EmbeddedRulePacks.packs }

    /// Every shipped rule. The build already validated them, so this cannot fail at run time.
    public static func specs() -> [RuleSpec] {
        packs.flatMap { (try? RulePackParser.parse($0.yaml, file: $0.name)) ?? [] }
    }
}
