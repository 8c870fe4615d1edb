/// Why the store refused to create or revoke an API key; nothing is written.
public enum APIKeyError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case numericName(String)
    case requestsPerSecondOutOfRange(Int)
    case burstOutOfRange(Int)
    case bytesPerSecondOutOfRange(Int)
    case emptySecret
    case nameTaken(String)
    case notFound(String)
    case alreadyRevoked(String)

    public var description: String {
        switch self {
        case let .invalidName(name):
            "API key name '\(name)' is not valid: use 1 to \(APIKey.maxNameLength) characters of letters, digits, '-', '_' or '.'"
        case let .numericName(name):
            "API key name '\(name)' is a number, which 'alleycat keys revoke' reads as an id: use a name with a letter"
        case let .requestsPerSecondOutOfRange(rate):
            "API key rate is \(rate) requests/s, must be 1 to 1000000 (--rate)"
        case let .burstOutOfRange(burst):
            "API key burst is \(burst), must be 1 to 1000000 (--burst)"
        case let .bytesPerSecondOutOfRange(bytes):
            "API key byte budget is \(bytes) bytes/s, must be 1024 to 1073741824 (--bytes-per-second)"
        case .emptySecret:
            "API key is empty: make one with APIKeySecret.generate()"
        case let .nameTaken(name):
            "API key name '\(name)' is taken: choose another --name"
        case let .notFound(nameOrId):
            "no API key named or numbered '\(nameOrId)': 'alleycat keys list' shows them"
        case let .alreadyRevoked(name):
            "API key '\(name)' was already revoked"
        }
    }
}
