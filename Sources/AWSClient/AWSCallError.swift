/// A call to an AWS service that did not succeed, with a message a person can act on.
public enum AWSCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer at all (connection refused, timeout).
    case noAnswer(String)
    /// The service answered with an error.
    case refused(AWSErrorAnswer, String)
    /// A 2xx answer that cannot be read.
    case unreadable(String)

    public var message: String {
        switch self {
        case let .noAnswer(text), let .refused(_, text), let .unreadable(text): text
        }
    }

    /// The exception's bare name when the service refused (`ConditionalCheckFailedException`).
    public var errorType: String? {
        if case let .refused(answer, _) = self { answer.type } else { nil }
    }

    public var description: String { message }
}
