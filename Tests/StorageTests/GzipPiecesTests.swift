import Foundation
import Testing

@testable import Storage

@Suite struct GzipPiecesTests {
    @Test func piecesMadeApartAreOneOrdinaryGzipMember() throws {
        let parts = [sampleNDJSON(minimumBytes: 200_000, seed: 1), Array("{".utf8), [], sampleNDJSON(minimumBytes: 70_000, seed: 2)]
        let last = Array("}\n".utf8)
        let file = Gzip.member(parts.map { GzipPiece($0, last: false) } + [GzipPiece(last, last: true)])
        let whole = parts.flatMap { $0 } + last
        #expect(Array(file.prefix(10)) == Gzip.piecesHeader)
        // The trailer (CRC-32 and length of the whole text) is the one zlib writes compressing it in one go.
        #expect(Array(file.suffix(8)) == Array(Gzip.compress(whole).suffix(8)))
        #expect(firstDifference(try Gzip.decompress(file), whole) == nil)
        // An independent reader: Python's zlib in gzip mode, which stops at the end of the
        // first member and leaves whatever follows unread.
        let checked = try python("""
            import sys, zlib
            data = sys.stdin.buffer.read()
            d = zlib.decompressobj(31)
            text = d.decompress(data)
            print(d.eof, len(d.unused_data), len(text))
            """, input: file)
        #expect(checked == "True 0 \(whole.count)\n")
    }

    @Test func aPieceIsAPureFunctionOfItsText() {
        let text = sampleNDJSON(minimumBytes: 10_000, seed: 3)
        #expect(GzipPiece(text, last: false) == GzipPiece(text, last: false))
        #expect(GzipPiece(text, level: 1, last: false).deflated != GzipPiece(text, level: 9, last: false).deflated)
        #expect(GzipPiece(text, last: false).crc == GzipPiece(text, last: true).crc)
        #expect(GzipPiece(text, last: false).length == text.count)
    }

    private func python(_ program: String, input: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }
}
