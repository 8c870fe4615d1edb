import KinesisWire

/// The tag actions' requests: the stream (StreamName or StreamARN; ResourceARN for
/// TagResource, UntagResource and ListTagsForResource), Tags, TagKeys,
/// ExclusiveStartTagKey and Limit, each checked as Kinesis does.
struct TagsInput {
    var stream = StreamTarget()
    var tags: [(key: String, value: String)] = []
    var tagKeys: [String] = []
    var exclusiveStartTagKey: String?
    var limit: Int?

    enum Shape {
        /// AddTagsToStream, TagResource.
        case tags
        /// RemoveTagsFromStream, UntagResource.
        case tagKeys
        /// ListTagsForStream, ListTagsForResource.
        case listing
    }

    init(json: [UInt8], shape: Shape, byResource: Bool) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var tags: [(key: String, value: String)]?
        var tagKeys: [String]?
        var exclusiveStartTagKey: String?
        var limit: Int64?
        try readRequest(json) { reader, member in
            switch member {
            case "ResourceARN" where byResource: stream.arn = try reader.optionalString(member)
            case "StreamName" where !byResource, "StreamARN" where !byResource: _ = try stream.read(member, &reader)
            case "Tags" where shape == .tags:
                if reader.readNull() { return }
                try reader.expectKind(.object, "Tags")
                var read: [(key: String, value: String)] = []
                try reader.readObject { reader, key in read.append((key, try reader.optionalString("Tags.\(key)") ?? "")) }
                tags = read
            case "TagKeys" where shape == .tagKeys:
                if reader.readNull() { return }
                try reader.expectKind(.array, "TagKeys")
                var read: [String] = []
                try reader.readArray { reader, index in read.append(try reader.optionalString("TagKeys[\(index)]") ?? "") }
                tagKeys = read
            case "ExclusiveStartTagKey" where shape == .listing: exclusiveStartTagKey = try reader.optionalString(member)
            case "Limit" where shape == .listing: limit = try reader.optionalInteger(member)
            default: try reader.skipValue()
            }
        }
        if byResource && stream.arn == nil { throw missing("resourceARN") }
        self.stream = stream
        switch shape {
        case .tags:
            guard let tags else { throw missing("tags") }
            guard (1...StreamTags.maximumPerCall).contains(tags.count) else {
                throw constraintError("tags", value: "\(tags.count) tags", "Member must have length between 1 and \(StreamTags.maximumPerCall)")
            }
            for (key, value) in tags {
                try StreamTags.checkKey(key, field: "tags")
                try StreamTags.checkValue(value, field: "tags.\(key.prefix(128))")
            }
            self.tags = tags
        case .tagKeys:
            guard let tagKeys else { throw missing("tagKeys") }
            guard (1...StreamTags.maximumPerCall).contains(tagKeys.count) else {
                throw constraintError("tagKeys", value: "\(tagKeys.count) keys", "Member must have length between 1 and \(StreamTags.maximumPerCall)")
            }
            for key in tagKeys { try StreamTags.checkKey(key, field: "tagKeys") }
            self.tagKeys = tagKeys
        case .listing:
            if let key = exclusiveStartTagKey { try StreamTags.checkKey(key, field: "exclusiveStartTagKey") }
            self.exclusiveStartTagKey = exclusiveStartTagKey
            self.limit = try pageSize(limit, field: "limit", range: 1...StreamTags.maximumTags)
        }
    }
}
