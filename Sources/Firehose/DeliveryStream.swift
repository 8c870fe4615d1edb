import Dispatch
import Foundation
import RaceModel
import Storage
import StreamReading
import Synchronization

/// The batching delivery stage (contract 3). Reads every shard of its source as one
/// named consumer, runs records through the processor in invocations of at most
/// `invocationCapBytes`, buffers the transformed bytes and writes them as gzip
/// NDJSON objects into the bucket when the buffering hints say so. Records that
/// fail go to `processing-failed/` with their reason.
///
/// The reader and the buffers belong to one `Driver`, behind a lock: `pump()` and
/// `flush()` from any thread take turns, never share it. Compression and writing run
/// on up to `parallelDeliveries` worker threads; the position is kept only in the
/// source's checkpoint store, moved once every record before it is in an object.
///
/// A delivery that cannot be written (a full disk, no file descriptors) is kept and
/// tried again with backoff on the clock (`StageHealth`) from `pump()`; while one waits,
/// the stage reads nothing new, so its records stay in the stream, not in memory.
public final class DeliveryStream: Sendable {
    public let configuration: DeliveryStreamConfiguration
    public let bucket: Bucket
    public let processor: any RecordProcessor
    private let clock: any EpochClock
    private let checkpoints: any CheckpointStore
    /// The shards this stage may read, when workers share the stream; nil reads every shard.
    private let assignment: (any ShardAssignment)?
    private let driver: Mutex<Driver>

    // Shared with the workers.
    private let shared: Mutex<Shared>
    private let checkpointWriter = Mutex<[String: RecordSequence]>([:])
    private let slots: DispatchSemaphore
    private let inFlight = DispatchGroup()

    private struct Shared {
        var metrics = DeliveryMetrics()
        /// Deliveries finished out of order, waiting for the ones before them.
        var finished: [Int: (positions: [String: RecordSequence], endedShards: [String])] = [:]
        var committedThrough = -1
        /// Deliveries that failed, waiting for `health.retryAtMillis`.
        var waiting: [Job] = []
        var health = StageHealth()
        /// Why the source cannot be read now (nil while it reads).
        var readError: String?
    }

    /// Reads `source` as consumer `configuration.consumerName`, resuming after its
    /// position in `checkpoints` (from the oldest record when it has none). With an
    /// `assignment`, it reads only the shards assigned to it (a worker's leases), and says
    /// when a closed shard it read to its end is wholly delivered.
    public init(
        configuration: DeliveryStreamConfiguration = DeliveryStreamConfiguration(), source: any StreamSource,
        checkpoints: any CheckpointStore, assignment: (any ShardAssignment)? = nil, processor: any RecordProcessor = AlleycatProcessor(),
        bucket: Bucket, clock: any EpochClock
    ) throws {
        self.configuration = configuration
        self.assignment = assignment
        self.bucket = bucket
        self.processor = processor
        self.clock = clock
        self.checkpoints = checkpoints
        let reader = try StreamReader(
            name: configuration.consumerName, source: source, checkpoints: checkpoints, start: .trimHorizon, now: { clock.nowMillis() })
        self.driver = Mutex(Driver(
            reader: reader, sizeHint: configuration.bufferingHints.sizeInBytes,
            screen: configuration.plausibility.map(PlausibilityScreen.init(plausibility:))))
        self.shared = Mutex(Shared())
        self.slots = DispatchSemaphore(value: configuration.parallelDeliveries)
    }

    public var metrics: DeliveryMetrics {
        shared.withLock { $0.metrics }
    }

    /// Whether deliveries are failing, and when the next attempt is.
    public var health: StageHealth {
        shared.withLock { $0.health }
    }

    /// Why the source cannot be read now (nil while it reads; throttling is not a failure).
    public var readError: String? {
        shared.withLock { $0.readError }
    }

    /// Deliveries that failed and wait to be tried again.
    public var waitingDeliveries: Int {
        shared.withLock { $0.waiting.count }
    }

    /// Tries again the failed deliveries whose wait is over, then (when none is left
    /// waiting) reads everything the source has, processes it, and delivers when a
    /// buffering hint is met.
    public func pump() {
        driver.withLock { driver in
            guard retryWaiting() else { return }
            driver.pump(stage: self)
        }
    }

    /// Delivers whatever is buffered now and waits until every object is written (or
    /// has failed and waits to be tried again: see `health`).
    public func flush() {
        driver.withLock { driver in
            _ = retryWaiting()
            driver.deliver(stage: self)
        }
        inFlight.wait()
    }

