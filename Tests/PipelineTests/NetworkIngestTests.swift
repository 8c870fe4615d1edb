import AlleycatTesting
import Foundation
import KinesisAPI
import KinesisClient
import KinesisStream
import KinesisWire
import RaceModel
import Simulator
import Testing

/// The simulator and a real AWS SDK against `alleycat serve` over loopback.
@Suite(.serialized) struct NetworkIngestTests {
    /// The same seeded race, sent over HTTP to `alleycat serve` and run in process,
    /// gives the same history files and leaderboards.
    /// The same in the JSON protocol and in the CBOR one (`alleycat-sim --protocol cbor`).
    @Test(.timeLimit(.minutes(3)), arguments: ["json", "cbor"]) func raceOverTheNetworkMatchesTheRaceInProcess(wireProtocol: String) throws {
        let network = temporaryDirectory("net-race")
        let local = temporaryDirectory("local-race")
        defer {
            try? FileManager.default.removeItem(atPath: network)
            try? FileManager.default.removeItem(atPath: local)
        }
        let plan = ["--racers", "60", "--seconds", "12", "--seed", "5", "--start", "1764000000000"]
        let key = try createKey("load", data: network)
        let serve = try ServeProcess(["--data", network, "--shards", "2"])
        let sent = try run(simulatorBinary, plan + [
            "--endpoint", serve.endpoint, "--api-key", key, "--speed", "max", "--connections", "3", "--protocol", wireProtocol, "--json",
        ])
        #expect(serve.stop() == 0)
        #expect(sent.status == 0, "\(sent.err)")
        let summary = try JSONSerialization.jsonObject(with: Data(sent.out.utf8)) as? [String: Any]
        #expect(summary?["accepted"] as? Int == 720)
        #expect(summary?["lost"] as? Int == 0)

        let raced = try run(alleycatBinary, ["race"] + plan + ["--data", local])
        #expect(raced.status == 0)
        try expectSameOutputs(network, as: local)
    }

