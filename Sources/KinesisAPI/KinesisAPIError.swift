import KinesisStream
import KinesisWire

/// A refused request, answered as the Kinesis JSON API does: an HTTP status and
/// `{"__type": "<name>", "message": "..."}`. The message says what to send instead.
public enum KinesisAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    case serialization(String)
    case validation(String)
    case invalidArgument(String)
    case limitExceeded(String)
    case resourceNotFound(String)
    case resourceInUse(String)
    case provisionedThroughputExceeded(String)
    case expiredIterator(String)
    case unknownOperation(String)
    case requestTooLarge(String)
    case missingAuthenticationToken(String)
    case unrecognizedClient(String)
    case incompleteSignature(String)
    case invalidSignature(String)
    case accessDenied(String)
    case throttling(String)
    case internalFailure(String)

    public var typeName: String {
        switch self {
        case .serialization: "SerializationException"
        case .validation, .requestTooLarge: "ValidationException"
        case .invalidArgument: "InvalidArgumentException"
        case .limitExceeded: "LimitExceededException"
        case .resourceNotFound: "ResourceNotFoundException"
        case .resourceInUse: "ResourceInUseException"
        case .provisionedThroughputExceeded: "ProvisionedThroughputExceededException"
        case .expiredIterator: "ExpiredIteratorException"
        case .unknownOperation: "UnknownOperationException"
        case .missingAuthenticationToken: "MissingAuthenticationTokenException"
        case .unrecognizedClient: "UnrecognizedClientException"
        case .incompleteSignature: "IncompleteSignatureException"
        case .invalidSignature: "InvalidSignatureException"
        case .accessDenied: "AccessDeniedException"
        case .throttling: "ThrottlingException"
        case .internalFailure: "InternalFailure"
        }
    }

    public var status: Int {
        switch self {
        case .requestTooLarge: 413
        case .missingAuthenticationToken, .unrecognizedClient, .accessDenied: 403
        case .throttling: 429
        case .internalFailure: 500
        default: 400
        }
    }

    public var message: String {
        switch self {
        case let .serialization(message), let .validation(message), let .invalidArgument(message), let .limitExceeded(message),
             let .resourceNotFound(message), let .resourceInUse(message), let .provisionedThroughputExceeded(message), let .expiredIterator(message),
             let .unknownOperation(message), let .requestTooLarge(message), let .missingAuthenticationToken(message),
             let .unrecognizedClient(message), let .incompleteSignature(message), let .invalidSignature(message), let .accessDenied(message), let .throttling(message), let .internalFailure(message):
            message
        }
    }

    public var description: String { "\(typeName): \(message)" }

    /// The answer's body.
    public var body: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("__type")
        writer.string(typeName)
        writer.key("message")
        writer.string(message)
        writer.endObject()
        return writer.bytes
    }

    public init(_ error: StreamError) {
        switch error {
        case let .validation(message): self = .validation(message)
        case let .invalidArgument(message): self = .invalidArgument(message)
        case let .resourceNotFound(message): self = .resourceNotFound(message)
        case let .provisionedThroughputExceeded(message): self = .provisionedThroughputExceeded(message)
        case let .expiredIterator(message): self = .expiredIterator(message)
        case let .internalFailure(message): self = .internalFailure(message)
        }
    }
}
