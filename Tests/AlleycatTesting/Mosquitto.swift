import Foundation

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A Mosquitto broker child on a free loopback port (and a WebSocket listener beside it),
/// for tests against a real MQTT broker. CI installs Debian's `mosquitto` and
/// `mosquitto-clients`; a machine without them fails the test with that instruction.
/// Persistent sessions are kept in memory for the broker's life, with no limit on queued
/// or in-flight QoS 1 messages, so a subscriber that is away gets everything on return.
public final class Mosquitto {
    public private(set) var process = Process()
    public let port: Int
    public let webSocketPort: Int
    public let directory: URL
    private let log: URL

    public var url: String { "mqtt://127.0.0.1:\(port)" }

    private let executable: String
    private let configurationFile: URL

    /// A certificate and its key (PEM files) for a TLS listener.
    public struct TLSFiles {
        public var certificate: String
        public var key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// `allowAnonymous` false: only the `users` may connect (none: nobody), for refused logins.
    /// `tls`: the MQTT listener speaks TLS with this certificate (`mqtts://`).
    public init(allowAnonymous: Bool = true, users: [String: String] = [:], tls: TLSFiles? = nil) throws {
        guard let executable = MotoServer.onPath("mosquitto") else {
            throw MotoServer.Unavailable(description: "mosquitto is not installed: apt-get install -y mosquitto mosquitto-clients (CI does)")
        }
        self.executable = executable
        port = try MotoServer.freePort()
        webSocketPort = try MotoServer.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mosquitto-\(port)-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        log = directory.appendingPathComponent("mosquitto.log")
        var security = ""
        if !users.isEmpty {
            let passwords = directory.appendingPathComponent("passwords").path
            for (index, (user, password)) in users.sorted(by: { $0.key < $1.key }).enumerated() {
                try Self.run("mosquitto_passwd", port: nil, (index == 0 ? ["-c", "-b"] : ["-b"]) + [passwords, user, password])
            }
            security += "password_file \(passwords)\n"
        }
        if let tls { security += "certfile \(tls.certificate)\nkeyfile \(tls.key)\n" }
        let configuration = """
            listener \(port) 127.0.0.1
            \(security)allow_anonymous \(allowAnonymous)
            log_type all
            max_queued_messages 0
            max_inflight_messages 0
            listener \(webSocketPort) 127.0.0.1
            protocol websockets

            """
        configurationFile = directory.appendingPathComponent("mosquitto.conf")
        try configuration.write(to: configurationFile, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        try launch()
    }

    private func launch() throws {
        let output = try FileHandle(forWritingTo: log)
        output.seekToEndOfFile()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", configurationFile.path]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    /// SIGKILL and a new broker on the same port (sessions and queued messages are gone with the old one).
    public func restart() throws {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try launch()
    }

    /// Waits (at most 10 s) until the broker's log has `text` `times` times: a client connected
    /// or subscribed (the log goes on across `restart()`, so a second subscription is `times: 2`).
    public func waitForLog(_ text: String, times: Int = 1) throws {
        for _ in 0..<1000 {
            if let contents = try? String(contentsOf: log, encoding: .utf8), contents.components(separatedBy: text).count > times { return }
            usleep(10_000)
        }
        throw MotoServer.Unavailable(description: "mosquitto's log has no '\(text)' after 10 s: \(logTail())")
    }

    /// A certificate authority and a certificate it signed for 127.0.0.1, made by openssl in
    /// `directory`: (the authority's PEM, the broker's files).
    public static func makeCertificates(in directory: URL) throws -> (authority: String, broker: TLSFiles) {
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: path("san.ext"), atomically: true, encoding: .utf8)
        for arguments in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=alleycat test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("broker.key"), "-out", path("broker.csr"), "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", path("broker.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial", "-out", path("broker.pem"),
             "-days", "2", "-extfile", path("san.ext")],
        ] {
            try run("openssl", port: nil, arguments)
        }
        // Mosquitto started as root reads its files as the user mosquitto: a throwaway test key may be readable.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path("broker.key"))
        return (path("ca.pem"), TLSFiles(certificate: path("broker.pem"), key: path("broker.key")))
    }

    /// Polls the port until the broker accepts a TCP connection (at most 10 s).
    private func waitUntilListening() throws {
        for _ in 0..<200 {
            if Self.accepts(port: port) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        throw MotoServer.Unavailable(description: "mosquitto on port \(port) did not start: \(logTail())")
    }

    /// Runs a Mosquitto client tool (`mosquitto_pub`, `mosquitto_sub`) against this broker and
    /// returns its standard output; throws with its standard error when it fails.
    @discardableResult
    public func run(_ tool: String, _ arguments: [String], input: Data? = nil) throws -> String {
        try Self.run(tool, port: port, arguments, input: input)
    }

    /// `run` for a broker on `port`, from any thread.
    @discardableResult
    public static func run(_ tool: String, port: Int?, _ arguments: [String], input: Data? = nil) throws -> String {
        guard let executable = MotoServer.onPath(tool) else {
            throw MotoServer.Unavailable(description: "\(tool) is not installed: apt-get install -y mosquitto mosquitto-clients (CI does)")
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = (port.map { ["-h", "127.0.0.1", "-p", String($0)] } ?? []) + arguments
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        child.standardOutput = output
        child.standardError = errors
        child.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try child.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
            try stdin.fileHandleForWriting.close()
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        guard child.terminationStatus == 0 else {
            throw MotoServer.Unavailable(description: "\(tool) \(arguments.joined(separator: " ")) exited \(child.terminationStatus): \(problems)")
        }
        return text
    }

    /// SIGKILL: a child of the test runner inherits its blocked signal mask, so SIGTERM would stay pending.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    public func logTail() -> String {
        String((try? String(contentsOf: log, encoding: .utf8))?.suffix(800) ?? "(no log)")
    }

    static func accepts(port: Int) -> Bool {
        #if canImport(Glibc)
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let probe = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard probe >= 0 else { return false }
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
