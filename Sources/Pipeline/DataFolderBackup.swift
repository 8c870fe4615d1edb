#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KinesisStream
import Leaderboard
import RaceModel
import RaceStore
import Storage

/// A consistent copy of a data folder (`alleycat backup`), taken while `alleycat serve`
/// runs on it or while nothing does. It never takes the folder's lock and writes no file
/// there: it reads the store through SQLite, as the queries do, and the rest as files.
///
/// The backup is a data folder itself, so restoring it is moving it into place. It holds
/// the store (SQLite's online backup: one committed state), `secret.key`, the history
/// files, the delivered objects (hard links when the destination is on the same file
/// system: they never change once written), the remote source's checkpoints and the
/// streams' settings. Not the streams' segment logs: records not yet delivered are not in
/// it, and neither are the embedded stream's consumer positions, which live in that log,
/// so a restored service starts with an empty stream that its consumers read from the
/// start (positions copied without their records would make them skip the new ones).
///
/// The parts are copied in the order that keeps them consistent with each other:
/// checkpoints before the objects they point past; the store, then the history files (a
/// merge writes them before it commits), then the delivered objects (so every object the
/// store's ledger lists is in the backup; one delivered since is merged at the restore);
/// `secret.key` after the store, which holds only secrets sealed under it.
public struct DataFolderBackup: Sendable {
    public let source: DataLayout
    /// The backup's folder: written as `<destination>.partial`, renamed when complete.
    public let destination: String

    public init(source: DataLayout, destination: String) {
        self.source = source
        var destination = destination
        while destination.count > 1, destination.hasSuffix("/") { destination.removeLast() }
        self.destination = destination
    }

    public var partialDirectory: String { destination + ".partial" }
    /// In a partial folder from its first moment: one left by a backup that did not finish
    /// is removed by the next, any other folder of that name is refused.
    private static let unfinishedMarker = ".alleycat-backup-unfinished"

    /// Writes the backup, reporting each part to `progress`, and returns its manifest.
    public func write(progress: (String) -> Void = { _ in }) throws(BackupError) -> BackupManifest {
        try check()
        let startedMillis = SystemClock.realtimeMillis()
        let started = SystemClock.monotonicNanos()
        progress("backing up \(source.directory) to \(destination) (written in \(partialDirectory), renamed when complete)")
        var writer = BackupWriter(root: partialDirectory)
        let manifest: BackupManifest
        do {
            try writer.makeRoot(marker: Self.unfinishedMarker)
            manifest = try copyParts(into: &writer, startedMillis: startedMillis, started: started, progress: progress)
            try writer.finish(manifest: manifest, marker: Self.unfinishedMarker, as: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: partialDirectory)
            if let refusal = error as? BackupError { throw refusal }
            throw .stopped(reason: "\(error)", destination: destination)
        }
        progress(
            "backup done in \(String(format: "%.2f", manifest.seconds)) s: \(destination), \(manifest.files) files, \(Self.megabytes(manifest.bytes))"
                + (manifest.delivery.linked > 0 ? " (\(manifest.delivery.linked) of them hard links to the delivered objects, no new space)" : ""))
        return manifest
    }

