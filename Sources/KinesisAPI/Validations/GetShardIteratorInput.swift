import KinesisStream
import KinesisWire

/// GetShardIterator's request: StreamName or StreamARN, ShardId, ShardIteratorType,
/// and StartingSequenceNumber or Timestamp when the type needs one.
struct GetShardIteratorInput {
    var stream: StreamTarget
    var shardIdText: String
    var position: Position

    enum Position {
        case type(ShardIteratorType)
        /// AT_ or AFTER_SEQUENCE_NUMBER, with a number of digits, checked against the stream by the action.
        case sequenceNumber(String, after: Bool)
    }

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
        self.stream = stream
        self.shardIdText = shardId
        position = try Self.position(
            typeName: typeName, startingSequenceNumber: startingSequenceNumber, timestamp: timestamp, field: "shardIteratorType")
    }

    /// An iterator type and what it needs, as GetShardIterator and SubscribeToShard's
    /// StartingPosition name them (`field`: the type's member, for the refusal).
    static func position(typeName: String?, startingSequenceNumber: String?, timestamp: Int64?, field: String) throws(KinesisAPIError) -> Position {
        guard let typeName else { throw missing(field) }
        guard types.contains(typeName) else {
            throw constraintError(field, value: typeName, "Member must satisfy enum value set: [\(types.joined(separator: ", "))]")
        }
        switch typeName {
        case "TRIM_HORIZON":
            return .type(.trimHorizon)
        case "LATEST":
            return .type(.latest)
        case "AT_TIMESTAMP":
            guard let timestamp else { throw .invalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP: send Timestamp") }
            return .type(.atTimestamp(millis: timestamp))
        default:
            guard let startingSequenceNumber else {
                throw .invalidArgument("Must specify StartingSequenceNumber for iterator of type \(typeName)")
            }
            guard isDecimalInteger(startingSequenceNumber, maximumDigits: 129) else {
                throw constraintError("startingSequenceNumber", value: startingSequenceNumber, "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})")
            }
            return .sequenceNumber(startingSequenceNumber, after: typeName == "AFTER_SEQUENCE_NUMBER")
        }
    }
}
