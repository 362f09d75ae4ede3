#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw bytes of one input: a file opened read-only, standard input for `-`, or a member read
/// out of an archive.
public final class ByteSource {
    public let name: String
    /// Seconds since 1970 of the file's last modification; nil for pipes and stdin.
    /// Logcat lines carry no year, and the file's year is the best default for them.
    public let modificationTime: Int64?
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let reader: ((UnsafeMutableRawBufferPointer) throws -> Int)?

    /// Bytes produced by `read` (an archive member's bytes come from the archive, not a file).
    public init(name: String, modificationTime: Int64?, read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.name = name
        self.modificationTime = modificationTime
        fd = -1
        ownsDescriptor = false
        reader = read
    }

    public init(path: String) throws {
        reader = nil
        if path == "-" {
            name = "<stdin>"
            fd = 0
            ownsDescriptor = false
        } else {
            name = path
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw InputError(input: path, kind: .unreadable, compressedOffset: 0,
                                 detail: "cannot open: \(String(cString: strerror(errno)))")
            }
            ownsDescriptor = true
        }
        var st = stat()
        let isRegular = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            if ownsDescriptor { close(fd) }
            throw InputError(input: path, kind: .unreadable, compressedOffset: 0, detail: "is a directory")
        }
        #if canImport(Darwin)
        modificationTime = isRegular ? Int64(st.st_mtimespec.tv_sec) : nil
        #else
        modificationTime = isRegular ? Int64(st.st_mtim.tv_sec) : nil
        #endif
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    /// Reads up to `buffer.count` bytes; 0 means end of input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let reader { return try reader(buffer) }
        while true {
            let n = Glibc_read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw InputError(input: name, kind: .unreadable, compressedOffset: 0,
                             detail: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}

@inline(__always)
private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, p, n)
    #else
    return Darwin.read(fd, p, n)
    #endif
}
