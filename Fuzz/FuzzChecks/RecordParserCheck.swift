import RaceModel

/// The `fuzz-record-parser` target's check of one input. Any bytes may be refused,
/// but the parser must not crash, and a record it accepts must go through the
/// firehose transform and parse again as the same record with its output added.
public enum RecordParserCheck {
    public enum Outcome: Sendable, Equatable {
        /// The parser refused the bytes (a `RecordError`).
        case refused
        /// The record parsed, transformed and round-tripped.
        case transformed
    }

    @discardableResult
    public static func run(_ input: [UInt8]) -> Outcome {
        let message: RaceMessage
        do {
            message = try RecordParser.parse(input)
        } catch {
            return .refused
        }

        let transformed: [UInt8]
        do {
            transformed = try RecordTransform.transform(input)
        } catch {
            violation("the parser accepted the record but the transform refused it (\(error)): \(excerpt(input))")
        }
        invariant(transformed.last == UInt8(ascii: "\n"), "the transformed record does not end with a newline: \(excerpt(transformed))")

        let reparsed: RaceMessage
        do {
            reparsed = try RecordParser.parse(transformed)
        } catch {
            violation("the transformed record does not parse (\(error)): \(excerpt(transformed))")
        }
        invariant(
            reparsed.racerId == message.racerId && reparsed.second == message.second,
            "the transformed record is racer \(reparsed.racerId) second \(reparsed.second), the record was racer \(message.racerId) second \(message.second)")
        var expected = message
        expected.output = message.computedOutput
        invariant(reparsed == expected, "the transformed record parses as \(reparsed), expected \(expected)")

        // The canonical writer's bytes (what the transform writes for a record that
        // already has an output) must parse back to the same message.
        let written = RecordWriter.bytes(message)
        do {
            let back = try RecordParser.parse(written)
            invariant(back == message, "RecordWriter's bytes parse as \(back), expected \(message)")
        } catch {
            violation("RecordWriter's bytes do not parse (\(error)): \(excerpt(written))")
        }
        return .transformed
    }
}
