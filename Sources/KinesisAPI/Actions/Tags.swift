import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// AddTagsToStream and TagResource → `{}`.
    func addTags(_ input: TagsInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        try tags.add(input.tags, streamName: stream.name, accountId: accountId)
        return Array("{}".utf8)
    }

    /// RemoveTagsFromStream and UntagResource → `{}` (keys the stream does not have are ignored).
    func removeTags(_ input: TagsInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        try tags.remove(input.tagKeys, streamName: stream.name, accountId: accountId)
        return Array("{}".utf8)
    }

    /// ListTagsForStream → `{"Tags": [{"Key", "Value"}], "HasMoreTags"}` after ExclusiveStartTagKey,
    /// at most Limit; ListTagsForResource → `{"Tags": [...]}`, all of them.
    func listTags(_ input: TagsInput, byResource: Bool) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        let start = input.exclusiveStartTagKey
        let after = tags.sorted.filter { tag in start.map { tag.key > $0 } ?? true }
        let page = after.prefix(input.limit ?? StreamTags.maximumTags)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("Tags")
        writer.beginArray()
        for (key, value) in page {
            writer.beginObject()
            writer.key("Key")
            writer.string(key)
            writer.key("Value")
            writer.string(value)
            writer.endObject()
        }
        writer.endArray()
        if !byResource {
            writer.key("HasMoreTags")
            writer.bool(page.count < after.count)
        }
        writer.endObject()
        return writer.bytes
    }
}