    /// The reader, its position and the buffers of what is not yet delivered.
    private struct Driver: ~Copyable {
        let reader: StreamReader
        var buffer: [UInt8] = []
        var failedLines: [UInt8] = []
        var bufferStartedAt: Int64?
        var firstDelivered: StreamRecord?
        var firstFailed: StreamRecord?
        var oldestArrival: Int64 = .max
        var positions: [String: RecordSequence] = [:]
        /// Shards read to their end whose last records are in the buffer (or delivered before).
        var endedShards: [String] = []
        var nextRecordId = 0
        var nextDeliveryNumber = 0
        /// The read error last logged, so a failing source is logged once and once more when it recovers.
        var reportedError: SourceError?
        let sizeHint: Int
        var screen: PlausibilityScreen?

        init(reader: StreamReader, sizeHint: Int, screen: PlausibilityScreen?) {
            self.reader = reader
            self.sizeHint = sizeHint
            self.screen = screen
            buffer.reserveCapacity(sizeHint + (64 << 10))
        }

        mutating func pump(stage: DeliveryStream) {
            let configuration = stage.configuration
            if let assignment = stage.assignment {
                let shards = assignment.shards(nowMillis: stage.clock.nowMillis())
                do throws(SourceError) {
                    try reader.assign(shards.held, finishedElsewhere: shards.finished)
                } catch {
                    logLine("firehose: cannot start reading its leased shards of \(reader.source.sourceName): \(error.message); retrying")
                }
            }
            while true {
                let records = reader.poll()
                reportReadError(stage: stage)
                if stage.assignment != nil { endedShards += reader.takeEndedShards() }
                if records.isEmpty { break }
                stage.shared.withLock { $0.metrics.recordsIn += records.count }
                var start = 0
                while start < records.count {
                    var end = start
                    var bytes = 0
                    while end < records.count, end == start || bytes + records[end].data.count <= configuration.invocationCapBytes {
                        bytes += records[end].data.count
                        end += 1
                    }
                    invoke(records[start..<end], stage: stage)
                    start = end
                }
            }
            if let started = bufferStartedAt, stage.clock.nowMillis() - started >= configuration.bufferingHints.intervalMillis {
                deliver(stage: stage)
            } else if bufferStartedAt == nil && !endedShards.isEmpty {
                // Nothing buffered: the ended shards' records are all in deliveries already made.
                deliver(stage: stage)
            }
        }

        /// Throttling and expired iterators are routine (the reader waits, or renews the
        /// iterator); a source that fails or lost a shard is worth a line.
        private mutating func reportReadError(stage: DeliveryStream) {
            var current = reader.lastError
            if case .throttled = current { current = reportedError }
            if case .expiredIterator = current { current = reportedError }
            guard current != reportedError else { return }
            switch (current, reportedError) {
            case let (error?, _): logLine("firehose: cannot read \(reader.source.sourceName): \(error.message); retrying")
            case (nil, _?): logLine("firehose: reading \(reader.source.sourceName) again")
            case (nil, nil): break
            }
            reportedError = current
            stage.shared.withLock { $0.readError = current?.message }
        }

        // MARK: Processing

        private mutating func invoke(_ records: ArraySlice<StreamRecord>, stage: DeliveryStream) {
            let inputs = records.map { record -> ProcessorRecord in
                defer { nextRecordId += 1 }
                return ProcessorRecord(recordId: nextRecordId, record: record)
            }
            let retries = stage.configuration.processorRetries
            var lastError: ProcessorError?
            for attempt in 1...(retries + 1) {
                stage.shared.withLock { $0.metrics.invocations += 1 }
                do throws(ProcessorError) {
                    let batch = try stage.processor.process(inputs)
                    try ProcessorAnswer.check(batch, against: inputs)
                    accept(batch, for: inputs, stage: stage)
                    return
                } catch {
                    lastError = error
                    stage.shared.withLock { $0.metrics.invocationFailures += 1 }
                    if attempt == retries + 1 { break }
                }
            }
            // Every retry failed: the whole batch is set aside with the last error.
            let error = lastError!
            let now = stage.clock.nowMillis()
            for input in inputs {
                setAside(input.record, attempts: retries + 1, code: error.code, message: error.message, processor: stage.processor.name,
                         now: now, stage: stage)
            }
        }

