import Foundation
import Synchronization
import Testing

@testable import Storage

@Suite struct AtomicFileTests {
    private func contents(of path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    private func entries(of directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test func writesExactBytes() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/object.bin"
            let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try AtomicFile.write(bytes, to: path)
            #expect(firstDifference(try contents(of: path), bytes) == nil)
            #expect(firstDifference(try AtomicFile.read(path), bytes) == nil)
        }
    }

    @Test func writesFromARawBuffer() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/raw.bin"
            let bytes: [UInt8] = [1, 2, 3, 0, 255]
            try bytes.withUnsafeBytes { buffer in try AtomicFile.write(buffer, to: path) }
            #expect(try contents(of: path) == bytes)
        }
    }

    @Test func writesAnEmptyFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/empty"
            try AtomicFile.write([UInt8](), to: path)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try contents(of: path) == [])
            #expect(try AtomicFile.read(path) == [])
        }
    }

    @Test func createsMissingParentDirectories() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/2024/05/01/13/object.gz"
            try AtomicFile.write(Array("nested".utf8), to: path)
            #expect(try contents(of: path) == Array("nested".utf8))
            #expect(try entries(of: directory + "/2024/05/01") == ["13"])
        }
    }

    @Test func overwritesAnExistingFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/history.gz"
            try AtomicFile.write([UInt8](repeating: 7, count: 10_000), to: path)
            try AtomicFile.write([1, 2, 3], to: path)
            #expect(try contents(of: path) == [1, 2, 3])
        }
    }

    @Test func leavesNoTemporaryFiles() throws {
        try withTemporaryDirectory { directory in
            for round in 0..<5 {
                try AtomicFile.write([UInt8](repeating: UInt8(round), count: 1000), to: directory + "/a")
                try AtomicFile.write([UInt8(round)], to: directory + "/b")
            }
            #expect(try entries(of: directory) == ["a", "b"])
        }
    }

    @Test func concurrentWritersLeaveOneWholeVersion() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/contested"
            let failures = FailureLog()
            DispatchQueue.concurrentPerform(iterations: 8) { writer in
                do {
                    try AtomicFile.write([UInt8](repeating: UInt8(writer + 1), count: 256 * 1024), to: path)
                } catch {
                    failures.record(error)
                }
            }
            #expect(failures.descriptions == [])
            let final = try contents(of: path)
            #expect(final.count == 256 * 1024)
            let first = try #require(final.first)
            #expect((1...8).contains(first))
            #expect(final.allSatisfy { $0 == first })
            #expect(try entries(of: directory) == ["contested"])
        }
    }

    @Test func parentThatIsAFileIsNamedInTheError() throws {
        try withTemporaryDirectory { directory in
            let blocker = directory + "/blocker"
            try AtomicFile.write([0], to: blocker)
            let error = #expect(throws: FileError.self) {
                try AtomicFile.write([1], to: blocker + "/child.bin")
            }
            #expect(error?.description == "cannot create directory \(blocker): Not a directory")
            #expect(error?.path == blocker)
            #expect(error?.operation == "create directory")
            #expect(error?.errorNumber == ENOTDIR)
            #expect(try entries(of: directory) == ["blocker"])
        }
    }

    @Test func deeperPathUnderAFileIsRefused() throws {
        try withTemporaryDirectory { directory in
            let blocker = directory + "/blocker"
            try AtomicFile.write([0], to: blocker)
            let error = #expect(throws: FileError.self) {
                try AtomicFile.write([1], to: blocker + "/sub/child.bin")
            }
            #expect(error?.description == "cannot create directory \(blocker)/sub: Not a directory")
        }
    }

    @Test func pathEndingInSlashIsRefused() throws {
        try withTemporaryDirectory { directory in
            let error = #expect(throws: FileError.self) { _ = try AtomicFile.write([1], to: directory + "/") }
            #expect(error?.description == "cannot write \(directory)/: path names a directory, not a file")
            #expect(error?.errorNumber == nil)
        }
    }

    @Test func writingOverADirectoryFailsAndCleansUp() throws {
        try withTemporaryDirectory { directory in
            let target = directory + "/folder"
            try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
            let error = #expect(throws: FileError.self) { _ = try AtomicFile.write([1], to: target) }
            #expect(error?.description == "cannot rename a temporary file to \(target): Is a directory")
            #expect(error?.errorNumber == EISDIR)
            #expect(try entries(of: directory) == ["folder"])
        }
    }

    @Test func readingAMissingFileNamesIt() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/missing.gz"
            let error = #expect(throws: FileError.self) { _ = try AtomicFile.read(path) }
            #expect(error?.description == "cannot open \(path): No such file or directory")
            #expect(error?.errorNumber == ENOENT)
        }
    }

    @Test func readingADirectoryFails() throws {
        try withTemporaryDirectory { directory in
            let error = #expect(throws: FileError.self) { _ = try AtomicFile.read(directory) }
            #expect(error?.description == "cannot read \(directory): Is a directory")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status")))
    func readsAFileWhoseSizeIsNotKnownInAdvance() throws {
        // /proc files report size 0, so the reader must grow past the stat size.
        let status = try AtomicFile.read("/proc/self/status")
        #expect(String(decoding: status, as: UTF8.self).hasPrefix("Name:"))
        #expect(status.count > 100)
    }
}

/// Collects errors thrown on worker threads.
final class FailureLog: Sendable {
    private let entries = Mutex<[String]>([])

    func record(_ error: any Error) {
        entries.withLock { $0.append(String(describing: error)) }
    }

    var descriptions: [String] { entries.withLock { $0 } }
}