    /// Refuses a destination in the way and a folder that is not a data folder, before anything is written.
    private func check() throws(BackupError) {
        guard FileManager.default.fileExists(atPath: source.storePath) else { throw .notADataFolder(source.directory) }
        let sourcePath = Self.resolved(source.directory)
        let destinationPath = Self.resolved(destination)
        if destinationPath == sourcePath || destinationPath.hasPrefix(sourcePath + "/") {
            throw .insideTheDataFolder(destination: destination, directory: source.directory)
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw .destinationNotAFolder(destination) }
            guard (try? FileManager.default.contentsOfDirectory(atPath: destination))?.isEmpty ?? false else {
                throw .destinationNotEmpty(destination)
            }
        }
        if FileManager.default.fileExists(atPath: partialDirectory) {
            guard FileManager.default.fileExists(atPath: partialDirectory + "/" + Self.unfinishedMarker) else {
                throw .partialInTheWay(partialDirectory)
            }
            do {
                try FileManager.default.removeItem(atPath: partialDirectory)
            } catch {
                throw .stopped(reason: "cannot remove \(partialDirectory), left by a backup that did not finish (\(error))", destination: destination)
            }
        }
    }

    private func copyParts(
        into writer: inout BackupWriter, startedMillis: Int64, started: Int64, progress: (String) -> Void
    ) throws -> BackupManifest {
        var settings = BackupManifest.Part()
        for folder in streamFolders() {
            let kept = try Self.files(in: source.directory + "/" + folder).filter { !KinesisStream.isLogFile($0) }
            for file in kept { settings.add(bytes: try writer.copy(source.directory + "/" + folder + "/" + file, as: folder + "/" + file)) }
            progress("\(folder)/: the stream's settings (\(kept.isEmpty ? "none" : kept.joined(separator: ", "))), not its segment log")
        }
        let checkpoints = try Self.files(in: source.checkpointsDirectory)
        for file in checkpoints { settings.add(bytes: try writer.copy(source.checkpointsDirectory + "/" + file, as: "checkpoints/" + file)) }
        if !checkpoints.isEmpty { progress("checkpoints/: the remote source's consumer positions (\(checkpoints.joined(separator: ", ")))") }

        let copy = try RaceStore(path: source.storePath).backup(to: writer.root + "/alleycat.sqlite")
        let check = copy.integrityCheck.joined(separator: "; ")
        guard copy.integrityCheck == ["ok"] else { throw BackupError.storeCopyDamaged(findings: check, directory: source.directory) }
        progress("store: \(Self.megabytes(copy.bytes)) by SQLite's online backup, \(copy.mergedObjects) merged objects in its ledger, integrity_check \(check)")

        if FileManager.default.fileExists(atPath: source.secretKeyPath) {
            settings.add(bytes: try writer.copy(source.secretKeyPath, as: "secret.key"))
            progress("secret.key (it seals the API keys' secrets in the store)")
        }
        // The plausibility limits, and the void audit that `alleycat rebuild` reads when the store is lost.
        for (path, name, what) in [
            (Plausibility.path(inDataDirectory: source.directory), "limits.json", "the plausibility limits"),
            (VoidAuditFile.path(inDataDirectory: source.directory), "voids.json", "the void audit"),
        ] where FileManager.default.fileExists(atPath: path) {
            settings.add(bytes: try writer.copy(path, as: name))
            progress("\(name) (\(what))")
        }

        var history = BackupManifest.Part()
        for key in Self.objects(in: source.historyDirectory) {
            history.add(bytes: try writer.copy(source.historyDirectory + "/" + key, as: "history/" + key))
        }
        progress("history: \(history.files) files, \(Self.megabytes(history.bytes))")

        var delivery = BackupManifest.Part()
        let keys = Self.objects(in: source.deliveryDirectory)
        for (index, key) in keys.enumerated() {
            let (bytes, linked) = try writer.linkOrCopy(source.deliveryDirectory + "/" + key, as: "delivery/" + key)
            delivery.add(bytes: bytes, linked: linked)
            if (index + 1) % 1000 == 0 { progress("delivery: \(index + 1) of \(keys.count) objects") }
        }
        progress("delivery: \(delivery.files) objects, \(Self.megabytes(delivery.bytes))"
            + (delivery.linked == delivery.files ? (delivery.files > 0 ? ", hard links" : "") : ", \(delivery.linked) hard links, \(delivery.files - delivery.linked) copies"))

        var manifest = BackupManifest(
            startedMillis: startedMillis, startedUTC: UTCTime(millis: startedMillis).iso, source: Self.resolved(source.directory),
            host: ProcessInfo.processInfo.hostName,
            store: .init(bytes: copy.bytes, mergedObjects: copy.mergedObjects, integrityCheck: check, journalMode: copy.journalMode))
        manifest.history = history
        manifest.delivery = delivery
        manifest.keysAndSettings = settings
        manifest.files = 1 + history.files + delivery.files + settings.files
        manifest.bytes = copy.bytes + history.bytes + delivery.bytes + settings.bytes
        manifest.seconds = Double(SystemClock.monotonicNanos() - started) / 1e9
        return manifest
    }

    /// The streams' folders, relative to the data folder: the pipeline's, then those made over the API.
    private func streamFolders() -> [String] {
        let made = (try? FileManager.default.contentsOfDirectory(atPath: source.streamsDirectory)) ?? []
        return (FileManager.default.fileExists(atPath: source.streamDirectory) ? ["stream"] : [])
            + made.sorted().filter { !$0.hasPrefix(".") }.map { "streams/" + $0 }
    }

    /// Regular files directly in `folder` (none when it is missing), hidden ones (writes in progress) left out.
    private static func files(in folder: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder) && !isFolder.boolValue
        }.sorted()
    }

    /// A bucket's objects (none when its folder is missing: a bucket would make it, in the data folder).
    private static func objects(in folder: String) -> [String] {
        FileManager.default.fileExists(atPath: folder) ? Bucket(name: "backup", directory: folder).list() : []
    }

    /// `path` made absolute with its symbolic links resolved as far as it exists.
    private static func resolved(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var existing = absolute
        var rest: [String] = []
        while realpath(existing, nil) == nil, existing != "/" {
            rest.insert(URL(fileURLWithPath: existing).lastPathComponent, at: 0)
            existing = URL(fileURLWithPath: existing).deletingLastPathComponent().path
        }
        guard let real = realpath(existing, nil) else { return absolute }
        defer { free(real) }
        return ([String(cString: real)] + rest).joined(separator: "/").replacingOccurrences(of: "//", with: "/")
    }

    private static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1e6)
    }
}

