/// Why a record was refused. The description names the field, the value and the
/// rule, so the person reading a `processing-failed/` line knows what to fix.
public enum RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not valid JSON at all: what was found and where (byte offset).
    case malformed(offset: Int, reason: String)
    case notAnObject
    case missingField(String)
    case duplicateField(String)
    /// `value` is the JSON text of the offending value (cut to 40 bytes).
    case wrongType(field: String, value: String, expected: String)
    case outOfRange(field: String, value: String, rule: String)

    public var description: String {
        switch self {
        case let .malformed(offset, reason):
            return "not valid JSON: \(reason) at byte \(offset)"
        case .notAnObject:
            return "not a JSON object: a record must be one {...} object"
        case let .missingField(field):
            return "missing field \(field)"
        case let .duplicateField(field):
            return "field \(field) appears twice"
        case let .wrongType(field, value, expected):
            return "\(field) is \(value), must be \(expected)"
        case let .outOfRange(field, value, rule):
            return "\(field) is \(value), must be \(rule)"
        }
    }
}
