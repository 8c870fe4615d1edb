import KinesisWire

/// DescribeStreamSummary's request: StreamName or StreamARN.
struct DescribeStreamSummaryInput {
    var stream = StreamTarget()

    init(json: [UInt8]) throws(KinesisAPIError) {
        var stream = StreamTarget()
        try readRequest(json) { reader, member in
            if try stream.read(member, &reader) { return }
            try reader.skipValue()
        }
        self.stream = stream
    }
}
