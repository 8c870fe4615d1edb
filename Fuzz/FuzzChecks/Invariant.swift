/// Stops the process when a fuzz invariant does not hold. `fatalError` rather than
/// `precondition`, because a release build drops a precondition's message and the
/// message is what the crash report needs besides the input.
func invariant(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { violation(message(), file: file, line: line) }
}

func violation(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz invariant violated: \(message)", file: file, line: line)
}

/// A few bytes of an input or output for a violation message, as text.
func excerpt(_ bytes: [UInt8], limit: Int = 300) -> String {
    let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
    return bytes.count > limit ? "\(text)... (\(bytes.count) bytes)" : text
}
