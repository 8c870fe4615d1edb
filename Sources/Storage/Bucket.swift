#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A second place every object of a bucket is written to (the delivery objects on S3, for
/// workers on other machines). `put` returns once the copy is there, or throws why not.
public protocol BucketReplica: Sendable {
    func put(key: String, bytes: UnsafeRawBufferPointer) throws(FileError)
}

/// A directory-backed object store with S3 bucket semantics: keys are relative paths (`2024/05/01/x.gz`),
/// objects are written whole or not at all, and each write raises an `ObjectCreatedEvent`.
public final class Bucket: Sendable {
    public typealias Subscriber = @Sendable (ObjectCreatedEvent) -> Void

    public let name: String
    /// The bucket's root directory, without a trailing `/`.
    public let directory: String
    /// Where each object is also written before `put` returns.
    public let replica: (any BucketReplica)?
    private let subscribers = Mutex<[Subscriber]>([])

    /// Creates the directory if it is missing. A directory that cannot be created is not an error
    /// here: the first `put` reports why.
    public init(name: String, directory: String, replica: (any BucketReplica)? = nil) {
        self.name = name
        self.replica = replica
        var directory = directory
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        self.directory = directory
        try? AtomicFile.createDirectories(directory)
    }

    /// Handlers run synchronously on the thread that called `put`, in subscription order.
    public func subscribe(_ handler: @escaping Subscriber) {
        subscribers.withLock { $0.append(handler) }
    }

    /// Stores `bytes` under `key`, replacing any object there, and in the replica, then notifies
    /// every subscriber. When the replica fails the local object stays, no subscriber hears of
    /// it, and the error is thrown: a `put` again writes both.
    @discardableResult
    public func put(key: String, bytes: UnsafeRawBufferPointer) throws(FileError) -> ObjectCreatedEvent {
        try validate(key, operation: "put object")
        try AtomicFile.write(bytes, to: path(for: key))
        try replica?.put(key: key, bytes: bytes)
        let event = ObjectCreatedEvent(bucket: name, key: key, size: bytes.count)
        // Call outside the lock so a handler may itself subscribe or put.
        for handler in subscribers.withLock({ $0 }) {
            handler(event)
        }
        return event
    }

    @discardableResult
    public func put(key: String, bytes: [UInt8]) throws(FileError) -> ObjectCreatedEvent {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(FileError) in try put(key: key, bytes: buffer) }
        }
        return try result.get()
    }

    public func get(key: String) throws(FileError) -> [UInt8] {
        try validate(key, operation: "get object")
        return try AtomicFile.read(path(for: key))
    }

    public func exists(key: String) -> Bool {
        guard Self.problem(with: key) == nil else { return false }
        var info = stat()
        return stat(path(for: key), &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    public func path(for key: String) -> String {
        directory + "/" + key
    }

    /// Keys of all objects starting with `prefix`, sorted ascending. Temporary files of writes in
    /// progress and hidden files or folders (names starting with `.`) are not objects.
    public func list(prefix: String = "") -> [String] {
        var keys: [String] = []
        collectKeys(in: "", prefix: prefix, into: &keys)
        return keys.sorted()
    }

    private func collectKeys(in folder: String, prefix: String, into keys: inout [String]) {
        guard let stream = opendir(folder.isEmpty ? directory : path(for: folder)) else { return }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let entryName = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            // Also skips "." and "..", and `.tmp-` files of writes in progress.
            if entryName.hasPrefix(".") { continue }
            let key = folder.isEmpty ? entryName : folder + "/" + entryName
            switch kind(of: entry, key: key) {
            case .folder:
                let folderPrefix = key + "/"
                if folderPrefix.hasPrefix(prefix) || prefix.hasPrefix(folderPrefix) {
                    collectKeys(in: key, prefix: prefix, into: &keys)
                }
            case .file:
                if key.hasPrefix(prefix) { keys.append(key) }
            case .other:
                continue
            }
        }
    }

    private enum EntryKind { case folder, file, other }

    private func kind(of entry: UnsafeMutablePointer<dirent>, key: String) -> EntryKind {
        switch Int(entry.pointee.d_type) {
        case Int(DT_DIR): return .folder
        case Int(DT_REG): return .file
        case Int(DT_UNKNOWN):
            // Some file systems do not fill d_type.
            var info = stat()
            guard lstat(path(for: key), &info) == 0 else { return .other }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: return .folder
            case S_IFREG: return .file
            default: return .other
            }
        default:
            // Symbolic links and special files are never created by put.
            return .other
        }
    }

    private func validate(_ key: String, operation: String) throws(FileError) {
        if let problem = Self.problem(with: key) {
            throw FileError(operation: operation, path: path(for: key), reason: problem)
        }
    }

    /// Why `key` cannot name an object, or nil when it can.
    static func problem(with key: String) -> String? {
        if key.isEmpty { return "key is empty; give the object a name" }
        if key.hasPrefix("/") {
            return "key \"\(key)\" starts with \"/\"; keys are relative to the bucket directory"
        }
        for component in key.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty {
                return "key \"\(key)\" has an empty component; remove the doubled or trailing \"/\""
            }
            if component == ".." || component == "." {
                return "key \"\(key)\" has a \"\(component)\" component; keys must name a file inside the bucket"
            }
            if component.hasPrefix(".tmp-") {
                return "key \"\(key)\" has a component starting with \".tmp-\", which is reserved for temporary files"
            }
            // list() skips hidden entries, so such an object could be written but never listed.
            if component.hasPrefix(".") {
                return "key \"\(key)\" has a component starting with \".\"; hidden files are not listed, rename it"
            }
        }
        return nil
    }
}