        private mutating func accept(_ batch: ProcessedBatch, for inputs: [ProcessorRecord], stage: DeliveryStream) {
            // Answers usually come back in order; fall back to a lookup when they don't.
            let inOrder = zip(batch.entries, inputs).allSatisfy { $0.recordId == $1.recordId }
            let byId = inOrder ? [:] : Dictionary(uniqueKeysWithValues: batch.entries.map { ($0.recordId, $0) })
            let now = stage.clock.nowMillis()
            var delivered = 0
            var dropped = 0
            var implausible = 0
            for (index, input) in inputs.enumerated() {
                let entry = inOrder ? batch.entries[index] : byId[input.recordId]!
                let record = input.record
                switch entry.result {
                case .ok:
                    if screen != nil, let read = entry.message ?? PlausibilityScreen.read(batch.bytes[entry.range], rules: Self.screenRules),
                       let violation = screen!.check(read) {
                        setAside(record, attempts: 1, code: "Alleycat.PlausibilityLimit", message: violation.description,
                                 processor: PlausibilityScreen.name, now: now, stage: stage)
                        implausible += 1
                        break
                    }
                    startBuffer(now)
                    if firstDelivered == nil { firstDelivered = record }
                    oldestArrival = min(oldestArrival, record.approximateArrivalMillis)
                    batch.bytes.withUnsafeBufferPointer { buffer.append(contentsOf: $0[entry.range]) }
                    delivered += 1
                case .dropped:
                    dropped += 1
                case .processingFailed:
                    setAside(record, attempts: 1, code: "Lambda.ProcessingFailed",
                             message: entry.errorMessage ?? "the processor marked the record ProcessingFailed", processor: stage.processor.name,
                             now: now, stage: stage)
                }
                positions[record.shardId] = record.sequenceNumber
                if buffer.count >= sizeHint {
                    deliver(stage: stage)
                }
            }
            stage.shared.withLock {
                $0.metrics.delivered += delivered
                $0.metrics.dropped += dropped
                $0.metrics.implausible += implausible
            }
        }

        /// Another processor's output is screened with any race length a store can hold.
        static let screenRules = RecordRules(raceLength: 86_400)

        private mutating func setAside(
            _ record: StreamRecord, attempts: Int, code: String, message: String, processor: String, now: Int64, stage: DeliveryStream
        ) {
            startBuffer(now)
            if firstFailed == nil { firstFailed = record }
            oldestArrival = min(oldestArrival, record.approximateArrivalMillis)
            FailedRecordLine.append(
                record: record, attemptsMade: attempts, errorCode: code, errorMessage: message, attemptEndingMillis: now,
                processor: processor, into: &failedLines)
            positions[record.shardId] = record.sequenceNumber
            stage.shared.withLock { $0.metrics.failed += 1 }
            if failedLines.count >= sizeHint {
                deliver(stage: stage)
            }
        }

        private mutating func startBuffer(_ now: Int64) {
            if bufferStartedAt == nil { bufferStartedAt = now }
        }

        /// Hands what is buffered to a worker (or writes it here with one delivery at a time).
        mutating func deliver(stage: DeliveryStream) {
            guard bufferStartedAt != nil || !endedShards.isEmpty else { return }
            let name = stage.configuration.name
            let seed = stage.configuration.objectKeySeed
            var objects: [Object] = []
            if let first = firstDelivered, !buffer.isEmpty {
                let key = ObjectKeys.deliveredKey(
                    deliveryStream: name, firstArrivalMillis: first.approximateArrivalMillis, shardId: first.shardId,
                    firstSequenceNumber: first.sequenceNumber, seed: seed)
                objects.append(Object(key: key, bytes: buffer, isFailedRecords: false))
            }
            if let first = firstFailed, !failedLines.isEmpty {
                let key = ObjectKeys.failedKey(
                    deliveryStream: name, firstArrivalMillis: first.approximateArrivalMillis, shardId: first.shardId,
                    firstSequenceNumber: first.sequenceNumber, seed: seed)
                objects.append(Object(key: key, bytes: failedLines, isFailedRecords: true))
            }
            let job = Job(number: nextDeliveryNumber, objects: objects, oldestArrival: oldestArrival, positions: positions, endedShards: endedShards)
            endedShards = []
            nextDeliveryNumber += 1
            buffer = []
            buffer.reserveCapacity(sizeHint + (64 << 10))
            failedLines = []
            bufferStartedAt = nil
            firstDelivered = nil
            firstFailed = nil
            oldestArrival = .max
            stage.start(job)
        }
    }

