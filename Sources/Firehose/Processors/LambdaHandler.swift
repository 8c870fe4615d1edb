import Foundation

/// A Lambda handler file to run unchanged as the processor: `FILE[:HANDLER]`, the
/// function `HANDLER` (default `handler`) exported by a Node file (.js, .mjs, .cjs) or
/// defined in a Python one (.py), and the interpreter found on the search path.
public struct LambdaHandler: Sendable, Equatable, CustomStringConvertible {
    public enum Runtime: String, Sendable {
        case node
        case python = "python3"
    }

    /// The file's absolute path.
    public let file: String
    public let handlerName: String
    public let runtime: Runtime
    /// The absolute path of `node` or `python3`.
    public let interpreter: String

    /// `spec` is `FILE` or `FILE:HANDLER` (split at the last colon when what follows is a
    /// function name). Relative files are taken from the current directory; the
    /// interpreter is looked for in `searchPath` (a PATH value).
    public init(_ spec: String, searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") throws(LambdaSetupError) {
        var path = spec
        var name = "handler"
        if let colon = spec.lastIndex(of: ":"), Self.isFunctionName(spec[spec.index(after: colon)...]) {
            path = String(spec[..<colon])
            name = String(spec[spec.index(after: colon)...])
        }
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        switch URL(fileURLWithPath: file).pathExtension {
        case "js", "mjs", "cjs": runtime = .node
        case "py": runtime = .python
        default: throw .wrongExtension(file: file)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) else { throw .missingFile(file: file) }
        guard !isFolder.boolValue else { throw .folder(file: file) }
        let command = runtime.rawValue
        let found = searchPath.split(separator: ":").lazy.map { URL(fileURLWithPath: String($0)).appendingPathComponent(command).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let found else { throw .missingInterpreter(file: file, interpreter: command, searchPath: searchPath) }
        self.file = file
        self.handlerName = name
        self.interpreter = found
    }

    /// `FILE:HANDLER`, as processing-failed lines and messages name it.
    public var description: String { file + ":" + handlerName }

    /// The file's name without its extension, as the handler's `context.functionName`.
    public var functionName: String { URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent }

    static func isFunctionName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" || first == "$" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }
    }
}

/// Why a Lambda handler cannot be the processor, with what to do.
public enum LambdaSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    case wrongExtension(file: String)
    case missingFile(file: String)
    case folder(file: String)
    case missingInterpreter(file: String, interpreter: String, searchPath: String)
    /// The shim could not load the file or find the function in it.
    case notLoaded(handler: String, reason: String)

    public var description: String {
        switch self {
        case let .wrongExtension(file):
            "\(file) is neither a .js nor a .py file: a handler runs under node (.js, .mjs, .cjs) or python3 (.py)"
        case let .missingFile(file):
            "\(file) does not exist: give the path of the handler's .js or .py file"
        case let .folder(file):
            "\(file) is a folder: give the path of the handler's .js or .py file in it"
        case let .missingInterpreter(file, interpreter, searchPath):
            "\(file) needs \(interpreter), and there is none on PATH (\(searchPath)): install \(interpreter == "node" ? "Node.js" : "Python 3"), or add the folder that holds \(interpreter) to PATH"
        case let .notLoaded(handler, reason):
            "cannot load the handler \(handler): \(reason)"
        }
    }
}
