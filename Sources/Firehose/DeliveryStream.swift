import Dispatch
import Foundation
import KinesisStream
import RaceModel
import Storage
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The batching delivery stage (contract 3). Reads every shard of the stream as
/// its own consumer, runs records through the processor in invocations of at most
/// `invocationCapBytes`, buffers the transformed bytes and writes them as gzip
/// NDJSON objects into the bucket when the buffering hints say so. Records that
/// fail go to `processing-failed/` with their reason.
///
/// `pump()` and `flush()` are called from one thread (the driver); compression and
/// writing run on up to `parallelDeliveries` worker threads.
public final class DeliveryStream: @unchecked Sendable {
    public let configuration: DeliveryStreamConfiguration
    public let bucket: Bucket
    public let processor: any RecordProcessor
    private let clock: any EpochClock
    private let stream: KinesisStream
    private let consumer: StreamConsumer
    private let checkpointPath: String

    // Driver state.
    private var buffer: [UInt8] = []
    private var failedLines: [UInt8] = []
    private var bufferStartedAt: Int64?
    private var firstDelivered: StreamRecord?
    private var firstFailed: StreamRecord?
    private var oldestArrival: Int64 = .max
    private var positions: [Int: SequenceNumber] = [:]
    private var nextRecordId = 0
    private var nextDeliveryNumber = 0

    // Shared with the workers.
    private let shared: Mutex<Shared>
    private let checkpointWriter = Mutex<[Int: SequenceNumber]>([:])
    private let slots: DispatchSemaphore
    private let inFlight = DispatchGroup()

    private struct Shared {
        var metrics = DeliveryMetrics()
        /// Deliveries finished out of order, waiting for the ones before them.
        var finished: [Int: [Int: SequenceNumber]] = [:]
        var failedDeliveries: Set<Int> = []
        var committedThrough = -1
    }

    public init(
        configuration: DeliveryStreamConfiguration = DeliveryStreamConfiguration(), stream: KinesisStream,
        processor: any RecordProcessor = AlleycatProcessor(), bucket: Bucket, clock: any EpochClock
    ) throws {
        self.configuration = configuration
        self.bucket = bucket
        self.processor = processor
        self.clock = clock
        self.stream = stream
        self.checkpointPath = DeliveryCheckpoint.path(bucket: bucket, deliveryStream: configuration.name)
        // Resume after what an earlier run delivered.
        // A checkpoint of another stream (an in-memory stream of an earlier process, or a
        // stream log that was moved away) means nothing here: start from the oldest record.
        if let saved = try DeliveryCheckpoint.load(from: checkpointPath), saved.stream == stream.identity {
            try stream.setCheckpoints(
                consumer: configuration.consumerName, saved.sequenceNumbers.filter { $0.shardIndex < stream.shardCount })
        }
        self.consumer = try StreamConsumer(name: configuration.consumerName, stream: stream, start: .trimHorizon)
        self.shared = Mutex(Shared())
        self.slots = DispatchSemaphore(value: configuration.parallelDeliveries)
        buffer.reserveCapacity(configuration.bufferingHints.sizeInBytes + (64 << 10))
    }

    public var metrics: DeliveryMetrics {
        shared.withLock { $0.metrics }
    }

    /// Reads everything the stream has, processes it, and delivers when a buffering hint is met.
    public func pump() {
        while true {
            let records = consumer.poll()
            if records.isEmpty { break }
            shared.withLock { $0.metrics.recordsIn += records.count }
            var start = 0
            while start < records.count {
                var end = start
                var bytes = 0
                while end < records.count, end == start || bytes + records[end].data.count <= configuration.invocationCapBytes {
                    bytes += records[end].data.count
                    end += 1
                }
                invoke(records[start..<end])
                start = end
            }
        }
        if let started = bufferStartedAt, clock.nowMillis() - started >= configuration.bufferingHints.intervalMillis {
            deliver()
        }
    }

    /// Delivers whatever is buffered now and waits until every object is written.
    public func flush() {
        deliver()
        inFlight.wait()
    }

    // MARK: Processing

