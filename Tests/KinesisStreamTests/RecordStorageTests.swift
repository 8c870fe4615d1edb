import Foundation
import StreamReading
import Testing
import RaceModel
@testable import KinesisStream

/// Records live in the segment log: the cache holds the tail, older records are read
/// from the files, and a disk that fills up refuses records without losing any.
@Suite(.serialized) struct RecordStorageTests {
    private func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("record-storage-\(UUID().uuidString)").path
    }

    private func texts(_ stream: KinesisStream, shard: Int, _ type: ShardIteratorType, limit: Int = 10_000) throws -> [String] {
        let iterator = try stream.shardIterator(shardId: ShardID(index: shard), type: type)
        return try stream.getRecords(iterator, limit: limit).records.map { "\($0.sequenceNumber.counter):\($0.partitionKey):\(String(decoding: $0.data, as: UTF8.self))" }
    }

    /// 40 calls of 5 records over 2 shards, one call a second, in 600-byte segments.
    private func loaded(cacheBytes: Int, path: String, clock: VirtualClock) throws -> KinesisStream {
        let stream = try KinesisStream.durable(directory: path, shardCount: 2, segmentBytes: 600, cacheBytes: cacheBytes, clock: clock)
        for call in 0..<40 {
            clock.advance(toMillis: Int64(call) * 1000)
            let entries = (0..<5).map { PutRecordsRequestEntry(data: Array("c\(call)r\($0)".utf8), partitionKey: $0 % 2 == 0 ? "a" : "b") }
            #expect(try stream.putRecords(entries).failedPutCount == 0)
        }
        return stream
    }

    @Test func theFilesAndTheCacheGiveTheSameRecordsAcrossSegmentBoundaries() throws {
        let (cachedPath, filePath) = (directory(), directory())
        defer {
            try? FileManager.default.removeItem(atPath: cachedPath)
            try? FileManager.default.removeItem(atPath: filePath)
        }
        let cached = try loaded(cacheBytes: 64 << 20, path: cachedPath, clock: VirtualClock(startMillis: 0))
        let fromFiles = try loaded(cacheBytes: 0, path: filePath, clock: VirtualClock(startMillis: 0))
        #expect(fromFiles.cachedBytes == 0)
        #expect(fromFiles.log.segmentNames.count > 10)
        // MD5("a") lands on shard 0 of 2, MD5("b") on shard 1: 3 and 2 records a call.
        let types: [ShardIteratorType] = [
            .trimHorizon, .atSequenceNumber(SequenceNumber(shardIndex: 0, counter: 50)),
            .afterSequenceNumber(SequenceNumber(shardIndex: 0, counter: 50)), .atTimestamp(millis: 17_500), .latest,
        ]
        for type in types {
            #expect(try texts(fromFiles, shard: 0, type) == texts(cached, shard: 0, type))
        }
        #expect(try texts(fromFiles, shard: 0, .trimHorizon).count == 120)
        #expect(try texts(fromFiles, shard: 0, .atSequenceNumber(SequenceNumber(shardIndex: 0, counter: 50)), limit: 4) == [
            "50:a:c16r2", "51:a:c16r4", "52:a:c17r0", "53:a:c17r2",
        ])
        #expect(try texts(fromFiles, shard: 0, .atTimestamp(millis: 17_500), limit: 3) == ["55:a:c18r0", "56:a:c18r2", "57:a:c18r4"])
        #expect(try texts(fromFiles, shard: 1, .trimHorizon, limit: 3) == ["1:b:c0r1", "2:b:c0r3", "3:b:c1r1"])
        #expect(try texts(fromFiles, shard: 1, .latest).isEmpty)

        // After a restart everything comes from the files, in the same order.
        let reopened = try KinesisStream.durable(directory: cachedPath, shardCount: 2, segmentBytes: 600, clock: VirtualClock(startMillis: 40_000))
        #expect(try texts(reopened, shard: 0, .trimHorizon) == texts(cached, shard: 0, .trimHorizon))
        #expect(try texts(reopened, shard: 1, .trimHorizon) == texts(cached, shard: 1, .trimHorizon))
    }

    @Test func retentionDeletesWholeSegmentsAndTheirRecordsOnly() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = VirtualClock(startMillis: 0)
        let stream = try KinesisStream.durable(
            directory: path, shardCount: 1, retentionMillis: 10_000, segmentBytes: 300, cacheBytes: 0, clock: clock)
        for second in 0..<20 {
            clock.advance(toMillis: Int64(second) * 1000)
            _ = try stream.putRecords([PutRecordsRequestEntry(data: Array("s\(second)".utf8), partitionKey: "k")])
        }
        // At t = 19 s, records that arrived before t = 9 s are past retention; their
        // segments are gone, and the segment holding t = 9 s is kept whole.
        #expect(try texts(stream, shard: 0, .trimHorizon).first == "10:k:s9")
        #expect(try texts(stream, shard: 0, .trimHorizon).count == 11)
        let names = stream.log.segmentNames
        #expect(!names.contains("segment-000001.log"))
        let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasPrefix("segment-") }.sorted()
        #expect(files == names)
    }

    /// A real full disk: a 256 KiB tmpfs (mounting one needs root, as CI runs).
    @Test func aFullDiskRefusesRecordsLosesNothingAcknowledgedAndWritingResumes() throws {
        let mountPoint = directory()
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint])
        try #require(mount.status == 0, "this test mounts a tmpfs and needs root: \(mount.err)")
        defer {
            _ = try? runTool("/bin/umount", [mountPoint])
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let clock = VirtualClock(startMillis: 0)
        let path = mountPoint + "/stream"
        let stream = try KinesisStream.durable(directory: path, limits: ShardLimits(recordsPerSecond: 1_000_000, bytesPerSecond: 1 << 30), clock: clock)
        // Fill the disk but for a few KiB.
        let filler = mountPoint + "/filler"
        FileManager.default.createFile(atPath: filler, contents: Data(count: 240 << 10))
        var acknowledged: [String] = []
        var refusals: [String] = []
        var call = 0
        while refusals.isEmpty && call < 100 {
            let entries = (0..<10).map { PutRecordsRequestEntry(data: Array("call\(call)-\($0)-".utf8) + [UInt8](repeating: 0x78, count: 100), partitionKey: "k") }
            let response = try stream.putRecords(entries)
            for (entry, result) in zip(entries, response.records) {
                switch result {
                case .accepted: acknowledged.append(String(decoding: entry.data.prefix(12), as: UTF8.self))
                case let .refused(code, message): refusals.append("\(code.rawValue): \(message)")
                }
            }
            call += 1
        }
        try #require(!refusals.isEmpty, "the disk never filled")
        #expect(refusals.count == 10)
        #expect(refusals[0].hasPrefix("InternalFailure: the stream could not store this record (cannot write \(path)/segment-000001.log: No space left on device); retry later"))
        // Reads go on, and give exactly what was acknowledged.
        func readBack(_ stream: KinesisStream) throws -> [String] {
            try stream.getRecords(stream.shardIterator(shardId: ShardID(index: 0), type: .trimHorizon)).records.map {
                String(decoding: $0.data.prefix(12), as: UTF8.self)
            }
        }
        #expect(try readBack(stream) == acknowledged)
        #expect(stream.storageHealth.isFailing)
        #expect(stream.storageHealth.lastError == "cannot write \(path)/segment-000001.log: No space left on device")
        // Space returns: the next call is stored, without a restart.
        try FileManager.default.removeItem(atPath: filler)
        let after = try stream.putRecords([PutRecordsRequestEntry(data: Array("after-space-".utf8), partitionKey: "k")])
        #expect(after.failedPutCount == 0)
        #expect(!stream.storageHealth.isFailing && stream.storageHealth.recoveries == 1)
        #expect(try readBack(stream) == acknowledged + ["after-space-"])
        // And a restart reads back the same: nothing refused was kept in the files.
        let reopened = try KinesisStream.durable(directory: path, clock: clock)
        #expect(try readBack(reopened) == acknowledged + ["after-space-"])
    }

    private func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite struct ShardRunTests {
    @Test func aRunIs32BytesAndKeepsItsBytesAndCommitApart() {
        #expect(MemoryLayout<Shard.Run>.stride == 32)
        var run = Shard.Run(offset: 7, bytes: (1 << 31) - 1, count: 3, firstCounter: 10, arrivalMillis: 5, committed: false)
        #expect(run.bytes == (1 << 31) - 1)
        #expect(!run.committed)
        run.committed = true
        #expect(run.committed && run.bytes == (1 << 31) - 1)
        run.bytes = 100
        #expect(run.committed && run.bytes == 100)
    }
}
