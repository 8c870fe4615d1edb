import KinesisStream
import KinesisWire

/// IncreaseStreamRetentionPeriod's and DecreaseStreamRetentionPeriod's request:
/// StreamName or StreamARN, RetentionPeriodHours.
struct RetentionInput {
    var stream = StreamTarget()
    var hours: Int64

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        var hours: Int64?
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            switch member {
            case "RetentionPeriodHours": hours = try reader.optionalInteger(member)
            default: try reader.skipValue()
            }
        }
        guard let hours else { throw missing("retentionPeriodHours") }
        self.stream = stream
        self.hours = hours
    }
}

extension KinesisAPI {
    /// IncreaseStreamRetentionPeriod (`increase`) or DecreaseStreamRetentionPeriod → `{}`;
    /// the stream's storage applies it (a shorter period deletes what is past it). Kinesis's words.
    func changeRetention(_ input: RetentionInput, increase: Bool) throws(KinesisAPIError) -> [UInt8] {
        try input.stream.check(self)
        let hours = input.hours
        guard hours >= KinesisStream.retentionHours.lowerBound else {
            throw .invalidArgument("Minimum allowed retention period is \(KinesisStream.retentionHours.lowerBound) hours. Requested retention period (\(hours) hours) is too short.")
        }
        guard hours <= KinesisStream.retentionHours.upperBound else {
            throw .invalidArgument("Maximum allowed retention period is \(KinesisStream.retentionHours.upperBound) hours. Requested retention period (\(hours) hours) is too long.")
        }
        let current = stream.retentionMillis / 3_600_000
        if increase && hours < current {
            throw .invalidArgument("Requested retention period (\(hours) hours) for stream \(stream.name) can not be shorter than existing retention period (\(current) hours). Use DecreaseRetentionPeriod API.")
        }
        if !increase && hours > current {
            throw .invalidArgument("Requested retention period (\(hours) hours) for stream \(stream.name) can not be longer than existing retention period (\(current) hours). Use IncreaseRetentionPeriod API.")
        }
        do {
            try stream.setRetention(hours: hours)
        } catch {
            throw KinesisAPIError(error)
        }
        return Array("{}".utf8)
    }
}
