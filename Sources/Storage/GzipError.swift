/// Why a gzip stream could not be decompressed.
public enum GzipError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a gzip (or zlib) stream, or fail its checks; carries zlib's message.
    case corrupt(String)
    /// The stream stops before its end: the file was cut short or is still being written.
    case truncated
    /// zlib could not allocate its working memory.
    case outOfMemory

    public var description: String {
        switch self {
        case .corrupt(let message):
            "not a valid gzip stream: \(message)"
        case .truncated:
            "gzip stream ends early (truncated file?)"
        case .outOfMemory:
            "not enough memory to decompress the gzip stream"
        }
    }
}
