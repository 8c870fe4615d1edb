import Testing
@testable import KinesisStream

@Suite struct HashKeyRangeTests {
    // MD5 values computed independently (Python hashlib, big-endian int).
    @Test(arguments: [
        ("alleycat", "36676998959385048803715501669750695799"),
        ("racer-1", "335997380444825165757202891567158939540"),
        ("1700000000", "48610565635603199491362067491553456065"),
        ("class-3", "337486384835806033909101280403945393461"),
        ("a", "16955237001963240173058271559858726497"),
    ])
    func md5HashKeys(key: String, expected: String) {
        #expect(PartitionHash.hashKey(forPartitionKey: key) == UInt128(expected)!)
    }

    // Shard indexes for 2, 3, 4, 7 and 16 shards, computed independently.
    @Test(arguments: [
        ("alleycat", [0, 0, 0, 0, 1]),
        ("racer-1", [1, 2, 3, 6, 15]),
        ("1700000000", [0, 0, 0, 0, 2]),
        ("class-1", [1, 2, 3, 6, 14]),
        ("partition-key-42", [0, 0, 0, 1, 3]),
    ])
    func shardChoice(key: String, expected: [Int]) {
        let chosen = [2, 3, 4, 7, 16].map { count in
            KinesisStream(shardCount: count, clock: VirtualClockForTests()).shardIndex(forPartitionKey: key)
        }
        #expect(chosen == expected)
    }

    @Test func threeShardsSplitLikeCreateStream() {
        let ranges = HashKeyRange.evenSplit(into: 3)
        #expect(ranges.map(\.startingHashKey) == [0, UInt128("113427455640312821154458202477256070485")!, UInt128("226854911280625642308916404954512140970")!])
        #expect(ranges.map(\.endingHashKey) == [UInt128("113427455640312821154458202477256070484")!, UInt128("226854911280625642308916404954512140969")!, .max])
    }

    @Test func rangesCoverTheKeySpaceWithoutGapOrOverlap() {
        for count in 1...64 {
            let ranges = HashKeyRange.evenSplit(into: count)
            #expect(ranges.count == count)
            #expect(ranges.first?.startingHashKey == 0)
            #expect(ranges.last?.endingHashKey == .max)
            for (left, right) in zip(ranges, ranges.dropFirst()) {
                #expect(left.endingHashKey + 1 == right.startingHashKey)
                #expect(left.startingHashKey <= left.endingHashKey)
            }
        }
    }

    @Test func explicitHashKeys() {
        #expect(PartitionHash.parseExplicitHashKey("0") == 0)
        #expect(PartitionHash.parseExplicitHashKey("340282366920938463463374607431768211455") == .max)
        #expect(PartitionHash.parseExplicitHashKey("340282366920938463463374607431768211456") == nil)
        #expect(PartitionHash.parseExplicitHashKey("-1") == nil)
        #expect(PartitionHash.parseExplicitHashKey("") == nil)
        #expect(PartitionHash.parseExplicitHashKey("12a") == nil)
    }

    @Test func sequenceNumbersAndShardIdsRoundTrip() {
        let sequenceNumber = SequenceNumber(shardIndex: 3, counter: 42)
        #expect(sequenceNumber.description == "1000003000000000000000042")
        #expect(SequenceNumber("1000003000000000000000042") == sequenceNumber)
        #expect(SequenceNumber("42") == nil)
        #expect(ShardID(index: 7).description == "shardId-000000000007")
        #expect(ShardID("shardId-000000000007") == ShardID(index: 7))
        #expect(ShardID("shard-7") == nil)
    }
}
