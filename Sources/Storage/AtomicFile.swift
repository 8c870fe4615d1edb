#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and all-or-nothing writes: a reader sees the old content or the new, never part.
public enum AtomicFile {
    /// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`.
    /// Missing parent directories are created.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(FileError) {
        let (directory, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw FileError(operation: "write", path: path, reason: "path names a directory, not a file")
        }
        let temporary = directory + "/.tmp-" + name + "-" + randomHex()

        var descriptor = openTemporary(temporary)
        if descriptor < 0, errno == ENOENT || errno == ENOTDIR {
            // Also for ENOTDIR, so the error names the component that is not a directory.
            try createDirectories(directory)
            descriptor = openTemporary(temporary)
        }
        // Errors name the target path: the temporary file is an implementation detail.
        guard descriptor >= 0 else { throw FileError(operation: "write", path: path) }

        do throws(FileError) {
            defer { if descriptor >= 0 { close(descriptor) } }
            try writeAll(bytes, to: descriptor, path: path)
            guard fsync(descriptor) == 0 else { throw FileError(operation: "sync", path: path) }
            let status = close(descriptor)
            descriptor = -1
            guard status == 0 else { throw FileError(operation: "write", path: path) }
            guard rename(temporary, path) == 0 else {
                throw FileError(operation: "rename a temporary file to", path: path)
            }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(FileError) in try write(buffer, to: path) }
        }
        try result.get()
    }

    /// Reads the whole file at `path`.
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(operation: "open", path: path) }
        defer { close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileError(operation: "stat", path: path) }
        // st_size is only a hint (0 for some special files; the file may grow meanwhile).
        var capacity = max(Int(info.st_size) + 1, 4096)
        var contents: [UInt8] = []
        var failure: FileError?
        while failure == nil {
            let previous = contents
            var reachedEnd = false
            contents = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                previous.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
                count = previous.count
                while count < buffer.count {
                    let got = systemRead(descriptor, buffer.baseAddress! + count, buffer.count - count)
                    if got > 0 {
                        count += got
                    } else if got == 0 {
                        reachedEnd = true
                        return
                    } else if errno != EINTR {
                        failure = FileError(operation: "read", path: path)
                        return
                    }
                }
            }
            if reachedEnd { return contents }
            capacity *= 2
        }
        throw failure!
    }

    private static func openTemporary(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    }

    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws(FileError) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "write", path: path)
            }
            next += written
            remaining -= written
        }
    }

    /// Makes the rename durable: without this a crash can forget the new directory entry.
    private static func syncDirectory(_ directory: String) throws(FileError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(operation: "open directory", path: directory) }
        defer { close(descriptor) }
        // Some file systems cannot sync a directory (EINVAL); there is nothing more to do there.
        if fsync(descriptor) != 0, errno != EINVAL {
            throw FileError(operation: "sync directory", path: directory)
        }
    }

    /// `mkdir -p`: tolerates directories created concurrently by another writer.
    static func createDirectories(_ path: String) throws(FileError) {
        if mkdir(path, 0o755) == 0 { return }
        switch errno {
        case EEXIST:
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
            throw FileError(operation: "create directory", path: path, errno: ENOTDIR)
        case ENOENT:
            let (parent, _) = split(path)
            guard parent != path else { throw FileError(operation: "create directory", path: path) }
            try createDirectories(parent)
            if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
            throw FileError(operation: "create directory", path: path)
        default:
            throw FileError(operation: "create directory", path: path)
        }
    }

    /// Splits a path into its directory ("." when there is none) and last component.
    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let name = String(path[path.index(after: slash)...])
        var directory = String(path[..<slash])
        if directory.isEmpty { directory = "/" }
        return (directory, name)
    }

    private static func randomHex() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

// Inside AtomicFile `read` and `write` name its own methods; these reach the system calls.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
