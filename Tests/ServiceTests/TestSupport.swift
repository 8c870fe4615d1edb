import Foundation
import Hummingbird
import HummingbirdTesting
import KinesisStream
import Pipeline
import RaceModel
@testable import Service

/// A service on a virtual clock in a temporary data directory.
struct ServiceRig {
    let directory: String
    let clock: VirtualClock
    let service: AlleycatService

    init(port: Int = 0, configure: (inout AlleycatService.Configuration) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("service-\(UUID().uuidString)").path
        clock = VirtualClock(startMillis: 1_700_000_000_000)
        var configuration = AlleycatService.Configuration()
        configuration.layout = DataLayout(directory: directory)
        configuration.port = port
        configuration.shards = 2
        configuration.firehose.parallelDeliveries = 1
        configure(&configuration)
        service = try AlleycatService(configuration: configuration, clock: clock)
    }

    /// One race second: each (racerId, classId, cadence, resistance) rider's message, then a pump.
    func second(_ second: Int, _ riders: [(racer: Int, classId: Int, cadence: Int, resistance: Int)], raceId: Int64 = 5_666_666, final: Int = 300) throws {
        let entries = messages(second, riders, raceId: raceId, final: final)
        let response = try service.stream!.putRecords(entries)
        precondition(response.failedPutCount == 0)
        service.pump()
    }

    /// Moves the clock to a race second and writes its riders' messages.
    func messages(
        _ second: Int, _ riders: [(racer: Int, classId: Int, cadence: Int, resistance: Int)], raceId: Int64 = 5_666_666, final: Int = 300
    ) -> [PutRecordsRequestEntry] {
        clock.advance(toMillis: 1_700_000_000_000 + Int64(second - 1) * 1000)
        return riders.map { rider in
            let message = RaceMessage(
                event: second == final ? .final : .update, deviceTimestamp: clock.nowMillis(), second: second, raceId: raceId,
                name: Roster.name(of: rider.racer), racerId: rider.racer, classId: rider.classId,
                cadence: DecimalNumber(rider.cadence), resistance: DecimalNumber(rider.resistance))
            return PutRecordsRequestEntry(data: RecordWriter.bytes(message), partitionKey: "racer-\(rider.racer)")
        }
    }

    func remove() {
        service.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}
