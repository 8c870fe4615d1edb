import Foundation
import Synchronization
import Testing

@testable import Storage

@Suite struct BucketTests {
    @Test func initCreatesTheDirectoryAndDropsTrailingSlashes() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory + "/data/delivery/")
            #expect(bucket.name == "delivery")
            #expect(bucket.directory == directory + "/data/delivery")
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: bucket.directory, isDirectory: &isDirectory))
            #expect(isDirectory.boolValue)
            #expect(bucket.path(for: "a/b.gz") == directory + "/data/delivery/a/b.gz")
            #expect(bucket.list() == [])
        }
    }

    @Test func putGetAndListNestedKeys() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            let objects: [String: [UInt8]] = [
                "b.gz": [1],
                "a/2.gz": [2, 2],
                "a/1.gz": [1, 1, 1],
                "a/sub/deep/x": Array("deep".utf8),
                "a-b": [],
            ]
            for (key, bytes) in objects { try bucket.put(key: key, bytes: bytes) }
            // "-" (0x2d) sorts before "/" (0x2f), as in S3 listings.
            #expect(bucket.list() == ["a-b", "a/1.gz", "a/2.gz", "a/sub/deep/x", "b.gz"])
            for (key, bytes) in objects {
                #expect(try bucket.get(key: key) == bytes)
                #expect(bucket.exists(key: key))
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: bucket.path(for: "a/1.gz"))) == Data([1, 1, 1]))
            #expect(!bucket.exists(key: "a/3.gz"))
            #expect(!bucket.exists(key: "a"))
        }
    }

    @Test func putReplacesAnObject() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "history", directory: directory)
            try bucket.put(key: "class-1.gz", bytes: [UInt8](repeating: 1, count: 5000))
            let event = try bucket.put(key: "class-1.gz", bytes: [9, 9])
            #expect(event == ObjectCreatedEvent(bucket: "history", key: "class-1.gz", size: 2))
            #expect(try bucket.get(key: "class-1.gz") == [9, 9])
            #expect(bucket.list() == ["class-1.gz"])
        }
    }

    @Test func putFromARawBuffer() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            let bytes: [UInt8] = [4, 5, 6, 7]
            let event = try bytes.withUnsafeBytes { buffer in
                try bucket.put(key: "raw/object", bytes: buffer)
            }
            #expect(event == ObjectCreatedEvent(bucket: "delivery", key: "raw/object", size: 4))
            #expect(try bucket.get(key: "raw/object") == bytes)
        }
    }

    @Test func listSkipsTemporaryAndHiddenEntries() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            try bucket.put(key: "a/object.gz", bytes: [1])
            try bucket.put(key: "top.gz", bytes: [2])
            for stray in [".tmp-x", "a/.tmp-object.gz-0123456789abcdef", ".hidden", "a/.DS_Store", ".git/config"] {
                try AtomicFile.write([0], to: bucket.path(for: stray))
            }
            try FileManager.default.createDirectory(
                atPath: bucket.path(for: "empty/folder"), withIntermediateDirectories: true)
            #expect(bucket.list() == ["a/object.gz", "top.gz"])
        }
    }

    @Test func listFiltersByPrefix() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            let keys = [
                "2024/05/01/13/alleycat-data-firehose-1-2024-05-01-13-00-00-a.gz",
                "2024/05/02/00/alleycat-data-firehose-1-2024-05-02-00-00-00-b.gz",
                "2024/06/01/00/alleycat-data-firehose-1-2024-06-01-00-00-00-c.gz",
                "processing-failed/2024/05/01/13/d.gz",
            ]
            for key in keys { try bucket.put(key: key, bytes: [0]) }
            #expect(bucket.list(prefix: "2024/05/") == [keys[0], keys[1]])
            #expect(bucket.list(prefix: "2024/0") == [keys[0], keys[1], keys[2]])
            #expect(bucket.list(prefix: "2024/05/01/13/alleycat") == [keys[0]])
            #expect(bucket.list(prefix: keys[2]) == [keys[2]])
            #expect(bucket.list(prefix: "proc") == [keys[3]])
            #expect(bucket.list(prefix: "2025") == [])
            #expect(bucket.list(prefix: "") == keys)
        }
    }

    @Test func listOfAMissingDirectoryIsEmpty() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "gone", directory: directory + "/gone")
            try FileManager.default.removeItem(atPath: bucket.directory)
            #expect(bucket.list() == [])
        }
    }

    @Test func subscribersReceiveEachEventOnceInOrder() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            let log = EventLog()
            bucket.subscribe { log.append("first", $0) }
            bucket.subscribe { log.append("second", $0) }
            let returned = try bucket.put(key: "2024/05/01/a.gz", bytes: [1, 2, 3])
            try bucket.put(key: "b.gz", bytes: [])
            let a = ObjectCreatedEvent(bucket: "delivery", key: "2024/05/01/a.gz", size: 3)
            let b = ObjectCreatedEvent(bucket: "delivery", key: "b.gz", size: 0)
            #expect(returned == a)
            #expect(log.entries == [.init(subscriber: "first", event: a), .init(subscriber: "second", event: a),
                                    .init(subscriber: "first", event: b), .init(subscriber: "second", event: b)])
        }
    }

    /// A replica that fails until it is told not to, keeping what it was given.
    final class FlakyReplica: BucketReplica {
        let copies = Mutex<[String: [UInt8]]>([:])
        let failing = Atomic(true)
        func put(key: String, bytes: UnsafeRawBufferPointer) throws(FileError) {
            if failing.load(ordering: .relaxed) {
                throw FileError(operation: "put object", path: "test://replica/" + key, reason: "the replica is down")
            }
            copies.withLock { $0[key] = Array(bytes) }
        }
    }

    @Test func aPutIsInTheReplicaBeforeSubscribersHearOfItAndAFailedCopyTellsNoOne() throws {
        try withTemporaryDirectory { directory in
            let replica = FlakyReplica()
            let bucket = Bucket(name: "delivery", directory: directory, replica: replica)
            let log = EventLog()
            let copiedFirst = Mutex<[Bool]>([])
            bucket.subscribe { event in
                log.append("merger", event)
                copiedFirst.withLock { $0.append(replica.copies.withLock { $0[event.key] } != nil) }
            }
            #expect(throws: FileError(operation: "put object", path: "test://replica/a/1.gz", reason: "the replica is down")) {
                try bucket.put(key: "a/1.gz", bytes: [1, 2, 3])
            }
            // The local object stays, nobody heard of it: the caller puts it again.
            #expect(try bucket.get(key: "a/1.gz") == [1, 2, 3])
            #expect(log.entries.isEmpty)

            replica.failing.store(false, ordering: .relaxed)
            try bucket.put(key: "a/1.gz", bytes: [1, 2, 3])
            #expect(replica.copies.withLock { $0 } == ["a/1.gz": [1, 2, 3]])
            #expect(log.entries == [.init(subscriber: "merger", event: ObjectCreatedEvent(bucket: "delivery", key: "a/1.gz", size: 3))])
            #expect(copiedFirst.withLock { $0 } == [true])
        }
    }

    @Test func subscriberSeesTheObjectAlreadyInPlace() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            let reader = SeenContents()
            bucket.subscribe { event in reader.append((try? bucket.get(key: event.key)) ?? [0xde, 0xad]) }
            try bucket.put(key: "x", bytes: [7, 8])
            #expect(reader.contents == [[7, 8]])
        }
    }

    @Test(arguments: [
        ("", "key is empty; give the object a name"),
        ("/etc/passwd", #"key "/etc/passwd" starts with "/"; keys are relative to the bucket directory"#),
        ("a/../../b", #"key "a/../../b" has a ".." component; keys must name a file inside the bucket"#),
        ("..", #"key ".." has a ".." component; keys must name a file inside the bucket"#),
        ("./a", #"key "./a" has a "." component; keys must name a file inside the bucket"#),
        ("a/.tmp-b", #"key "a/.tmp-b" has a component starting with ".tmp-", which is reserved for temporary files"#),
        (".tmp-1", #"key ".tmp-1" has a component starting with ".tmp-", which is reserved for temporary files"#),
        ("a//b", #"key "a//b" has an empty component; remove the doubled or trailing "/""#),
        ("a/", #"key "a/" has an empty component; remove the doubled or trailing "/""#),
        (".hidden/x", #"key ".hidden/x" has a component starting with "."; hidden files are not listed, rename it"#),
    ])
    func invalidKeysAreRefused(key: String, reason: String) throws {
        // Explicitly throwing: the only `try`s are inside #expect, which the closure's inference does not see.
        try withTemporaryDirectory { (directory) throws in
            let bucket = Bucket(name: "delivery", directory: directory + "/bucket")
            let log = EventLog()
            bucket.subscribe { log.append("only", $0) }
            let error = #expect(throws: FileError.self) { try bucket.put(key: key, bytes: [1]) }
            #expect(error?.description == "cannot put object \(directory)/bucket/\(key): \(reason)")
            #expect(error?.reason == reason)
            #expect(error?.errorNumber == nil)
            let getError = #expect(throws: FileError.self) { _ = try bucket.get(key: key) }
            #expect(getError?.description == "cannot get object \(directory)/bucket/\(key): \(reason)")
            #expect(!bucket.exists(key: key))
            #expect(log.entries == [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["bucket"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/bucket") == [])
        }
    }

    @Test func getOfAMissingKeyNamesThePath() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            let error = #expect(throws: FileError.self) { _ = try bucket.get(key: "2024/nope.gz") }
            #expect(error?.description == "cannot open \(directory)/2024/nope.gz: No such file or directory")
        }
    }

    @Test func failedPutRaisesNoEvent() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            try bucket.put(key: "file", bytes: [1])
            let log = EventLog()
            bucket.subscribe { log.append("only", $0) }
            let error = #expect(throws: FileError.self) { try bucket.put(key: "file/child", bytes: [2]) }
            #expect(error?.description == "cannot create directory \(directory)/file: Not a directory")
            #expect(log.entries == [])
            #expect(bucket.list() == ["file"])
        }
    }

    @Test func concurrentPutsAllLandAndAllEventsArrive() throws {
        try withTemporaryDirectory { directory in
            let bucket = Bucket(name: "delivery", directory: directory)
            let log = EventLog()
            bucket.subscribe { log.append("only", $0) }
            let failures = FailureLog()
            let perThread = 25
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for index in 0..<perThread {
                    let key = "2024/05/01/\(thread % 2)/thread-\(thread)-object-\(index).gz"
                    let bytes = Gzip.compress([UInt8](repeating: UInt8(thread), count: 1000 + index))
                    do {
                        try bucket.put(key: key, bytes: bytes)
                    } catch {
                        failures.record(error)
                    }
                }
            }
            #expect(failures.descriptions == [])
            let expectedKeys = (0..<8).flatMap { thread in
                (0..<perThread).map { "2024/05/01/\(thread % 2)/thread-\(thread)-object-\($0).gz" }
            }
            #expect(bucket.list() == expectedKeys.sorted())
            let events = log.entries.map(\.event)
            #expect(events.count == 8 * perThread)
            #expect(Set(events.map(\.key)) == Set(expectedKeys))
            for event in events {
                let bytes = try bucket.get(key: event.key)
                #expect(bytes.count == event.size)
                let thread = Int(event.key.split(separator: "-")[1])!
                let index = Int(event.key.split(separator: "-")[3].dropLast(3))!
                #expect(firstDifference(try Gzip.decompress(bytes), [UInt8](repeating: UInt8(thread), count: 1000 + index)) == nil)
            }
        }
    }
}

/// Records (subscriber, event) pairs from handlers that may run on any thread.
final class EventLog: Sendable {
    struct Entry: Equatable {
        let subscriber: String
        let event: ObjectCreatedEvent
    }

    private let storage = Mutex<[Entry]>([])

    func append(_ subscriber: String, _ event: ObjectCreatedEvent) {
        storage.withLock { $0.append(Entry(subscriber: subscriber, event: event)) }
    }

    var entries: [Entry] { storage.withLock { $0 } }
}

final class SeenContents: Sendable {
    private let storage = Mutex<[[UInt8]]>([])

    func append(_ bytes: [UInt8]) { storage.withLock { $0.append(bytes) } }

    var contents: [[UInt8]] { storage.withLock { $0 } }
}
