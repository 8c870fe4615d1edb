import KinesisStream
import KinesisWire

extension KinesisAPI {
    /// GetShardIterator → `{"ShardIterator"}`.
    func getShardIterator(_ input: GetShardIteratorInput) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        let shard = try shardIndex(input.shardIdText, mustExist: true)
        let type: ShardIteratorType
        switch input.position {
        case let .type(given):
            type = given
        case let .sequenceNumber(text, after):
            guard let number = SequenceNumber(text) else {
                throw .invalidArgument(
                    "StartingSequenceNumber \(text) used in GetShardIterator on shard \(input.shardIdText) in stream \(stream.name) under account \(accountId) is invalid.")
            }
            type = after ? .afterSequenceNumber(number) : .atSequenceNumber(number)
        }
        let iterator: ShardIterator
        do {
            iterator = try stream.shardIterator(shardId: ShardID(index: shard), type: type)
        } catch {
            throw KinesisAPIError(error)
        }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("ShardIterator")
        writer.string(iterators.encode(iterator, issuedMillis: stream.clock.nowMillis()))
        writer.endObject()
        return writer.bytes
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
