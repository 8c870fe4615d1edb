import KinesisWire

/// The stream a request names, by StreamName or StreamARN. This service has one.
struct StreamTarget {
    var name: String?
    var arn: String?

    /// Reads the member if it names the stream; false for any other member.
    mutating func read(_ member: String, _ reader: inout JSONReader) throws -> Bool {
        switch member {
        case "StreamName": name = try reader.optionalString(member)
        case "StreamARN": arn = try reader.optionalString(member)
        default: return false
        }
        return true
    }

    var isGiven: Bool { name != nil || arn != nil }

    /// Checks the names against the service's stream.
    func check(_ api: KinesisAPI) throws(KinesisAPIError) {
        guard isGiven else {
            throw .validation("Either StreamName or StreamARN is required: this service's stream is '\(api.stream.name)'")
        }
        if let name {
            guard (1...128).contains(name.utf8.count) else {
                throw constraintError("streamName", value: name, "Member must have length between 1 and 128")
            }
            guard name.utf8.allSatisfy(Self.isNameByte) else {
                throw constraintError("streamName", value: name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
            }
            guard name == api.stream.name else {
                throw .resourceNotFound("Stream \(name) under account \(api.accountId) not found: this service's stream is '\(api.stream.name)'")
            }
        }
        if let arn {
            guard (1...2048).contains(arn.utf8.count), arn.hasPrefix("arn:") else {
                throw constraintError("streamARN", value: arn, "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+")
            }
            guard arn == api.streamARN else {
                throw .resourceNotFound("Stream \(arn) not found: this service's stream is \(api.streamARN)")
            }
        }
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