    private func invoke(_ records: ArraySlice<StreamRecord>) {
        let inputs = records.map { record -> ProcessorRecord in
            defer { nextRecordId += 1 }
            return ProcessorRecord(recordId: nextRecordId, record: record)
        }
        var lastError: ProcessorError?
        for attempt in 1...(configuration.processorRetries + 1) {
            shared.withLock { $0.metrics.invocations += 1 }
            do throws(ProcessorError) {
                let batch = try processor.process(inputs)
                try ProcessorAnswer.check(batch, against: inputs)
                accept(batch, for: inputs)
                return
            } catch {
                lastError = error
                shared.withLock { $0.metrics.invocationFailures += 1 }
                if attempt == configuration.processorRetries + 1 { break }
            }
        }
        // Every retry failed: the whole batch is set aside with the last error.
        let error = lastError!
        let now = clock.nowMillis()
        for input in inputs {
            setAside(input.record, attempts: configuration.processorRetries + 1, code: error.code, message: error.message, now: now)
        }
    }

    private func accept(_ batch: ProcessedBatch, for inputs: [ProcessorRecord]) {
        // Answers usually come back in order; fall back to a lookup when they don't.
        let inOrder = zip(batch.entries, inputs).allSatisfy { $0.recordId == $1.recordId }
        let byId = inOrder ? [:] : Dictionary(uniqueKeysWithValues: batch.entries.map { ($0.recordId, $0) })
        let now = clock.nowMillis()
        var delivered = 0
        var dropped = 0
        for (index, input) in inputs.enumerated() {
            let entry = inOrder ? batch.entries[index] : byId[input.recordId]!
            let record = input.record
            switch entry.result {
            case .ok:
                startBuffer(now)
                if firstDelivered == nil { firstDelivered = record }
                oldestArrival = min(oldestArrival, record.approximateArrivalMillis)
                batch.bytes.withUnsafeBufferPointer { buffer.append(contentsOf: $0[entry.range]) }
                delivered += 1
            case .dropped:
                dropped += 1
            case .processingFailed:
                setAside(record, attempts: 1, code: "Lambda.ProcessingFailed",
                         message: entry.errorMessage ?? "the processor marked the record ProcessingFailed", now: now)
            }
            positions[record.sequenceNumber.shardIndex] = record.sequenceNumber
            if buffer.count >= configuration.bufferingHints.sizeInBytes {
                deliver()
            }
        }
        shared.withLock {
            $0.metrics.delivered += delivered
            $0.metrics.dropped += dropped
        }
    }

    private func setAside(_ record: StreamRecord, attempts: Int, code: String, message: String, now: Int64) {
        startBuffer(now)
        if firstFailed == nil { firstFailed = record }
        oldestArrival = min(oldestArrival, record.approximateArrivalMillis)
        FailedRecordLine.append(
            record: record, attemptsMade: attempts, errorCode: code, errorMessage: message, attemptEndingMillis: now,
            processor: processor.name, into: &failedLines)
        positions[record.sequenceNumber.shardIndex] = record.sequenceNumber
        shared.withLock { $0.metrics.failed += 1 }
        if failedLines.count >= configuration.bufferingHints.sizeInBytes {
            deliver()
        }
    }

    private func startBuffer(_ now: Int64) {
        if bufferStartedAt == nil { bufferStartedAt = now }
    }

    // MARK: Delivery

    private struct Job: Sendable {
        var number: Int
        var delivered: [UInt8]
        var deliveredKey: String?
        var failed: [UInt8]
        var failedKey: String?
        var oldestArrival: Int64
        var positions: [Int: SequenceNumber]
    }

