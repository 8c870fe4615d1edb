/// A request body that is not the JSON the API expects: answered as a
/// `SerializationException` with this message.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
