import Foundation
import Testing

@testable import Storage

@Suite struct GzipTests {
    /// ID1 ID2 CM=deflate, FLG=0, MTIME=0, XFL=0 (levels 2...8; 4 for 0...1, 2 for 9), OS=3 (Unix).
    static let defaultHeader: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    @Test func emptyInputRoundTrips() throws {
        let compressed = Gzip.compress([UInt8]())
        #expect(Array(compressed.prefix(10)) == Self.defaultHeader)
        // CRC-32 and length of nothing are both zero.
        #expect(Array(compressed.suffix(8)) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try Gzip.decompress(compressed) == [])
    }

    @Test func fewBytesRoundTripWithExactHeaderAndTrailer() throws {
        let input = Array("hello".utf8)
        let compressed = Gzip.compress(input)
        #expect(Array(compressed.prefix(10)) == Self.defaultHeader)
        // CRC-32("hello") = 0x3610a686, then ISIZE = 5, both little-endian.
        #expect(Array(compressed.suffix(8)) == [0x86, 0xa6, 0x10, 0x36, 5, 0, 0, 0])
        #expect(firstDifference(try Gzip.decompress(compressed), input) == nil)
    }

    @Test func threeMegabytesOfNDJSONRoundTrip() throws {
        let input = sampleNDJSON(minimumBytes: 3 * 1024 * 1024)
        let compressed = Gzip.compress(input)
        #expect(Array(compressed.prefix(3)) == [0x1f, 0x8b, 0x08])
        #expect(compressed.count < input.count / 3)
        let restored = try Gzip.decompress(compressed)
        #expect(restored.count == input.count)
        #expect(firstDifference(restored, input) == nil)
    }

    @Test func rawBufferOverloadsMatchArrayOverloads() throws {
        let input = sampleNDJSON(minimumBytes: 10_000, seed: 7)
        let compressed = input.withUnsafeBytes { Gzip.compress($0) }
        #expect(compressed == Gzip.compress(input))
        let restored = try compressed.withUnsafeBytes { bytes in try Gzip.decompress(bytes) }
        #expect(firstDifference(restored, input) == nil)
    }

    @Test(arguments: [(Int32(0), UInt8(4)), (1, 4), (6, 0), (9, 2), (-1, 0)])
    func levelsRoundTripAndSetExtraFlags(level: Int32, extraFlags: UInt8) throws {
        let input = sampleNDJSON(minimumBytes: 50_000, seed: UInt64(level + 10))
        let compressed = Gzip.compress(input, level: level)
        #expect(Array(compressed.prefix(10)) == [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, extraFlags, 0x03])
        #expect(firstDifference(try Gzip.decompress(compressed), input) == nil)
    }

    @Test func storedLevelIsLargerThanDefaultLevel() {
        let input = sampleNDJSON(minimumBytes: 50_000)
        #expect(Gzip.compress(input, level: 0).count > input.count)
        #expect(Gzip.compress(input, level: 6).count < input.count / 3)
    }

    @Test func systemGzipReadsOurOutput() throws {
        let input = sampleNDJSON(minimumBytes: 3 * 1024 * 1024, seed: 3)
        try withTemporaryDirectory { directory in
            let file = directory + "/ours.gz"
            try Data(Gzip.compress(input)).write(to: URL(fileURLWithPath: file))
            #expect(firstDifference(try runSystemGzip(["-dc", file]), input) == nil)
        }
    }

    @Test func weReadSystemGzipOutput() throws {
        let input = sampleNDJSON(minimumBytes: 1024 * 1024, seed: 4)
        try withTemporaryDirectory { directory in
            let file = directory + "/plain.ndjson"
            try Data(input).write(to: URL(fileURLWithPath: file))
            // gzip -c stores the file name and time in the header, unlike our output.
            let compressed = try runSystemGzip(["-c", file])
            #expect(compressed[3] & 0x08 == 0x08)
            #expect(firstDifference(try Gzip.decompress(compressed), input) == nil)
        }
    }

    @Test func twoMembersDecompressToBothPartsJoined() throws {
        let first = Array("first part\n".utf8)
        let second = sampleNDJSON(minimumBytes: 100_000, seed: 5)
        let file = Gzip.compress(first) + Gzip.compress(second)
        #expect(firstDifference(try Gzip.decompress(file), first + second) == nil)
    }

    @Test func systemGzipAgreesOnTwoMembers() throws {
        let first = sampleNDJSON(minimumBytes: 20_000, seed: 8)
        let second = Array("tail\n".utf8)
        try withTemporaryDirectory { directory in
            let file = directory + "/two.gz"
            try Data(Gzip.compress(first) + Gzip.compress(second)).write(to: URL(fileURLWithPath: file))
            #expect(firstDifference(try runSystemGzip(["-dc", file]), first + second) == nil)
        }
    }

    @Test func manyMembersIncludingEmptyOnes() throws {
        let parts = (0..<20).map { index in index % 3 == 0 ? [] : Array("part \(index)\n".utf8) }
        let file = parts.map { Gzip.compress($0) }.reduce([], +)
        #expect(try Gzip.decompress(file) == parts.reduce([], +))
    }

