import Foundation
import Synchronization

/// The stream's tags (AddTagsToStream, TagResource, ...), at most 50, kept in a JSON file
/// beside the stream's log (written whole, atomically) so they survive a restart; in
/// memory only when there is no file (a scratch stream).
final class StreamTags: Sendable {
    static let maximumTags = 50
    static let maximumPerCall = 10

    private let path: String?
    private let tags: Mutex<[String: String]>

    init(path: String?) throws(KinesisAPIError) {
        self.path = path
        var loaded: [String: String] = [:]
        if let path, FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
            else {
                throw .internalFailure("the stream's tags in \(path) do not read as a JSON object of strings: fix or remove the file")
            }
            loaded = object
        }
        tags = Mutex(loaded)
    }

    /// The tags sorted by key.
    var sorted: [(key: String, value: String)] {
        tags.withLock { $0.sorted { $0.key < $1.key } }
    }

    /// Adds or replaces `new`; refused whole (nothing changes) when the stream would pass 50 tags.
    func add(_ new: [(key: String, value: String)], streamName: String, accountId: String) throws(KinesisAPIError) {
        try change(streamName: streamName, accountId: accountId) { tags in
            for (key, value) in new { tags[key] = value }
        }
    }

    func remove(_ keys: [String], streamName: String, accountId: String) throws(KinesisAPIError) {
        try change(streamName: streamName, accountId: accountId) { tags in
            for key in keys { tags[key] = nil }
        }
    }

    private func change(streamName: String, accountId: String, _ edit: (inout [String: String]) -> Void) throws(KinesisAPIError) {
        let outcome: Result<Void, KinesisAPIError> = tags.withLock { tags in
            var changed = tags
            edit(&changed)
            guard changed.count <= Self.maximumTags else {
                return .failure(.invalidArgument(
                    "Failed to add tags to stream \(streamName) under account \(accountId) because a given stream cannot have more than \(Self.maximumTags) tags associated with it."))
            }
            if let path {
                do {
                    let data = try JSONSerialization.data(withJSONObject: changed, options: [.sortedKeys])
                    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
                } catch {
                    return .failure(.internalFailure("the stream's tags could not be saved to \(path) (\(error)); nothing changed: retry later"))
                }
            }
            tags = changed
            return .success(())
        }
        try outcome.get()
    }

    /// A tag key Kinesis accepts: 1 to 128 characters of letters, digits, spaces and `_.:/=+-@`, not starting with `aws:`.
    static func checkKey(_ key: String, field: String) throws(KinesisAPIError) {
        guard (1...128).contains(key.count), key.unicodeScalars.allSatisfy(isTagScalar) else {
            throw constraintError(field, value: key, #"Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ and have length between 1 and 128"#)
        }
        guard !key.lowercased().hasPrefix("aws:") else {
            throw .invalidArgument("Tag key '\(key.prefix(128))' starts with 'aws:', which is reserved for AWS")
        }
    }

    static func checkValue(_ value: String, field: String) throws(KinesisAPIError) {
        guard value.count <= 256, value.unicodeScalars.allSatisfy(isTagScalar) else {
            throw constraintError(field, value: value, #"Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ and have length at most 256"#)
        }
    }

    private static func isTagScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .spaceSeparator
            || "_.:/=+-@".unicodeScalars.contains(scalar)
    }
}
