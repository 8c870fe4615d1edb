/// A whole call refused, with the `__type` name Kinesis uses and a message that
/// says what to change.
public enum StreamError: Error, Sendable, Equatable, CustomStringConvertible {
    case validation(String)
    case invalidArgument(String)
    case resourceNotFound(String)
    case provisionedThroughputExceeded(String)
    case expiredIterator(String)
    /// The stream could not store an accepted record (its log failed).
    case internalFailure(String)

    public var typeName: String {
        switch self {
        case .validation: "ValidationException"
        case .invalidArgument: "InvalidArgumentException"
        case .resourceNotFound: "ResourceNotFoundException"
        case .provisionedThroughputExceeded: "ProvisionedThroughputExceededException"
        case .expiredIterator: "ExpiredIteratorException"
        case .internalFailure: "InternalFailure"
        }
    }

    public var message: String {
        switch self {
        case let .validation(message), let .invalidArgument(message), let .resourceNotFound(message),
             let .provisionedThroughputExceeded(message), let .expiredIterator(message), let .internalFailure(message):
            message
        }
    }

    public var description: String { "\(typeName): \(message)" }
}