    // MARK: Delivery

    private struct Job: Sendable {
        var number: Int
        var objects: [Object]
        var oldestArrival: Int64
        var positions: [String: RecordSequence]
        var endedShards: [String]
    }

    /// One object of a delivery: compressed once, kept compressed while it waits for a retry.
    private struct Object: Sendable {
        var key: String
        var bytes: [UInt8]
        var uncompressedCount: Int
        var isCompressed = false
        var isFailedRecords: Bool
        var written = false

        init(key: String, bytes: [UInt8], isFailedRecords: Bool) {
            self.key = key
            self.bytes = bytes
            self.uncompressedCount = bytes.count
            self.isFailedRecords = isFailedRecords
        }
    }

    private func start(_ job: Job) {
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

    /// Writes the job's objects not written yet; a failure keeps the job for a retry.
    private func write(_ job: Job) {
        var job = job
        for index in job.objects.indices where !job.objects[index].written {
            var object = job.objects[index]
            if !object.isCompressed {
                object.bytes = Gzip.compress(object.bytes, level: configuration.compressionLevel)
                object.isCompressed = true
            }
            do throws(FileError) {
                try bucket.put(key: object.key, bytes: object.bytes)
            } catch {
                job.objects[index] = object
                failed(job, key: object.key, error: error)
                return
            }
            object.written = true
            shared.withLock { shared in
                if object.isFailedRecords { shared.metrics.failedObjects += 1 } else { shared.metrics.objects += 1 }
                shared.metrics.bytesUncompressed += object.uncompressedCount
                shared.metrics.bytesCompressed += object.bytes.count
            }
            object.bytes = []
            job.objects[index] = object
        }
        let now = clock.nowMillis()
        // A job with no objects only carries shards ended after everything before it was delivered.
        let latency = job.objects.isEmpty ? nil : now - job.oldestArrival
        let (commit, ended, recovered) = shared.withLock { shared in
            if let latency { shared.metrics.deliveryLatencyMillis.append(latency) }
            shared.finished[job.number] = (job.positions, job.endedShards)
            // Positions only advance through deliveries that all succeeded, in order.
            var through: [String: RecordSequence]?
            var ended: [String] = []
            while let next = shared.finished.removeValue(forKey: shared.committedThrough + 1) {
                shared.committedThrough += 1
                through = next.positions
                ended += next.endedShards
            }
            return (through, ended, shared.waiting.isEmpty ? shared.health.recovered(nowMillis: now) : nil)
        }
        if let recovered { logLine("firehose: delivering again after \(recovered)") }
        if let commit { saveCheckpoint(commit) }
        for shardId in ended { assignment?.shardFinished(shardId) }
    }

    private func failed(_ job: Job, key: String, error: FileError) {
        let now = clock.nowMillis()
        let line: String? = shared.withLock { shared in
            shared.metrics.deliveryErrors += 1
            shared.waiting.append(job)
            guard shared.health.failed(String(describing: error), nowMillis: now) else { return nil }
            return "firehose: cannot deliver \(key): \(error); \(shared.health.retryText(nowMillis: now)), the records stay in the stream until then"
        }
        if let line { logLine(line) }
    }

    /// Writes again the deliveries that failed, once their wait is over. True when none is left waiting.
    private func retryWaiting() -> Bool {
        let now = clock.nowMillis()
        let due: [Job]? = shared.withLock { shared in
            guard !shared.waiting.isEmpty else { return [] }
            guard shared.health.isDue(nowMillis: now) else { return nil }
            defer { shared.waiting = [] }
            return shared.waiting.sorted { $0.number < $1.number }
        }
        guard let due else { return false }
        for job in due { write(job) }
        return shared.withLock { $0.waiting.isEmpty }
    }

    private func saveCheckpoint(_ through: [String: RecordSequence]) {
        checkpointWriter.withLock { committed in
            var moved: [String: RecordSequence] = [:]
            for (shard, sequenceNumber) in through where committed[shard].map({ $0 < sequenceNumber }) ?? true {
                committed[shard] = sequenceNumber
                moved[shard] = sequenceNumber
            }
            do throws(SourceError) {
                try checkpoints.save(consumer: configuration.consumerName, moved)
            } catch {
                logLine("firehose: cannot save its position: \(error)")
            }
        }
    }
}
