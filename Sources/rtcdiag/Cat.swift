import ArgumentParser
import RTCDiagKit

/// `rtcdiag cat`: the decoded text, whatever the codec.
struct Cat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the decompressed text of logs (zstd, lz4, gzip or plain).",
        discussion: "With --since/--until only the lines of events inside the window are printed.")

    @OptionGroup var input: InputOptions

    func run() throws {
        var failed = false
        for path in input.inputs {
            do {
                if input.hasWindow { try catWindow(path) } else { try catAll(path) }
            } catch {
                failed = true
                report(error)
            }
        }
        try finish(failed ? ExitStatus.inputError : ExitStatus.ok)
    }

    /// Decoded chunks straight to stdout: no line framing needed.
    private func catAll(_ path: String) throws {
        let stream = try DecodedStream(path: path, limits: input.limits, decodeAhead: true)
        while let chunk = try stream.next() { Output.shared.write(chunk) }
    }

    private func catWindow(_ path: String) throws {
        let reader = try input.open(path)
        while let e = try reader.next() {
            Output.shared.write(e.raw)
            Output.shared.write([0x0A])
            if !e.continuation.isEmpty {
                Output.shared.write(e.continuation)
                Output.shared.write([0x0A])
            }
        }
    }
}