/// Why a backup was refused or stopped; nothing is left at the destination either way.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADataFolder(String)
    case insideTheDataFolder(destination: String, directory: String)
    case destinationNotAFolder(String)
    case destinationNotEmpty(String)
    case partialInTheWay(String)
    case storeCopyDamaged(findings: String, directory: String)
    case stopped(reason: String, destination: String)

    public var description: String {
        switch self {
        case let .notADataFolder(directory):
            "\(directory) is not a data folder (it has no alleycat.sqlite): give --data the folder alleycat serve runs on"
        case let .insideTheDataFolder(destination, directory):
            "\(destination) is inside the data folder \(directory): put the backup outside it"
        case let .destinationNotAFolder(destination):
            "\(destination) exists and is not a folder: give a new folder for the backup"
        case let .destinationNotEmpty(destination):
            "\(destination) exists and is not empty: give a new folder for the backup (a backup never writes over another)"
        case let .partialInTheWay(partial):
            "\(partial) exists and is not a backup this command left unfinished: move it away, or give another folder for the backup"
        case let .storeCopyDamaged(findings, directory):
            "the store's copy fails SQLite's integrity_check (\(findings)), so the store itself may be damaged: `alleycat repair --store --data \(directory)` rebuilds it from the delivered objects"
        case let .stopped(reason, destination):
            "the backup stopped: \(reason); nothing was kept at \(destination)"
        }
    }
}

/// Writes the files of a backup into its partial folder, then makes it the backup: every
/// file and folder synced before the rename, the rename synced after.
private struct BackupWriter {
    let root: String
    /// Folders made under `root` (relative), synced at the end.
    private var folders: Set<String> = [""]
    /// Cleared by the first link the file system refuses (another device): copies from then on.
    private var linking = true

    init(root: String) {
        self.root = root
    }

