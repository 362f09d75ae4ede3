import ArgumentParser
import RTCDiagKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit codes, documented in `--help` and the README.
enum ExitStatus {
    static let ok: Int32 = 0
    static let findings: Int32 = 1
    static let usage: Int32 = 2
    static let inputError: Int32 = 3
}

@main
struct RTCDiag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtcdiag",
        abstract: "Find out why a real-time audio/video call went wrong, from client SDK logs.",
        discussion: """
            Inputs may be plain text, zstd, lz4 or gzip (chosen by magic bytes, never by name), and for \
            diagnose and batch also zip, 7z or tar archives; \
            '-' reads standard input.

            Exit codes:
              0  success
              1  findings at or above --fail-on (diagnose)
              2  usage error
              3  an input was partly or wholly unreadable; results before the fault are still printed
            """,
        subcommands: [Diagnose.self, BatchCommand.self, Report.self, Query.self, Cat.self, Events.self, Stats.self, Rules.self,
                      Eval.self]
    )

    /// Maps argument errors to exit 2 (ArgumentParser's default is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = fullMessage(for: error)
            if !message.isEmpty { Output.standardError(message + "\n") }
            if code == .validationFailure || error is ValidationError {
                Glibc.exit(ExitStatus.usage)
            }
            Glibc.exit(code.rawValue)
        }
    }
}

extension ParsableCommand {
    /// Ends the process with `status` once output is flushed.
    func finish(_ status: Int32) throws -> Never {
        Output.shared.flush()
        Glibc.exit(status)
    }
}
