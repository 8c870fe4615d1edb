import KinesisStream
import KinesisWire

/// GetShardIterator's request: StreamName or StreamARN, ShardId, ShardIteratorType,
/// and StartingSequenceNumber or Timestamp when the type needs one.
struct GetShardIteratorInput {
    var stream: StreamTarget
    var shardIdText: String
    var type: ShardIteratorType

    static let types = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var shardId: String?
        var typeName: String?
        var startingSequenceNumber: String?
        var timestamp: Int64?
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            switch member {
            case "ShardId": shardId = try reader.optionalString("ShardId")
            case "ShardIteratorType": typeName = try reader.optionalString("ShardIteratorType")
            case "StartingSequenceNumber": startingSequenceNumber = try reader.optionalString("StartingSequenceNumber")
            case "Timestamp": timestamp = try reader.optionalTimestamp("Timestamp")
            default: try reader.skipValue()
            }
        }
        guard let shardId else { throw missing("shardId") }
        guard let typeName else { throw missing("shardIteratorType") }
        guard Self.types.contains(typeName) else {
            throw constraintError("shardIteratorType", value: typeName, "Member must satisfy enum value set: [\(Self.types.joined(separator: ", "))]")
        }
        self.stream = stream
        self.shardIdText = shardId
        switch typeName {
        case "TRIM_HORIZON":
            type = .trimHorizon
        case "LATEST":
            type = .latest
        case "AT_TIMESTAMP":
            guard let timestamp else { throw .invalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP: send Timestamp") }
            type = .atTimestamp(millis: timestamp)
        default:
            guard let startingSequenceNumber else {
                throw .invalidArgument("Must specify StartingSequenceNumber for iterator of type \(typeName)")
            }
            guard let sequenceNumber = SequenceNumber(startingSequenceNumber) else {
                throw .invalidArgument("StartingSequenceNumber \(startingSequenceNumber.prefix(64)) used in GetShardIterator on shard \(shardId.prefix(64)) in stream is invalid: use a SequenceNumber this stream returned")
            }
            type = typeName == "AT_SEQUENCE_NUMBER" ? .atSequenceNumber(sequenceNumber) : .afterSequenceNumber(sequenceNumber)
        }
    }
}
