import KinesisCBOR
import KinesisWire

/// The `fuzz-cbor-request` target's check of one input: any bytes, as the body of a CBOR
/// request (`application/x-amz-cbor-1.1`). Any `CBORError` is a fine answer; a crash is
/// not. What transcodes must be one valid JSON document and must decode as a `CBORValue`
/// too; a refusal for malformed CBOR must be the decoder's own (the two share the reader,
/// so they must agree on what is well-formed). The JSON must then go back through
/// `answerCBOR`, which may refuse it (a text `Data` that is not base64) but otherwise
/// writes one well-formed CBOR item.
public enum CBORRequestCheck {
    public enum Outcome: Sendable, Equatable {
        /// The JSON the request became.
        case transcoded(String)
        /// The `CBORError`'s message.
        case refused(String)
    }

    @discardableResult
    public static func run(_ input: [UInt8]) -> Outcome {
        let json: [UInt8]
        do {
            json = try KinesisCBOR.requestJSON(cbor: input)
        } catch {
            if isMalformed(error) {
                do {
                    let value = try CBORValue(decoding: input)
                    violation("the transcoder refused the request (\(error)) but the decoder read \(value)")
                } catch let decoderError {
                    invariant(decoderError == error, "the transcoder refused the request with \(error) but the decoder with \(decoderError)")
                }
            }
            return .refused(error.description)
        }

        var reader = JSONReader(json)
        do {
            try reader.skipValue()
            try reader.finish()
        } catch {
            violation("the JSON of a request is not valid (\(error)): \(excerpt(json))")
        }
        do {
            _ = try CBORValue(decoding: input)
        } catch {
            violation("the request transcoded to \(excerpt(json)) but does not decode: \(error)")
        }

        if let answer = try? KinesisCBOR.answerCBOR(json: json) {
            do {
                _ = try CBORValue(decoding: answer)
            } catch CBORError.tooDeep {
                // A timestamp member 64 objects deep: its tag is a 65th level.
            } catch {
                violation("answerCBOR wrote CBOR that does not decode (\(error)) for \(excerpt(json))")
            }
        }
        return .transcoded(String(decoding: json, as: UTF8.self))
    }

    /// Whether `error` is about well-formedness, which the decoder judges alike, rather than
    /// about what JSON or a Kinesis request cannot carry.
    static func isMalformed(_ error: CBORError) -> Bool {
        switch error {
        case .keyNotText, .notFinite, .simpleValue, .timestampNotInteger, .timestampOutOfRange: false
        default: true
        }
    }
}
