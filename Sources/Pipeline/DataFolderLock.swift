import Foundation
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a data directory, held for as long as this value lives: one
/// process at a time runs the stages on a folder (two would hand out the same sequence
/// numbers and write the same files). The lock is `flock` on `DATA/alleycat.lock`, so the
/// kernel lets go of it when the process ends, however it ends; the file says who holds it.
public final class DataFolderLock: Sendable {
    public let path: String
    private let descriptor: Int32

    public struct Busy: Error, CustomStringConvertible, Equatable {
        public let directory: String
        /// What the lock file says of its holder: `pid 1234 (alleycat serve --data data)`.
        public let holder: String

        public var description: String {
            "the data folder \(directory) is in use by \(holder): stop that process, or give this one another --data folder"
        }
    }

    public static func path(in directory: String) -> String { directory + "/alleycat.lock" }

    /// Takes the lock, or throws `Busy` at once (it never waits) naming the holder.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = Self.path(in: directory)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(operation: "open", path: path, reason: String(cString: strerror(errno)), errorNumber: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var text = [UInt8](repeating: 0, count: 1024)
            let count = pread(descriptor, &text, text.count, 0)
            close(descriptor)
            guard code == EWOULDBLOCK else {
                throw FileError(operation: "lock", path: path, reason: String(cString: strerror(code)), errorNumber: code)
            }
            let said = String(decoding: text.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Busy(directory: directory, holder: said.isEmpty ? "a process that has not written its name yet" : said)
        }
        // Who holds it, for the next process's message.
        let holder = Array("pid \(getpid()) (\(CommandLine.arguments.joined(separator: " ")))\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = holder.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    deinit {
        // The file stays: removing it would let a third process lock a new file while a
        // second still waits on this one. Closing lets go of the lock.
        close(descriptor)
    }
}
