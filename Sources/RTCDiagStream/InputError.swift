/// A fault in one input: what went wrong and where, in compressed bytes.
///
/// Readers throw it only after handing out every line decoded before the fault, so callers
/// keep their partial results and report this next to them.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case unreadable, empty, binary, unsupportedFormat, corrupt, truncated, ratioExceeded
    }

    public var input: String
    public var kind: Kind
    /// Offset into the input as stored (compressed bytes) where the fault was seen.
    public var compressedOffset: Int64
    public var detail: String

    public init(input: String, kind: Kind, compressedOffset: Int64, detail: String) {
        self.input = input
        self.kind = kind
        self.compressedOffset = compressedOffset
        self.detail = detail
    }

    public var description: String {
        "\(input): \(detail) (at compressed byte \(compressedOffset))"
    }
}
