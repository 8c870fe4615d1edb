import Foundation
import Testing
@testable import Firehose

/// What `--processor-lambda FILE[:HANDLER]` accepts, and the start-up refusals, word for word.
@Suite struct LambdaHandlerTests {
    @Test func theSpecNamesTheFileTheFunctionAndTheInterpreter() throws {
        let handlers = HandlerFolder()
        defer { handlers.remove() }
        let node = try LambdaHandler(handlers.write("transform.js", ""))
        #expect(node.file == handlers.path + "/transform.js")
        #expect(node.handlerName == "handler")
        #expect(node.runtime == .node)
        #expect(node.interpreter.hasSuffix("/node"))
        #expect(node.functionName == "transform")
        let python = try LambdaHandler(handlers.write("a:b.py", "") + ":process_batch")
        #expect(python.file == handlers.path + "/a:b.py")
        #expect(python.handlerName == "process_batch")
        #expect(python.runtime == .python)
        #expect(python.description == handlers.path + "/a:b.py:process_batch")
        // A colon not followed by a function name is part of the file's name.
        #expect(try LambdaHandler(handlers.write("c:9.py", "")).handlerName == "handler")
        #expect(throws: LambdaSetupError.wrongExtension(file: handlers.path + "/c.py:9")) { try LambdaHandler(handlers.path + "/c.py:9") }
    }

    @Test func refusalsSayWhatToDo() throws {
        let handlers = HandlerFolder()
        defer { handlers.remove() }
        let path = handlers.path
        #expect(refusal(path + "/missing.js") == "\(path)/missing.js does not exist: give the path of the handler's .js or .py file")
        #expect(refusal(handlers.write("transform.rb", ""))
            == "\(path)/transform.rb is neither a .js nor a .py file: a handler runs under node (.js, .mjs, .cjs) or python3 (.py)")
        #expect(refusal(handlers.write("transform.js", ""), searchPath: path)
            == "\(path)/transform.js needs node, and there is none on PATH (\(path)): install Node.js, or add the folder that holds node to PATH")
        #expect(refusal(handlers.write("transform.py", ""), searchPath: "")
            == "\(path)/transform.py needs python3, and there is none on PATH (): install Python 3, or add the folder that holds python3 to PATH")
        try FileManager.default.createDirectory(atPath: path + "/folder.py", withIntermediateDirectories: false)
        #expect(throws: LambdaSetupError.folder(file: path + "/folder.py")) { try LambdaHandler(path + "/folder.py") }
        #expect(LambdaSetupError.folder(file: "x.py").description == "x.py is a folder: give the path of the handler's .js or .py file in it")
    }

    /// A file that does not load, or has no such function, fails when the processor starts.
    @Test(arguments: [
        ("other.js", "exports.transform = async () => ({ records: [] });\nexports.version = 2;\n",
         "{file} exports no function named handler (its functions: transform; name one as FILE:HANDLER)"),
        ("empty.mjs", "export const version = 2;\n", "{file} exports no function named handler (it exports no function)"),
        ("broken.js", "exports.handler = async (event) => {\n  return }}\n", "SyntaxError: Unexpected token '}' at {file}:2"),
        ("throws.js", "const x = 1;\nthrow new Error('no config');\n", "Error: no config at {file}:2:7"),
        ("other.py", "def transform(event, context):\n    return event\n",
         "{file} has no function named handler (its functions: transform; name one as FILE:HANDLER)"),
        ("broken.py", "def handler(event, context)\n    return event\n", "SyntaxError: expected ':' at {file}:1"),
        ("throws.py", "import json\nraise KeyError('ALLEYCAT_TABLE')\n", "KeyError: 'ALLEYCAT_TABLE' at {file}:2"),
    ])
    func aHandlerThatDoesNotLoadFailsTheStart(file: String, source: String, reason: String) throws {
        let handlers = HandlerFolder()
        defer { handlers.remove() }
        let path = handlers.write(file, source)
        let handler = try LambdaHandler(path)
        #expect(throws: LambdaSetupError.notLoaded(handler: path + ":handler", reason: reason.replacingOccurrences(of: "{file}", with: path))) {
            try LambdaProcessor(handler: handler)
        }
        #expect(LambdaSetupError.notLoaded(handler: "h.js:handler", reason: "r").description == "cannot load the handler h.js:handler: r")
    }
}

/// Why `LambdaHandler(spec)` refuses, in its words (nil when it accepts).
private func refusal(_ spec: String, searchPath: String = ProcessInfo.processInfo.environment["PATH"]!) -> String? {
    do {
        _ = try LambdaHandler(spec, searchPath: searchPath)
        return nil
    } catch {
        return error.description
    }
}
