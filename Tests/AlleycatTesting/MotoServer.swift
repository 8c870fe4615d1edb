import AWSClient
import Foundation
import KinesisClient
import SigV4
import StreamReading

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A `moto_server` child on a free loopback port, for tests against a real Kinesis API.
/// CI installs it (`pip install 'moto[server]'`); a machine without it fails the test
/// with that instruction rather than passing it.
public final class MotoServer {
    public let process = Process()
    public let endpoint: String
    private let log: URL

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public init() throws {
        guard let executable = Self.onPath("moto_server") else {
            throw Unavailable(description: "moto_server is not on PATH: install it with pip install 'moto[server]' (CI does)")
        }
        let port = try Self.freePort()
        endpoint = "http://127.0.0.1:\(port)"
        log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port)-\(getpid()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Where a client of `service` finds the server (moto takes any keys, and serves every service on one port).
    public func configuration(_ service: AWSService = .kinesis) throws -> AWSConfiguration {
        try AWSConfiguration(
            credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", endpoint: endpoint, service: service)
    }

    /// A server that answers already, for tests of clients other than Kinesis's.
    public static func started() throws -> MotoServer {
        let moto = try MotoServer()
        try moto.client(streamName: "unused").shutdown()  // waits until it answers
        return moto
    }

    /// A client of the server; waits until the server answers.
    public func client(streamName: String) throws -> KinesisClient {
        let client = KinesisClient(configuration: try configuration(), streamName: streamName, requestTimeoutMillis: 5_000)
        let deadline = AWSHTTPClient.wallClockMillis() + 15_000
        while true {
            do throws(SourceError) {
                _ = try client.call(action: "ListStreams", body: Array("{}".utf8))
                return client
            } catch {
                guard process.isRunning, AWSHTTPClient.wallClockMillis() < deadline else {
                    client.shutdown()
                    throw Unavailable(description: "moto_server at \(endpoint) did not answer within 15 s (\(error)); its log: \(logTail())")
                }
                usleep(100_000)
            }
        }
    }

    /// SIGKILL: a child of the test runner inherits its blocked signal mask, so SIGTERM would stay pending.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }

    deinit { stop() }

    private func logTail() -> String {
        String((try? String(contentsOf: log, encoding: .utf8))?.suffix(800) ?? "(no log)")
    }

    /// The executable `name` on PATH, or in /usr/sbin and /usr/bin (Debian's mosquitto is in /usr/sbin).
    static func onPath(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        for directory in directories {
            let path = "\(directory)/\(name)"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    /// A port the kernel just gave out, free again once the probe socket closes.
    public static func freePort() throws -> Int {
        #if canImport(Glibc)
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let probe = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard probe >= 0 else { throw Unavailable(description: "cannot open a socket: errno \(errno)") }
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) == 0 && getsockname(probe, $0, &length) == 0 }
        }
        guard bound else { throw Unavailable(description: "cannot bind a loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
