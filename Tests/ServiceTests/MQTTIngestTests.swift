import AlleycatTesting
import Foundation
import KinesisStream
import MQTT
import RaceModel
import RaceStore
import Storage
import Synchronization
import Testing

@testable import Service

/// `alleycat serve --mqtt` against a real Mosquitto: bikes publish with mosquitto_pub and
/// paho-mqtt (independent clients), and results come back to mosquitto_sub.
@Suite(.serialized) struct MQTTIngestTests {
    static let riders: [(racer: Int, classId: Int, cadence: Int, resistance: Int)] = [(1, 1, 61, 50), (2, 1, 70, 40), (9, 2, 80, 80)]

    static func rig(_ broker: Mosquitto, partitionKey: MQTTIngest.PartitionKeyRule = .time) throws -> ServiceRig {
        let rig = try ServiceRig { configuration in
            var mqtt = MQTTIngest.Configuration(url: try! MQTTURL(broker.url))
            mqtt.partitionKey = partitionKey
            configuration.mqtt = mqtt
        }
        rig.service.mqtt!.start()
        try broker.waitForLog("alleycat-ingest 1 alleycat-publish")
        return rig
    }

    /// Publishes each payload at QoS 1 from paho-mqtt, one connection: over TCP, or as a
    /// browser does, over the broker's WebSocket listener.
    static func paho(port: Int, webSocket: Bool = false, _ payloads: [[UInt8]]) throws {
        let script = """
            import sys, paho.mqtt.client as mqtt
            client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="paho-bike", transport="\(webSocket ? "websockets" : "tcp")")
            client.connect("127.0.0.1", \(port))
            client.loop_start()
            for line in sys.stdin.read().splitlines():
                client.publish("alleycat-publish", line, qos=1).wait_for_publish(10)
            client.disconnect()
            client.loop_stop()
            """
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        child.arguments = ["python3", "-c", script]
        let input = Pipe()
        let errors = Pipe()
        child.standardInput = input
        child.standardError = errors
        try child.run()
        input.fileHandleForWriting.write(Data(payloads.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw MotoServer.Unavailable(description: "paho-mqtt exited \(child.terminationStatus) (pip install paho-mqtt; CI does): \(text)")
        }
    }

    static func waitUntilAccepted(_ rig: ServiceRig, _ count: Int) throws {
        for _ in 0..<2000 {
            if rig.service.mqtt!.counts.accepted >= count { return }
            usleep(5000)
        }
        throw MotoServer.Unavailable(description: "\(rig.service.mqtt!.counts) after 10 s, waiting for \(count) accepted")
    }

    @Test func bikesOnMosquittoPubAndPahoOverTCPAndWebSocketReachTheHistoryFilesAndStoreAsPutRecordsDoes() throws {
        let broker = try Mosquitto()
        let rig = try Self.rig(broker)
        let reference = try ServiceRig()
        defer {
            rig.remove()
            reference.remove()
            broker.stop()
        }
        for second in 1...3 {
            let messages = rig.messages(second, Self.riders, final: 3).map(\.data)
            // Racers 1 and 9 through mosquitto_pub, racer 2 through paho-mqtt (in second 2 over WebSocket, as a browser would).
            try broker.run("mosquitto_pub", ["-q", "1", "-t", "alleycat-publish", "-l"], input: Data((String(decoding: messages[0], as: UTF8.self) + "\n" + String(decoding: messages[2], as: UTF8.self) + "\n").utf8))
            try Self.paho(port: second == 2 ? broker.webSocketPort : broker.port, webSocket: second == 2, [messages[1]])
            try Self.waitUntilAccepted(rig, 3 * second)
            rig.service.pump()
            try reference.second(second, Self.riders, final: 3)
        }
        // A malformed payload is set aside by the firehose, as one from PutRecords is.
        try broker.run("mosquitto_pub", ["-q", "1", "-t", "alleycat-publish", "-m", #"{"racerId": 1"#])
        try Self.waitUntilAccepted(rig, 10)
        rig.service.pump()
        rig.service.flush()
        reference.service.flush()

        #expect(rig.service.mqtt!.counts == MQTTIngest.Counts(received: 10, accepted: 10, retried: 0, dropped: 0))
        for classId in [1, 2] {
            let history = "/history/class-\(classId).gz"
            #expect(try Data(contentsOf: URL(fileURLWithPath: rig.directory + history)) == Data(contentsOf: URL(fileURLWithPath: reference.directory + history)))
            for measure in [Measure.total, .best, .final] {
                #expect(try rig.service.store.leaderboard(classId: classId, by: measure, limit: 10) == reference.service.store.leaderboard(classId: classId, by: measure, limit: 10))
            }
        }
        for rider in Self.riders {
            let result = try rig.service.store.result(raceId: 5_666_666, classId: rider.classId, racerId: rider.racer)
            #expect(result != nil)
            #expect(result == (try reference.service.store.result(raceId: 5_666_666, classId: rider.classId, racerId: rider.racer)))
        }
        #expect(rig.service.firehose.metrics.failed == 1)
        #expect(rig.service.firehose.metrics.delivered == 9)
        let bucket = rig.service.stages.deliveryBucket
        let failed = try bucket.list(prefix: "processing-failed/").flatMap { key in
            String(decoding: try Gzip.decompress(bucket.get(key: key)), as: UTF8.self).split(separator: "\n").map(String.init)
        }
        #expect(failed.count == 1)
        let line = try JSONSerialization.jsonObject(with: Data(failed[0].utf8)) as! [String: Any]
        #expect(line["errorMessage"] as? String == "not valid JSON: record ends inside the object at byte 13")
        #expect(line["rawData"] as? String == Data(#"{"racerId": 1"#.utf8).base64EncodedString())
    }

    @Test func resultsReachMosquittoSubEveryRaceSecondInTheOriginalsEnvelope() throws {
        let broker = try Mosquitto()
        let rig = try Self.rig(broker)
        defer {
            rig.remove()
            broker.stop()
        }
        let output = Output()
        let port = broker.port
        let done = DispatchSemaphore(value: 0)
        Thread {
            output.set((try? Mosquitto.run("mosquitto_sub", port: port, ["-i", "screen", "-t", "alleycat-subscribe", "-t", "alleycat-subscribe/class/2", "-C", "6", "-v", "-W", "20"])) ?? "mosquitto_sub failed")
            done.signal()
        }.start()
        try broker.waitForLog("screen 0 alleycat-subscribe/class/2")
        for second in 1...3 {
            try rig.second(second, [(1, 1, 60 + 10 * second, 50), (2, 1, 75, 50), (9, 2, 80, 80)])
        }
        done.wait()
        let ts = { (second: Int) in 1_700_000_000_000 + (second - 1) * 1000 }
        let class1 = { (second: Int, first: String, second1: String) in
            #"{"msg":"results","classId":1,"raceId":5666666,"ts":\#(ts(second)),"second":\#(second),"total":2,"reported":2,"results":[\#(first),\#(second1)]}"#
        }
        let racer1 = { (second: Int, rank: Int) in
            let output = Double((60 + 10 * second + 35) * (50 + 65)) / 100
            return #"{"rank":\#(rank),"racerId":1,"name":"\#(Roster.name(of: 1))","output":\#(output),"best":\#(output),"second":\#(second)}"#
        }
        let racer2 = { (second: Int, rank: Int) in #"{"rank":\#(rank),"racerId":2,"name":"\#(Roster.name(of: 2))","output":126.5,"best":126.5,"second":\#(second)}"# }
        let class2 = { (second: Int) in
            #"{"msg":"results","classId":2,"raceId":5666666,"ts":\#(ts(second)),"second":\#(second),"total":1,"reported":1,"results":[{"rank":1,"racerId":9,"name":"\#(Roster.name(of: 9))","output":166.75,"best":166.75,"second":\#(second)}]}"#
        }
        // Second 1: racer 2 (75 rpm) leads racer 1 (70); from second 2 racer 1 (80, 90) leads.
        let expected = [
            "alleycat-subscribe \(class1(1, racer2(1, 1), racer1(1, 2)))",
            "alleycat-subscribe \(class2(1))",
            "alleycat-subscribe/class/2 \(class2(1))",
            "alleycat-subscribe \(class1(2, racer1(2, 1), racer2(2, 2)))",
            "alleycat-subscribe \(class2(2))",
            "alleycat-subscribe/class/2 \(class2(2))",
        ]
        #expect(output.text.split(separator: "\n").map(String.init) == expected)
    }

    @Test func partitionKeysAreTheArrivalTimeOrTheRacer() {
        let message = Array(#"{"event":"update","deviceTimestamp":1,"second":1,"raceId":1,"name":"A","racerId":42,"classId":1,"cadence":1,"resistance":1}"#.utf8)
        #expect(MQTTIngest.partitionKey(message, rule: .time, time: "1700000000123") == "1700000000123")
        #expect(MQTTIngest.partitionKey(message, rule: .racer, time: "1700000000123") == "42")
        #expect(MQTTIngest.partitionKey(Array("not json".utf8), rule: .racer, time: "1700000000123") == "1700000000123")
    }

    @Test func theQueueTakesBatchesInOrderWithinTheirLimitsAndTakesRefusedOnesBackAtTheFront() {
        var queue = MQTTIngest.ArrivalQueue()
        for index in 0..<10_000 {
            queue.append(MQTTIngest.Arrival(message: MQTTMessage(topic: "t", payload: [UInt8](repeating: 1, count: index == 9_000 ? 300 : 10)), millis: Int64(index)))
        }
        var taken: [Int64] = []
        for _ in 0..<10 { taken += queue.take(upTo: 500, bytes: 4 << 20).map(\.millis) }
        // Past 4,096 taken the array is compacted; the order holds across it.
        #expect(taken == Array(0..<5_000))
        #expect(queue.count == 5_000)
        queue.putBack([4_997, 4_998, 4_999].map { MQTTIngest.Arrival(message: MQTTMessage(topic: "t", payload: [1]), millis: $0) })
        #expect(queue.take(upTo: 5, bytes: 4 << 20).map(\.millis) == [4_997, 4_998, 4_999, 5_000, 5_001])
        // A byte budget of 100 takes ten 10-byte messages; one over the budget alone still goes.
        #expect(queue.take(upTo: 500, bytes: 100).map(\.millis) == Array(5_002..<5_012))
        _ = (0..<7).map { _ in queue.take(upTo: 500, bytes: 4 << 20) }
        #expect(queue.take(upTo: 500, bytes: 100).map(\.millis) == Array(8_512..<8_522))
        while queue.count > 1_000 { _ = queue.take(upTo: 1, bytes: 4 << 20) }
        #expect(queue.take(upTo: 500, bytes: 100).map(\.millis) == [9_000])
        queue.removeAll { $0.millis % 2 == 0 }
        #expect(queue.count == 500)
    }

    final class Output: Sendable {
        private let value = Mutex("")
        func set(_ text: String) { value.withLock { $0 = text } }
        var text: String { value.withLock { $0 } }
    }
}
