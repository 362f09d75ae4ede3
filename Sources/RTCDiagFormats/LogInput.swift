import RTCDiagStream

/// Opens one input (path or `-`) as the whole reading pipeline: bytes → codec → lines → events.
public enum LogInput {
    public static func open(_ path: String, limits: StreamLimits = StreamLimits(), maxLineBytes: Int = 1 << 20,
                            options: ReaderOptions = ReaderOptions()) throws -> EventReader {
        let stream = try DecodedStream(path: path, limits: limits)
        return try EventReader(framer: LineFramer(stream: stream, maxLineBytes: maxLineBytes), options: options)
    }
}