    /// The last member's size is the only size hint, so a large first member makes the output grow.
    @Test func outputGrowsBeyondTheSizeHint() throws {
        let zeros = [UInt8](repeating: 0, count: 10 * 1024 * 1024)
        let file = Gzip.compress(zeros) + Gzip.compress([0x2a])
        #expect(file.count < 30_000)
        let restored = try Gzip.decompress(file)
        #expect(restored.count == zeros.count + 1)
        #expect(firstDifference(restored, zeros + [0x2a]) == nil)
    }

    @Test func zlibStreamIsAcceptedToo() throws {
        // zlib.compress(b"hello") in Python.
        let zlibStream: [UInt8] = [
            0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x06, 0x2c, 0x02, 0x15,
        ]
        #expect(try Gzip.decompress(zlibStream) == Array("hello".utf8))
    }

    @Test func garbageIsCorrupt() {
        let garbage = Array("this is not gzip data at all".utf8)
        #expect(throws: GzipError.corrupt("incorrect header check")) { _ = try Gzip.decompress(garbage) }
        #expect(GzipError.corrupt("incorrect header check").description
            == "not a valid gzip stream: incorrect header check")
    }

    @Test func seededRandomGarbageIsCorrupt() {
        var generator = SeededGenerator(seed: 99)
        let garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(throws: GzipError.corrupt("incorrect header check")) { _ = try Gzip.decompress(garbage) }
    }

    @Test func flippedBytesInTheMiddleAreCorrupt() throws {
        let input = sampleNDJSON(minimumBytes: 200_000, seed: 6)
        var compressed = Gzip.compress(input)
        let middle = compressed.count / 2
        for index in middle..<middle + 16 { compressed[index] ^= 0xff }
        let error = #expect(throws: GzipError.self) { _ = try Gzip.decompress(compressed) }
        // The damaged block still decodes, to wrong bytes, so the CRC-32 in the trailer catches it.
        #expect(error == .corrupt("incorrect data check"))
    }

    @Test func reservedBlockTypeIsCorrupt() {
        var compressed = Gzip.compress(Array("hello".utf8))
        // First deflate byte: BFINAL=1, BTYPE=11 (reserved).
        compressed[10] = 0x07
        #expect(throws: GzipError.corrupt("invalid block type")) { _ = try Gzip.decompress(compressed) }
    }

    @Test func wrongChecksumIsCorrupt() {
        var compressed = Gzip.compress(sampleNDJSON(minimumBytes: 1000))
        compressed[compressed.count - 8] ^= 0x01
        let error = #expect(throws: GzipError.self) { _ = try Gzip.decompress(compressed) }
        #expect(error == .corrupt("incorrect data check"))
        #expect(error?.description == "not a valid gzip stream: incorrect data check")
    }

    @Test func wrongLengthIsCorrupt() {
        var compressed = Gzip.compress(sampleNDJSON(minimumBytes: 1000))
        compressed[compressed.count - 1] ^= 0x01
        #expect(throws: GzipError.corrupt("incorrect length check")) { _ = try Gzip.decompress(compressed) }
    }

    @Test func garbageAfterAMemberIsCorrupt() {
        let file = Gzip.compress(Array("hello".utf8)) + Array("trailing junk".utf8)
        #expect(throws: GzipError.corrupt("incorrect header check")) { _ = try Gzip.decompress(file) }
    }

    @Test func emptyInputIsTruncated() {
        #expect(throws: GzipError.truncated) { _ = try Gzip.decompress([UInt8]()) }
        #expect(GzipError.truncated.description == "gzip stream ends early (truncated file?)")
    }

    @Test(arguments: [2, 10, 500, 20_000])
    func streamCutAfterBytesIsTruncated(keep: Int) throws {
        let compressed = Gzip.compress(sampleNDJSON(minimumBytes: 400_000, seed: 9))
        try #require(compressed.count > 20_000)
        let cut = Array(compressed.prefix(keep))
        #expect(throws: GzipError.truncated) { _ = try Gzip.decompress(cut) }
    }

    @Test func missingTrailerIsTruncated() {
        let compressed = Gzip.compress(sampleNDJSON(minimumBytes: 10_000))
        #expect(throws: GzipError.truncated) { _ = try Gzip.decompress(Array(compressed.dropLast(4))) }
        #expect(throws: GzipError.truncated) { _ = try Gzip.decompress(Array(compressed.dropLast(1))) }
    }

    @Test func truncatedSecondMemberIsTruncated() {
        let file = Gzip.compress(Array("one".utf8)) + Gzip.compress(Array("two".utf8)).dropLast(3)
        #expect(throws: GzipError.truncated) { _ = try Gzip.decompress(file) }
    }

    @Test func outOfMemoryDescription() {
        #expect(GzipError.outOfMemory.description == "not enough memory to decompress the gzip stream")
    }
}
