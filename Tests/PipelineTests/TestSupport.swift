import Foundation
import Testing

func temporaryDirectory(_ label: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
}

/// Runs a command, returning its exit status, stdout and stderr; `environment` is laid
/// over this process's (an empty value unsets the variable).
@discardableResult
func run(
    _ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String] = [:]
) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter { !$0.value.isEmpty }
    }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The `alleycat` executable built next to the test bundle.
var alleycatBinary: String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if directory.lastPathComponent == "MacOS" || directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
    return directory.appendingPathComponent("alleycat").path
}

/// A gzip file's text, gunzipped by the system's gzip.
func gunzip(_ path: String) throws -> String {
    let result = try run("/bin/sh", ["-c", "gzip -dc \"$0\"", path])
    precondition(result.status == 0, "gzip -dc \(path) failed: \(result.err)")
    return result.out
}

/// The `alleycat-sim` executable built next to `alleycat`.
var simulatorBinary: String {
    URL(fileURLWithPath: alleycatBinary).deletingLastPathComponent().appendingPathComponent("alleycat-sim").path
}

/// The repository's root (for scripts/).
var repositoryRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

/// `alleycat serve` on a free port, in its own process; `stop()` sends SIGINT, which
/// delivers and merges what is buffered before the process exits.
final class ServeProcess {
    let process = Process()
    let port: Int
    private let output = Pipe()

    /// The HTTP/2 listener's port, when started with `--http2-port`.
    private(set) var http2Port: Int?

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: alleycatBinary)
        process.arguments = ["serve", "--port", "0"] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // The first line says where it listens (waiting here is for start-up, not a measurement).
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        let http2 = arguments.contains("--http2-port")
        while !(text.contains("/ (dashboard") && (!http2 || text.contains("HTTP/2 (h2c"))) && Date() < deadline && process.isRunning {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        if http2, let range = text.range(of: "HTTP/2 (h2c, prior knowledge) on http://127.0.0.1:") {
            http2Port = Int(text[range.upperBound...].prefix { $0.isNumber })
        }
        guard let range = text.range(of: "listening on http://127.0.0.1:"),
              let port = Int(text[range.upperBound...].prefix { $0.isNumber })
        else {
            process.terminate()
            throw ServeError(output: text)
        }
        self.port = port
    }

    struct ServeError: Error, CustomStringConvertible {
        let output: String
        var description: String { "alleycat serve did not start: \(output)" }
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// A counter of the service's /metrics (0 when it has none yet).
    func metric(_ name: String) throws -> Double {
        let text = try run("/usr/bin/env", ["curl", "-s", endpoint + "/metrics"]).out
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// Stops the service and returns its exit status.
    func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends `signal`, waits at most `seconds` for the process to end (then kills it) and
    /// returns whether it ended by itself, its status and what it printed after starting.
    func stop(signal: Int32, waitingAtMost seconds: Double) -> (exited: Bool, status: Int32, output: String) {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let exited = !process.isRunning
        if !exited { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        return (exited, process.terminationStatus, String(decoding: rest, as: UTF8.self))
    }
}

/// A new API key's secret from `alleycat keys create --json`.
func createKey(_ name: String, data directory: String) throws -> String {
    try createSigningKey(name, data: directory).key
}

/// A key and its SigV4 secret, from `alleycat keys create --json`.
func createSigningKey(_ name: String, data directory: String) throws -> (key: String, secret: String) {
    let created = try run(alleycatBinary, ["keys", "create", "--name", name, "--rate", "10000", "--burst", "10000", "--data", directory, "--json"])
    let object = try JSONSerialization.jsonObject(with: Data(created.out.utf8)) as? [String: Any]
    guard created.status == 0, let key = object?["key"] as? String, let secret = object?["secretAccessKey"] as? String else {
        throw ServeProcess.ServeError(output: "keys create: \(created.out) \(created.err)")
    }
    return (key, secret)
}

/// A plain TCP connection to the service, for what HTTP clients will not send.
final class RawConnection {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ServeProcess.ServeError(output: "cannot connect to port \(port): errno \(errno)")
        }
    }

    deinit { if !isClosed { close(fd) } }

    private var isClosed = false

    /// Closes this end (the service sees the client go).
    func shutDown() {
        if !isClosed { close(fd) }
        isClosed = true
    }

    func send(_ text: String) {
        var bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeMutableBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
    }

    /// What the service sends until the text ends with `suffix` (an answer on a connection kept open).
    func read(until suffix: String, waitingAtMost seconds: Int = 20) -> String {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !String(decoding: received, as: UTF8.self).hasSuffix(suffix) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Everything the service sends until it closes the connection (at most `seconds`
    /// of waiting; `closed` says whether it did close).
    func readUntilClosed(waitingAtMost seconds: Int = 20) -> (text: String, closed: Bool) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), errno == ECONNRESET) }
            received += buffer[0..<count]
        }
    }
}

/// Every class's history file and every leaderboard (total, best, final) of `data` are
/// those of `local`, and the leaderboards are not empty.
func expectSameOutputs(_ data: String, as local: String) throws {
    for classId in 1...6 {
        let file = "history/class-\(classId).gz"
        #expect(try gunzip("\(data)/\(file)") == gunzip("\(local)/\(file)"), "class \(classId) history")
        for measure in ["total", "best", "final"] {
            let arguments = ["leaderboard", "--class", "\(classId)", "--by", measure, "--json"]
            let board = try run(alleycatBinary, arguments + ["--data", data]).out
            #expect(board.contains("\"racerId\""))
            #expect(board == (try run(alleycatBinary, arguments + ["--data", local]).out), "class \(classId) by \(measure)")
        }
    }
}

/// The original Alleycat transform as Lambda handlers (decode, parse, add
/// `output = (cadence + 35) * (resistance + 65) / 100`, re-encode with a newline, "Ok"),
/// written into `directory`; returns the file's path.
func writeOriginalTransform(_ file: String, in directory: String) throws -> String {
    let node = """
        exports.handler = async (event, context) => ({
          records: event.records.map((record) => {
            const payload = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
            payload.output = (payload.cadence + 35) * (payload.resistance + 65) / 100;
            return { recordId: record.recordId, result: 'Ok', data: Buffer.from(JSON.stringify(payload) + '\\n').toString('base64') };
          }),
        });
        """
    let python = """
        import base64, json

        def handler(event, context):
            records = []
            for record in event["records"]:
                payload = json.loads(base64.b64decode(record["data"]))
                payload["output"] = (payload["cadence"] + 35) * (payload["resistance"] + 65) / 100
                data = base64.b64encode((json.dumps(payload) + "\\n").encode()).decode()
                records.append({"recordId": record["recordId"], "result": "Ok", "data": data})
            return {"records": records}
        """
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/" + file
    try Data((file.hasSuffix(".py") ? python : node).utf8).write(to: URL(fileURLWithPath: path))
    return path
}
