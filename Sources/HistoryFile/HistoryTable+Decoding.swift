import RaceModel

/// What is wrong with a history file, with where.
public struct HistoryFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

extension HistoryTable {
    /// Reads the JSON of a history file back (the shape `json()` writes; whitespace allowed).
    public static func decode(_ bytes: [UInt8]) throws(HistoryFileError) -> HistoryTable {
        let result: Result<HistoryTable, HistoryFileError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(HistoryFileError) in try decode(buffer) }
        }
        return try result.get()
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(HistoryFileError) -> HistoryTable {
        var table = HistoryTable()
        var index = 0
        func fail(_ what: String) -> HistoryFileError {
            HistoryFileError(description: "history JSON: expected \(what) at byte \(index)")
        }
        func skipWhitespace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }
        func expect(_ byte: UInt8, _ what: String) throws(HistoryFileError) {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { throw fail(what) }
            index += 1
        }
        func next(_ byte: UInt8) -> Bool {
            skipWhitespace()
            if index < bytes.count, bytes[index] == byte {
                index += 1
                return true
            }
            return false
        }
        func key() throws(HistoryFileError) -> Int {
            try expect(UInt8(ascii: "\""), "a quoted number")
            var value = 0
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, index - start < 18 {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            guard index > start else { throw fail("digits") }
            try expect(UInt8(ascii: "\""), "a closing quote")
            try expect(UInt8(ascii: ":"), "':'")
            return value
        }
        try expect(UInt8(ascii: "{"), "'{'")
        if !next(UInt8(ascii: "}")) {
            repeat {
                skipWhitespace()
                let keyStart = index
                let second = try key()
                guard second >= 1 else {
                    index = keyStart
                    throw fail("a second of at least 1")
                }
                try expect(UInt8(ascii: "{"), "'{'")
                if !next(UInt8(ascii: "}")) {
                    repeat {
                        let racer = try key()
                        skipWhitespace()
                        guard let output = DecimalNumber.parseJSON(bytes, index: &index) else { throw fail("a number") }
                        table.fold(racerId: racer, second: second, output: output)
                    } while next(UInt8(ascii: ","))
                    try expect(UInt8(ascii: "}"), "'}' or ','")
                }
            } while next(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"), "'}' or ','")
        }
        skipWhitespace()
        guard index == bytes.count else { throw fail("the end of the file") }
        return table
    }
}
