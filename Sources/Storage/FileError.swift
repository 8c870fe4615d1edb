#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file operation that failed, e.g. `cannot create directory /x/y: Permission denied`.
public struct FileError: Error, Equatable, CustomStringConvertible {
    /// What was being done, e.g. `"open"`, `"create directory"`, `"put object"`.
    public let operation: String
    public let path: String
    /// Why it failed: `strerror(errno)` for system calls, a sentence for refused input.
    public let reason: String
    /// The `errno` of a failed system call; nil when the input was refused before any call.
    public let errorNumber: Int32?

    public init(operation: String, path: String, reason: String, errorNumber: Int32? = nil) {
        self.operation = operation
        self.path = path
        self.reason = reason
        self.errorNumber = errorNumber
    }

    /// An error for a system call that just failed with `code` (by default the current `errno`).
    init(operation: String, path: String, errno code: Int32 = errno) {
        self.init(operation: operation, path: path, reason: String(cString: strerror(code)), errorNumber: code)
    }

    public var description: String {
        "cannot \(operation) \(path): \(reason)"
    }
}
