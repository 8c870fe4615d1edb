import KinesisCBOR

/// The bytes of a hex string ("a1 61 61": spaces are skipped).
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8.filter { $0 != UInt8(ascii: " ") })
    return stride(from: 0, to: digits.count, by: 2).map { index in
        UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) ?? 0
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

func json(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// Builders for expected trees.
func int(_ value: Int) -> CBORValue {
    value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-1 - value))
}

func text(_ value: String) -> CBORValue {
    .text(value)
}

func array(_ items: CBORValue...) -> CBORValue {
    .array(items)
}

func map(_ pairs: (CBORValue, CBORValue)...) -> CBORValue {
    .map(pairs.map { CBORValue.Entry($0.0, $0.1) })
}

/// What `requestJSON` refuses `cbor` with, or nil when it does not.
func requestRefusal(_ cbor: [UInt8]) -> String? {
    do {
        _ = try KinesisCBOR.requestJSON(cbor: cbor)
        return nil
    } catch {
        return error.description
    }
}

/// What the decoder refuses `cbor` with, or nil when it does not.
func decodeRefusal(_ cbor: [UInt8]) -> String? {
    do {
        _ = try CBORValue(decoding: cbor)
        return nil
    } catch {
        return error.description
    }
}
