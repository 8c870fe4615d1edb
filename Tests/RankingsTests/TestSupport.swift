import StreamReading
import KinesisStream
import HistoryFile
import RaceModel
import Synchronization
@testable import Rankings

func decimal(_ text: String) -> DecimalNumber {
    var index = 0
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { DecimalNumber.parseJSON($0, index: &index)! }
}

/// A rider message; its output is (cadence + 35) * (resistance + 65) / 100.
func message(
    racer: Int, second: Int, cadence: String, resistance: String, classId: Int = 2, raceId: Int64 = 5_000
) -> RaceMessage {
    RaceMessage(
        event: .update, deviceTimestamp: 1_500_000_000_000 + Int64(second) * 1000, second: second, raceId: raceId,
        name: Roster.name(of: racer), racerId: racer, classId: classId, cadence: decimal(cadence),
        resistance: decimal(resistance))
}

/// The crafted race of four riders in class 2, race 5000 (output in the comment):
///
/// | racer | second 1           | second 2          | second 3             |
/// |-------|--------------------|-------------------|----------------------|
/// | 11    | 50, 35 → 85        | 70, 35 → 105      | 61, 54 → 114.24      |
/// | 12    | 60, 35 → 95        | 55, 35 → 90       | 80, 35 → 115         |
/// | 13    | 45, 15 → 64        | 55, 35 → 90       | 45.5, 35 → 80.5      |
/// | 14    | 40, 55 → 90        | 30, 35 → 65       | (sends nothing)      |
///
/// e.g. (61 + 35) * (54 + 65) / 100 = 96 * 119 / 100 = 114.24; (40 + 35) * (55 + 65) / 100 = 90.
enum CraftedRace {
    static let seconds: [[RaceMessage]] = [
        [
            message(racer: 11, second: 1, cadence: "50", resistance: "35"),
            message(racer: 12, second: 1, cadence: "60", resistance: "35"),
            message(racer: 13, second: 1, cadence: "45", resistance: "15"),
            message(racer: 14, second: 1, cadence: "40", resistance: "55"),
        ],
        [
            message(racer: 11, second: 2, cadence: "70", resistance: "35"),
            message(racer: 12, second: 2, cadence: "55", resistance: "35"),
            message(racer: 13, second: 2, cadence: "55", resistance: "35"),
            message(racer: 14, second: 2, cadence: "30", resistance: "35"),
        ],
        [
            message(racer: 11, second: 3, cadence: "61", resistance: "54"),
            message(racer: 12, second: 3, cadence: "80", resistance: "35"),
            message(racer: 13, second: 3, cadence: "45.5", resistance: "35"),
        ],
    ]

    /// An engine that has ingested the whole race, one second per batch.
    static func engine(history: @escaping @Sendable (Int) -> HistoryTable = { _ in HistoryTable() }) -> RankingEngine {
        let engine = RankingEngine(history: history)
        for (index, batch) in seconds.enumerated() {
            _ = engine.ingest(batch, arrivalMillis: Int64(index + 1) * 1000, nowMillis: Int64(index + 1) * 1000 + 50)
        }
        return engine
    }
}

/// Stream limits no test reaches.
let roomyLimits = ShardLimits(recordsPerSecond: 1_000_000, bytesPerSecond: 1 << 30)

/// Puts each batch on a fresh stream at its arrival time and reads everything back,
/// so the records carry real `RecordData` and arrival times.
func streamRecords(_ batches: [(arrivalMillis: Int64, payloads: [[UInt8]])]) throws -> [StreamRecord] {
    let clock = VirtualClock(startMillis: batches.first?.arrivalMillis ?? 0)
    let stream = KinesisStream(shardCount: 1, limits: roomyLimits, clock: clock)
    for batch in batches {
        clock.advance(toMillis: batch.arrivalMillis)
        let response = try stream.putRecords(batch.payloads.map { PutRecordsRequestEntry(data: $0, partitionKey: "k") })
        precondition(response.failedPutCount == 0)
    }
    let source = EmbeddedSource(stream: stream)
    return try StreamReader(name: "test", source: source, checkpoints: source, now: { clock.nowMillis() }).poll()
}

/// A ranking consumer of the embedded stream, on the stream's clock.
func rankingConsumer(_ stream: KinesisStream, engine: RankingEngine, start: StartPosition = .latest) throws -> RankingConsumer {
    let source = EmbeddedSource(stream: stream)
    let clock = stream.clock
    return try RankingConsumer(source: source, checkpoints: source, engine: engine, start: start, now: { clock.nowMillis() })
}

func payloads(_ messages: [RaceMessage]) -> [[UInt8]] {
    messages.map { RecordWriter.bytes($0) }
}

/// A history closure that counts its calls.
final class CountingHistory: Sendable {
    let table: HistoryTable
    let classId: Int
    private let calls = Mutex(0)

    init(classId: Int, table: HistoryTable) {
        self.classId = classId
        self.table = table
    }

    var count: Int { calls.withLock { $0 } }

    func callAsFunction(_ classId: Int) -> HistoryTable {
        calls.withLock { $0 += 1 }
        return classId == self.classId ? table : HistoryTable()
    }
}
