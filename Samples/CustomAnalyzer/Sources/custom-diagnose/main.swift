// custom-diagnose FILE…: rtcdiag's diagnosis with one more signature, printed as Markdown.
import RTCDiagKit

#if canImport(Glibc)
import Glibc
#endif

let paths = Array(CommandLine.arguments.dropFirst())
guard !paths.isEmpty else {
    print("usage: custom-diagnose FILE…")
    exit(2)
}
var status: Int32 = 0
for path in paths {
    do {
        let reader = try LogInput.open(path)
        let result = Analysis(analyzers: Analyzers.builtIn + [AudioFocusLostAnalyzer.self]).run(reader)
        for verdict in Triage.verdicts(for: result) {
            print(DiagnosisReport.markdown(verdict))
            if !verdict.isHealthy { status = 1 }
        }
    } catch {
        print("custom-diagnose: \(error)")
        status = 3
    }
}
exit(status)