    private func deliver() {
        guard bufferStartedAt != nil else { return }
        let name = configuration.name
        let seed = configuration.objectKeySeed
        let job = Job(
            number: nextDeliveryNumber,
            delivered: buffer,
            deliveredKey: firstDelivered.map {
                ObjectKeys.deliveredKey(deliveryStream: name, firstArrivalMillis: $0.approximateArrivalMillis, firstSequenceNumber: $0.sequenceNumber, seed: seed)
            },
            failed: failedLines,
            failedKey: firstFailed.map {
                ObjectKeys.failedKey(deliveryStream: name, firstArrivalMillis: $0.approximateArrivalMillis, firstSequenceNumber: $0.sequenceNumber, seed: seed)
            },
            oldestArrival: oldestArrival,
            positions: positions)
        nextDeliveryNumber += 1
        buffer = []
        buffer.reserveCapacity(configuration.bufferingHints.sizeInBytes + (64 << 10))
        failedLines = []
        bufferStartedAt = nil
        firstDelivered = nil
        firstFailed = nil
        oldestArrival = .max

        if configuration.parallelDeliveries == 1 {
            write(job)
            return
        }
        slots.wait()
        inFlight.enter()
        // A thread of its own rather than a shared dispatch worker: it inherits the
        // caller's scheduling priority (the service runs the firehose below the rankings).
        let thread = Thread { [self] in
            write(job)
            slots.signal()
            inFlight.leave()
        }
        thread.name = "alleycat delivery"
        thread.start()
    }

    private func write(_ job: Job) {
        var ok = true
        var objects = 0
        var failedObjects = 0
        var compressedBytes = 0
        for (bytes, key, isFailed) in [(job.delivered, job.deliveredKey, false), (job.failed, job.failedKey, true)] {
            guard let key, !bytes.isEmpty else { continue }
            let compressed = Gzip.compress(bytes, level: configuration.compressionLevel)
            if put(key: key, bytes: compressed) {
                compressedBytes += compressed.count
                if isFailed { failedObjects += 1 } else { objects += 1 }
            } else {
                ok = false
            }
        }
        let latency = clock.nowMillis() - job.oldestArrival
        let commit: [Int: SequenceNumber]? = shared.withLock { shared in
            shared.metrics.objects += objects
            shared.metrics.failedObjects += failedObjects
            shared.metrics.bytesUncompressed += job.delivered.count + job.failed.count
            shared.metrics.bytesCompressed += compressedBytes
            shared.metrics.deliveryLatencyMillis.append(latency)
            if !ok {
                shared.metrics.deliveryErrors += 1
                shared.failedDeliveries.insert(job.number)
            }
            shared.finished[job.number] = job.positions
            // Positions only advance through deliveries that all succeeded, in order.
            var through: [Int: SequenceNumber]?
            while let next = shared.finished[shared.committedThrough + 1], !shared.failedDeliveries.contains(shared.committedThrough + 1) {
                shared.finished[shared.committedThrough + 1] = nil
                shared.committedThrough += 1
                through = next
            }
            return through
        }
        if let commit { saveCheckpoint(commit) }
    }

    /// Writes the object, retrying twice; a disk that keeps failing is reported and
    /// the checkpoint stays put, so a restart delivers these records again.
    private func put(key: String, bytes: [UInt8]) -> Bool {
        var lastError: FileError?
        for _ in 0..<3 {
            do throws(FileError) {
                try bucket.put(key: key, bytes: bytes)
                return true
            } catch {
                lastError = error
            }
        }
        printError("firehose: cannot deliver \(key): \(lastError!)")
        return false
    }

    private func saveCheckpoint(_ through: [Int: SequenceNumber]) {
        checkpointWriter.withLock { committed in
            var moved: [SequenceNumber] = []
            for (shard, sequenceNumber) in through where committed[shard].map({ $0 < sequenceNumber }) ?? true {
                committed[shard] = sequenceNumber
                moved.append(sequenceNumber)
            }
            try? stream.setCheckpoints(consumer: configuration.consumerName, moved)
            let checkpoint = DeliveryCheckpoint(
                deliveryStream: configuration.name, consumer: configuration.consumerName, stream: stream.identity,
                shards: Dictionary(uniqueKeysWithValues: committed.map { (ShardID(index: $0.key).description, $0.value.description) }))
            do {
                try checkpoint.save(to: checkpointPath)
            } catch {
                printError("firehose: cannot save checkpoint \(checkpointPath): \(error)")
            }
        }
    }
}

func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
