import Foundation

func temporaryDirectory(_ label: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
}

/// Runs a command, returning its exit status, stdout and stderr.
@discardableResult
func run(_ executable: String, _ arguments: [String], directory: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
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
