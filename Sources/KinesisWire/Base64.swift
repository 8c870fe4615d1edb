/// Standard base64 (RFC 4648, with padding), as the Kinesis JSON API carries record data.
/// Written on bytes: it runs for every record that crosses the network.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0...63 for alphabet bytes, 0xFF otherwise.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    public static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Appends the encoding of `data` to `output`.
    public static func encode(_ data: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        let bytes = data.bindMemory(to: UInt8.self)
        do {
            let start = output.count
            let length = encodedCount(bytes.count)
            output.append(contentsOf: repeatElement(0, count: length))
            output.withUnsafeMutableBufferPointer { buffer in
                alphabet.withUnsafeBufferPointer { table in
                    var out = start
                    var index = 0
                    let whole = bytes.count - bytes.count % 3
                    while index < whole {
                        let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                        buffer[out] = table[Int(chunk >> 18)]
                        buffer[out + 1] = table[Int(chunk >> 12 & 0x3F)]
                        buffer[out + 2] = table[Int(chunk >> 6 & 0x3F)]
                        buffer[out + 3] = table[Int(chunk & 0x3F)]
                        index += 3
                        out += 4
                    }
                    let rest = bytes.count - whole
                    guard rest > 0 else { return }
                    let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
                    buffer[out] = table[Int(chunk >> 18)]
                    buffer[out + 1] = table[Int(chunk >> 12 & 0x3F)]
                    buffer[out + 2] = rest == 2 ? table[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "=")
                    buffer[out + 3] = UInt8(ascii: "=")
                }
            }
        }
    }

    public static func encode(_ data: [UInt8]) -> String {
        var output: [UInt8] = []
        data.withUnsafeBytes { encode($0, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `text`; nil when it is not canonical padded base64 (wrong length,
    /// a byte outside the alphabet, padding anywhere but the end).
    public static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var ok = true
        let output = [UInt8](unsafeUninitializedCapacity: text.count / 4 * 3) { output, initialized in
            let written = decode(text, into: UnsafeMutableRawBufferPointer(output))
            ok = written != nil
            initialized = written ?? 0
        }
        return ok ? output : nil
    }

    /// Decodes `text` straight into `output`, which has room for `text.count / 4 * 3`
    /// bytes (a reader can put every record of an answer into one block this way).
    /// Returns the count written; nil when `text` is not canonical, and `output` then
    /// holds garbage.
    public static func decode(_ text: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableRawBufferPointer) -> Int? {
        let count = text.count
        if count == 0 { return 0 }
        guard count % 4 == 0, output.count >= count / 4 * 3 else { return nil }
        var padding = 0
        if text[count - 1] == UInt8(ascii: "=") { padding = text[count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        let out = output.bindMemory(to: UInt8.self)
        return values.withUnsafeBufferPointer { table -> Int? in
            var index = 0
            var written = 0
            let full = count - (padding > 0 ? 4 : 0)
            while index < full {
                let a = table[Int(text[index])], b = table[Int(text[index + 1])]
                let c = table[Int(text[index + 2])], d = table[Int(text[index + 3])]
                if (a | b | c | d) & 0xC0 != 0 { return nil }
                let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[written] = UInt8(truncatingIfNeeded: chunk >> 16)
                out[written + 1] = UInt8(truncatingIfNeeded: chunk >> 8)
                out[written + 2] = UInt8(truncatingIfNeeded: chunk)
                index += 4
                written += 3
            }
            if padding == 0 { return written }
            let a = table[Int(text[index])], b = table[Int(text[index + 1])]
            let c = padding == 2 ? 0 : table[Int(text[index + 2])]
            if (a | b | c) & 0xC0 != 0 { return nil }
            let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
            // Canonical form: the bits the padding stands for are zero.
            if chunk & (padding == 2 ? 0xFFFF : 0xFF) != 0 { return nil }
            out[written] = UInt8(truncatingIfNeeded: chunk >> 16)
            if padding == 1 { out[written + 1] = UInt8(truncatingIfNeeded: chunk >> 8) }
            return written + 3 - padding
        }
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode($0) }
    }
}
