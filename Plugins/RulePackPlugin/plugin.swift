import Foundation
import PackagePlugin

/// Validates the rule packs (`*.yaml`) of the target it is applied to, and embeds them in the
/// build as `EmbeddedRulePacks.packs`. A broken rule fails the build at its file and line.
@main
struct RulePackPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let packs = module.sourceFiles(withSuffix: "yaml").map(\.url).sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedRulePacks.swift")
        return [.buildCommand(
            displayName: "Validate and embed rule packs of \(target.name)",
            executable: try context.tool(named: "rtcdiag-rulepack").url,
            arguments: [output.path] + packs.map(\.path),
            inputFiles: packs,
            outputFiles: [output])]
    }
}
