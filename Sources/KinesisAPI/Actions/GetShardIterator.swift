import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// GetShardIterator → `{"ShardIterator"}`.
    func getShardIterator(_ input: GetShardIteratorInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        let iterator = try streamIterator(shardText: input.shardIdText, at: input.position, for: "GetShardIterator")
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("ShardIterator")
        writer.string(iterators.encode(iterator, issuedMillis: stream.clock.nowMillis()))
        writer.endObject()
        return writer.bytes
    }

    /// The stream's iterator at `position` in the shard `shardText` names (`action` names
    /// the request in a refusal).
    func streamIterator(shardText: String, at position: GetShardIteratorInput.Position, for action: String) throws(KinesisAPIError) -> ShardIterator {
        let shard = try shardIndex(shardText, mustExist: true)
        let type: ShardIteratorType
        switch position {
        case let .type(given):
            type = given
        case let .sequenceNumber(text, after):
            guard let number = SequenceNumber(text) else {
                throw .invalidArgument(
                    "StartingSequenceNumber \(text) used in \(action) on shard \(shardText) in stream \(stream.name) under account \(accountId) is invalid.")
            }
            type = after ? .afterSequenceNumber(number) : .atSequenceNumber(number)
        }
        do {
            return try stream.shardIterator(shardId: ShardID(index: shard), type: type)
        } catch {
            throw KinesisAPIError(error)
        }
    }

    /// A shard id as Kinesis spells it (`shardId-000000000001`, or the bare number).
    func shardIndex(_ text: String, mustExist: Bool) throws(KinesisAPIError) -> Int {
        guard (1...128).contains(text.utf8.count), text.utf8.allSatisfy(StreamTarget.isNameByte) else {
            throw constraintError("shardId", value: text, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        }
        let index = ShardID(text)?.index ?? Int(text).flatMap { $0 >= 0 ? $0 : nil }
        guard let index, !mustExist || index < stream.shardCount else {
            throw .resourceNotFound("Shard \(text) in stream \(stream.name) under account \(accountId) does not exist: ListShards gives this stream's \(stream.shardCount) shard id(s)")
        }
        return index
    }
}
