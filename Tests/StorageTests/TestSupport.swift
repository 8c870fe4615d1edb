import Foundation
import Testing

/// Runs `body` with a fresh directory under the system temporary directory, removed afterwards.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("alleycat-storage-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// Deterministic generator (SplitMix64) so test inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Rider-message-like NDJSON of at least `minimumBytes` bytes.
func sampleNDJSON(minimumBytes: Int, seed: UInt64 = 42) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    var text = ""
    text.reserveCapacity(minimumBytes + 256)
    var second = 0
    while text.utf8.count < minimumBytes {
        second += 1
        let racer = Int.random(in: 1...5000, using: &generator)
        let cadence = Double(Int.random(in: 3000...9000, using: &generator)) / 100
        let resistance = Int.random(in: 33...86, using: &generator)
        text += """
            {"event":"update","deviceTimestamp":\(1_714_000_000_000 + second * 1000),"second":\(second % 300 + 1),\
            "raceId":5713333,"name":"rider-\(racer)","racerId":\(racer),"classId":\(racer % 6 + 1),\
            "cadence":\(cadence),"resistance":\(resistance),"output":\(Int(cadence) * resistance / 10)}

            """
    }
    return Array(text.utf8)
}

/// Path of the system gzip binary.
let systemGzipPath = ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs the system gzip with `arguments` and returns its standard output; fails on a non-zero exit.
func runSystemGzip(_ arguments: [String]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(systemGzipPath))
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    // Read before waiting: a full pipe would block gzip forever.
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw SystemGzipFailed(arguments: arguments, status: process.terminationStatus)
    }
    return [UInt8](data)
}

struct SystemGzipFailed: Error {
    let arguments: [String]
    let status: Int32
}

/// Where two byte buffers first differ, or nil when they are equal. Comparing large buffers with
/// `==` inside #expect would print megabytes on failure; this prints one line.
func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String? {
    if actual == expected { return nil }
    let common = min(actual.count, expected.count)
    let index = (0..<common).first { actual[$0] != expected[$0] } ?? common
    return "first difference at byte \(index); sizes \(actual.count) and \(expected.count)"
}