    func makeRoot(marker: String) throws {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: root).deletingLastPathComponent().path, withIntermediateDirectories: true)
        // The backup holds secret.key and the store's sealed secrets: for its owner only.
        guard mkdir(root, 0o700) == 0 else { throw Self.failure("create directory", root) }
        try Self.create(root + "/" + marker) { _ in }
    }

    /// Copies `path` to `relative` in the backup, with its permission bits; returns its size.
    mutating func copy(_ path: String, as relative: String) throws -> Int {
        try makeParent(of: relative)
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Self.failure("open", path) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw Self.failure("stat", path) }
        var copied = 0
        try Self.create(root + "/" + relative, mode: mode_t(info.st_mode & 0o777)) { output in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else { throw Self.failure("read", path) }
                if count == 0 { return }
                try Self.writeAll(buffer[0..<count], to: output, path: root + "/" + relative)
                copied += count
            }
        }
        return copied
    }

    /// A hard link to `path` at `relative` when the file system allows one (the same device,
    /// links permitted), else a copy; returns the size and whether it is a link.
    mutating func linkOrCopy(_ path: String, as relative: String) throws -> (bytes: Int, linked: Bool) {
        if linking {
            try makeParent(of: relative)
            if link(path, root + "/" + relative) == 0 {
                var info = stat()
                guard stat(path, &info) == 0 else { throw Self.failure("stat", path) }
                return (Int(info.st_size), true)
            }
            switch errno {
            case EXDEV, EPERM, EMLINK, EOPNOTSUPP: linking = false
            default: throw Self.failure("link", root + "/" + relative)
            }
        }
        return (try copy(path, as: relative), false)
    }

    /// Writes the manifest, syncs every folder, drops the marker and renames the folder to `destination`.
    func finish(manifest: BackupManifest, marker: String, as destination: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = try encoder.encode(manifest) + Data("\n".utf8)
        try Self.create(root + "/" + BackupManifest.fileName) { try Self.writeAll(Array(text)[...], to: $0, path: root + "/" + BackupManifest.fileName) }
        guard unlink(root + "/" + marker) == 0 else { throw Self.failure("remove", root + "/" + marker) }
        for folder in folders.sorted(by: { $0.count > $1.count }) { try Self.sync(folder: folder.isEmpty ? root : root + "/" + folder) }
        // Over an empty folder of that name too (rename replaces an empty directory).
        guard rename(root, destination) == 0 else {
            throw Self.failure("rename \(root) to", destination)
        }
        try Self.sync(folder: URL(fileURLWithPath: destination).deletingLastPathComponent().path)
    }

    private mutating func makeParent(of relative: String) throws {
        let parent = relative.split(separator: "/").dropLast().joined(separator: "/")
        guard !folders.contains(parent) else { return }
        try FileManager.default.createDirectory(atPath: root + "/" + parent, withIntermediateDirectories: true)
        var path = ""
        for component in parent.split(separator: "/") {
            path += (path.isEmpty ? "" : "/") + component
            folders.insert(path)
        }
    }

    /// Makes a new file, hands it to `fill`, syncs and closes it.
    private static func create(_ path: String, mode: mode_t = 0o644, fill: (Int32) throws -> Void) throws {
        let output = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard output >= 0 else { throw Self.failure("create", path) }
        var isOpen = true
        defer { if isOpen { close(output) } }
        try fill(output)
        guard fsync(output) == 0 else { throw Self.failure("sync", path) }
        isOpen = false
        guard close(output) == 0 else { throw Self.failure("write", path) }
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32, path: String) throws {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw Self.failure("write", path) }
            offset += written
        }
    }

    /// The system call that just failed, as a `FileError` with its errno.
    private static func failure(_ operation: String, _ path: String) -> FileError {
        FileError(operation: operation, path: path, reason: String(cString: strerror(errno)), errorNumber: errno)
    }

    private static func sync(folder: String) throws {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("open directory", folder) }
        defer { close(descriptor) }
        if fsync(descriptor) != 0, errno != EINVAL {
            throw Self.failure("sync directory", folder)
        }
    }
}