    /// Without an API key and with AWS credentials set, `alleycat-sim --endpoint` signs
    /// with SigV4 as the AWS SDKs do: `alleycat serve` takes the race from a key's id and
    /// secret (and refuses a wrong secret before anything is sent), and moto_server, whose
    /// answers number records otherwise, gets every record of it.
    @Test(.timeLimit(.minutes(3))) func theSimulatorSignsWithSigV4() throws {
        let network = temporaryDirectory("sigv4-race")
        let local = temporaryDirectory("sigv4-local")
        defer {
            try? FileManager.default.removeItem(atPath: network)
            try? FileManager.default.removeItem(atPath: local)
        }
        let plan = ["--racers", "60", "--seconds", "12", "--seed", "5", "--start", "1764000000000"]
        let (key, secret) = try createSigningKey("load", data: network)
        let serve = try ServeProcess(["--data", network, "--shards", "2"])
        let signing = { (id: String, secret: String) in
            ["AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1", "ALLEYCAT_API_KEY": ""]
        }
        let forged = try run(simulatorBinary, plan + ["--endpoint", serve.endpoint, "--speed", "max"], environment: signing(key, "wrong"))
        #expect(forged.status == 64)
        #expect(forged.err.hasPrefix(
            "Error: \(serve.endpoint) refused DescribeStreamSummary for stream 'alleycat': HTTP 400 InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."))
        let sent = try run(simulatorBinary, plan + ["--endpoint", serve.endpoint, "--speed", "max", "--json"], environment: signing(key, secret))
        #expect(serve.stop() == 0)
        #expect(sent.status == 0, "\(sent.err)")
        let summary = try JSONSerialization.jsonObject(with: Data(sent.out.utf8)) as? [String: Any]
        #expect(summary?["accepted"] as? Int == 720)
        #expect(summary?["lost"] as? Int == 0)
        #expect(try run(alleycatBinary, ["race"] + plan + ["--data", local]).status == 0)
        try expectSameOutputs(network, as: local)

        let moto = try MotoServer()
        defer { moto.stop() }
        let client = try moto.client(streamName: "race")
        defer { client.shutdown() }
        _ = try client.call(action: "CreateStream", body: Array(#"{"StreamName":"race","ShardCount":2}"#.utf8))
        let toMoto = try run(
            simulatorBinary, plan + ["--endpoint", moto.endpoint, "--stream", "race", "--speed", "max", "--json"],
            environment: signing("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        #expect(toMoto.status == 0, "\(toMoto.err)")
        let motoSummary = try JSONSerialization.jsonObject(with: Data(toMoto.out.utf8)) as? [String: Any]
        #expect(motoSummary?["accepted"] as? Int == 720)
        // Read back from moto: every rider's every second, once.
        var seconds: [String] = []
        for shard in try client.listShards() {
            let batch = try client.read(try client.iterator(shardId: shard.shardId, start: .trimHorizon), limit: 10_000)
            for record in batch.records {
                let message = try RecordParser.parse(record.data.bytes)
                seconds.append("\(message.racerId)@\(message.second)")
            }
        }
        #expect(seconds.sorted() == (0..<60).flatMap { racer in (1...12).map { "\(racer)@\($0)" } }.sorted())
    }

    /// `alleycat serve --source URL` runs the firehose, merger and rankings over another
    /// node's stream (through the Kinesis API client, SigV4-signed with that node's key):
    /// the same seeded race gives the same history files and leaderboards as in process.
    @Test(.timeLimit(.minutes(3))) func aNodeReadingAnotherNodesStreamMatchesTheRaceInProcess() throws {
        let hosting = temporaryDirectory("source-host")
        let reading = temporaryDirectory("source-reader")
        let local = temporaryDirectory("source-local")
        defer {
            for directory in [hosting, reading, local] { try? FileManager.default.removeItem(atPath: directory) }
        }
        let plan = ["--racers", "60", "--seconds", "12", "--seed", "5", "--start", "1764000000000"]
        let (key, secret) = try createSigningKey("load", data: hosting)
        let host = try ServeProcess(["--data", hosting, "--shards", "2"])
        defer { _ = host.stop() }
        let reader = try ServeProcess(
            ["--data", reading, "--source", host.endpoint],
            environment: ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1"])
        let sent = try run(simulatorBinary, plan + ["--endpoint", host.endpoint, "--api-key", key, "--speed", "max", "--json"])
        #expect(sent.status == 0, "\(sent.err)")
        // The reader keeps Kinesis's read limits (5 reads a second per shard): wait until it has every record.
        let deadline = Date().addingTimeInterval(60)
        while try reader.metric("alleycat_records_in_total") < 720 && Date() < deadline { usleep(100_000) }
        #expect(try reader.metric("alleycat_records_in_total") == 720)
        #expect(reader.stop() == 0)
        #expect(try String(contentsOfFile: reading + "/checkpoints/\(host.endpoint.replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: "/", with: "_"))_alleycat.json", encoding: .utf8).contains(#""firehose""#))

        #expect(try run(alleycatBinary, ["race"] + plan + ["--data", local]).status == 0)
        try expectSameOutputs(reading, as: local)
    }

    /// The same over moto's Kinesis (a faithful, slow emulator): the race is put into
    /// moto, and `alleycat serve --source` reads it there.
    @Test(.timeLimit(.minutes(3))) func aNodeReadingMotosKinesisMatchesTheRaceInProcess() throws {
        let reading = temporaryDirectory("moto-reader")
        let local = temporaryDirectory("moto-local")
        defer {
            for directory in [reading, local] { try? FileManager.default.removeItem(atPath: directory) }
        }
        let moto = try MotoServer()
        defer { moto.stop() }
        let client = try moto.client(streamName: "alleycat")
        defer { client.shutdown() }
        _ = try client.call(action: "CreateStream", body: Array(#"{"StreamName":"alleycat","ShardCount":2}"#.utf8))
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let summary = try client.call(action: "DescribeStreamSummary", body: Array(#"{"StreamName":"alleycat"}"#.utf8))
            if String(decoding: summary, as: UTF8.self).contains(#""StreamStatus": "ACTIVE""#)
                || String(decoding: summary, as: UTF8.self).contains(#""StreamStatus":"ACTIVE""#) { break }
            usleep(100_000)
        }
        let plan = SimulationPlan(racers: 60, seconds: 12, seed: 5, startMillis: 1_764_000_000_000)
        let summary = LoadRun(plan: plan, sink: ClientSink(client: client), clock: VirtualClock(startMillis: plan.startMillis)).run()
        #expect(summary.accepted == 720)

        let reader = try ServeProcess(
            ["--data", reading, "--source", moto.endpoint],
            environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1"])
        let read = Date().addingTimeInterval(60)
        while try reader.metric("alleycat_records_in_total") < 720 && Date() < read { usleep(100_000) }
        #expect(try reader.metric("alleycat_records_in_total") == 720)
        #expect(reader.stop() == 0)

        #expect(try run(alleycatBinary, ["race", "--racers", "60", "--seconds", "12", "--seed", "5", "--start", "1764000000000", "--data", local]).status == 0)
        try expectSameOutputs(reading, as: local)
    }

    /// scripts/kinesis-cbor.py: CBOR requests made with cbor2 as the Java SDK makes them, SigV4-signed by botocore.
    @Test(.timeLimit(.minutes(2))) func cborRequestsFromCbor2() throws {
        let directory = temporaryDirectory("cbor2")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (key, secret) = try createSigningKey("cbor", data: directory)
        let serve = try ServeProcess(["--data", directory, "--shards", "2"])
        let check = try run("/usr/bin/env", [
            "python3", "\(repositoryRoot)/scripts/kinesis-cbor.py", "--endpoint", serve.endpoint, "--api-key", key, "--secret", secret,
        ])
        #expect(serve.stop() == 0)
        #expect(check.status == 0, "\(check.out)\n\(check.err)")
        #expect(check.out.hasSuffix("kinesis-cbor: 4 checks passed\n"), "\(check.out)")
    }

    /// scripts/kinesis-h2.py: SubscribeToShard over HTTP/2 (h2c) with httpx, as the Java SDK v2 subscribes.
    @Test(.timeLimit(.minutes(2))) func subscribeToShardOverHTTP2() throws {
        let directory = temporaryDirectory("h2")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (key, secret) = try createSigningKey("h2", data: directory)
        let serve = try ServeProcess(["--data", directory, "--shards", "2", "--http2-port", "0"])
        let port = try #require(serve.http2Port)
        let check = try run("/usr/bin/env", [
            "python3", "\(repositoryRoot)/scripts/kinesis-h2.py", "--endpoint", "http://127.0.0.1:\(port)", "--api-key", key, "--secret", secret,
        ])
        #expect(serve.stop() == 0)
        #expect(check.status == 0, "\(check.out)\n\(check.err)")
        #expect(check.out.hasSuffix("kinesis-h2: 4 checks passed\n"), "\(check.out)")
    }

    /// scripts/kinesis-compat.py: boto3, pointed at the service with endpoint_url.
    @Test(.timeLimit(.minutes(3))) func boto3WorksUnchanged() throws {
        let directory = temporaryDirectory("boto3")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (key, secret) = try createSigningKey("sdk", data: directory)
        let revoked = try createKey("old", data: directory)
        #expect(try run(alleycatBinary, ["keys", "revoke", "old", "--data", directory]).status == 0)
        let serve = try ServeProcess(["--data", directory, "--shards", "3"])
        let check = try run("/usr/bin/env", [
            "python3", "\(repositoryRoot)/scripts/kinesis-compat.py", "--endpoint", serve.endpoint, "--api-key", key, "--secret", secret, "--revoked-key", revoked,
            "--region", "eu-west-1",
        ])
        #expect(serve.stop() == 0)
        #expect(check.status == 0, "\(check.out)\n\(check.err)")
        #expect(check.out.hasSuffix("kinesis-compat: 23 checks passed\n"), "\(check.out)")
    }
}

/// The simulator's records put into a Kinesis endpoint through the client (moto here).
/// Only which records were refused matters to the load run; moto's sequence numbers are
/// not this stream's, so each accepted one is answered with its position in the call.
private struct ClientSink: PutRecordsSink {
    let client: KinesisClient

    func putRecords(_ entries: [PutRecordsRequestEntry]) throws -> PutRecordsResponse {
        let answer = try client.call(action: "PutRecords", body: PutRecordsCall.requestBody(streamName: client.streamName, entries: entries))
        var records: [PutRecordsResultEntry] = []
        var reader = JSONReader(answer)
        try reader.readObject { reader, member in
            guard member == "Records" else { return try reader.skipValue() }
            try reader.readArray { reader, index in
                var code: String?
                try reader.readObject { reader, field in
                    if field == "ErrorCode", !reader.readNull() { code = try reader.readString() } else { try reader.skipValue() }
                }
                records.append(code.map { .refused(errorCode: PutRecordErrorCode(rawValue: $0) ?? .internalFailure, errorMessage: $0) }
                    ?? .accepted(shardId: ShardID(index: 0), sequenceNumber: SequenceNumber(shardIndex: 0, counter: UInt64(index + 1))))
            }
        }
        return PutRecordsResponse(failedPutCount: records.filter { !$0.isAccepted }.count, records: records)
    }
}
