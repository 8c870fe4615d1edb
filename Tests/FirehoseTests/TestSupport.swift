import Foundation
import KinesisStream
import RaceModel
import Storage
import StreamReading
@testable import Firehose

/// A stream, a bucket in a fresh temporary directory and a virtual clock.
struct Rig {
    let clock: VirtualClock
    let stream: KinesisStream
    let directory: String
    let bucket: Bucket

    init(start: Int64 = 1_700_000_000_000, shards: Int = 1) {
        clock = VirtualClock(startMillis: start)
        stream = KinesisStream(shardCount: shards, limits: ShardLimits(recordsPerSecond: 1_000_000, bytesPerSecond: 1 << 30), clock: clock)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("firehose-\(UUID().uuidString)").path
        bucket = Bucket(name: "delivery", directory: directory)
    }

    func firehose(
        processor: any RecordProcessor = AlleycatProcessor(), hints: BufferingHints = .standard, retries: Int = 3,
        stream: KinesisStream? = nil
    ) throws -> DeliveryStream {
        try DeliveryStream(
            configuration: DeliveryStreamConfiguration(bufferingHints: hints, processorRetries: retries, parallelDeliveries: 1, objectKeySeed: 0),
            source: EmbeddedSource(stream: stream ?? self.stream), checkpoints: EmbeddedSource(stream: stream ?? self.stream),
            processor: processor, bucket: bucket, clock: clock)
    }

    func put(_ texts: [String], key: String = "k") throws {
        for start in stride(from: 0, to: texts.count, by: 500) {
            let batch = texts[start..<min(start + 500, texts.count)].map { PutRecordsRequestEntry(data: Array($0.utf8), partitionKey: key) }
            let response = try stream.putRecords(batch)
            precondition(response.failedPutCount == 0)
        }
    }

    func put(bytes sizes: [Int]) throws {
        for size in sizes {
            _ = try stream.putRecord(PutRecordsRequestEntry(data: [UInt8](repeating: 0x61, count: size), partitionKey: "k"))
        }
    }

    /// Every object's key under `prefix`, sorted.
    func keys(_ prefix: String = "") -> [String] {
        bucket.list(prefix: prefix).filter { !$0.hasPrefix(ObjectKeys.failedPrefix) || prefix == ObjectKeys.failedPrefix }
    }

    /// An object's lines, gunzipped by the system's gzip.
    func lines(_ key: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -dc \"$0\"", bucket.path(for: key)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FirehoseConfigurationError("gzip -dc failed on \(key)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

func rider(_ racerId: Int, second: Int = 1, cadence: String = "60", resistance: String = "50") -> String {
    #"{"event":"update","deviceTimestamp":1700000000000,"second":\#(second),"raceId":5666666,"name":"Ana","racerId":\#(racerId),"classId":1,"cadence":\#(cadence),"resistance":\#(resistance)}"#
}

/// Parses one JSON line of a processing-failed object.
func failedLine(_ line: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
}

/// A fresh folder of handler files, written by the test.
struct HandlerFolder {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("handlers-\(UUID().uuidString)").path

    init() {
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `source` as `name` in the folder; returns its path.
    func write(_ name: String, _ source: String) -> String {
        let file = path + "/" + name
        try! Data(source.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The original Alleycat transform as Lambda handlers: decode, parse, add
/// `output = (cadence + 35) * (resistance + 65) / 100`, re-encode with a newline, "Ok".
enum OriginalTransform {
    static let nodeAsync = """
        exports.handler = async (event, context) => ({
          records: event.records.map((record) => {
            const payload = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
            payload.output = (payload.cadence + 35) * (payload.resistance + 65) / 100;
            return { recordId: record.recordId, result: 'Ok', data: Buffer.from(JSON.stringify(payload) + '\\n').toString('base64') };
          }),
        });
        """

    /// Callback style, and chatty: what it prints must not reach the answer channel.
    static let nodeCallback = """
        exports.handler = (event, context, callback) => {
          console.log(`transforming ${event.records.length} records`);
          process.stdout.write('result {"records":[]}\\n');
          const records = event.records.map((record) => {
            const payload = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
            payload.output = (payload.cadence + 35) * (payload.resistance + 65) / 100;
            return { recordId: record.recordId, result: 'Ok', data: Buffer.from(JSON.stringify(payload) + '\\n').toString('base64') };
          });
          setImmediate(() => callback(null, { records }));
        };
        """

    static let python = """
        import base64, json

        def handler(event, context):
            print(f"transforming {len(event['records'])} records")
            print('result {"records": []}')
            records = []
            for record in event["records"]:
                payload = json.loads(base64.b64decode(record["data"]))
                payload["output"] = (payload["cadence"] + 35) * (payload["resistance"] + 65) / 100
                data = base64.b64encode((json.dumps(payload) + "\\n").encode()).decode()
                records.append({"recordId": record["recordId"], "result": "Ok", "data": data})
            return {"records": records}
        """
}
