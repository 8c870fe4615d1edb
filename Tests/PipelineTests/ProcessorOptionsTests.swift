import Foundation
import Testing

/// `--processor-command` and `--processor-lambda` on `alleycat race` and `alleycat serve`, as a user runs them.
@Suite struct ProcessorOptionsTests {
    @Test func optionsThatCannotRunAreRefusedAtStart() throws {
        let directory = temporaryDirectory("cli-processor")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let other = directory + "/other.js"
        let text = directory + "/transform.txt"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("exports.transform = async (event) => event;\n".utf8).write(to: URL(fileURLWithPath: other))
        try Data().write(to: URL(fileURLWithPath: text))
        let race = ["race", "--racers", "5", "--class", "1", "--seconds", "5", "--start", "1700000000000", "--data", directory + "/data"]
        let usage: [([String], String)] = [
            (["--processor-lambda", directory + "/missing.js"],
             "Error: --processor-lambda \(directory)/missing.js: \(directory)/missing.js does not exist: give the path of the handler's .js or .py file\n"),
            (["--processor-lambda", text],
             "Error: --processor-lambda \(text): \(text) is neither a .js nor a .py file: a handler runs under node (.js, .mjs, .cjs) or python3 (.py)\n"),
            (["--processor-lambda", other, "--processor-command", "cat"],
             "Error: --processor-command and --processor-lambda are exclusive: give one of them, or neither for the built-in processor\n"),
            (["--processor-command", " "], "Error: --processor-command needs a command, for example 'python3 transform.py'\n"),
            (["--processor-command", "cat", "--processor-timeout", "0"],
             "Error: --processor-timeout must be more than 0 and at most 900 seconds (Lambda's limit), got 0.0\n"),
        ]
        for (options, message) in usage {
            for command in [race, ["serve", "--port", "0", "--in-memory", "--data", directory + "/data"]] {
                let result = try run(alleycatBinary, command + options)
                #expect(result.status == 64, "\(command[0]) \(options)")
                #expect(result.err.hasPrefix(message), "\(command[0]) \(options)")
            }
        }
        let unloadable = try run(alleycatBinary, race + ["--processor-lambda", other])
        #expect(unloadable.status == 1)
        #expect(unloadable.err == "Error: --processor-lambda \(other): cannot load the handler \(other):handler: \(other) exports no function named handler (its functions: transform; name one as FILE:HANDLER)\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/data/history"))
    }

    /// The original transform as a Lambda handler and as a command gives `alleycat race`
    /// the leaderboard the built-in processor gives (totals are rounded to 6 places, so
    /// floating point and exact decimals agree), and `alleycat serve` runs a handler too.
    @Test func raceAndServeRunTheOriginalTransform() throws {
        let directory = temporaryDirectory("cli-processor-race")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try writeOriginalTransform("transform.js", in: directory)
        let python = try writeOriginalTransform("transform.py", in: directory)
        let command = directory + "/command.py"
        try Data("""
            import base64, json, sys
            event = json.load(sys.stdin)
            records = []
            for record in event["records"]:
                payload = json.loads(base64.b64decode(record["data"]))
                payload["output"] = (payload["cadence"] + 35) * (payload["resistance"] + 65) / 100
                data = base64.b64encode((json.dumps(payload) + "\\n").encode()).decode()
                records.append({"recordId": record["recordId"], "result": "Ok", "data": data})
            json.dump({"records": records}, sys.stdout)
            """.utf8).write(to: URL(fileURLWithPath: command))
        let race = ["race", "--racers", "12", "--class", "1", "--seconds", "20", "--seed", "3", "--start", "1700000000000"]
        var boards: [String] = []
        for (name, options) in [("builtin", []), ("lambda", ["--processor-lambda", node]), ("command", ["--processor-command", "python3 '\(command)'"])] {
            let data = directory + "/" + name
            let result = try run(alleycatBinary, race + options + ["--data", data])
            #expect(result.status == 0, "\(name): \(result.err)")
            let processor = ["builtin": "alleycat-output", "lambda": "lambda:\(node):handler", "command": "external:/bin/sh -c python3 '\(command)'"][name]!
            #expect(result.out.contains("(processor \(processor), buffer 1 MiB or 60 s, gzip level 1)"), "\(name)")
            #expect(result.out.contains("firehose:  240 records in "), "\(name)")
            #expect(result.out.contains(", 0 set aside in processing-failed/"), "\(name)")
            boards.append(try run(alleycatBinary, ["leaderboard", "--class", "1", "--json", "--data", data]).out)
        }
        #expect(boards[0].contains("\"racerId\""))
        #expect(boards[1] == boards[0])
        #expect(boards[2] == boards[0])

        let data = directory + "/serve"
        let serve = try run(alleycatBinary, [
            "serve", "--port", "0", "--in-memory", "--data", data, "--simulate-racers", "12", "--simulate-class", "1",
            "--simulate-seconds", "10", "--speed", "20", "--exit-after-simulation", "--processor-lambda", python,
        ])
        #expect(serve.status == 0, "\(serve.err)")
        #expect(serve.out.contains("simulation done: 120 of 120 messages accepted, 0 failed"))
        // python3's json.dumps writes `"output": 123.4`, with a space: the records went through the handler.
        let objects = FileManager.default.enumerator(atPath: data + "/delivery")!.compactMap { $0 as? String }.filter { $0.hasSuffix(".gz") }
        #expect(!objects.isEmpty)
        #expect(objects.allSatisfy { !$0.hasPrefix("processing-failed") })
        let lines = try objects.flatMap { try gunzip(data + "/delivery/" + $0).split(separator: "\n") }
        #expect(lines.count == 120)
        #expect(lines.allSatisfy { $0.contains(#", "output": "#) })
    }
}
